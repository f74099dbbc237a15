package handler

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error codes of docs/contract.md §3. Clients branch on them; they never change.
const (
	CodeInvalidParameter     = "InvalidParameter"
	CodeUnauthorized         = "Unauthorized"
	CodeAccessDenied         = "AccessDenied"
	CodeMethodNotAllowed     = "MethodNotAllowed"
	CodeRequestLimitExceeded = "RequestLimitExceeded"
	CodeConfigError          = "ConfigError"
	CodeUpstreamError        = "UpstreamError"
	CodeUpstreamTimeout      = "UpstreamTimeout"
	CodeInternalError        = "InternalError"
)

// statusOf is the one table from error code to HTTP status.
var statusOf = map[string]int{
	CodeInvalidParameter:     http.StatusBadRequest,
	CodeUnauthorized:         http.StatusUnauthorized,
	CodeAccessDenied:         http.StatusForbidden,
	CodeMethodNotAllowed:     http.StatusMethodNotAllowed,
	CodeRequestLimitExceeded: http.StatusTooManyRequests,
	CodeConfigError:          http.StatusInternalServerError,
	CodeUpstreamError:        http.StatusBadGateway,
	CodeUpstreamTimeout:      http.StatusGatewayTimeout,
	CodeInternalError:        http.StatusInternalServerError,
}

// Error is a failed request: Code picks the status, Message is what the caller may read, and Detail (logged, never
// returned) says what an operator needs to fix it. Neither ever holds a secret.
type Error struct {
	Code       string
	Message    string
	Detail     string
	RetryAfter int // seconds, for RequestLimitExceeded
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return e.Code + ": " + e.Message + " (" + e.Detail + ")"
	}
	return e.Code + ": " + e.Message
}

// Status is the HTTP status for the error's code.
func (e *Error) Status() int {
	if s, ok := statusOf[e.Code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

func invalidParameter(format string, args ...any) *Error {
	return &Error{Code: CodeInvalidParameter, Message: fmt.Sprintf(format, args...)}
}

func unauthorized(format string, args ...any) *Error {
	return &Error{Code: CodeUnauthorized, Message: fmt.Sprintf(format, args...)}
}

func accessDenied(format string, args ...any) *Error {
	return &Error{Code: CodeAccessDenied, Message: fmt.Sprintf(format, args...)}
}

// plain is a policy error as a caller reads it: without the Go package prefix, and one problem per sentence.
func plain(err error) string {
	msg := strings.ReplaceAll(err.Error(), "policy: ", "")
	return strings.ReplaceAll(msg, "\n", "; ")
}

// configError hides the configuration problem from the caller and keeps it for the log.
func configError(err error) *Error {
	return &Error{Code: CodeConfigError, Message: "the function is misconfigured; its log says what to fix", Detail: err.Error()}
}

// asError turns any error into an *Error; an unexpected one becomes an InternalError whose text stays in the log.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: CodeInternalError, Message: "internal error", Detail: err.Error()}
}
