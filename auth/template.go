package auth

import (
	"errors"
	"fmt"
	"strings"
)

// ErrTemplate is wrapped by every error of Substitute and ValidateTemplate; with Substitute the handler answers
// 403, since the caller's token lacks what the scope needs.
var ErrTemplate = errors.New("auth: template")

// maxSegment is the longest substituted value: a claim fills one folder name, never a path.
const maxSegment = 128

// HasTemplate reports whether s contains any ${…} expression, valid or not.
func HasTemplate(s string) bool { return strings.Contains(s, "${") }

// ValidateTemplate checks s at configuration time: the only expression is ${jwt:NAME}, NAME a claim name of
// [A-Za-z0-9_:.-], and each one fills a whole path segment. Anything else, such as ${env:X}, an unclosed ${ or
// "t/${jwt:org}-${jwt:sub}/", is an error, so that a mistake fails the deploy instead of every request.
//
// A segment shared by two claims, or by a claim and literal text, can be filled alike by different users: org
// "a-b" with sub "c" and org "a" with sub "b-c" both make "a-b-c", since the claim alphabet holds "-". A claim
// alone in its segment is the whole segment, so two users get the same folder only with the same claim values.
func ValidateTemplate(s string) error {
	if _, err := expand(s, func(string) (string, error) { return "", nil }); err != nil {
		return err
	}
	for seg := range strings.SplitSeq(s, "/") {
		if HasTemplate(seg) && (!strings.HasPrefix(seg, "${") || strings.IndexByte(seg, '}') != len(seg)-1) {
			return fmt.Errorf("%w: %q: a template must fill a whole path segment, alone: write t/${jwt:org}/${jwt:sub}/, "+
				"not t/${jwt:org}-${jwt:sub}/, which different users can fill alike", ErrTemplate, seg)
		}
	}
	return nil
}

// Substitute replaces every ${jwt:NAME} in s with the string claim NAME. A template ValidateTemplate refuses, a
// missing or non-string claim, or a value that is not one safe path segment ([A-Za-z0-9._@=+-]{1,128}, not "." or ".."), is an error wrapping
// ErrTemplate: a claim must never be able to climb out of, or widen, the folder it names. The errors name the
// claim but never quote its value.
func Substitute(s string, c Claims) (string, error) {
	if err := ValidateTemplate(s); err != nil {
		return "", err
	}
	return expand(s, func(name string) (string, error) {
		raw, ok := c[name]
		if !ok {
			return "", fmt.Errorf("%w: the token has no %q claim", ErrTemplate, name)
		}
		v, ok := raw.(string)
		if !ok {
			return "", fmt.Errorf("%w: claim %q is not a string", ErrTemplate, name)
		}
		if !safeSegment(v) {
			return "", fmt.Errorf("%w: claim %q is not one safe path segment ([A-Za-z0-9._@=+-]{1,%d}, not . or ..)", ErrTemplate, name, maxSegment)
		}
		return v, nil
	})
}

// Placeholder is the value Fill puts in every template: one safe path segment, as any value Substitute accepts is.
const Placeholder = "x"

// Fill returns s with every ${jwt:NAME} replaced by Placeholder, after ValidateTemplate: the shape every caller's
// value gives s, so that the configuration can check at load time that whatever a claim holds makes a valid key
// and a policy that builds. A template ValidateTemplate refuses is its error.
func Fill(s string) (string, error) {
	if err := ValidateTemplate(s); err != nil {
		return "", err
	}
	return expand(s, func(string) (string, error) { return Placeholder, nil })
}

// safeSegment reports whether v may fill a template: 1 to 128 of [A-Za-z0-9._@=+-], and neither "." nor "..".
// Since v holds no "/" and is not all of one or two dots, no segment it lands in can be "." or "..", whatever
// literal text or other values stand beside it.
func safeSegment(v string) bool {
	if v == "" || len(v) > maxSegment || v == "." || v == ".." {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !isAlnum(v[i]) && !strings.ContainsRune("._@=+-", rune(v[i])) {
			return false
		}
	}
	return true
}

// expand replaces each ${jwt:NAME} of s with value(NAME), checking the syntax as it goes.
func expand(s string, value func(name string) (string, error)) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("%w: unclosed ${ in %q", ErrTemplate, s)
		}
		expr := s[i+2 : i+end]
		name, ok := strings.CutPrefix(expr, "jwt:")
		if !ok || !isClaimName(name) {
			return "", fmt.Errorf("%w: ${%s} is not ${jwt:NAME} with NAME of [A-Za-z0-9_:.-]", ErrTemplate, expr)
		}
		v, err := value(name)
		if err != nil {
			return "", err
		}
		b.WriteString(v)
		s = s[i+end+1:]
	}
}

// isClaimName reports whether name is non-empty and of [A-Za-z0-9_:.-].
func isClaimName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isAlnum(name[i]) && !strings.ContainsRune("_:.-", rune(name[i])) {
			return false
		}
	}
	return true
}
