package config

import (
	"slices"

	"github.com/cos-sts-scf/cos-sts-scf/auth"
	"github.com/cos-sts-scf/cos-sts-scf/policy"
)

// MinDurationSeconds is the shortest lifetime credentials are minted for, configured or requested. The COS SDKs
// treat keys as spent a margin before they expire (cos-js-sdk-v5 and the Android SDK refetch with 60 s left,
// cos-wx-sdk-v5 with 30 s), so keys that live a minute or less are never used from their cache, or never used at
// all; five minutes leaves room for that margin and a device clock a few minutes off.
const MinDurationSeconds = 300

// Duration bounds. STS caps GetFederationToken at 129,600 s when a sub-account's keys call it (7,200 s for the
// root account's, which this function is not to be given) and AssumeRole at 43,200 s; a caller's request is held
// to the scope's maximum long before that.
const (
	defaultDurationSeconds    = 1800
	defaultMaxDurationSeconds = 7200
	maxFederationSeconds      = 129600
	maxAssumeRoleSeconds      = 43200
)

// defaultActions are a scope's actions when it names none.
var defaultActions = []string{"upload", "download"}

// Scope is what one kind of caller may be granted: a bucket, the folders and keys in it, the actions, and how long.
// A scope with Policy set hands that policy to STS verbatim, and callers cannot narrow it.
type Scope struct {
	Name               string
	Bucket             string
	Region             string
	Prefixes           []string // folder prefixes ending in "/", or policy.WholeBucket
	Keys               []string // exact object keys
	Actions            []string // normalized "name/cos:…" names
	DurationSeconds    int
	MaxDurationSeconds int
	Policy             string // verbatim CAM policy JSON (STS_POLICY), compacted
	Conditions         ScopeConditions
	Anonymous          bool // served without a token under STS_AUTH=jwt (never with templates)
}

// ScopeConditions narrow what a scope's credentials may do beyond folders and actions (docs/contract.md §4).
type ScopeConditions struct {
	MaxContentLength int64    // > 0: uploads may be at most this many bytes
	ContentTypes     []string // uploads must carry one of these Content-Types ("image/*" allowed)
	BindSourceIP     bool     // the credentials work only from the caller's IP
}

// Grant returns the scope's whole grant, the one a request that narrows nothing receives.
// The caller's IP is not part of it: bindSourceIp is applied per request.
func (s *Scope) Grant() policy.Grant {
	return policy.Grant{
		Bucket: s.Bucket, Region: s.Region, Prefixes: s.Prefixes, Keys: s.Keys, Actions: s.Actions,
		Conditions: policy.Conditions{MaxContentLength: s.Conditions.MaxContentLength, ContentTypes: s.Conditions.ContentTypes},
	}
}

// Templated reports whether the scope's prefixes or keys hold ${jwt:…} templates, filled per request from the
// caller's verified claims.
func (s *Scope) Templated() bool {
	for _, v := range append(slices.Clip(s.Prefixes), s.Keys...) {
		if auth.HasTemplate(v) {
			return true
		}
	}
	return false
}

// Substitute returns the scope with its templates filled from claims; a scope without templates is returned as
// is. An error wraps auth.ErrTemplate: a claim missing, not a string, or not one safe path segment.
func (s *Scope) Substitute(claims auth.Claims) (*Scope, error) {
	if !s.Templated() {
		return s, nil
	}
	out := *s
	var err error
	if out.Prefixes, err = mapStrings(s.Prefixes, func(v string) (string, error) { return auth.Substitute(v, claims) }); err != nil {
		return nil, err
	}
	if out.Keys, err = mapStrings(s.Keys, func(v string) (string, error) { return auth.Substitute(v, claims) }); err != nil {
		return nil, err
	}
	return &out, nil
}

// shapeGrant is the scope's grant with every template filled as auth.Fill fills it, to check at load time that
// the policy builds whatever a claim holds (a filled value is always one safe segment). The templates were
// validated when the scope was built.
func (s *Scope) shapeGrant() policy.Grant {
	g := s.Grant()
	g.Prefixes, _ = mapStrings(g.Prefixes, auth.Fill)
	g.Keys, _ = mapStrings(g.Keys, auth.Fill)
	return g
}

// mapStrings applies f to each item of list, stopping at the first error.
func mapStrings(list []string, f func(string) (string, error)) ([]string, error) {
	out := make([]string, len(list))
	for i, v := range list {
		var err error
		if out[i], err = f(v); err != nil {
			return nil, err
		}
	}
	return out, nil
}
