package redact

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

func TestRegisteredValuesAreMasked(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	release := w.Register("supersecretvalue1", "short")
	if _, err := w.Write([]byte("error: key supersecretvalue1 rejected; short stays\n")); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "error: key [REDACTED] rejected; short stays\n" {
		t.Errorf("output = %q", got)
	}
	release()
	release() // twice is harmless
	out.Reset()
	_, _ = w.Write([]byte("supersecretvalue1"))
	if out.String() != "supersecretvalue1" {
		t.Errorf("after release output = %q; want the value unmasked (it is no longer anyone's secret)", out.String())
	}
}

func TestRegistrationsAreCounted(t *testing.T) {
	w := NewWriter(&bytes.Buffer{})
	a := w.Register("shared-secret-value")
	b := w.Register("shared-secret-value")
	a()
	if got := w.String("shared-secret-value"); got != Mask {
		t.Errorf("after one of two releases = %q; want it still masked", got)
	}
	b()
	if got := w.String("shared-secret-value"); got != "shared-secret-value" {
		t.Errorf("after both releases = %q", got)
	}
}

func TestPatterns(t *testing.T) {
	tests := []struct {
		in, leak string
	}{
		{`Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig`, "eyJhbGciOiJIUzI1NiJ9"},
		{`{"tmpSecretKey":"abcDEF123456789","x":1}`, "abcDEF123456789"},
		{`{"sessionToken":"tok-123456789","x":1}`, "tok-123456789"},
		{`{"Credentials":{"Token":"tok-987654321","TmpSecretId":"AKIDx"}}`, "tok-987654321"},
		{`SecretKey: plainsecret123, next`, "plainsecret123"},
		{`secret_key=plainsecret123`, "plainsecret123"},
		{`X-TC-Token: tctoken123456`, "tctoken123456"},
		{`"{\"tmpSecretKey\":\"escaped123456\"}"`, "escaped123456"},
		{`TC3-HMAC-SHA256 Credential=AKIDx/2026-11-29/sts/tc3_request, SignedHeaders=content-type;host, Signature=10b1a37a7301a02ca19a647ad722d5e4`, "10b1a37a7301a02ca19a647ad722d5e4"},
	}
	for _, tc := range tests {
		got := Patterns(tc.in)
		if strings.Contains(got, tc.leak) || !strings.Contains(got, Mask) {
			t.Errorf("Patterns(%q) = %q; want %q masked", tc.in, got, tc.leak)
		}
	}
	for _, keep := range []string{`{"tmpSecretId":"AKIDpublic","requestId":"r-1"}`, `status=200 scope=default`} {
		if got := Patterns(keep); got != keep {
			t.Errorf("Patterns(%q) = %q; want it unchanged", keep, got)
		}
	}
}

func TestConcurrentWrites(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release := w.Register("concurrent-secret")
			defer release()
			_, _ = w.Write([]byte("line concurrent-secret\n"))
		}()
	}
	wg.Wait()
	if strings.Contains(out.String(), "concurrent-secret") || strings.Count(out.String(), "line [REDACTED]\n") != 16 {
		t.Errorf("output = %q", out.String())
	}
}

// TestSecretMasksPrefixes: an echo that quotes only the beginning of a secret (a proxy cutting a token to 20
// characters) leaks what it quotes; every run of MinPrefix or more of a secret's first characters is masked.
func TestSecretMasksPrefixes(t *testing.T) {
	const secret = "da1e3f0b2c4d6e8fa0b1c2d3e4f5a6b7" // 32 characters
	tests := []struct {
		name, in, want string
	}{
		{"whole", "token " + secret + " bad", "token [REDACTED] bad"},
		{"first 16", "token " + secret[:16] + "… bad", "token [REDACTED]… bad"},
		{"first 20, then other text", "t=" + secret[:20] + "zz", "t=[REDACTED]zz"},
		{"at the very end", "t=" + secret[:17], "t=[REDACTED]"},
		{"twice", secret[:16] + "|" + secret, "[REDACTED]|[REDACTED]"},
		{"15 is not enough", "t=" + secret[:15], "t=" + secret[:15]},
		{"a middle piece is not a prefix", "t=" + secret[4:24], "t=" + secret[4:24]},
		{"nothing", "plain text", "plain text"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Secrets(tc.in, secret); got != tc.want {
				t.Errorf("Secrets(%q) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
	if got := Secrets("key abc", "abc"); got != "key "+Mask {
		t.Errorf("a short secret: %q; want it masked whole", got)
	}
	if got := Secrets("key abc", ""); got != "key abc" {
		t.Errorf("an empty secret masked %q", got)
	}
	// The Writer applies it to every registered secret.
	var out bytes.Buffer
	w := NewWriter(&out)
	defer w.Register(secret)()
	_, _ = w.Write([]byte("STS said: " + secret[:18]))
	if strings.Contains(out.String(), secret[:16]) {
		t.Errorf("Writer output %q holds a 16-character prefix of a registered secret", out.String())
	}
}

// TestPatternsLeaveWordsAlone: a credential is told by its value, not by the word before it. The old patterns turned
// "malformed token: a JWT has three parts" into "malformed token: [REDACTED] JWT…", and "a bearer token is
// required" into "a bearer [REDACTED] is required".
func TestPatternsLeaveWordsAlone(t *testing.T) {
	for _, keep := range []string{
		"malformed token: a JWT has three parts",
		`{"error":"malformed token: a JWT has three parts"}`,
		"a bearer token is required (Authorization: Bearer <JWT>)",
		"STS_SECRET_KEY: is empty while STS_SECRET_ID is set",
		"the token: missing, expired or malformed",
		"token=expired secretKey=unknown sessionToken: none",
		`{"msg":"Unauthorized","error":"the token has no sub claim naming its user"}`,
		"X-TC-Token: absent",
	} {
		if got := Patterns(keep); got != keep {
			t.Errorf("Patterns(%q) = %q; want it unchanged", keep, got)
		}
	}
}

// TestPatternsMaskValues: credential values are masked after a name, in every spelling, and JWTs wherever they stand.
func TestPatternsMaskValues(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	tests := []struct{ in, want string }{
		{"token: " + jwt + " rejected", "token: [REDACTED] rejected"},
		{"the caller sent " + jwt, "the caller sent [REDACTED]"},
		{"an unsigned eyJhbGciOiJub25lIn0.e30. came", "an unsigned [REDACTED] came"},
		{"SecretKey=0123456789abcdef0123456789abcdef", "SecretKey=[REDACTED]"},
		{"secretKey: kXp2Qz7RvT9wLm4N", "secretKey: [REDACTED]"},
		{"sessionToken=abcdefghijklmnopqrstuvwxyzabcdefghij", "sessionToken=[REDACTED]"},
		{`token=AbcdefGhijk`, `token=[REDACTED]`},
		{"Authorization: bearer abc.DEF_ghi-123", "Authorization: bearer [REDACTED]"},
	}
	for _, tc := range tests {
		if got := Patterns(tc.in); got != tc.want {
			t.Errorf("Patterns(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// TestOverlappingSecrets: two secrets that overlap in a text are masked as one, whatever their order: masking the
// longer one whole first (as a loop over a map might, or a longest-first rule) cut the shorter one's beginning
// away and left its last 20 characters in the log, where no prefix rule could find them.
func TestOverlappingSecrets(t *testing.T) {
	a := strings.Repeat("A", 25) + "XYZ1234567"    // 35 characters
	b := "XYZ1234567" + strings.Repeat("B", 20)    // 30, beginning as a ends: a[25:] == b[:10]
	text := "<" + a + b[10:] + "> and <" + b + ">" // a and b overlapping, then b alone
	if got := Secrets(Secrets(text, a), b); !strings.Contains(got, b[10:]) {
		t.Fatalf("the case is not the one described: masking a, then b gives %q", got)
	}
	want := "<" + Mask + "> and <" + Mask + ">"
	if got := Secrets(text, a, b); got != want {
		t.Errorf("Secrets(a, b) = %q; want %q", got, want)
	}
	if got := Secrets(text, b, a); got != want {
		t.Errorf("Secrets(b, a) = %q; want %q", got, want)
	}
	// A secret inside another, and one echoed by its first 16 characters beside a whole one.
	inner := "XYZ1234567BBBBB"
	if got := Secrets("<"+b+">", inner, b); got != "<"+Mask+">" {
		t.Errorf("a secret inside another: %q", got)
	}
	if got := Secrets(a[:18]+b, a, b); got != Mask+Mask {
		t.Errorf("a prefix echo touching a whole secret: %q; want two masks", got)
	}
	// The Writer registers secrets in a map: many writes, registered in both orders, give the one result.
	for i := range 20 {
		w := NewWriter(&bytes.Buffer{})
		first, second := a, b
		if i%2 == 1 {
			first, second = b, a
		}
		w.Register(first)
		w.Register(second)
		if got := w.String(text); got != want {
			t.Fatalf("Writer.String = %q; want %q", got, want)
		}
	}
}
