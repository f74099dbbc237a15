package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/tencentyun/scf-go-lib/cloudfunction/messages"
)

// httpReply is an integration response ({statusCode, headers, body,
// isBase64Encoded}) after decoding: what an API Gateway or Function URL trigger
// turns into the HTTP response.
type httpReply struct {
	status  int
	headers map[string][]string // names as the function wrote them
	body    []byte
}

// parseHTTPReply reads payload as an integration response. ok is false when it
// is not one (no statusCode): a direct invocation's result.
func parseHTTPReply(payload []byte) (r httpReply, ok bool, err error) {
	var wire struct {
		StatusCode      *int                       `json:"statusCode"`
		Headers         map[string]json.RawMessage `json:"headers"`
		Body            string                     `json:"body"`
		IsBase64Encoded bool                       `json:"isBase64Encoded"`
	}
	if json.Unmarshal(payload, &wire) != nil || wire.StatusCode == nil {
		return httpReply{}, false, nil
	}
	r = httpReply{status: *wire.StatusCode, headers: make(map[string][]string, len(wire.Headers)), body: []byte(wire.Body)}
	for name, v := range wire.Headers {
		r.headers[name] = headerValues(v)
	}
	if wire.IsBase64Encoded {
		if r.body, err = base64.StdEncoding.DecodeString(wire.Body); err != nil {
			return httpReply{}, true, fmt.Errorf("local: the reply is marked isBase64Encoded but its body is not base64: %w", err)
		}
	}
	return r, true, nil
}

// headerValues accepts what gateways accept: a string, a list of strings, or
// any other JSON value, written as its JSON text.
func headerValues(v json.RawMessage) []string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return []string{s}
	}
	var list []string
	if json.Unmarshal(v, &list) == nil {
		return list
	}
	return []string{string(v)}
}

// printReply writes a reply for a person: "HTTP <status>", the headers sorted,
// a blank line and the body, or for a direct invocation the result alone; JSON
// is indented either way.
func printReply(w io.Writer, payload []byte) error {
	r, ok, err := parseHTTPReply(payload)
	if err != nil {
		return err
	}
	if !ok {
		return printBody(w, payload)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP %d\n", r.status)
	for _, name := range slices.Sorted(maps.Keys(r.headers)) {
		fmt.Fprintf(&b, "%s: %s\n", name, strings.Join(r.headers[name], ", "))
	}
	b.WriteByte('\n')
	if _, err := w.Write(b.Bytes()); err != nil {
		return err
	}
	return printBody(w, r.body)
}

// printBody indents JSON and writes anything else as it is.
func printBody(w io.Writer, body []byte) error {
	if len(body) == 0 {
		return nil
	}
	var b bytes.Buffer
	if json.Indent(&b, body, "", "  ") != nil {
		b.Reset()
		b.Write(body)
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\n")) {
		b.WriteByte('\n')
	}
	_, err := w.Write(b.Bytes())
	return err
}

// printFunctionError reports a handler that returned an error or panicked: SCF
// shows the same as a failed invocation, not as an HTTP reply.
func printFunctionError(w io.Writer, e *messages.InvokeResponse_Error) {
	var b strings.Builder
	fmt.Fprintf(&b, "local: the function failed (%s): %s\n", e.Type, e.Message)
	for _, f := range e.StackTrace {
		fmt.Fprintf(&b, "    %s:%d %s\n", f.Path, f.Line, f.Label)
	}
	if e.ShouldExit {
		b.WriteString("local: SCF would replace this instance (ShouldExit).\n")
	}
	io.WriteString(w, b.String())
}
