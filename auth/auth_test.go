package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestBearerToken(t *testing.T) {
	const tok = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlLWNhbmFyeQ"
	tests := []struct {
		name, header, want string
		fragment           string // non-empty: an error wrapping ErrUnauthorized containing it
	}{
		{"bearer", "Bearer " + tok, tok, ""},
		{"lower case scheme", "bearer " + tok, tok, ""},
		{"upper case scheme", "BEARER " + tok, tok, ""},
		{"extra spaces", "  Bearer   " + tok + "  ", tok, ""},
		{"token68 padding", "Bearer abc+/~==", "abc+/~==", ""},
		{"empty", "", "", "missing Authorization header"},
		{"blank", "   ", "", "missing Authorization header"},
		{"no scheme", tok, "", "not of the form"},
		{"basic", "Basic dXNlcjpwYXNz", "", "not of the form"},
		{"bearer without token", "Bearer", "", "empty bearer token"},
		{"bearer and spaces", "Bearer    ", "", "empty bearer token"},
		{"two tokens", "Bearer " + tok + " " + tok, "", "malformed"},
		{"comma", "Bearer a,b", "", "malformed"},
		{"only padding", "Bearer ==", "", "malformed"},
		{"padding inside", "Bearer a=b", "", "malformed"},
		{"quote", `Bearer "` + tok + `"`, "", "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := BearerToken(tc.header)
			if tc.fragment == "" {
				if err != nil || got != tc.want {
					t.Fatalf("BearerToken(%q) = %q, %v; want %q, nil", tc.header, got, err, tc.want)
				}
				return
			}
			if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), tc.fragment) {
				t.Fatalf("BearerToken(%q) error = %v; want %v containing %q", tc.header, err, ErrUnauthorized, tc.fragment)
			}
			for _, part := range append(strings.Split(tok, "."), "dXNlcjpwYXNz") {
				if strings.Contains(err.Error(), part) {
					t.Errorf("error %q quotes the header", err)
				}
			}
		})
	}
}
