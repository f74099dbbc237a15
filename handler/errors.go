package handler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/cos-sts-scf/cos-sts-scf/auth"
	"github.com/cos-sts-scf/cos-sts-scf/issuer"
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

// headers are the headers docs/contract.md §3 sends with the error's code.
func (e *Error) headers() map[string]string {
	h := map[string]string{}
	switch e.Code {
	case CodeMethodNotAllowed:
		h["Allow"] = "GET, POST, OPTIONS"
	case CodeRequestLimitExceeded:
		h["Retry-After"] = retryAfter(e.RetryAfter)
	case CodeUnauthorized:
		h["WWW-Authenticate"] = "Bearer"
	}
	return h
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

// upstreamError maps an issuer failure to the reply docs/contract.md §3 gives it.
func upstreamError(err error) *Error {
	var ie *issuer.Error
	if !errors.As(err, &ie) {
		// The issuer refused the request before sending it: a bug here, not STS's answer.
		return &Error{Code: CodeInternalError, Message: "internal error", Detail: err.Error()}
	}
	switch ie.Kind {
	case issuer.KindThrottled:
		return &Error{Code: CodeRequestLimitExceeded, Message: "STS is throttling requests; retry later", Detail: ie.Error(), RetryAfter: 1}
	case issuer.KindTimeout:
		return &Error{Code: CodeUpstreamTimeout, Message: "STS did not answer in time", Detail: ie.Error()}
	}
	if !ie.FromSTS() {
		// Unreachable, or something that is not STS answered: the code is the issuer's, not STS's word.
		return &Error{Code: CodeUpstreamError, Message: "no usable answer from STS (" + ie.Code + ")", Detail: ie.Error()}
	}
	msg := "STS refused the request: " + ie.Code
	if ie.RequestID != "" {
		msg += " (STS request id " + ie.RequestID + ")"
	}
	return &Error{Code: CodeUpstreamError, Message: msg, Detail: ie.Error()}
}

// verifyError maps a token that did not verify to 401, and keys at STS_JWKS_URL that could not be had to 502, or
// 504 at the deadline: then the caller is not at fault.
func verifyError(err error) *Error {
	switch {
	case errors.Is(err, auth.ErrJWKSUnavailable) && errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: CodeUpstreamTimeout, Message: "the keys that verify tokens (STS_JWKS_URL) did not arrive in time", Detail: err.Error()}
	case errors.Is(err, auth.ErrJWKSUnavailable):
		return &Error{Code: CodeUpstreamError, Message: "the keys that verify tokens (STS_JWKS_URL) could not be fetched", Detail: err.Error()}
	}
	return unauthorized("%s", strings.TrimPrefix(err.Error(), "auth: "))
}

func retryAfter(seconds int) string {
	if seconds < 1 {
		seconds = 1
	}
	return strconv.Itoa(seconds)
}
