package handler

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Shape is the kind of event SCF delivered (docs/contract.md §1).
type Shape string

// The three shapes the handler tells apart.
const (
	ShapeAPIGateway  Shape = "apigw"
	ShapeFunctionURL Shape = "function-url"
	ShapeDirect      Shape = "direct"
)

// httpEvent is an API Gateway or Function URL event, reduced to what the function reads. Query values stay raw
// because the gateway sends a string, a list of strings or true.
type httpEvent struct {
	Shape     Shape
	Method    string
	Headers   map[string]string // the headers the function reads (readHeaders), names lower-cased
	Query     map[string]json.RawMessage
	Body      []byte
	RequestID string // the gateway's, for API Gateway events
	SourceIP  string
}

// wireHTTPEvent is the JSON shape of both HTTP triggers.
type wireHTTPEvent struct {
	HTTPMethod      string                     `json:"httpMethod"`
	Headers         map[string]json.RawMessage `json:"headers"`
	QueryString     map[string]json.RawMessage `json:"queryString"`
	Body            *string                    `json:"body"`
	IsBase64Encoded bool                       `json:"isBase64Encoded"`
	RequestContext  *struct {
		RequestID string `json:"requestId"`
		SourceIP  string `json:"sourceIp"`
	} `json:"requestContext"`
}

// classify decides the shape of a raw event. An HTTP event is recognised by a string httpMethod; everything else
// is a direct invocation whose whole payload is the parameter object.
func classify(raw []byte) Shape {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return ShapeDirect
	}
	var probe struct {
		HTTPMethod     json.RawMessage `json:"httpMethod"`
		RequestContext json.RawMessage `json:"requestContext"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return ShapeDirect // reported as malformed by the direct-invocation parser
	}
	var method string
	if len(probe.HTTPMethod) == 0 || probe.HTTPMethod[0] != '"' || json.Unmarshal(probe.HTTPMethod, &method) != nil {
		return ShapeDirect // httpMethod must be a string; null is not one
	}
	if len(probe.RequestContext) > 0 && probe.RequestContext[0] == '{' {
		return ShapeAPIGateway
	}
	return ShapeFunctionURL
}

// skimShape tells the shape of an event too large to read (limits.go) as classify would, from its top-level member
// names alone: one pass over the bytes, nothing decoded or allocated, so that even a 6 MB event costs a few
// milliseconds. Names match as encoding/json matches them (case-insensitively, the last one winning); a name
// written with escapes is not recognised, which can only change the shape of the 400 such an event gets.
func skimShape(raw []byte) Shape {
	var method, reqCtx bool
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return ShapeDirect
	}
	for i = skipSpace(raw, i+1); i < len(raw) && raw[i] == '"'; i = skipSpace(raw, i+1) {
		end := skipString(raw, i)
		if end < 0 {
			break
		}
		name := raw[i+1 : end-1]
		if i = skipSpace(raw, end); i >= len(raw) || raw[i] != ':' {
			break
		}
		if i = skipSpace(raw, i+1); i >= len(raw) {
			break
		}
		switch {
		case bytes.EqualFold(name, []byte("httpMethod")):
			method = raw[i] == '"'
		case bytes.EqualFold(name, []byte("requestContext")):
			reqCtx = raw[i] == '{'
		}
		if i = skipSpace(raw, skipValue(raw, i)); i >= len(raw) || raw[i] != ',' {
			break
		}
	}
	switch {
	case !method:
		return ShapeDirect
	case reqCtx:
		return ShapeAPIGateway
	}
	return ShapeFunctionURL
}

func skipSpace(raw []byte, i int) int {
	for i >= 0 && i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at raw[i] ('"'), or -1 if it does not end.
func skipString(raw []byte, i int) int {
	for i++; i < len(raw); i++ {
		switch raw[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// skipValue returns the index after the value starting at raw[i], or len(raw) if it does not end.
func skipValue(raw []byte, i int) int {
	depth := 0
	for ; i < len(raw); i++ {
		switch c := raw[i]; c {
		case '"':
			if i = skipString(raw, i); i < 0 {
				return len(raw)
			}
			i--
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth < 0 {
				return i // the end of the enclosing object: the value was a bare literal
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
		if depth == 0 && (raw[i] == '"' || raw[i] == '}' || raw[i] == ']') {
			return i + 1
		}
	}
	return len(raw)
}

// readEvent tells an event's shape and, for an HTTP trigger, reads it: what classify and then decodeHTTPEvent
// give, from one pass over the event (scanEvent) instead of two decodes. An event the one pass does not read
// itself is given to classify and decodeHTTPEvent, so that its shape and its error are theirs, word for word
// (FuzzReadEvent holds the two ways together).
func readEvent(raw []byte) (Shape, *httpEvent, error) {
	if ev, shape, ok := scanEvent(raw); ok {
		return shape, ev, nil
	}
	shape := classify(raw)
	if shape == ShapeDirect {
		return shape, nil, nil
	}
	ev, err := decodeHTTPEvent(raw, shape)
	return shape, ev, err
}

// decodeHTTPEvent reads an API Gateway or Function URL event.
func decodeHTTPEvent(raw []byte, shape Shape) (*httpEvent, error) {
	var w wireHTTPEvent
	err := json.Unmarshal(raw, &w)
	if err != nil {
		return nil, invalidParameter("the event is not a valid HTTP trigger event: %s", jsonProblem(err))
	}
	ev := &httpEvent{
		Shape:  shape,
		Method: w.HTTPMethod, // methods are case-sensitive (RFC 9110); gateways send them upper-case
		Query:  w.QueryString,
	}
	if ev.Headers, err = readHeaderValues(w.Headers); err != nil {
		return nil, err
	}
	if w.RequestContext != nil {
		ev.RequestID = w.RequestContext.RequestID
		ev.SourceIP = w.RequestContext.SourceIP
	} else {
		ev.SourceIP = ev.Headers["x-scf-remote-addr"]
	}
	if w.Body != nil {
		ev.Body = []byte(*w.Body)
		if w.IsBase64Encoded {
			b, err := base64.StdEncoding.DecodeString(*w.Body)
			if err != nil {
				return nil, invalidParameter("the body is marked isBase64Encoded but is not valid base64")
			}
			ev.Body = b
		}
	}
	return ev, nil
}

// readHeaders are the headers the function reads: the caller's token, the page's origin and the caller's
// address as a Function URL gives it. Others are never looked at.
var readHeaders = map[string]bool{"authorization": true, "origin": true, "x-scf-remote-addr": true}

// readHeaderValues picks the readHeaders out of an event's headers, whatever the case of their names. Header names
// are case-insensitive, so an event may hold one twice ("x-scf-remote-addr" from the platform and
// "X-Scf-Remote-Addr" from a client); which one a map hands over first is chance. Two spellings with the same value
// are one header; with different values the request is refused, so that nobody's address or token is picked at
// random (README "Security notes").
func readHeaderValues(headers map[string]json.RawMessage) (map[string]string, error) {
	out := map[string]string{}
	for name, raw := range headers {
		lower := strings.ToLower(name)
		if !readHeaders[lower] {
			continue
		}
		v := headerValue(raw)
		if prev, dup := out[lower]; dup && prev != v {
			return nil, invalidParameter("header %s is given twice, in names that differ only in case, with different values", lower)
		}
		out[lower] = v
	}
	return out, nil
}

// headerValue flattens a header value: gateways send a string, and some a list of strings for repeated headers.
func headerValue(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(v, &list) == nil {
		return strings.Join(list, ",")
	}
	return ""
}

// jsonProblem turns an encoding/json error into a short message a caller can act on.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("field %q must be %s, not %s", typ.Field, kindName(typ.Type), typ.Value)
		}
		return fmt.Sprintf("expected %s, not %s", kindName(typ.Type), typ.Value)
	}
	return err.Error()
}

// kindName says in JSON's words what a Go type expects, instead of dumping the type.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Pointer:
		return kindName(t.Elem())
	}
	return "a number"
}
