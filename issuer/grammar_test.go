package issuer

import (
	"regexp"
	"strings"
	"testing"
)

// The patterns validCode and requestID check by hand.
var (
	codeRE      = regexp.MustCompile(`^[A-Za-z]+(\.[A-Za-z0-9]+)*$`)
	requestIDRE = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)
)

var grammarSeeds = []string{
	"", "AuthFailure", "AuthFailure.SignatureExpire", "InvalidParameter.OverLimit", "RequestLimitExceeded.UinLimit",
	"A.1", "1A", "A.", ".A", "A..B", "A.B.C2", "A_B", "A-B", "A B", "Ä", strings.Repeat("A", 80), strings.Repeat("A", 81),
	"6a2d1c3e-0f4b-4c5d-8e9f-0a1b2c3d4e5f", "-", strings.Repeat("a", 64), strings.Repeat("a", 65), "a\n", "a\xff",
}

func TestGrammarsAgreeWithPatterns(t *testing.T) {
	for _, s := range grammarSeeds {
		checkGrammars(t, s)
	}
}

// FuzzGrammars: validCode and requestID accept exactly what their patterns match.
func FuzzGrammars(f *testing.F) {
	for _, s := range grammarSeeds {
		f.Add(s)
	}
	f.Fuzz(checkGrammars)
}

func checkGrammars(t *testing.T, s string) {
	if got, want := validCode(s), len(s) <= maxCode && codeRE.MatchString(s); got != want {
		t.Fatalf("validCode(%q) = %v; the pattern (and length) says %v", s, got, want)
	}
	want := ""
	if requestIDRE.MatchString(s) {
		want = s
	}
	if got := requestID(s); got != want {
		t.Fatalf("requestID(%q) = %q; the pattern says %q", s, got, want)
	}
}
