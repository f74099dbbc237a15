package issuer

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/cos-sts-scf/cos-sts-scf/internal/redact"
)

// Kind sorts a failure for the HTTP status the caller should see.
type Kind int

// Kinds of failure. The zero Kind is not used, so a forgotten field shows.
const (
	KindUpstream  Kind = iota + 1 // STS refused or answered nonsense: 502
	KindThrottled                 // STS still throttled after the retries that fit: 429
	KindTimeout                   // STS did not answer in time: 504
)

// String names the kind for logs.
func (k Kind) String() string {
	switch k {
	case KindUpstream:
		return "upstream"
	case KindThrottled:
		return "throttled"
	case KindTimeout:
		return "timeout"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Codes Issue puts in Error.Code for failures STS did not name itself. None
// is a code STS answers with (STS's own InternalError, for one, is retried
// and passed on as STS's), so a reply or log line never shows the function's
// guess as STS's word.
const (
	// CodeBadAnswer: a 5xx or non-STS status, an unparsable body, an error
	// code not of STS's grammar, or a success without credentials.
	CodeBadAnswer = "BadAnswer"
	// CodeNetwork: the connection failed (refused, reset, closed early).
	CodeNetwork = "NetworkError"
	// CodeTimeout: no answer within the attempt timeout or the deadline.
	CodeTimeout = "Timeout"
	// CodeNotSent: the SDK could not make the call at all.
	CodeNotSent = "ClientError"
)

// FromSTS reports whether Code is STS's own answer rather than one of the
// Code* constants this package chose for a failure STS did not name.
func (e *Error) FromSTS() bool {
	switch e.Code {
	case CodeBadAnswer, CodeNetwork, CodeTimeout, CodeNotSent:
		return false
	}
	return true
}

// Error is Issue's failure after its retries. Message is built by this
// package from STS's code and a sanitised STS message, never from the SDK's
// error text (which can echo the request), so it holds no secret.
type Error struct {
	Kind      Kind
	Code      string // STS's error code, or one of the Code* constants
	Message   string
	RequestID string // STS's RequestId, when STS answered
	Attempts  int
	// RetryBudgetSpent: the failure could have been retried, but the instance's retry budget was spent.
	RetryBudgetSpent bool
}

// Error reads "issuer: upstream: STS AuthFailure.SignatureFailure: … (request
// id …, 1 attempt)".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "issuer: %s: STS %s: %s (", e.Kind, e.Code, e.Message)
	if e.RequestID != "" {
		fmt.Fprintf(&b, "request id %s, ", e.RequestID)
	}
	if e.Attempts == 1 {
		b.WriteString("1 attempt")
	} else {
		fmt.Fprintf(&b, "%d attempts", e.Attempts)
	}
	if e.RetryBudgetSpent {
		b.WriteString(", no more: the instance's retry budget is spent")
	}
	b.WriteString(")")
	return b.String()
}

// maxMessage bounds an STS message carried into our errors and logs.
const maxMessage = 200

// sanitize makes STS's message safe to log and show: every secret of the
// request is cut out, whole or any echo of its first redact.MinPrefix or more
// characters (STS messages can quote parameters, and a proxy may cut what it
// quotes), control characters go, and the length is bounded.
func sanitize(msg string, secrets ...string) string {
	msg = redact.Secrets(msg, secrets...)
	msg = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, msg)
	if r := []rune(msg); len(r) > maxMessage {
		msg = string(r[:maxMessage]) + "…"
	}
	return strings.TrimSpace(msg)
}
