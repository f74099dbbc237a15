package main

import (
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// urlEvent is the event a Function URL trigger delivers: API Gateway's shape
// without requestContext, the caller's address in x-scf-remote-addr (docs/contract.md §1).
type urlEvent struct {
	Body            string            `json:"body"`
	Headers         map[string]string `json:"headers"`
	HTTPMethod      string            `json:"httpMethod"`
	Path            string            `json:"path"`
	QueryString     map[string]any    `json:"queryString"`
	IsBase64Encoded bool              `json:"isBase64Encoded,omitempty"`
}

// functionURLEvent turns a request and its body into a Function URL event.
func functionURLEvent(r *http.Request, body []byte) urlEvent {
	ev := urlEvent{
		Headers:     make(map[string]string, len(r.Header)+2),
		HTTPMethod:  r.Method,
		Path:        r.URL.Path,
		QueryString: queryString(r.URL.RawQuery),
	}
	if ev.Path == "" {
		ev.Path = "/"
	}
	for name, values := range r.Header {
		ev.Headers[strings.ToLower(name)] = strings.Join(values, ",")
	}
	// net/http moves Host out of the header map; the trigger keeps it.
	if r.Host != "" {
		ev.Headers["host"] = r.Host
	}
	// Set from the connection, never taken from the client: the function
	// treats it as the caller's address.
	ev.Headers["x-scf-remote-addr"] = clientIP(r.RemoteAddr)
	if utf8.Valid(body) {
		ev.Body = string(body)
	} else {
		ev.Body = base64.StdEncoding.EncodeToString(body)
		ev.IsBase64Encoded = true
	}
	return ev
}

// queryString keeps what a gateway keeps: a string for a single value, a list
// for a repeated name, true for a name without "=". url.ParseQuery would lose
// that last distinction. A repeated bare name counts as "" in its list.
func queryString(raw string) map[string]any {
	values := map[string][]string{}
	bare := map[string]bool{}
	for piece := range strings.SplitSeq(raw, "&") {
		if piece == "" {
			continue
		}
		name, value, hasValue := strings.Cut(piece, "=")
		name = unescape(name)
		values[name] = append(values[name], unescape(value))
		bare[name] = !hasValue
	}
	q := make(map[string]any, len(values))
	for name, vs := range values {
		switch {
		case len(vs) > 1:
			q[name] = vs
		case bare[name]:
			q[name] = true
		default:
			q[name] = vs[0]
		}
	}
	return q
}

// unescape decodes a query component, keeping it as sent when it is not
// valid percent-encoding: the function then reports the odd value itself.
func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// clientIP strips the port from a remote address.
func clientIP(remoteAddr string) string {
	if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
		return host
	}
	return remoteAddr
}
