package policy

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// keyRulesHold restates docs/contract.md §2 independently of key.go (unicode.IsControl
// is exactly C0, DEL and C1; U+FFFD marks input that was not UTF-8), as the
// oracle for the fuzz targets.
func keyRulesHold(s string, prefix bool) bool {
	if s == "" || len(s) > MaxKeyBytes || !utf8.ValidString(s) || strings.HasPrefix(s, "/") ||
		strings.ContainsAny(s, "*?\uFFFD") || strings.HasSuffix(s, "/") != prefix {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	for _, seg := range strings.Split(strings.TrimSuffix(s, "/"), "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

func FuzzValidateKey(f *testing.F) {
	for _, s := range []string{"a.png", "home/u1/x", "home/u1/", "", "/a", "a//b", "a/./b", "a/../b", "..", "a\x00",
		"a\u0085", "a\x7f", "a*", "a?", "\xff", "照片/猫.jpg", strings.Repeat("a", 850), strings.Repeat("é", 426)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, prefix := range []bool{false, true} {
			validate, what := ValidateKey, "policy: key "
			if prefix {
				validate, what = ValidatePrefix, "policy: prefix "
			}
			err := validate(s)
			if got, want := err == nil, keyRulesHold(s, prefix); got != want {
				t.Fatalf("prefix=%v: accepted %q = %v; want %v (err %v)", prefix, s, got, want, err)
			}
			if err == nil {
				continue
			}
			if !errors.Is(err, ErrInvalidKey) {
				t.Errorf("errors.Is(%v, ErrInvalidKey) = false; want true", err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, what) || len(msg) > 600 || !utf8.ValidString(msg) {
				t.Errorf("message %q: want a short, valid UTF-8 message starting %q", msg, what)
			}
		}
		if ValidateKey(s) == nil && len(s) < MaxKeyBytes && ValidatePrefix(s+"/") != nil {
			t.Errorf("ValidatePrefix(%q) = %v; want nil for a valid key plus \"/\"", s+"/", ValidatePrefix(s+"/"))
		}
	})
}

// FuzzBuild builds random grants with random conditions and asks the
// evaluator about random requests: whatever it allows must be an asked action
// on a key inside the grant, by a request that meets every condition the
// action carries (checked by the independent oracles in fuzz_oracle_test.go);
// and a request that meets them all is allowed everywhere inside the grant.
func FuzzBuild(f *testing.F) {
	f.Add("home/u1/", "", "home/u10/x", uint16(0), int64(0), "", "", "", "", "")
	f.Add("home/u1/\nshared/", "public/logo.png", "home/u1/x", uint16(0), int64(0), "", "", "", "", "")
	f.Add("*", "", "any/key", uint16(0), int64(0), "", "", "", "", "")
	f.Add("a/\na/b/\na/", "a/k\nc\nc", "a", uint16(0), int64(0), "", "", "", "", "")
	f.Add("", "照片/猫.jpg\ndocs/ça va & <ok>.txt", "照片/猫.jpg", uint16(0), int64(0), "", "", "", "", "")
	f.Add("a//\n./\n", "a*\nb?\n", "public/logo.png.bak", uint16(0), int64(0), "", "", "", "", "")
	f.Add("avatars/alice/", "", "avatars/alice/x.png", uint16(0x3f), int64(5<<20), "image/*", "203.0.113.7",
		"5242880", "image/png", "203.0.113.7")
	f.Add("avatars/alice/", "", "avatars/alice/x.png", uint16(0x1ff), int64(5<<20), "image/*\ntext/plain", "203.0.113.0/24",
		"5242881", "imagex/png", "203.0.114.1")
	f.Add("u/", "k", "u/k", uint16(0x7), int64(9223372036854775807), "a/b", "::ffff:10.0.0.1",
		"9223372036854775808", "a/b", "10.0.0.1")
	f.Add("u/", "", "u/x", uint16(0x1), int64(10), "", "2001:db8::/32", "10.0", "", "2001:db8::1")
	f.Add("u/", "", "u/x", uint16(0x1), int64(-1), "*", "nowhere", "", "", "")
	f.Fuzz(func(t *testing.T, prefixList, keyList, probe string, actionBits uint16, maxLen int64,
		typeList, sourceIP, reqLen, reqType, reqIP string) {
		var prefixes, keys, types []string
		for _, p := range strings.Split(prefixList, "\n") {
			if p == WholeBucket || ValidatePrefix(p) == nil {
				prefixes = append(prefixes, p)
			}
		}
		for _, k := range strings.Split(keyList, "\n") {
			if ValidateKey(k) == nil {
				keys = append(keys, k)
			}
		}
		for _, ct := range strings.Split(typeList, "\n") {
			if ValidateContentType(ct) == nil {
				types = append(types, ct)
			}
		}
		if len(prefixes)+len(keys) == 0 {
			return
		}
		asked := fuzzActions(actionBits)
		cond := Conditions{MaxContentLength: maxLen, ContentTypes: types}
		if ValidateIP(sourceIP) == nil {
			cond.SourceIP = sourceIP
		}
		g := Grant{Bucket: "examplebucket-1250000000", Region: "ap-guangzhou",
			Prefixes: prefixes, Keys: keys, Actions: asked, Conditions: cond}
		p, err := Build(g)
		granted := grantedOracle(asked, cond)
		switch {
		case maxLen < 0:
			if !errors.Is(err, ErrInvalidCondition) {
				t.Fatalf("Build with maxContentLength %d: %v; want ErrInvalidCondition", maxLen, err)
			}
			return
		case errors.Is(err, ErrPolicyTooLarge):
			return
		case len(granted) == 0:
			if !errors.Is(err, ErrInvalidGrant) {
				t.Fatalf("Build of %v under %+v, which leaves no action: %v; want ErrInvalidGrant", asked, cond, err)
			}
			return
		case err != nil:
			t.Fatalf("Build(%#v): %v", g, err)
		}
		text, err := p.JSON()
		if err != nil {
			t.Fatalf("JSON: %v", err)
		}
		if len(text) > MaxPolicyBytes {
			t.Fatalf("policy is %d bytes; want at most %d", len(text), MaxPolicyBytes)
		}
		back, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(%s): %v", text, err)
		}
		if !reflect.DeepEqual(back, p) {
			t.Fatalf("Parse(JSON()) = %#v; want %#v", back, p)
		}

		probes := append([]string{probe}, keys...)
		for _, pre := range prefixes {
			if pre != WholeBucket {
				probes = append(probes, pre+"x.png", strings.TrimSuffix(pre, "/")+"0/x.png")
			}
		}
		req := RequestContext{}
		for k, v := range map[string]string{KeyContentLength: reqLen, KeyContentType: reqType, KeySourceIP: reqIP} {
			if v != "" {
				req[k] = v
			}
		}
		good := goodRequest(cond)
		for _, a := range fuzzActionMenu() {
			camName := ActionPrefix + a
			for _, k := range probes {
				if ValidateKey(k) != nil {
					continue
				}
				inside := slices.Contains(granted, a) && KeyAllowed(prefixes, keys, k)
				if AllowsRequest(back, camName, base1250+k, req) {
					if why := outsideGrant(a, inside, cond, req); why != "" {
						t.Errorf("AllowsRequest(%s, %q, %v) = true, but %s; policy %s", a, k, req, why, text)
					}
				}
				if got := AllowsRequest(back, camName, base1250+k, good); got != inside {
					t.Errorf("AllowsRequest(%s, %q, %v) = %v; want %v (granted %v, KeyAllowed); policy %s",
						a, k, good, got, inside, slices.Contains(granted, a), text)
				}
				unconditioned := cond.SourceIP == "" && !conditionedOracle(a, cond)
				if got := Allows(back, camName, base1250+k); got != (inside && unconditioned) {
					t.Errorf("Allows(%s, %q) = %v; want %v; policy %s", a, k, got, inside && unconditioned, text)
				}
			}
		}
	})
}

func FuzzParse(f *testing.F) {
	f.Add(`{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetObject"],"resource":["*"]}]}`)
	f.Add(`{"Version":"2.0","Statement":{"Effect":"Deny","Action":"*","Resource":"*","condition":{"a":{"b":"c"}}}}`)
	f.Add(`{"version":"2.0","principal":{"qcs":["*"]},"statement":[]}`)
	f.Add(`{"version":"2.0","statement":[{"effect":"allow","effect":"deny","action":"*","resource":"*"}]}`)
	f.Add(`[1,2`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidPolicy) {
				t.Errorf("errors.Is(%v, ErrInvalidPolicy) = false; want true", err)
			}
			return
		}
		if len(p.Statement) == 0 {
			t.Fatalf("Parse accepted a policy with no statements: %q", s)
		}
		text, err := p.JSON()
		if err != nil {
			t.Fatalf("JSON of a parsed policy: %v", err)
		}
		again, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(JSON()) = %v; want nil (text %s)", err, text)
		}
		if !reflect.DeepEqual(again, p) {
			t.Errorf("Parse(JSON()) = %#v; want %#v", again, p)
		}
	})
}

func FuzzExpandActions(f *testing.F) {
	for _, s := range []string{"upload", "PutObject", "name/cos:GetObject", "*", "name/cos:*", "Upload", "name/cam:X", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ExpandActions([]string{s})
		if err != nil {
			if !errors.Is(err, ErrInvalidAction) {
				t.Errorf("errors.Is(%v, ErrInvalidAction) = false; want true", err)
			}
			return
		}
		for _, a := range got {
			name, ok := strings.CutPrefix(a, ActionPrefix)
			if !ok || !isLetters(name) || strings.Contains(a, "*") {
				t.Errorf("ExpandActions(%q) gave %q; want name/cos:<letters>", s, a)
			}
		}
	})
}

// FuzzAllowsRequest feeds the evaluator any condition and any request. A
// condition read as true lets the allow through and the deny win; read as
// false, the reverse; undecided, neither. So "allowed under C" and "allowed
// despite a deny under C" are never both true, whatever C is.
func FuzzAllowsRequest(f *testing.F) {
	f.Add(`{"ip_equal":{"qcs:ip":["203.0.113.0/24"]}}`, "5", "image/png", "203.0.113.7")
	f.Add(`{"numeric_less_than_equal":{"cos:content-length":5242880},"string_like":{"cos:content-type":"image/*"}}`,
		"5242881", "image/png", "")
	f.Add(`{"string_not_equal_if_exist":{"cos:content-type":["a","b"]}}`, "", "", "")
	f.Add(`{"bool_equal":{"k":true}}`, "1", "x", "::1")
	f.Add(`{"numeric_equal":{"cos:content-length":[1,2.5,"3"]}}`, "2.50", "", "")
	f.Add(`{}`, "", "", "")
	f.Add(`{"a":`, "", "", "")
	f.Fuzz(func(t *testing.T, cond, length, contentType, ip string) {
		ctx := RequestContext{}
		for k, v := range map[string]string{KeyContentLength: length, KeyContentType: contentType, KeySourceIP: ip} {
			if v != "" {
				ctx[k] = v
			}
		}
		for _, c := range []RequestContext{ctx, nil} {
			allowed := AllowsRequest(condPolicy(cond), "a", "r", c)
			despiteDeny := AllowsRequest(condPolicy("", cond), "a", "r", c)
			if allowed && despiteDeny {
				t.Errorf("under %s with %v both the allow and the deny-free path pass", cond, c)
			}
			if c == nil && allowed && len(strings.TrimSpace(cond)) > 0 && strings.TrimSpace(cond) != "{}" {
				if ops, err := members([]byte(cond)); err != nil || len(ops) > 0 {
					t.Errorf("AllowsRequest(nil ctx) under %s = true; want false for an unknown request", cond)
				}
			}
		}
	})
}

// FuzzConditionValues checks the validators of request-supplied condition
// values: an accepted content type allows itself and lies inside its type's
// wildcard; an accepted IP keeps a canonical form that is valid and means the
// same network.
func FuzzConditionValues(f *testing.F) {
	for _, s := range []string{"image/png", "image/*", "*", "*/*", "Image/png", "a/b/c", "text/plain; charset=utf-8",
		"203.0.113.7", "203.0.113.7/24", "::ffff:1.2.3.4", "fe80::1%eth0", "2001:DB8::/32", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := ValidateContentType(s); err == nil {
			typ, _, _ := strings.Cut(s, "/")
			if !ContentTypeAllowed([]string{s}, s) || !ContentTypeAllowed([]string{typ + "/*"}, s) || !ContentTypeAllowed(nil, s) {
				t.Errorf("valid content type %q is not allowed by itself, %s/*, or no limit", s, typ)
			}
			if len(s) > MaxContentTypeBytes || strings.ContainsAny(s, " ;\"\\?") || strings.ToLower(s) != s {
				t.Errorf("ValidateContentType(%q) = nil; want an error", s)
			}
		} else if !errors.Is(err, ErrInvalidCondition) {
			t.Errorf("errors.Is(%v, ErrInvalidCondition) = false; want true", err)
		}
		if err := ValidateIP(s); err == nil {
			c := canonicalIP(s)
			if ValidateIP(c) != nil || canonicalIP(c) != c {
				t.Errorf("canonicalIP(%q) = %q; want a valid, stable form", s, c)
			}
			probe := goodRequest(Conditions{SourceIP: s})[KeySourceIP]
			if !ipInside(c, probe) || !ipInside(s, probe) {
				t.Errorf("%q and its canonical form %q disagree about %s", s, c, probe)
			}
		} else if !errors.Is(err, ErrInvalidCondition) {
			t.Errorf("errors.Is(%v, ErrInvalidCondition) = false; want true", err)
		}
	})
}
