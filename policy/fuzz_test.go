package policy

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// keyRulesHold restates SPEC §2 independently of key.go (unicode.IsControl
// is exactly C0, DEL and C1), as the oracle for the fuzz targets.
func keyRulesHold(s string, prefix bool) bool {
	if s == "" || len(s) > MaxKeyBytes || !utf8.ValidString(s) || strings.HasPrefix(s, "/") ||
		strings.ContainsAny(s, "*?") || strings.HasSuffix(s, "/") != prefix {
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

func FuzzBuild(f *testing.F) {
	f.Add("home/u1/", "", "home/u10/x")
	f.Add("home/u1/\nshared/", "public/logo.png", "home/u1/x")
	f.Add("*", "", "any/key")
	f.Add("a/\na/b/\na/", "a/k\nc\nc", "a")
	f.Add("", "照片/猫.jpg\ndocs/ça va & <ok>.txt", "照片/猫.jpg")
	f.Add("a//\n./\n", "a*\nb?\n", "public/logo.png.bak")
	const base = "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/"
	f.Fuzz(func(t *testing.T, prefixList, keyList, probe string) {
		var prefixes, keys []string
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
		if len(prefixes)+len(keys) == 0 {
			return
		}
		p, err := Build(Grant{Bucket: "examplebucket-1250000000", Region: "ap-guangzhou",
			Prefixes: prefixes, Keys: keys, Actions: []string{"download"}})
		if err != nil {
			t.Fatalf("Build(%q, %q): %v", prefixes, keys, err)
		}
		text, err := p.JSON()
		if err != nil {
			t.Fatalf("JSON: %v", err)
		}
		back, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(%s): %v", text, err)
		}
		if !reflect.DeepEqual(back, p) {
			t.Fatalf("Parse(JSON()) = %#v; want %#v", back, p)
		}
		for _, k := range keys {
			if !Allows(back, "name/cos:GetObject", base+k) {
				t.Errorf("requested key %q not allowed by %s", k, text)
			}
		}
		if ValidateKey(probe) != nil {
			return
		}
		want := KeyAllowed(prefixes, keys, probe)
		if got := Allows(back, "name/cos:HeadObject", base+probe); got != want {
			t.Errorf("Allows(%q) = %v; want KeyAllowed = %v; policy %s", probe, got, want, text)
		}
		if Allows(back, "name/cos:PutObject", base+probe) {
			t.Errorf("Allows(PutObject, %q) = true for a download-only grant", probe)
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
