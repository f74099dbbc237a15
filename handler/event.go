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
	Headers   map[string]string // names lower-cased
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
	if probe.HTTPMethod == nil || json.Unmarshal(probe.HTTPMethod, &method) != nil {
		return ShapeDirect
	}
	if len(probe.RequestContext) > 0 && probe.RequestContext[0] == '{' {
		return ShapeAPIGateway
	}
	return ShapeFunctionURL
}

// decodeHTTPEvent reads an API Gateway or Function URL event.
func decodeHTTPEvent(raw []byte, shape Shape) (*httpEvent, error) {
	var w wireHTTPEvent
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, invalidParameter("the event is not a valid HTTP trigger event: %s", jsonProblem(err))
	}
	ev := &httpEvent{
		Shape:   shape,
		Method:  w.HTTPMethod, // methods are case-sensitive (RFC 9110); gateways send them upper-case
		Headers: make(map[string]string, len(w.Headers)),
		Query:   w.QueryString,
	}
	for name, v := range w.Headers {
		ev.Headers[strings.ToLower(name)] = headerValue(v)
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
