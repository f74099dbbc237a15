// Package policy turns what a caller may do into the CAM policy that STS mints
// temporary COS credentials for, and answers whether a policy allows an action
// on a resource.
//
// It is pure on purpose: no environment, no clock, no I/O. Everything that
// decides how wide a grant is lives here, so that it can be proved with tables,
// golden files and fuzzing instead of with a running STS.
//
// The rules follow docs/contract.md §2 (object keys and folder prefixes), §4 (action
// presets and scope conditions) and §6 (the policy document). Conditions
// (upload size, content type, source IP) become CAM conditions only on the
// actions whose requests carry them, and the evaluator AllowsRequest checks
// them against a described request, erring towards refusal wherever it
// cannot decide. Warnings and DescribeConditions put a grant into words for
// dry runs.
package policy

import (
	"errors"
	"fmt"
	"strings"
)

// Errors returned by this package. Every error it returns wraps one of them
// (Build, reporting several problems, may wrap several), so callers map
// errors.Is results to statuses and still show the detailed message, which
// quotes the offending value.
var (
	// ErrInvalidKey is wrapped by ValidateKey, ValidatePrefix and Build for a
	// key or prefix that breaks the docs/contract.md §2 rules.
	ErrInvalidKey = errors.New("policy: invalid key or prefix")
	// ErrInvalidAction is wrapped by NormalizeAction, ExpandActions and Build
	// for an action that is neither a preset nor a single COS action name.
	ErrInvalidAction = errors.New("policy: invalid action")
	// ErrInvalidBucket is wrapped by AppID and Build for a bucket name that is
	// not <name>-<appid>.
	ErrInvalidBucket = errors.New("policy: invalid bucket")
	// ErrInvalidRegion is wrapped by ValidateRegion and Build for a region
	// that does not look like ap-guangzhou.
	ErrInvalidRegion = errors.New("policy: invalid region")
	// ErrInvalidGrant is wrapped by Build for a grant with no actions or no
	// resources, which CAM would reject or read as "nothing".
	ErrInvalidGrant = errors.New("policy: invalid grant")
	// ErrInvalidPolicy is wrapped by Parse for a policy document it cannot
	// read safely.
	ErrInvalidPolicy = errors.New("policy: invalid policy")
	// ErrInvalidCondition is wrapped by ValidateContentType, ValidateIP and
	// Build for a condition value that CAM would misread or that would
	// restrict nothing.
	ErrInvalidCondition = errors.New("policy: invalid condition")
	// ErrPolicyTooLarge is wrapped by Build when the policy JSON would be
	// longer than MaxPolicyBytes, so that the caller learns it before STS
	// answers InvalidParameter.PolicyTooLong.
	ErrPolicyTooLarge = errors.New("policy: policy too large")
)

// invalidError carries a precise message while unwrapping to a sentinel, so
// that the message reads `policy: prefix "a//b/": empty path segment` and not
// a chain of two "policy:" clauses.
type invalidError struct {
	kind error
	msg  string
}

func (e *invalidError) Error() string { return e.msg }
func (e *invalidError) Unwrap() error { return e.kind }

func invalid(kind error, format string, a ...any) error {
	return &invalidError{kind: kind, msg: fmt.Sprintf(format, a...)}
}

// maxQuoted bounds how much of a caller's value an error message repeats: the
// message may reach a response, and an 850-byte key says nothing more than its
// first hundred bytes.
const maxQuoted = 100

// quote renders s with %q (control characters and invalid UTF-8 escaped), cut
// to maxQuoted bytes on a rune boundary.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return fmt.Sprintf("%q", s)
	}
	cut := maxQuoted
	for cut > maxQuoted-4 && cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return fmt.Sprintf("%q...", s[:cut])
}

// MaxReported is how many problems an error of this package spells out; the
// rest are counted ("and 399997 more problems"). A request naming 400,000
// bad actions must not get a 13 MB answer, and the first few problems are
// what a person fixes first anyway.
const MaxReported = 5

// joinErrors reports every problem at once; a single one stays unwrapped so
// its message reads as it was written.
func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	var flat problems // one list, so that nested lists are counted, not printed within each other
	for _, err := range errs {
		if ps, ok := err.(problems); ok {
			flat = append(flat, ps...)
		} else {
			flat = append(flat, err)
		}
	}
	return flat
}

// problems is several errors: its message lists the first MaxReported, one
// per line as errors.Join writes them, and counts the others; errors.Is and
// errors.As still see them all.
type problems []error

func (ps problems) Error() string {
	var b strings.Builder
	for i, err := range ps[:min(len(ps), MaxReported)] {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(err.Error())
	}
	switch more := len(ps) - MaxReported; {
	case more == 1:
		b.WriteString("\nand 1 more problem")
	case more > 1:
		fmt.Fprintf(&b, "\nand %d more problems", more)
	}
	return b.String()
}

func (ps problems) Unwrap() []error { return ps }
