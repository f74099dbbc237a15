// Package redact keeps secrets out of logs. A Writer sits between every logger of the function and its output and
// rewrites each write before it leaves: values registered as secret for the invocations under way are replaced,
// and so is anything shaped like a credential (a bearer token, a JWT, a credential value after a name like
// secretKey or token), so that even an error text or a panic that quotes a secret cannot carry it out. Values are
// judged by their shape, never by the words around them alone, so that an operator's message ("malformed token:
// a JWT has three parts") reaches the log as it was written.
package redact

import (
	"io"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// Mask replaces every redacted value.
const Mask = "[REDACTED]"

// minSecretLen keeps short strings from being registered: masking "a" would shred every log line, and no real key
// or token is that short.
const minSecretLen = 8

// A rule masks the value its expression finds (group 1) when judge says it is a credential. The expression says
// what the rule finds, and the rule's matcher finds exactly that, by hand: a regular expression engine cost the
// function's binary 94 KB, and 0.15 ms to compile at the first line that needed one. TestRulesAgreeWithTheirExpressions
// and FuzzRulesAgreeWithTheirExpressions hold each matcher to its expression as Go's regexp runs it (leftmost-first,
// Perl's way, case folding included: under (?i) KELVIN SIGN is a k and LONG S an s). A rule can match only where one
// of its triggers stands (see mayMatch): a rule whose triggers are all absent from a text is not run on it.
type rule struct {
	expr     string // the regular expression the matcher implements; group 1 is the value
	match    func(s string, at int) (start, end, matchEnd int)
	judge    func(string) bool
	triggers []string // lower-case ASCII; the expression matches nothing unless one of them occurs, case-folded
	fold     bool     // the expression is case-insensitive ((?i)): triggers are found whatever their case
}

var rules = []rule{
	// "Authorization: Bearer x", "bearer x" in any text; not "a bearer token is required".
	{`(?i)\bbearer\s+([A-Za-z0-9._~+/=-]+)`, matchBearer, credential, []string{"bearer"}, true},
	// JSON or Go-syntax fields named like a secret: "tmpSecretKey":"…", SecretKey: …, X-TC-Token=…; not
	// "STS_SECRET_KEY: is empty" or "malformed token: a JWT…". Every name holds "secret" or "token".
	{`(?i)(?:secret_?key|session_?token|x-tc-token|\btoken)\\?"?\s*[:=]\s*\\?"?([^"\\\s,}]+)`, matchNamed, credential, []string{"secret", "token"}, true},
	// A JWT wherever it stands: three base64url parts, the first a JSON object ("eyJ" is `{"` encoded).
	{`\b(eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)`, matchJWT, always, []string{"eyJ"}, false},
	// TC3 Authorization headers carry a signature, not a key, but have no business in a log either.
	{`(?i)signature=([0-9a-f]{16,})`, matchSignature, always, []string{"signature="}, true},
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
	sort.Sort(bySpan(spans))
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

// apply masks each value r finds that r.judge calls a credential. Matches are found as regexp's FindAll finds them:
// the leftmost match, then the next from where it ended.
func (r rule) apply(s string) string {
	var b strings.Builder
	last := 0
	for from := 0; from < len(s); {
		start, end, matchEnd := r.next(s, from)
		if start < 0 {
			break
		}
		from = matchEnd
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

// next finds r's leftmost match in s at from or after: its value s[start:end] and where the match ends. A match
// starts only where a character does (a text that is not UTF-8 steps a byte at a time, as regexp does); start is
// -1 when there is none.
func (r rule) next(s string, from int) (start, end, matchEnd int) {
	for i := from; i < len(s); {
		if start, end, matchEnd = r.match(s, i); start >= 0 {
			return start, end, matchEnd
		}
		if s[i] < utf8.RuneSelf {
			i++
		} else {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
	}
	return -1, -1, -1
}

// The matchers: each returns its rule's match starting exactly at at, or -1s.

// matchBearer: (?i)\bbearer\s+([A-Za-z0-9._~+/=-]+)
func matchBearer(s string, at int) (int, int, int) {
	if !wordBoundary(s, at) {
		return -1, -1, -1
	}
	j := foldWord(s, at, "bearer")
	if j < 0 {
		return -1, -1, -1
	}
	k := spaces(s, j)
	if k == j {
		return -1, -1, -1
	}
	end := run(s, k, func(c byte) bool {
		return isAlnum(c) || strings.IndexByte("._~+/=-", c) >= 0
	}, true)
	if end == k {
		return -1, -1, -1
	}
	return k, end, end
}

// matchNamed: (?i)(?:secret_?key|session_?token|x-tc-token|\btoken)\\?"?\s*[:=]\s*\\?"?([^"\\\s,}]+), the
// alternatives tried in their order.
func matchNamed(s string, at int) (int, int, int) {
	for _, name := range [...]func() int{
		func() int { return optUnderscored(s, foldWord(s, at, "secret"), "key") },
		func() int { return optUnderscored(s, foldWord(s, at, "session"), "token") },
		func() int { return foldWord(s, at, "x-tc-token") },
		func() int {
			if !wordBoundary(s, at) {
				return -1
			}
			return foldWord(s, at, "token")
		},
	} {
		if j := name(); j >= 0 {
			if start, end := namedValue(s, j); start >= 0 {
				return start, end, end
			}
		}
	}
	return -1, -1, -1
}

// optUnderscored matches _?word at j (j < 0: nothing matched before it), the _ taken when it is there.
func optUnderscored(s string, j int, word string) int {
	if j < 0 {
		return -1
	}
	if j < len(s) && s[j] == '_' {
		return foldWord(s, j+1, word)
	}
	return foldWord(s, j, word)
}

// namedValue matches \\?"?\s*[:=]\s*\\?"?([^"\\\s,}]+) at j and returns the group. Each optional part is
// taken when it is there: none of them can be given back to a later part, which could never match what it held.
func namedValue(s string, j int) (start, end int) {
	j = optByte(s, optByte(s, j, '\\'), '"')
	j = spaces(s, j)
	if j >= len(s) || s[j] != ':' && s[j] != '=' {
		return -1, -1
	}
	j = optByte(s, optByte(s, spaces(s, j+1), '\\'), '"')
	end = j
	for end < len(s) && s[end] != '"' && s[end] != '\\' && s[end] != ',' && s[end] != '}' && !isSpace(s[end]) {
		end++
	}
	if end == j {
		return -1, -1
	}
	return j, end
}

// matchJWT: \b(eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)
func matchJWT(s string, at int) (int, int, int) {
	if !wordBoundary(s, at) || !strings.HasPrefix(s[at:], "eyJ") {
		return -1, -1, -1
	}
	b64 := func(c byte) bool { return isAlnum(c) || c == '_' || c == '-' }
	j := run(s, at+3, b64, false)
	if j == at+3 || j >= len(s) || s[j] != '.' {
		return -1, -1, -1
	}
	k := run(s, j+1, b64, false)
	if k == j+1 || k >= len(s) || s[k] != '.' {
		return -1, -1, -1
	}
	end := run(s, k+1, b64, false)
	return at, end, end
}

// matchSignature: (?i)signature=([0-9a-f]{16,})
func matchSignature(s string, at int) (int, int, int) {
	j := foldWord(s, at, "signature=")
	if j < 0 {
		return -1, -1, -1
	}
	end := run(s, j, func(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }, false)
	if end-j < 16 {
		return -1, -1, -1
	}
	return j, end, end
}

// foldWord matches word (lower-case ASCII) at s[j:] as (?i) matches it, and returns where it ends, or -1: letters
// in either case, and KELVIN SIGN for k and LONG S for s.
func foldWord(s string, j int, word string) int {
	if j < 0 {
		return -1
	}
	for i := 0; i < len(word); i++ {
		if j >= len(s) {
			return -1
		}
		c := word[i]
		if 'a' <= c && c <= 'z' {
			if n := foldLetter(s[j:], c); n > 0 {
				j += n
				continue
			}
			return -1
		}
		if s[j] != c {
			return -1
		}
		j++
	}
	return j
}

// foldLetter is the length of the character at the start of s that (?i) takes for the lower-case letter c, or 0.
func foldLetter(s string, c byte) int {
	switch b := s[0]; {
	case b == c || b == c-'a'+'A':
		return 1
	case c == 's' && strings.HasPrefix(s, "\u017F"):
		return len("\u017F")
	case c == 'k' && strings.HasPrefix(s, "\u212A"):
		return len("\u212A")
	}
	return 0
}

// run returns where the run of bytes that in accepts, from j, ends; with folded, KELVIN SIGN and LONG S count as
// letters (a case-insensitive class holding k and s holds them).
func run(s string, j int, in func(byte) bool, folded bool) int {
	for j < len(s) {
		switch {
		case in(s[j]):
			j++
		case folded && strings.HasPrefix(s[j:], "\u017F"):
			j += len("\u017F")
		case folded && strings.HasPrefix(s[j:], "\u212A"):
			j += len("\u212A")
		default:
			return j
		}
	}
	return j
}

// spaces skips \s, which regexp takes for [\t\n\f\r ].
func spaces(s string, j int) int {
	for j < len(s) && isSpace(s[j]) {
		j++
	}
	return j
}

func optByte(s string, j int, c byte) int {
	if j < len(s) && s[j] == c {
		return j + 1
	}
	return j
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }
func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// wordBoundary reports whether \b holds before s[at], a word character: at the start, or after a character that
// is not one (\b knows only ASCII letters, digits and _ as word characters).
func wordBoundary(s string, at int) bool {
	return at == 0 || !(isAlnum(s[at-1]) || s[at-1] == '_')
}

// bySpan orders spans by start, the longer first where two start together. It sorts with package sort, which the
// binary carries anyway (the SDK uses it): slices.SortFunc would add its own copy of pdqsort for spans, 12 KB.
type bySpan []span

func (s bySpan) Len() int      { return len(s) }
func (s bySpan) Swap(i, j int) { s[i], s[j] = s[j], s[i] }
func (s bySpan) Less(i, j int) bool {
	return s[i].start < s[j].start || s[i].start == s[j].start && s[i].end > s[j].end
}
