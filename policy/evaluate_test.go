package policy

import (
	"encoding/json"
	"strings"
	"testing"
)

// condPolicy is one allow statement on everything under the condition
// allow, then one deny statement on everything under each condition in deny
// ("" for none).
func condPolicy(allow string, deny ...string) Policy {
	st := func(effect, cond string) Statement {
		s := Statement{Effect: effect, Action: []string{"*"}, Resource: []string{"*"}}
		if cond != "" {
			s.Condition = json.RawMessage(cond)
		}
		return s
	}
	p := Policy{Version: Version, Statement: []Statement{st("allow", allow)}}
	for _, d := range deny {
		p.Statement = append(p.Statement, st("deny", d))
	}
	return p
}

func TestAllowsRequestOperators(t *testing.T) {
	ctx := RequestContext{KeyContentLength: "5242880", KeyContentType: "image/png", KeySourceIP: "203.0.113.7",
		"cos:versionid": "v1"}
	tests := []struct {
		name string
		cond string
		want bool
	}{
		{"no condition", ``, true},
		{"empty condition", `{}`, true},
		{"numeric <= at the limit", `{"numeric_less_than_equal":{"cos:content-length":5242880}}`, true},
		{"numeric <= one under", `{"numeric_less_than_equal":{"cos:content-length":5242879}}`, false},
		{"numeric <= as a string", `{"numeric_less_than_equal":{"cos:content-length":"5242880"}}`, true},
		{"numeric < at the limit", `{"numeric_less_than":{"cos:content-length":5242880}}`, false},
		{"numeric < above", `{"numeric_less_than":{"cos:content-length":5242881}}`, true},
		{"numeric =", `{"numeric_equal":{"cos:content-length":5242880}}`, true},
		{"numeric = other", `{"numeric_equal":{"cos:content-length":1}}`, false},
		{"numeric = one of a list", `{"numeric_equal":{"cos:content-length":[1,5242880]}}`, true},
		{"numeric != listed", `{"numeric_not_equal":{"cos:content-length":[1,5242880]}}`, false},
		{"numeric >=", `{"numeric_greater_than_equal":{"cos:content-length":5242880}}`, true},
		{"numeric >", `{"numeric_greater_than":{"cos:content-length":5242880}}`, false},
		{"numeric with a fraction", `{"numeric_less_than":{"cos:content-length":5242880.5}}`, true},
		{"numeric with an exponent is unreadable", `{"numeric_less_than_equal":{"cos:content-length":6e6}}`, false},
		{"numeric against a word is unreadable", `{"numeric_less_than_equal":{"cos:content-length":"big"}}`, false},
		{"string_equal", `{"string_equal":{"cos:content-type":"image/png"}}`, true},
		{"string_equal is case-sensitive", `{"string_equal":{"cos:content-type":"image/PNG"}}`, false},
		{"string_not_equal", `{"string_not_equal":{"cos:content-type":["text/plain","image/gif"]}}`, true},
		{"string_not_equal listed", `{"string_not_equal":{"cos:content-type":["text/plain","image/png"]}}`, false},
		{"string_like star", `{"string_like":{"cos:content-type":["image/*"]}}`, true},
		{"string_like other type", `{"string_like":{"cos:content-type":["text/*"]}}`, false},
		{"string_like one of", `{"string_like":{"cos:content-type":["text/*","image/*"]}}`, true},
		{"string_like question mark", `{"string_like":{"cos:content-type":"image/p?g"}}`, true},
		{"string_like exact", `{"string_like":{"cos:content-type":"image/png"}}`, true},
		{"string_like prefix only", `{"string_like":{"cos:content-type":"image"}}`, false},
		{"string_not_like", `{"string_not_like":{"cos:content-type":"text/*"}}`, true},
		{"ip_equal address", `{"ip_equal":{"qcs:ip":["203.0.113.7"]}}`, true},
		{"ip_equal other address", `{"ip_equal":{"qcs:ip":["203.0.113.8"]}}`, false},
		{"ip_equal CIDR", `{"ip_equal":{"qcs:ip":"203.0.113.0/24"}}`, true},
		{"ip_equal other CIDR", `{"ip_equal":{"qcs:ip":"203.0.114.0/24"}}`, false},
		{"ip_equal unmasked CIDR", `{"ip_equal":{"qcs:ip":"203.0.113.99/24"}}`, true},
		{"ip_equal mapped address", `{"ip_equal":{"qcs:ip":"::ffff:203.0.113.7"}}`, true},
		{"ip_not_equal", `{"ip_not_equal":{"qcs:ip":["10.0.0.0/8","192.168.0.0/16"]}}`, true},
		{"ip_not_equal inside", `{"ip_not_equal":{"qcs:ip":["203.0.113.0/24"]}}`, false},
		{"AND across operators", `{"string_like":{"cos:content-type":"image/*"},"ip_equal":{"qcs:ip":"203.0.113.8"}}`, false},
		{"AND across keys", `{"string_equal":{"cos:content-type":"image/png","cos:versionid":"v2"}}`, false},
		{"all hold", `{"numeric_less_than_equal":{"cos:content-length":5242880},"string_like":{"cos:content-type":["image/*"]},` +
			`"ip_equal":{"qcs:ip":["203.0.113.7"]}}`, true},
		{"missing key is false", `{"string_equal":{"cos:x-cos-acl":"private"}}`, false},
		{"missing key under _if_exist is true", `{"string_equal_if_exist":{"cos:x-cos-acl":"private"}}`, true},
		{"present key under _if_exist is compared", `{"string_equal_if_exist":{"cos:content-type":"text/plain"}}`, false},
		{"keys are case-sensitive", `{"ip_equal":{"QCS:IP":"203.0.113.7"}}`, false},
		{"unknown operator", `{"bool_equal":{"cos:secure-transport":"true"}}`, false},
		{"unknown operator beside a true one", `{"ip_equal":{"qcs:ip":"203.0.113.7"},"date_less_than":{"qcs:current_time":"x"}}`, false},
		{"operator in capitals is unknown", `{"IP_EQUAL":{"qcs:ip":"203.0.113.7"}}`, false},
		{"unreadable IP value", `{"ip_equal":{"qcs:ip":"somewhere"}}`, false},
		{"empty value list", `{"ip_equal":{"qcs:ip":[]}}`, false},
		{"object value", `{"ip_equal":{"qcs:ip":{"a":1}}}`, false},
		{"null value", `{"ip_equal":{"qcs:ip":null}}`, false},
		{"operator with no keys", `{"ip_equal":{}}`, false},
		{"repeated operator", `{"ip_equal":{"qcs:ip":"203.0.113.7"},"ip_equal":{"qcs:ip":"1.1.1.1"}}`, false},
		{"repeated key", `{"ip_equal":{"qcs:ip":"203.0.113.7","qcs:ip":"1.1.1.1"}}`, false},
		{"not an object", `["ip_equal"]`, false},
		{"not JSON", `{ip_equal`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := AllowsRequest(condPolicy(tc.cond), "name/cos:PutObject", "r", ctx); got != tc.want {
				t.Errorf("AllowsRequest under %s = %v; want %v", tc.cond, got, tc.want)
			}
		})
	}
}

func TestAllowsRequestRequestValues(t *testing.T) {
	tests := []struct {
		name string
		cond string
		ctx  RequestContext
		want bool
	}{
		{"length not a number", `{"numeric_less_than_equal":{"cos:content-length":10}}`, RequestContext{KeyContentLength: "ten"}, false},
		{"negative length", `{"numeric_less_than_equal":{"cos:content-length":10}}`, RequestContext{KeyContentLength: "-1"}, true},
		{"hexadecimal length", `{"numeric_less_than_equal":{"cos:content-length":10}}`, RequestContext{KeyContentLength: "0x1"}, false},
		{"fraction length", `{"numeric_less_than_equal":{"cos:content-length":10}}`, RequestContext{KeyContentLength: "1/2"}, false},
		{"huge length", `{"numeric_less_than_equal":{"cos:content-length":10}}`,
			RequestContext{KeyContentLength: strings.Repeat("9", 41)}, false},
		{"beyond int64, exactly", `{"numeric_less_than_equal":{"cos:content-length":9223372036854775807}}`,
			RequestContext{KeyContentLength: "9223372036854775808"}, false},
		{"IP not an address", `{"ip_equal":{"qcs:ip":"0.0.0.0/0"}}`, RequestContext{KeySourceIP: "localhost"}, false},
		{"IPv6 inside", `{"ip_equal":{"qcs:ip":"2001:db8::/32"}}`, RequestContext{KeySourceIP: "2001:db8::1"}, true},
		{"IPv6 outside", `{"ip_equal":{"qcs:ip":"2001:db8::/32"}}`, RequestContext{KeySourceIP: "2001:db9::1"}, false},
		{"mapped request address", `{"ip_equal":{"qcs:ip":"203.0.113.0/24"}}`, RequestContext{KeySourceIP: "::ffff:203.0.113.7"}, true},
		{"like with unicode", `{"string_like":{"k":"猫?"}}`, RequestContext{"k": "猫猫"}, true},
		{"empty context: missing key", `{"ip_equal":{"qcs:ip":"203.0.113.7"}}`, RequestContext{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := AllowsRequest(condPolicy(tc.cond), "a", "r", tc.ctx); got != tc.want {
				t.Errorf("AllowsRequest(%v) under %s = %v; want %v", tc.ctx, tc.cond, got, tc.want)
			}
		})
	}
}

// TestAllowsRequestDeny proves deny semantics: a deny whose conditions hold
// wins; one whose conditions fail, or name a header the request lacks,
// does not apply (as in CAM); one that cannot be read, or met with an
// unknown request (nil ctx), counts.
func TestAllowsRequestDeny(t *testing.T) {
	ctx := RequestContext{KeySourceIP: "203.0.113.7", KeyContentType: "image/png"}
	tests := []struct {
		name string
		deny string
		ctx  RequestContext
		want bool
	}{
		{"unconditional deny", ``, ctx, false},
		{"deny that holds", `{"ip_not_equal":{"qcs:ip":"10.0.0.0/8"}}`, ctx, false},
		{"deny that fails", `{"ip_not_equal":{"qcs:ip":"203.0.113.0/24"}}`, ctx, true},
		{"deny on a missing header", `{"string_equal":{"cos:x-cos-acl":"public-read"}}`, ctx, true},
		{"deny on a missing header, _if_exist", `{"string_not_equal_if_exist":{"cos:x-cos-acl":"private"}}`, ctx, false},
		{"deny with an unknown operator", `{"bool_equal":{"cos:secure-transport":"false"}}`, ctx, false},
		{"deny that cannot be read", `{"ip_not_equal":{"qcs:ip":"nowhere"}}`, ctx, false},
		{"deny for an unknown request", `{"ip_not_equal":{"qcs:ip":"203.0.113.0/24"}}`, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := condPolicy("", tc.deny)
			if got := AllowsRequest(p, "name/cos:GetObject", "r", tc.ctx); got != tc.want {
				t.Errorf("AllowsRequest with deny %s = %v; want %v", tc.deny, got, tc.want)
			}
		})
	}
}

// TestAllowsIsAllowsRequestWithoutContext keeps the promise in Allows' doc.
func TestAllowsIsAllowsRequestWithoutContext(t *testing.T) {
	for _, cond := range []string{``, `{}`, `{"ip_equal":{"qcs:ip":"203.0.113.7"}}`, `{"bogus":1}`} {
		for _, deny := range []string{``, `{"ip_equal":{"qcs:ip":"10.0.0.1"}}`} {
			p := condPolicy(cond, deny)
			p.Statement[1].Resource = []string{"secret/*"}
			for _, r := range []string{"public/x", "secret/x"} {
				got, want := Allows(p, "name/cos:GetObject", r), AllowsRequest(p, "name/cos:GetObject", r, nil)
				if got != want {
					t.Errorf("Allows(%s, deny %s, %s) = %v; want AllowsRequest(nil) = %v", cond, deny, r, got, want)
				}
			}
		}
	}
	if Allows(condPolicy(`{"ip_equal":{"qcs:ip":"203.0.113.7"}}`), "a", "r") {
		t.Errorf("Allows under an IP condition = true; want false (the request is unknown)")
	}
}

func TestLikeMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"image/*", "image/png", true},
		{"image/*", "image/", true},
		{"image/*", "image", false},
		{"*/png", "image/png", true},
		{"image/p?g", "image/png", true},
		{"image/p?g", "image/pg", false},
		{"image/p?g", "image/pnng", false},
		{"?", "猫", true},
		{"??", "猫", false},
		{"a*b?c", "axxbyc", true},
		{"a*b?c", "axxbc", false},
		{"*", "", true},
		{"", "", true},
		{"", "a", false},
		{"Image/*", "image/png", false},
		{strings.Repeat("a*", 20) + "b", strings.Repeat("a", 300), false},
	}
	for _, tc := range tests {
		t.Run(tc.pattern+"~"+tc.s, func(t *testing.T) {
			if got := likeMatch(tc.pattern, tc.s); got != tc.want {
				t.Errorf("likeMatch(%q, %q) = %v; want %v", tc.pattern, tc.s, got, tc.want)
			}
		})
	}
}
