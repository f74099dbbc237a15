package issuer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
)

// classify turns one attempt's failure into an Error and says whether
// another attempt could succeed. It reads the SDK error's code and request
// id only; the SDK's message can quote the response body or the request, so
// every message here is our own or STS's, sanitised.
func classify(err, attemptErr error, status int, timeout time.Duration, secrets ...string) (*Error, bool) {
	if attemptErr != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &Error{Kind: KindTimeout, Code: CodeTimeout, Message: fmt.Sprintf("STS did not answer within %s", timeout.Round(time.Millisecond))}, true
	}
	var sdkErr *tcerr.TencentCloudSDKError
	if !errors.As(err, &sdkErr) {
		return &Error{Kind: KindUpstream, Code: CodeNotSent, Message: "the call to STS could not be made"}, false
	}
	code := sdkErr.Code
	switch {
	case code == "ClientError.NetworkError":
		msg, retry := network(err)
		return &Error{Kind: KindUpstream, Code: CodeNetwork, Message: msg}, retry
	case strings.HasPrefix(code, "ClientError."):
		return badAnswer(code, status)
	case !validCode(code):
		// Not STS's grammar: a proxy's page, or an echo of the request. Nothing of it is passed on, since the code
		// reaches the caller's reply.
		return &Error{Kind: KindUpstream, Code: CodeBadAnswer, Message: "STS answered an error whose code is not an STS error code"}, false
	}
	e := &Error{Kind: KindUpstream, Code: code, Message: sanitize(sdkErr.Message, secrets...), RequestID: requestID(sdkErr.RequestId)}
	switch {
	case strings.HasPrefix(code, "RequestLimitExceeded") || code == CodeOverLimit:
		e.Kind = KindThrottled
		return e, true
	case strings.HasPrefix(code, "InternalError"):
		return e, true
	default:
		// AuthFailure.*, InvalidParameter.*, FailedOperation.*,
		// ResourceNotFound.*, MissingParameter, InvalidAction…: asking
		// again gets the same answer.
		return e, false
	}
}

// CodeOverLimit is STS's other rate-limit answer ("超过频率限制", over the
// frequency limit): despite its InvalidParameter family it is throttling, to
// be retried and reported as RequestLimitExceeded is.
const CodeOverLimit = "InvalidParameter.OverLimit"

// Grammars of what STS answers, checked before anything of it is passed on. An error code is dot-separated words
// (AuthFailure.SignatureExpire): ^[A-Za-z]+(\.[A-Za-z0-9]+)*$; a request id is a UUID, or at least something of
// its alphabet and size: ^[A-Za-z0-9-]{1,64}$. Both are checked by hand (TestGrammarsAgreeWithPatterns holds them to
// those patterns): compiling the patterns took half a millisecond of every cold start.

// maxCode bounds an error code; STS's longest are about 40 characters.
const maxCode = 80

func validCode(code string) bool {
	if len(code) > maxCode {
		return false
	}
	for i, word := range strings.Split(code, ".") {
		if word == "" {
			return false
		}
		for j := 0; j < len(word); j++ {
			c := word[j]
			if !isLetter(c) && (i == 0 || !isDigit(c)) {
				return false
			}
		}
	}
	return true
}

// requestID returns id when it looks like a request id, else "" (it is left out rather than quoted).
func requestID(id string) string {
	if len(id) < 1 || len(id) > 64 {
		return ""
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !isLetter(c) && !isDigit(c) && c != '-' {
			return ""
		}
	}
	return id
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

// badAnswer handles an answer that is not STS JSON. A gateway's 5xx and a
// body cut short are worth another attempt; a 429 from a gateway is
// throttling; any other status means we are not talking to STS.
func badAnswer(code string, status int) (*Error, bool) {
	switch {
	case status == 429:
		return &Error{Kind: KindThrottled, Code: "RequestLimitExceeded", Message: "STS answered HTTP 429"}, true
	case status >= 500:
		return &Error{Kind: KindUpstream, Code: CodeBadAnswer, Message: fmt.Sprintf("STS answered HTTP %d without an STS error", status)}, true
	case status != 0 && status != 200:
		return &Error{Kind: KindUpstream, Code: CodeBadAnswer, Message: fmt.Sprintf("STS answered HTTP %d without an STS error; is the endpoint STS?", status)}, false
	case code == "ClientError.ParseJsonError" || code == "ClientError.IOError":
		return &Error{Kind: KindUpstream, Code: CodeBadAnswer, Message: "STS answered with a body that is not STS JSON"}, true
	default:
		return &Error{Kind: KindUpstream, Code: CodeNotSent, Message: "the call to STS could not be made (" + code + ")"}, false
	}
}

// network describes a connection failure without the URL error's text.
// Refused, reset and early-closed connections are retried (a new connection
// may reach a healthy STS node); a certificate that does not verify is not.
func network(err error) (string, bool) {
	var certErr *tls.CertificateVerificationError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &certErr):
		return "STS's TLS certificate did not verify", false
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection to STS refused", true
	case errors.Is(err, syscall.ECONNRESET):
		return "connection to STS reset", true
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "connection to STS closed before it answered", true
	case errors.As(err, &dnsErr):
		return "the STS host name did not resolve", true
	default:
		return "network error calling STS", true
	}
}
