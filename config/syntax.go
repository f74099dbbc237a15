package config

import (
	"net/url"
	"strings"

	"github.com/cos-sts-scf/cos-sts-scf/policy"
)

// The names and ARNs below are checked by hand, not with regular expressions: a counted repetition like {1,128}
// compiles into a program with a state per count, and compiling the three of them at process start took about
// 0.8 ms of every cold start. TestSyntaxAgreesWithPatterns and FuzzSyntax hold each check to the pattern it
// replaces, which the comments give.

func validRegion(s string) bool { return policy.ValidateRegion(s) == nil }

// validFederationName: ^[A-Za-z]{1,32}$, GetFederationToken's Name (STS takes letters only).
func validFederationName(s string) bool {
	return len(s) >= 1 && len(s) <= 32 && allBytes(s, isLetter)
}

// validRoleARN: ^qcs::cam::uin/\d+:(roleName|role)/[\w+=,.@-]{1,128}$, that is
// qcs::cam::uin/<owner uin>:roleName/<name> (or :role/<name>, the form CAM shows for some roles).
func validRoleARN(s string) bool {
	rest, ok := strings.CutPrefix(s, "qcs::cam::uin/")
	if !ok {
		return false
	}
	uin, rest, ok := strings.Cut(rest, ":")
	if !ok || uin == "" || !allBytes(uin, isDigit) {
		return false
	}
	name, ok := strings.CutPrefix(rest, "roleName/")
	if !ok {
		if name, ok = strings.CutPrefix(rest, "role/"); !ok {
			return false
		}
	}
	return len(name) >= 1 && len(name) <= 128 && allBytes(name, func(c byte) bool {
		return isLetter(c) || isDigit(c) || strings.IndexByte("_+=,.@-", c) >= 0
	})
}

// validScopeName: ^[A-Za-z0-9_-]{1,64}$.
func validScopeName(s string) bool {
	return len(s) >= 1 && len(s) <= 64 && allBytes(s, func(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' || c == '-' })
}

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

// validOrigin accepts what browsers send in Origin: scheme://host[:port], nothing more.
func validOrigin(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	return u.Path == "" || u.Path == "/"
}
