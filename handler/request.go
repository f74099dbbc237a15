package handler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/cos-sts-scf/cos-sts-scf/config"
)

// request is what an event asks for, read once (docs/contract.md §1, §2).
type request struct {
	params params
	err    error  // the request could not be read, or asks for what no method or parameter allows
	format string // the reply format it asks for (cam or sts), "" for the configured one
}

// read reads the request of an event whose shape is known (readEvent): for an HTTP trigger, from the event ev that
// readEvent read (or its error), the method, the headers the function reads, the caller's address, the request id
// and the parameters of that method; for a direct invocation the parameters, from raw. The reply format is taken
// from the request even when the rest of it could not be read, so that its error comes back in the shape the
// client parses.
func (inv *invocation) read(raw []byte, ev *httpEvent, err error) request {
	if inv.shape == ShapeDirect {
		p, err := parseJSONParams(raw)
		return finish(p, err, raw, nil, false)
	}
	if err != nil {
		return request{err: err}
	}
	inv.method = ev.Method
	inv.headers = ev.Headers
	inv.caller = caller{ip: ev.SourceIP}
	if ev.RequestID != "" {
		inv.requestID = truncate(ev.RequestID, maxLogged) // it is echoed in every reply and log line
	}
	switch ev.Method {
	case http.MethodOptions:
		return request{}
	case http.MethodGet:
		if len(bytes.TrimSpace(ev.Body)) > 0 {
			// Ignoring it would grant the default scope to a request that meant to ask for something else.
			return finish(params{}, invalidParameter("a GET takes its parameters in the query string; send a JSON body with POST"), nil, ev.Query, true)
		}
		p, err := parseQueryParams(ev.Query)
		return finish(p, err, nil, ev.Query, true)
	case http.MethodPost:
		if len(ev.Query) > 0 {
			return finish(params{}, invalidParameter("a POST takes its parameters in the JSON body, and this one also has a query string (%s): "+
				"move them into the body, or send a GET; in an SCF console test event, set \"queryString\": {}", queryNames(ev.Query)), ev.Body, nil, false)
		}
		p, err := parseJSONParams(ev.Body)
		return finish(p, err, ev.Body, nil, false)
	}
	return request{err: &Error{Code: CodeMethodNotAllowed, Message: "method " + truncate(ev.Method, 16) + " is not allowed; use GET, POST or OPTIONS"}}
}

// finish checks the format parameter of parameters that were read, and decides the format the request asks for:
// its own format parameter, or when the parameters could not all be read, a valid format found in the body or
// query string they came from (formatHint).
func finish(p params, err error, body []byte, query map[string]json.RawMessage, fromQuery bool) request {
	if err == nil {
		switch p.Format {
		case "", config.FormatCAM, config.FormatSTS:
			return request{params: p, format: p.Format}
		}
		err = invalidParameter("format %q must be cam or sts", truncate(p.Format, 32))
	}
	return request{params: p, err: err, format: formatHint(body, query, fromQuery)}
}

// formatHint finds a valid format parameter in a request whose parameters could not all be read. It returns ""
// when there is none.
func formatHint(raw []byte, query map[string]json.RawMessage, fromQuery bool) string {
	var v json.RawMessage
	if fromQuery {
		v = query["format"]
	} else {
		var probe struct {
			Format json.RawMessage `json:"format"`
		}
		if json.Unmarshal(raw, &probe) != nil {
			return ""
		}
		v = probe.Format
	}
	var f string
	if json.Unmarshal(v, &f) != nil || (f != config.FormatCAM && f != config.FormatSTS) {
		return ""
	}
	return f
}

// queryNames lists a query string's parameter names for an error message: sorted, quoted, at most three.
func queryNames(q map[string]json.RawMessage) string {
	names := slices.Sorted(maps.Keys(q))
	var b strings.Builder
	for i, n := range names {
		if i == 3 {
			fmt.Fprintf(&b, " and %d more", len(names)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", truncate(n, 32))
	}
	return b.String()
}
