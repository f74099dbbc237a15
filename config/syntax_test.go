package config

import (
	"regexp"
	"strings"
	"testing"
)

// syntaxChecks pairs each hand-written check with the pattern it replaced.
var syntaxChecks = []struct {
	name  string
	check func(string) bool
	re    *regexp.Regexp
}{
	{"validFederationName", validFederationName, regexp.MustCompile(`^[A-Za-z]{1,32}$`)},
	{"validRoleARN", validRoleARN, regexp.MustCompile(`^qcs::cam::uin/\d+:(roleName|role)/[\w+=,.@-]{1,128}$`)},
	{"validScopeName", validScopeName, regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)},
}

var syntaxSeeds = []string{
	"", "cossts", "cosSTS", "cos-sts", strings.Repeat("a", 32), strings.Repeat("a", 33), "é", "a\n",
	"qcs::cam::uin/100000000001:roleName/cos-sts", "qcs::cam::uin/100000000001:role/cos-sts",
	"qcs::cam::uin/100000000001:roleName/", "qcs::cam::uin/:roleName/x", "qcs::cam::uin/12a:roleName/x",
	"qcs::cam::uin/1:roleName/" + strings.Repeat("x", 128), "qcs::cam::uin/1:roleName/" + strings.Repeat("x", 129),
	"qcs::cam::uin/1:roleName/a+b=c,d.e@f-g_h", "qcs::cam::uin/1:roleName/a b", "qcs::cam::uin/1:roleName/a/b",
	"qcs::cam::uin/1:roleNam/x", "qcs::cam::uin/1:rolename/x", "qcs::cam::uin/1:1:roleName/x", "qcs::cam::uin/1:roleName/x\n",
	"QCS::cam::uin/1:roleName/x", "qcs::cam::uin/1:roleName/é", "qcs::cam::uin/1:roleName/x\xff",
	"avatar", "my_scope-2", strings.Repeat("s", 64), strings.Repeat("s", 65), "a.b", "a/b",
}

func TestSyntaxAgreesWithPatterns(t *testing.T) {
	for _, s := range syntaxSeeds {
		checkSyntax(t, s)
	}
	// The seeds must be accepted and refused by each check, or the agreement says little.
	for _, c := range syntaxChecks {
		var yes, no int
		for _, s := range syntaxSeeds {
			if c.check(s) {
				yes++
			} else {
				no++
			}
		}
		if yes < 3 || no < 3 {
			t.Errorf("%s accepts %d seeds and refuses %d; want several of each", c.name, yes, no)
		}
	}
}

// FuzzSyntax: each hand-written check accepts exactly what its pattern matches.
func FuzzSyntax(f *testing.F) {
	for _, s := range syntaxSeeds {
		f.Add(s)
	}
	f.Fuzz(checkSyntax)
}

func checkSyntax(t *testing.T, s string) {
	for _, c := range syntaxChecks {
		if got, want := c.check(s), c.re.MatchString(s); got != want {
			t.Fatalf("%s(%q) = %v; %s matches: %v", c.name, s, got, c.re, want)
		}
	}
}
