package handler

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// params are the request parameters of docs/contract.md §2, from whichever source carried them.
type params struct {
	Scope           string
	Prefixes        []string
	Keys            []string
	Actions         []string
	HasPrefixes     bool // the request named prefixes: the grant is narrowed to exactly what it named
	HasKeys         bool
	HasActions      bool
	DurationSeconds int
	HasDuration     bool // false: the scope's default
	Format          string
	DryRun          bool
	// Conditions a request may tighten, never loosen.
	MaxContentLength    int
	HasMaxContentLength bool
	ContentTypes        []string
	HasContentTypes     bool
	// Claims let an operator test a scope as a user in a direct invocation (STS_AUTH=jwt only).
	Claims    map[string]any
	HasClaims bool
}

// kind is the type a parameter takes.
type kind int

const (
	kindString kind = iota
	kindList
	kindInt
	kindBool
	kindObject
)

// paramNames are the parameters of docs/contract.md §2 in the order the unknown-parameter hint lists them.
var paramNames = []string{"scope", "prefixes", "keys", "actions", "durationSeconds", "format", "dryRun",
	"maxContentLength", "contentTypes", "claims"}

// fields maps every parameter name to its kind. A name not listed here is refused, so a typo can never silently
// widen or change a grant.
var fields = map[string]kind{
	"scope":            kindString,
	"prefixes":         kindList,
	"keys":             kindList,
	"actions":          kindList,
	"durationSeconds":  kindInt,
	"format":           kindString,
	"dryRun":           kindBool,
	"maxContentLength": kindInt,
	"contentTypes":     kindList,
	"claims":           kindObject,
}

// set stores one decoded value. Values were type-checked by the caller against fields.
func (p *params) set(name string, s string, list []string, n int, b bool) {
	switch name {
	case "scope":
		p.Scope = s
	case "format":
		p.Format = s
	case "prefixes":
		p.Prefixes, p.HasPrefixes = list, true
	case "keys":
		p.Keys, p.HasKeys = list, true
	case "actions":
		p.Actions, p.HasActions = list, true
	case "durationSeconds":
		p.DurationSeconds, p.HasDuration = n, true
	case "maxContentLength":
		p.MaxContentLength, p.HasMaxContentLength = n, true
	case "contentTypes":
		p.ContentTypes, p.HasContentTypes = list, true
	case "dryRun":
		p.DryRun = b
	}
}

// lookupField returns a parameter's kind or the error for a name that is not a parameter.
func lookupField(name string) (kind, error) {
	k, ok := fields[name]
	if !ok {
		last := len(paramNames) - 1
		return 0, invalidParameter("unknown parameter %q; the parameters are %s and %s", truncate(name, 64),
			strings.Join(paramNames[:last], ", "), paramNames[last])
	}
	return k, nil
}

// parseJSONParams reads parameters from a JSON object: a POST body or a direct invocation's event. Empty input
// and null are the default request.
func parseJSONParams(raw []byte) (params, error) {
	var p params
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return p, nil // an empty POST body, as curl -X POST sends: the default request
	}
	if bytes.HasPrefix(raw, []byte("\uFEFF")) {
		// encoding/json would call it "invalid character 'ï'", the first byte read as Latin-1.
		return p, invalidParameter("the request starts with a UTF-8 byte order mark (BOM); send the JSON without it")
	}
	if !utf8.Valid(raw) {
		// encoding/json would quietly turn the bad bytes into U+FFFD, and so a key into another key.
		return p, invalidParameter("the request is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		if err != nil {
			return p, invalidParameter("the request is not valid JSON: %s", jsonProblem(err))
		}
		return p, invalidParameter("the request must be a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return p, invalidParameter("the request is not valid JSON: %s", jsonProblem(err))
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return p, invalidParameter("the request is not valid JSON: %s", jsonProblem(err))
		}
		k, err := lookupField(name)
		if err != nil {
			return p, err
		}
		if seen[name] {
			return p, invalidParameter("parameter %q is given more than once", name)
		}
		seen[name] = true
		if err := setJSON(&p, name, k, v); err != nil {
			return p, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return p, invalidParameter("the request is not valid JSON: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return p, invalidParameter("the request is not valid JSON: unexpected data after the object")
	}
	return p, nil
}

// setJSON decodes one parameter's value, strictly: null is refused for every kind (it would otherwise decode as
// the zero value, and {"dryRun": null} would mint real credentials), and a list may hold at most MaxListItems.
func setJSON(p *params, name string, k kind, v json.RawMessage) error {
	if string(v) == "null" {
		return invalidParameter("parameter %q is null; leave it out to get its default", name)
	}
	switch k {
	case kindString:
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return invalidParameter("parameter %q must be a string", name)
		}
		p.set(name, s, nil, 0, false)
	case kindList:
		var items []*string // a pointer tells a null item from ""
		if v[0] != '[' || json.Unmarshal(v, &items) != nil {
			return invalidParameter("parameter %q must be a list of strings", name)
		}
		if err := checkListLength(name, len(items)); err != nil {
			return err
		}
		list := make([]string, len(items))
		for i, item := range items {
			if item == nil {
				return invalidParameter("parameter %q: item %d is null", name, i)
			}
			list[i] = *item
		}
		p.set(name, "", list, 0, false)
	case kindInt:
		var num json.Number // a JSON string holding digits also decodes into a Number: require a bare number
		if v[0] == '"' || json.Unmarshal(v, &num) != nil {
			return invalidParameter("parameter %q must be a whole number", name)
		}
		n, err := strconv.Atoi(num.String())
		if err != nil {
			return invalidParameter("parameter %q must be a whole number, not %s", name, truncate(num.String(), 32))
		}
		p.set(name, "", nil, n, false)
	case kindBool:
		var b bool
		if err := json.Unmarshal(v, &b); err != nil {
			return invalidParameter("parameter %q must be true or false", name)
		}
		p.set(name, "", nil, 0, b)
	case kindObject:
		var m map[string]any
		if v[0] != '{' || json.Unmarshal(v, &m) != nil {
			return invalidParameter("parameter %q must be an object", name)
		}
		p.Claims, p.HasClaims = m, true
	}
	return nil
}

// parseQueryParams reads parameters from a gateway's queryString, whose values are a string, a list of strings
// (a repeated name) or true (a name without a value). Lists may also be written with commas.
func parseQueryParams(q map[string]json.RawMessage) (params, error) {
	var p params
	for name, v := range q {
		k, err := lookupField(name)
		if err != nil {
			return p, err
		}
		vals, present, err := queryValues(v)
		if err != nil {
			return p, invalidParameter("query parameter %q %v", name, err)
		}
		if k != kindList && len(vals) > 1 {
			return p, invalidParameter("query parameter %q is given more than once", name)
		}
		switch k {
		case kindObject:
			return p, invalidParameter("query parameter %q cannot be given in a query string", name)
		case kindList:
			list, err := queryList(name, vals)
			if err != nil {
				return p, err
			}
			p.set(name, "", list, 0, false)
		case kindString:
			if !present || vals[0] == "" {
				return p, invalidParameter("query parameter %q has no value", name)
			}
			p.set(name, vals[0], nil, 0, false)
		case kindInt:
			if !present {
				return p, invalidParameter("query parameter %q has no value", name)
			}
			n, err := strconv.Atoi(vals[0])
			if err != nil {
				return p, invalidParameter("query parameter %q must be a whole number, not %q", name, truncate(vals[0], 32))
			}
			p.set(name, "", nil, n, false)
		case kindBool:
			b := true // a bare name (?dryRun) means true
			if present {
				switch strings.ToLower(vals[0]) {
				case "true", "1":
				case "false", "0":
					b = false
				default:
					return p, invalidParameter("query parameter %q must be true, false, 1 or 0, not %q", name, truncate(vals[0], 32))
				}
			}
			p.set(name, "", nil, 0, b)
		}
	}
	return p, nil
}

// queryList splits a query-string list: repeated names and commas both separate items, and empty items are
// skipped. Nothing is trimmed: an item with white space (Unicode spaces included) at either end is refused, since
// trimming "uploads/report\u00a0" would grant "uploads/report", a key the caller never wrote.
func queryList(name string, vals []string) ([]string, error) {
	var list []string
	for _, s := range vals {
		for item := range strings.SplitSeq(s, ",") {
			switch {
			case item == "":
				continue
			case strings.TrimSpace(item) != item:
				return nil, invalidParameter("query parameter %q: item %q begins or ends with white space; items are taken "+
					"exactly as written (a key that really has such spaces goes in a POST body)", name, truncate(item, 64))
			}
			if err := checkListLength(name, len(list)+1); err != nil {
				return nil, err
			}
			list = append(list, item)
		}
	}
	if len(list) == 0 {
		return nil, invalidParameter("query parameter %q has no value", name)
	}
	return list, nil
}

// checkListLength refuses a list longer than MaxListItems before any of its items is looked at.
func checkListLength(name string, n int) error {
	if n > MaxListItems {
		return invalidParameter("parameter %q lists more than %d items; ask for a common parent folder instead", name, MaxListItems)
	}
	return nil
}

// queryValues normalises one queryString value. present is false for a bare name (the gateway's true).
func queryValues(v json.RawMessage) (vals []string, present bool, err error) {
	if string(v) == "null" {
		return nil, false, errors.New("is null")
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return []string{s}, true, nil
	}
	var list []string
	if json.Unmarshal(v, &list) == nil && len(list) > 0 {
		return list, true, nil
	}
	var b bool
	if json.Unmarshal(v, &b) == nil && b {
		return []string{""}, false, nil
	}
	return nil, false, errors.New("must be a string, a list of strings or true")
}

// truncate shortens caller-supplied text before it is quoted back or logged, so that neither an error nor a log
// line ever echoes a huge input. It cuts on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
