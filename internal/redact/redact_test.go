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
			if got := Secret(tc.in, secret); got != tc.want {
				t.Errorf("Secret(%q) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
	if got := Secret("key abc", "abc"); got != "key "+Mask {
		t.Errorf("a short secret: %q; want it masked whole", got)
	}
	if got := Secret("key abc", ""); got != "key abc" {
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
