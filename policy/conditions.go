package policy

import (
	"net/netip"
	"slices"
	"strings"
)

// Conditions narrow a grant further. The zero value adds no condition.
//
// MaxContentLength and ContentTypes become CAM conditions on the uploads that
// carry the object in their own request (PutObject, PostObject,
// AppendObject), because those are the requests whose Content-Length and
// Content-Type describe the object; SourceIP goes on every statement. What
// COS cannot enforce this way, multipart uploads above all, Warnings says.
type Conditions struct {
	// MaxContentLength > 0 caps each upload's Content-Length in bytes
	// (numeric_less_than_equal on cos:content-length).
	MaxContentLength int64
	// ContentTypes, when not empty, are the Content-Type patterns an upload
	// must match ("image/png", "image/*"; string_like on cos:content-type).
	ContentTypes []string
	// SourceIP, when not empty, is the address or CIDR every request must
	// come from (ip_equal on qcs:ip).
	SourceIP string
}

// MaxContentTypeBytes bounds a content type: RFC 6838 allows 127 characters
// for each of type and subtype.
const MaxContentTypeBytes = 255

// ValidateContentType reports whether s may stand in ContentTypes: a lower-case
// "type/subtype" or "type/*" made of RFC 6838 name characters (letters,
// digits and !#$&^_.+-). A bare "*" or "*/*" is refused because it restricts
// nothing while reading like a restriction; upper case is refused because CAM
// compares content types case-sensitively and clients send them in lower case,
// so "image/PNG" would silently match nothing.
func ValidateContentType(s string) error {
	bad := func(why string) error {
		return invalid(ErrInvalidCondition, "policy: content type %s: %s", quote(s), why)
	}
	switch {
	case s == "":
		return bad("empty")
	case len(s) > MaxContentTypeBytes:
		return bad("longer than 255 bytes")
	case s == "*" || s == "*/*":
		return bad("matches every type; leave contentTypes out instead")
	case strings.ToLower(s) != s:
		return bad("must be lower case (CAM compares it case-sensitively and clients send lower case)")
	}
	typ, sub, ok := strings.Cut(s, "/")
	if !ok || !isMIMEName(typ) || (sub != "*" && !isMIMEName(sub)) {
		return bad(`want type/subtype or type/*, like image/png or image/*, in letters, digits and !#$&^_.+-`)
	}
	return nil
}

// isMIMEName reports an RFC 6838 restricted-name: a letter or digit, then
// letters, digits and !#$&^_.+-.
func isMIMEName(s string) bool {
	if s == "" || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && !strings.ContainsRune("!#$&^_.+-", rune(c)) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// ContentTypeAllowed reports whether a request may ask for the content type
// t under a scope that allows scopeTypes: a request may only tighten, so t
// must equal one of them or lie inside a "type/*" one ("image/png" and
// "image/*" within "image/*"). A scope without content types puts no limit
// on uploads, so any valid t tightens it. Invalid values allow nothing.
func ContentTypeAllowed(scopeTypes []string, t string) bool {
	if ValidateContentType(t) != nil {
		return false
	}
	if len(scopeTypes) == 0 {
		return true
	}
	for _, st := range scopeTypes {
		if ValidateContentType(st) == nil && contentTypeCovers(st, t) {
			return true
		}
	}
	return false
}

// contentTypeCovers reports whether the valid pattern p covers the valid
// type or pattern t.
func contentTypeCovers(p, t string) bool {
	if prefix, ok := strings.CutSuffix(p, "*"); ok {
		return strings.HasPrefix(t, prefix)
	}
	return p == t
}

// ValidateIP reports whether s may be a SourceIP: an IPv4 or IPv6 address or
// CIDR, without an IPv6 zone (a zone means nothing to CAM) and without an
// IPv4-mapped IPv6 network (write the IPv4 CIDR, which is what CAM compares).
func ValidateIP(s string) error {
	bad := func() error {
		return invalid(ErrInvalidCondition,
			"policy: IP %s: want an IPv4 or IPv6 address or CIDR, like 203.0.113.7 or 203.0.113.0/24", quote(s))
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil || p.Addr().Is4In6() {
			return bad()
		}
		return nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return bad()
	}
	return nil
}

// canonicalIP writes a valid SourceIP the way CAM compares it: an
// IPv4-mapped address as IPv4, a CIDR with its host bits cleared, IPv6 in
// its short lower-case form. The meaning never changes.
func canonicalIP(s string) string {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked().String()
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().String()
	}
	return s
}

// validate checks c and returns it in the form Build emits: content types
// sorted, deduplicated and without those another covers, the IP canonical.
func (c Conditions) validate() (Conditions, error) {
	var errs []error
	if c.MaxContentLength < 0 {
		errs = append(errs, invalid(ErrInvalidCondition,
			"policy: maxContentLength %d: must be above 0 (leave it 0 for no limit)", c.MaxContentLength))
	}
	types := slices.Clone(c.ContentTypes)
	for _, t := range types {
		if err := ValidateContentType(t); err != nil {
			errs = append(errs, err)
		}
	}
	if c.SourceIP != "" {
		if err := ValidateIP(c.SourceIP); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return Conditions{}, joinErrors(errs)
	}
	out := Conditions{MaxContentLength: c.MaxContentLength, ContentTypes: coveredTypesDropped(types)}
	if c.SourceIP != "" {
		out.SourceIP = canonicalIP(c.SourceIP)
	}
	return out, nil
}

// coveredTypesDropped sorts and deduplicates valid content types and drops those a "type/*" among them covers,
// in one pass after the sort: "type/*" sorts before every "type/subtype" (a subtype starts with a letter or a
// digit, both after "*"), and everything between them starts with "type/" too.
func coveredTypesDropped(types []string) []string {
	slices.Sort(types)
	types = slices.Compact(types)
	var kept []string
	pattern := "" // "type/" of the last "type/*" kept
	for _, t := range types {
		if pattern != "" && strings.HasPrefix(t, pattern) {
			continue
		}
		kept = append(kept, t)
		if p, ok := strings.CutSuffix(t, "*"); ok {
			pattern = p
		}
	}
	return kept
}
