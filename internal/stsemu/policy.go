package stsemu

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
)

// Policy error codes, as STS names them: a syntax error, a resource that is
// not a six-part qcs name, and a grant outside the caller's account.
const (
	codePolicyFormat  = "InvalidParameter.StrategyFormatError"
	codeResourceError = "InvalidParameter.ResouceError" // sic: STS's spelling
	codeGrantOther    = "InvalidParameter.GrantOtherResource"
)

// checkPolicy validates the Policy parameter the way STS does for the cases
// this project can get wrong: it must be URL-encoded CAM JSON, version 2.0,
// with at least one statement, no principal, and only COS resources of the
// caller's own APPID.
func checkPolicy(raw, appID string) *apiError {
	if !urlEncoded(raw) {
		return &apiError{codePolicyFormat, "Policy must be URL-encoded (url.QueryEscape of the CAM JSON)."}
	}
	text, err := url.QueryUnescape(raw)
	if err != nil {
		return &apiError{codePolicyFormat, "Policy is not valid URL encoding."}
	}
	doc, e := object([]byte(text), "policy")
	if e != nil {
		return e
	}
	for k := range doc {
		if k != "version" && k != "statement" {
			return &apiError{codePolicyFormat, "Policy has an unknown element `" + k + "`."}
		}
	}
	var version string
	if json.Unmarshal(doc["version"], &version) != nil || version != "2.0" {
		return &apiError{codePolicyFormat, `Policy version must be "2.0".`}
	}
	var statements []json.RawMessage
	if json.Unmarshal(doc["statement"], &statements) != nil || len(statements) == 0 {
		return &apiError{codePolicyFormat, "Policy statement must be a non-empty array."}
	}
	for _, raw := range statements {
		if e := checkStatement(raw, appID); e != nil {
			return e
		}
	}
	return nil
}

// urlEncoded reports whether s could be the output of url.QueryEscape: an
// unencoded JSON policy (the classic mistake) holds '{' and '"', which
// QueryEscape always escapes.
func urlEncoded(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("-_.~%+", c) >= 0) {
			return false
		}
	}
	return true
}

// object decodes a JSON object with its keys lower-cased (CAM element names
// are case-insensitive) and refuses principal, which STS forbids in a
// session policy because the session is the principal.
func object(b []byte, what string) (map[string]json.RawMessage, *apiError) {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	if dec.Decode(&m) != nil || m == nil || dec.More() {
		return nil, &apiError{codePolicyFormat, "The " + what + " is not a JSON object."}
	}
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		lk := strings.ToLower(k)
		if lk == "principal" {
			return nil, &apiError{codePolicyFormat, "A session policy must not contain principal."}
		}
		if _, dup := out[lk]; dup {
			return nil, &apiError{codePolicyFormat, "The " + what + " repeats the element `" + lk + "`."}
		}
		out[lk] = v
	}
	return out, nil
}

func checkStatement(b []byte, appID string) *apiError {
	st, e := object(b, "statement")
	if e != nil {
		return e
	}
	for k := range st {
		switch k {
		case "effect", "action", "resource", "condition":
		default:
			return &apiError{codePolicyFormat, "A statement has an unknown element `" + k + "`."}
		}
	}
	var effect string
	if json.Unmarshal(st["effect"], &effect) != nil ||
		(!strings.EqualFold(effect, "allow") && !strings.EqualFold(effect, "deny")) {
		return &apiError{codePolicyFormat, `A statement's effect must be "allow" or "deny".`}
	}
	if _, ok := stringList(st["action"]); !ok {
		return &apiError{codePolicyFormat, "A statement's action must be a non-empty string or list of strings."}
	}
	resources, ok := stringList(st["resource"])
	if !ok {
		return &apiError{codePolicyFormat, "A statement's resource must be a non-empty string or list of strings."}
	}
	for _, r := range resources {
		if e := checkResource(r, appID); e != nil {
			return e
		}
	}
	if c, present := st["condition"]; present {
		if _, e := object(c, "condition"); e != nil {
			return e
		}
	}
	return nil
}

// stringList accepts CAM's two spellings: "x" or ["x", ...], no empty item.
func stringList(b json.RawMessage) ([]string, bool) {
	if b == nil {
		return nil, false
	}
	var one string
	if json.Unmarshal(b, &one) == nil {
		return []string{one}, one != ""
	}
	var list []string
	if json.Unmarshal(b, &list) != nil || len(list) == 0 {
		return nil, false
	}
	for _, s := range list {
		if s == "" {
			return nil, false
		}
	}
	return list, true
}

// checkResource requires qcs::cos:<region>:uid/<appid>:<path>. A wildcard or
// another account's resource is a grant the caller does not own.
func checkResource(r, appID string) *apiError {
	if r == "*" {
		return &apiError{codeGrantOther, "Resource * would grant resources outside uid/" + appID + "."}
	}
	parts := strings.SplitN(r, ":", 6)
	if len(parts) != 6 || parts[0] != "qcs" || parts[3] == "" || parts[5] == "" {
		return &apiError{codeResourceError, "Resource `" + r + "` is not qcs:<project>:<service>:<region>:<account>:<resource>."}
	}
	if parts[2] != "cos" || parts[4] != "uid/"+appID {
		return &apiError{codeGrantOther, "Resource `" + r + "` is outside qcs::cos:<region>:uid/" + appID + "."}
	}
	return nil
}
