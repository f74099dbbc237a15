// Package redact keeps secrets out of logs. A Writer sits between every logger of the function and its output and
// rewrites each write before it leaves: values registered as secret for the invocations under way are replaced,
// and so is anything shaped like a credential (a bearer token, a JWT, a credential value after a name like
// secretKey or token), so that even an error text or a panic that quotes a secret cannot carry it out. Values are
// judged by their shape, never by the words around them alone, so that an operator's message ("malformed token:
// a JWT has three parts") reaches the log as it was written.
package redact

import (
	"cmp"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Mask replaces every redacted value.
const Mask = "[REDACTED]"

// minSecretLen keeps short strings from being registered: masking "a" would shred every log line, and no real key
// or token is that short.
const minSecretLen = 8

// A rule masks the value its expression finds (group 1) when judge says it is a credential. Its expression can
// match only where one of its triggers stands (see mayMatch): a rule whose triggers are all absent from a text is
// not run on it, which is what keeps a log line that holds none of these words at a few microseconds instead of
// the tens a regular expression spends failing on it. Nor is an expression compiled before a text needs it: a
// process whose log never holds a trigger (the usual one) spends nothing on them, at cold start or later.
type rule struct {
	re       func() *regexp.Regexp // compiled on first use (lazy): most processes never need one
	judge    func(string) bool
	triggers []string // lower-case ASCII; the expression matches nothing unless one of them occurs, case-folded
	fold     bool     // the expression is case-insensitive ((?i)): triggers are found whatever their case
}

var rules = []rule{
	// "Authorization: Bearer x", "bearer x" in any text; not "a bearer token is required".
	{lazy(`(?i)\bbearer\s+([A-Za-z0-9._~+/=-]+)`), credential, []string{"bearer"}, true},
	// JSON or Go-syntax fields named like a secret: "tmpSecretKey":"…", SecretKey: …, X-TC-Token=…; not
	// "STS_SECRET_KEY: is empty" or "malformed token: a JWT…". Every name holds "secret" or "token".
	{lazy(`(?i)(?:secret_?key|session_?token|x-tc-token|\btoken)\\?"?\s*[:=]\s*\\?"?([^"\\\s,}]+)`), credential, []string{"secret", "token"}, true},
	// A JWT wherever it stands: three base64url parts, the first a JSON object ("eyJ" is `{"` encoded).
	{lazy(`\b(eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)`), always, []string{"eyJ"}, false},
	// TC3 Authorization headers carry a signature, not a key, but have no business in a log either.
	{lazy(`(?i)signature=([0-9a-f]{16,})`), always, []string{"signature="}, true},
}

// foldRunes are the only characters outside ASCII that a case-insensitive expression takes for ASCII letters:
// Unicode's simple case folding puts KELVIN SIGN (U+212A) with k and LATIN SMALL LETTER LONG S (U+017F) with s
// (TestFoldRunesAreTheOnlyOnes derives the list). A text holding either is given to every case-insensitive
// expression, so that the triggers, looked for in ASCII, never skip a match the expression would have found.
var foldRunes = []string{"\u212A", "\u017F"}

// mayMatch reports whether r's expression could match somewhere in s: a trigger occurs in s (whatever its case,
// when the expression ignores case), or s holds a character the expression folds into ASCII.
func (r rule) mayMatch(s string) bool {
	for _, t := range r.triggers {
		if r.fold && indexFold(s, t) >= 0 || !r.fold && strings.Contains(s, t) {
			return true
		}
	}
	if r.fold {
		for _, f := range foldRunes {
			if strings.Contains(s, f) {
				return true
			}
		}
	}
	return false
}

// indexFold is the index of the first occurrence of the lower-case ASCII word in s, ASCII letters matched whatever
// their case, or -1. It allocates nothing and looks at each byte of s about once.
func indexFold(s, word string) int {
	first, upper := word[0], word[0]
	if 'a' <= first && first <= 'z' {
		upper = first - 'a' + 'A'
	}
	for i := 0; i+len(word) <= len(s); i++ {
		if c := s[i]; c != first && c != upper {
			continue
		}
		if equalFoldASCII(s[i+1:i+len(word)], word[1:]) {
			return i
		}
	}
	return -1
}

// equalFoldASCII reports whether s spells lower (lower-case ASCII), with ASCII letters of s in either case.
func equalFoldASCII(s, lower string) bool {
	for i := 0; i < len(lower); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func always(string) bool { return true }

// lazy compiles expr the first time it is asked for.
func lazy(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// credential reports whether v is shaped like a key or token rather than a word: at least eight characters, and a
// digit among them, or an upper-case letter after the first beside a lower-case one (base64, most keys), or
// length enough that no word has it.
func credential(v string) bool {
	if len(v) < minSecretLen {
		return false
	}
	if len(v) >= 32 {
		return true
	}
	var digit, upper, lower bool
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case '0' <= c && c <= '9':
			digit = true
		case 'A' <= c && c <= 'Z' && i > 0:
			upper = true
		case 'a' <= c && c <= 'z':
			lower = true
		}
	}
	return digit || upper && lower
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
	var spans []span
	w.mu.Lock()
	for v := range w.secrets {
		spans = matches(spans, s, v)
	}
	w.mu.Unlock()
	return Patterns(masked(s, spans))
}

// MinPrefix is the shortest beginning of a secret that Secrets masks on its own. An echo cut short (a proxy or a
// misbehaving STS quoting the first 20 characters of a token) still gives away what it shows; sixteen characters
// of a random key are never there by chance.
const MinPrefix = 16

// Secrets returns s with every occurrence of each secret masked, and every run of MinPrefix or more characters
// that matches the beginning of one. Every secret's matches are found in s as given, and matches that overlap
// are masked together as one: so the result is the same in whatever order the secrets come (a Writer's come from
// a map), and no part of one secret is left showing because the mask of another cut through it, as masking one
// secret after another would (longest first included, when a shorter secret overlaps a longer one's end). An
// empty secret masks nothing.
func Secrets(s string, secrets ...string) string {
	var spans []span
	for _, secret := range secrets {
		spans = matches(spans, s, secret)
	}
	return masked(s, spans)
}

// masked returns s with each span masked, overlapping spans as one.
func masked(s string, spans []span) string {
	if len(spans) == 0 {
		return s // the common case: nothing to mask, nothing copied
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(b.end, a.end)) })
	var b strings.Builder
	last := 0
	for i := 0; i < len(spans); {
		start, end := spans[i].start, spans[i].end
		for i++; i < len(spans) && spans[i].start < end; i++ {
			end = max(end, spans[i].end)
		}
		b.WriteString(s[last:start])
		b.WriteString(Mask)
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// span is a match of a secret in a text: s[start:end].
type span struct{ start, end int }

// matches appends the places where secret, or a run of at least MinPrefix of its first characters, stands in s.
func matches(spans []span, s, secret string) []span {
	if secret == "" {
		return spans
	}
	head := secret
	if len(secret) > MinPrefix {
		head = secret[:MinPrefix]
	}
	for from := 0; ; {
		i := strings.Index(s[from:], head)
		if i < 0 {
			return spans
		}
		start := from + i
		n := len(head)
		for n < len(secret) && start+n < len(s) && s[start+n] == secret[n] {
			n++
		}
		spans = append(spans, span{start, start + n})
		from = start + n
	}
}

// Patterns masks what is shaped like a credential, with no registered values: a backstop for text no one
// registered.
func Patterns(s string) string {
	for _, r := range rules {
		if r.mayMatch(s) {
			s = r.apply(s)
		}
	}
	return s
}

// apply masks each value r finds that r.judge calls a credential.
func (r rule) apply(s string) string {
	found := r.re().FindAllStringSubmatchIndex(s, -1)
	var b strings.Builder
	last := 0
	for _, m := range found {
		start, end := m[2], m[3]
		if !r.judge(s[start:end]) {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(Mask)
		last = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
