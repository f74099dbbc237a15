// Package redact keeps secrets out of logs. A Writer sits between every logger of the function and its output and
// rewrites each write before it leaves: values registered as secret for the invocations under way are replaced,
// and so is anything shaped like a credential (a bearer token, a JSON field named like a key or a token), so that
// even an error text or a panic that quotes a secret cannot carry it out.
package redact

import (
	"io"
	"regexp"
	"strings"
	"sync"
)

// Mask replaces every redacted value.
const Mask = "[REDACTED]"

// minSecretLen keeps short strings from being registered: masking "a" would shred every log line, and no real key
// or token is that short.
const minSecretLen = 8

var patterns = []*regexp.Regexp{
	// "Authorization: Bearer x", "bearer x" in any text.
	regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+`),
	// JSON or Go-syntax fields named like a secret: "tmpSecretKey":"…", SecretKey: …, X-TC-Token=…
	regexp.MustCompile(`(?i)((?:secret_?key|tmpsecretkey|session_?token|sessiontoken|x-tc-token|"token"|\btoken)\\?"?\s*[:=]\s*\\?"?)[^"\\\s,}]+`),
	// TC3 Authorization headers carry a signature, not a key, but have no business in a log either.
	regexp.MustCompile(`(?i)(signature=)[0-9a-f]{16,}`),
}

// Writer redacts everything written through it. It is safe for concurrent use, and each Write reaches the
// underlying writer in one call, so concurrent log lines do not interleave.
type Writer struct {
	out io.Writer

	mu      sync.Mutex
	secrets map[string]int // value → how many invocations registered it
}

// NewWriter returns a Writer that writes redacted output to out.
func NewWriter(out io.Writer) *Writer {
	return &Writer{out: out, secrets: map[string]int{}}
}

// Register marks values as secret until the returned func is called; call it when the invocation ends. Registering
// the same value twice is counted, so one invocation ending does not unmask another's.
func (w *Writer) Register(values ...string) (release func()) {
	var kept []string
	w.mu.Lock()
	for _, v := range values {
		if len(v) >= minSecretLen {
			w.secrets[v]++
			kept = append(kept, v)
		}
	}
	w.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			for _, v := range kept {
				if w.secrets[v]--; w.secrets[v] <= 0 {
					delete(w.secrets, v)
				}
			}
		})
	}
}

// Write redacts p and writes it. It reports len(p) on success, as callers expect of a filter.
func (w *Writer) Write(p []byte) (int, error) {
	s := w.String(string(p))
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := io.WriteString(w.out, s); err != nil {
		return 0, err
	}
	return len(p), nil
}

// String returns s redacted.
func (w *Writer) String(s string) string {
	w.mu.Lock()
	for v := range w.secrets {
		s = Secret(s, v)
	}
	w.mu.Unlock()
	return Patterns(s)
}

// MinPrefix is the shortest beginning of a secret that Secret masks on its own. An echo cut short (a proxy or a
// misbehaving STS quoting the first 20 characters of a token) still gives away what it shows; sixteen characters
// of a random key are never there by chance.
const MinPrefix = 16

// Secret returns s with every occurrence of secret masked, and every run of MinPrefix or more characters that
// matches the beginning of secret. An empty secret masks nothing.
func Secret(s, secret string) string {
	if secret == "" {
		return s
	}
	head := secret
	if len(secret) > MinPrefix {
		head = secret[:MinPrefix]
	}
	var b strings.Builder
	for {
		i := strings.Index(s, head)
		if i < 0 {
			if b.Len() == 0 {
				return s // the common case: nothing to mask, nothing copied
			}
			b.WriteString(s)
			return b.String()
		}
		n := len(head)
		for n < len(secret) && i+n < len(s) && s[i+n] == secret[n] {
			n++
		}
		b.WriteString(s[:i])
		b.WriteString(Mask)
		s = s[i+n:]
	}
}

// Patterns masks what is shaped like a credential, with no registered values: a backstop for text no one
// registered.
func Patterns(s string) string {
	for _, re := range patterns {
		s = re.ReplaceAllString(s, "${1}"+Mask)
	}
	return s
}
