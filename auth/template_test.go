package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestSubstitute(t *testing.T) {
	c := Claims{
		"sub": "alice", "email": "alice@example.com", "tenant": "t-1", "dot": ".", "dots": "..", "slash": "a/b",
		"long": strings.Repeat("a", 129), "max": strings.Repeat("a", 128), "uni": "ālice", "empty": "",
		"num": 42.0, "bool": true, "list": []any{"a"}, "null": nil, "star": "a*", "space": "a b",
		"dollar": "${jwt:sub}", "ns:claim": "x", "tab": "a\tb",
	}
	tests := []struct {
		name     string
		tmpl     string
		want     string
		fragment string // non-empty: an error wrapping ErrTemplate containing it
	}{
		{"sub", "avatars/${jwt:sub}/", "avatars/alice/", ""},
		{"no template", "public/", "public/", ""},
		{"two claims", "${jwt:tenant}/${jwt:sub}/", "t-1/alice/", ""},
		{"email", "u/${jwt:email}/", "u/alice@example.com/", ""},
		{"inside a segment", "u/user-${jwt:sub}.bin", "", "whole path segment"},
		{"128 chars", "u/${jwt:max}/", "u/" + strings.Repeat("a", 128) + "/", ""},
		{"namespaced claim", "u/${jwt:ns:claim}/", "u/x/", ""},
		{"missing claim", "u/${jwt:group}/", "", `no "group" claim`},
		{"dot", "u/${jwt:dot}/", "", "not one safe path segment"},
		{"dot dot", "u/${jwt:dots}/", "", "not one safe path segment"},
		{"slash", "u/${jwt:slash}/", "", "not one safe path segment"},
		{"129 chars", "u/${jwt:long}/", "", "not one safe path segment"},
		{"unicode", "u/${jwt:uni}/", "", "not one safe path segment"},
		{"empty", "u/${jwt:empty}/", "", "not one safe path segment"},
		{"wildcard", "u/${jwt:star}/", "", "not one safe path segment"},
		{"space", "u/${jwt:space}/", "", "not one safe path segment"},
		{"control character", "u/${jwt:tab}/", "", "not one safe path segment"},
		{"a template in a claim", "u/${jwt:dollar}/", "", "not one safe path segment"},
		{"number", "u/${jwt:num}/", "", "not a string"},
		{"bool", "u/${jwt:bool}/", "", "not a string"},
		{"list", "u/${jwt:list}/", "", "not a string"},
		{"null", "u/${jwt:null}/", "", "not a string"},
		{"two claims in a segment", "u/${jwt:dot}${jwt:dot}/", "", "whole path segment"},
		{"a claim beside a literal dot", "u/${jwt:sub}./", "", "whole path segment"},
		{"unclosed", "u/${jwt:sub/", "", "unclosed"},
		{"env", "u/${env:HOME}/", "", "not ${jwt:NAME}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Substitute(tc.tmpl, c)
			if tc.fragment == "" {
				if err != nil || got != tc.want {
					t.Fatalf("Substitute(%q) = %q, %v; want %q, nil", tc.tmpl, got, err, tc.want)
				}
				return
			}
			if !errors.Is(err, ErrTemplate) || !strings.Contains(err.Error(), tc.fragment) {
				t.Fatalf("Substitute(%q) error = %v; want %v containing %q", tc.tmpl, err, ErrTemplate, tc.fragment)
			}
			if got != "" {
				t.Errorf("Substitute(%q) = %q on error; want \"\"", tc.tmpl, got)
			}
			if v, ok := c.String(strings.TrimSuffix(strings.TrimPrefix(tc.tmpl, "u/${jwt:"), "}/")); ok && len(v) > 2 && strings.Contains(err.Error(), v) {
				t.Errorf("error %q quotes the claim's value", err)
			}
		})
	}
}

func TestHasTemplate(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"avatars/${jwt:sub}/", true},
		{"u/${env:X}/", true},
		{"u/${", true},
		{"u/$/", false},
		{"u/{x}/", false},
		{"public/", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(tc.s, func(t *testing.T) {
			if got := HasTemplate(tc.s); got != tc.want {
				t.Errorf("HasTemplate(%q) = %v; want %v", tc.s, got, tc.want)
			}
		})
	}
}

func TestValidateTemplate(t *testing.T) {
	tests := []struct {
		s      string
		wantOK bool
	}{
		{"avatars/${jwt:sub}/", true},
		{"${jwt:tenant}/${jwt:sub}/", true},
		{"u/${jwt:https://example.com/claims/group}/", false},
		{"u/${jwt:urn:example:group}/", true},
		{"u/${jwt:a_b.c-d}/", true},
		{"no template", true},
		{"dollar $ and braces {} alone", true},
		{"u/${env:HOME}/", false},
		{"u/${sub}/", false},
		{"u/${jwt:}/", false},
		{"u/${jwt:sub", false},
		{"u/${", false},
		{"u/${jwt:sü}/", false},
		{"u/${jwt:a b}/", false},
		{"u/${jwt:${jwt:sub}}/", false},
		{"u/${JWT:sub}/", false},
		{"${jwt:sub}", true},
		{"a/${jwt:org}/${jwt:sub}/k.txt", true},
		{"t/${jwt:org}-${jwt:sub}/", false},
		{"t/${jwt:org}${jwt:sub}/", false},
		{"t/u-${jwt:sub}/", false},
		{"t/${jwt:sub}-u/", false},
		{"t/${jwt:sub}.d/", false},
		{"t/${jwt:sub}}/", false},
	}
	for _, tc := range tests {
		t.Run(tc.s, func(t *testing.T) {
			err := ValidateTemplate(tc.s)
			if got := err == nil; got != tc.wantOK {
				t.Fatalf("ValidateTemplate(%q) = %v; want ok %v", tc.s, err, tc.wantOK)
			}
			if err != nil && !errors.Is(err, ErrTemplate) {
				t.Errorf("ValidateTemplate(%q) = %v; want it to wrap %v", tc.s, err, ErrTemplate)
			}
		})
	}
}

// TestFill: the load-time shape of a template is what any accepted claim value gives it, and Fill refuses what
// ValidateTemplate refuses.
func TestFill(t *testing.T) {
	tests := []struct{ in, want, fragment string }{
		{"public/", "public/", ""},
		{"users/${jwt:sub}/", "users/" + Placeholder + "/", ""},
		{"t/${jwt:org}/${jwt:sub}/k", "t/" + Placeholder + "/" + Placeholder + "/k", ""},
		{"t/${jwt:org}-${jwt:sub}/", "", "whole path segment"},
		{"u/${env:HOME}/", "", "not ${jwt:NAME}"},
		{"u/${jwt:sub/", "", "unclosed"},
	}
	for _, tc := range tests {
		got, err := Fill(tc.in)
		if tc.fragment == "" {
			if err != nil || got != tc.want {
				t.Errorf("Fill(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			continue
		}
		if !errors.Is(err, ErrTemplate) || !strings.Contains(err.Error(), tc.fragment) {
			t.Errorf("Fill(%q) error = %v; want %v containing %q", tc.in, err, ErrTemplate, tc.fragment)
		}
	}
	if filled, err := Substitute("users/${jwt:sub}/", Claims{"sub": Placeholder}); err != nil || filled != "users/"+Placeholder+"/" {
		t.Errorf("Placeholder is not a value Substitute accepts: %q, %v", filled, err)
	}
}
