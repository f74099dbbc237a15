package redact

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// compiled are the rules' expressions, compiled: the oracle the hand-written matchers are held to.
var compiled = func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(rules))
	for i, r := range rules {
		out[i] = regexp.MustCompile(r.expr)
	}
	return out
}()

// applyRegexp is what rule i does to s, done with its expression and regexp, as the function did before its
// matchers were written by hand.
func applyRegexp(i int, s string) string {
	found := compiled[i].FindAllStringSubmatchIndex(s, -1)
	var b strings.Builder
	last := 0
	for _, m := range found {
		start, end := m[2], m[3]
		if !rules[i].judge(s[start:end]) {
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

// patternsPlain is Patterns as it began: every expression, run by regexp, on every text, with no trigger to skip
// any. FuzzPatternsPrefilter holds Patterns (triggers and hand-written matchers) to this.
func patternsPlain(s string) string {
	for i := range rules {
		s = applyRegexp(i, s)
	}
	return s
}

// prefilterSeeds are texts where a trigger decides: present, absent, in other cases, split, or spelled with the
// non-ASCII characters a case-insensitive expression folds into ASCII letters.
var prefilterSeeds = []string{
	"",
	`{"time":"2026-11-29T11:55:36Z","level":"INFO","msg":"ok","requestId":"r-1","trigger":"function-url","status":200}`,
	"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig",
	"BEARER abcDEF123456789",
	"a bearer token is required (Authorization: Bearer <JWT>)",
	`{"tmpSecretKey":"abcDEF123456789","x":1}`,
	`"{\"sessionToken\":\"escaped123456\"}"`,
	"X-TC-TOKEN=tctoken123456",
	"tok en=AbcdefGhijk",
	"\u017FecretKey: kXp2Qz7RvT9wLm4N",       // LONG S for s
	"SECRET_\u212AEY=0123456789abcdefABCDEF", // KELVIN SIGN for K
	"to\u212Aen=AbcdefGhijk",
	"\u017Fignature=10b1a37a7301a02ca19a647ad722d5e4",
	"SIGNATURE=10B1A37A7301A02CA19A647AD722D5E4",
	"an unsigned eyJhbGciOiJub25lIn0.e30. came",
	"EYJhbGciOiJub25lIn0.e30.x", // the JWT expression is case-sensitive
	"secre",
	"tokentokentoken:AbcdefGhijk1",
}

// FuzzPatternsPrefilter: the triggers never change what Patterns writes; they only decide which expressions need
// to run.
func FuzzPatternsPrefilter(f *testing.F) {
	for _, s := range prefilterSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Patterns(s), patternsPlain(s); got != want {
			t.Fatalf("Patterns(%q) = %q; every expression run gives %q", s, got, want)
		}
	})
}

func TestPrefilterSeedsAgree(t *testing.T) {
	masked := 0
	for _, s := range prefilterSeeds {
		got, want := Patterns(s), patternsPlain(s)
		if got != want {
			t.Errorf("Patterns(%q) = %q; every expression run gives %q", s, got, want)
		}
		if strings.Contains(want, Mask) {
			masked++
		}
	}
	// The seeds must exercise masking, the folded spellings included, or the agreement says little.
	for _, s := range []string{"\u017FecretKey: kXp2Qz7RvT9wLm4N", "SECRET_\u212AEY=0123456789abcdefABCDEF", "\u017Fignature=10b1a37a7301a02ca19a647ad722d5e4"} {
		if got := Patterns(s); !strings.Contains(got, Mask) {
			t.Errorf("Patterns(%q) = %q; want the value masked, as the case-insensitive expression finds it", s, got)
		}
	}
	if masked < 10 {
		t.Errorf("only %d seeds are masked at all", masked)
	}
}

// TestFoldRunesAreTheOnlyOnes derives foldRunes: every character outside ASCII that simple case folding (what (?i)
// matches by) puts with an ASCII letter.
func TestFoldRunesAreTheOnlyOnes(t *testing.T) {
	var want []string
	for r := rune(0); r < 128; r++ {
		if !unicode.IsLetter(r) {
			continue
		}
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f >= 128 && !slices.Contains(want, string(f)) {
				want = append(want, string(f))
			}
		}
	}
	got := slices.Clone(foldRunes)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("foldRunes = %q; simple folding gives %q", got, want)
	}
}

// TestTriggersStandInTheExpressions: each trigger is written in its expression, as the expression's literal text
// (lower-cased when the expression ignores case), so a trigger cannot name a word the expression does not need.
func TestTriggersStandInTheExpressions(t *testing.T) {
	for _, r := range rules {
		src := r.expr
		if strings.HasPrefix(src, "(?i)") != r.fold {
			t.Errorf("%s: fold = %v", src, r.fold)
		}
		if r.fold {
			src = strings.ToLower(src)
		}
		for _, tr := range r.triggers {
			if !strings.Contains(src, tr) {
				t.Errorf("trigger %q is not in %s", tr, r.expr)
			}
			if r.fold && strings.ToLower(tr) != tr {
				t.Errorf("trigger %q of a case-insensitive expression must be lower case", tr)
			}
		}
	}
}

// TestPatternsWithoutTriggersCostNothing: a line that holds no trigger, as an ordinary invocation's log line does,
// is returned as it came, without an allocation.
func TestPatternsWithoutTriggersCostNothing(t *testing.T) {
	line := prefilterSeeds[1]
	if got := Patterns(line); got != line {
		t.Fatalf("Patterns changed %q into %q", line, got)
	}
	if n := testing.AllocsPerRun(100, func() { _ = Patterns(line) }); n != 0 {
		t.Errorf("Patterns of a line without triggers allocates %.0f times; want 0", n)
	}
}

func TestIndexFold(t *testing.T) {
	for _, tc := range []struct {
		s, word string
		want    int
	}{
		{"a Bearer b", "bearer", 2},
		{"BEARER", "bearer", 0},
		{"bearebearer", "bearer", 5},
		{"beare", "bearer", -1},
		{"xSignature=", "signature=", 1},
		{"", "token", -1},
		{"toke\u212A", "token", -1},
	} {
		if got := indexFold(tc.s, tc.word); got != tc.want {
			t.Errorf("indexFold(%q, %q) = %d; want %d", tc.s, tc.word, got, tc.want)
		}
	}
}

// matcherSeeds are texts at the edges of each expression: each alternative and optional part, case and folding,
// word boundaries, runs that stop short, matches back to back, and text that is not UTF-8.
var matcherSeeds = []string{
	"Bearer abc.DEF_ghi-123", "xbearer abc", "_bearer abc", "é bearer abc", "bearer", "bearer  \t\f x", "bearer \vx",
	"BeArEr \u212Aey\u017Fecret123", "bearer ab\u212A", "bearer abc bearer def", "bearerbearer x",
	`"secretKey":"v1"`, `secret_key=v2`, `secret__key=v3`, `secretkey : v4`, `SECRET_KEY\":\"v5`, `session_token=v6`,
	`sessiontoken:v7`, `x-tc-token: v8`, `X-TC-TOKEN=v9`, `token=v10`, `atoken=v11`, `_token=v12`, `-token=v13`,
	`token\"=x`, `token"\:x`, `token: \"x`, `token:\`, `token= "`, `token=,`, `token=}x`, `token=a,b`,
	"\u017Fecret\u212Aey=v14", "to\u212Aen=v15", "se\u017F\u017Fion_to\u212Aen=v16", "token=\xff\xfe", "token=é中",
	"token=a token=b", "secretkey=a", "secret_key_token=x", "sessionToken=tok-123456789",
	"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig", "xeyJa.b.c", "_eyJa.b.c", "eyJ.a.b", "eyJa..b", "eyJa.b", "eyJa.b.",
	"eyJa.b.c.d.e", "eyJa.b.ceyJd.e.f", "é eyJa.b.c",
	"Signature=0123456789abcdef", "signature=0123456789abcde", "SIGNATURE=0123456789ABCDEF0", "\u017Fignature=0123456789abcdef",
	"signature=signature=0123456789abcdef", "xsignature=0123456789abcdefg",
	"", "\xff", "plain text", strings.Repeat("token=AbcdefGhijk ", 5),
}

func checkRules(t *testing.T, s string) {
	for i, r := range rules {
		if got, want := r.apply(s), applyRegexp(i, s); got != want {
			t.Fatalf("rule %s on %q: %q; regexp gives %q", r.expr, s, got, want)
		}
	}
}

// TestRulesAgreeWithTheirExpressions: each hand-written matcher finds what its expression finds.
func TestRulesAgreeWithTheirExpressions(t *testing.T) {
	masked := 0
	for _, s := range append(matcherSeeds, prefilterSeeds...) {
		checkRules(t, s)
		if Patterns(s) != s {
			masked++
		}
	}
	if masked < 20 {
		t.Errorf("only %d seeds are masked; want the seeds to exercise the matchers", masked)
	}
}

// FuzzRulesAgreeWithTheirExpressions: for any text, each matcher finds what regexp finds with its expression.
func FuzzRulesAgreeWithTheirExpressions(f *testing.F) {
	for _, s := range append(matcherSeeds, prefilterSeeds...) {
		f.Add(s)
	}
	f.Fuzz(checkRules)
}
