package config

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cos-sts-scf/cos-sts-scf/auth"
	"github.com/cos-sts-scf/cos-sts-scf/issuer"
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
	out.Prefixes, out.Keys = make([]string, len(s.Prefixes)), make([]string, len(s.Keys))
	for i, v := range s.Prefixes {
		var err error
		if out.Prefixes[i], err = auth.Substitute(v, claims); err != nil {
			return nil, err
		}
	}
	for i, v := range s.Keys {
		var err error
		if out.Keys[i], err = auth.Substitute(v, claims); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

// templateRE finds ${…} templates, validated by auth.ValidateTemplate before it is used.
var templateRE = regexp.MustCompile(`\$\{[^}]*\}`)

// shapeGrant is the scope's grant with every template filled by a placeholder segment, to check at load time that
// the policy builds whatever a claim holds (a filled value is always one safe segment).
func (s *Scope) shapeGrant() policy.Grant {
	g := s.Grant()
	fill := func(list []string) []string {
		out := make([]string, len(list))
		for i, v := range list {
			out[i] = templateRE.ReplaceAllString(v, "x")
		}
		return out
	}
	g.Prefixes, g.Keys = fill(g.Prefixes), fill(g.Keys)
	return g
}

// checkResource validates a folder prefix (isPrefix) or key of a scope, which may hold ${jwt:…} templates when
// callers are authenticated.
func checkResource(item string, isPrefix, jwt bool) error {
	shape := item
	if auth.HasTemplate(item) {
		if !jwt {
			return errors.New("templates like ${jwt:sub} need STS_AUTH=jwt: without a verified token there is no claim to fill them")
		}
		if err := auth.ValidateTemplate(item); err != nil {
			return err
		}
		shape = templateRE.ReplaceAllString(item, "x")
	}
	if isPrefix {
		return policy.ValidatePrefix(shape)
	}
	return policy.ValidateKey(shape)
}

// bucketRegion is where a scope's bucket is when the scope does not say: STS_BUCKET_REGION, else the region STS
// is called in.
func bucketRegion(get func(string) string, stsRegion string) string {
	return firstNonEmpty(get("STS_BUCKET_REGION"), stsRegion)
}

// loadDefaultScope builds the default scope from STS_BUCKET and its siblings, or from STS_POLICY.
func loadDefaultScope(get func(string) string, region string, mode issuer.Mode, jwt bool, p *problems) *Scope {
	s := &Scope{Name: DefaultScope, Bucket: get("STS_BUCKET")}
	s.Region = bucketRegion(get, region)
	n := len(*p)

	if s.Bucket != "" {
		if _, err := policy.AppID(s.Bucket); err != nil {
			p.add("STS_BUCKET", "%q is not a bucket name: write it with its APPID suffix, e.g. examplebucket-1250000000 (%v)", s.Bucket, err)
		}
	}
	if !validRegion(s.Region) {
		p.add("STS_BUCKET_REGION", "%q is not a region; write the bucket's region like ap-guangzhou", s.Region)
	}

	limit := maxFederationSeconds
	if mode == issuer.ModeAssumeRole {
		limit = maxAssumeRoleSeconds
	}
	s.MaxDurationSeconds = seconds(get, "STS_MAX_DURATION_SECONDS", defaultMaxDurationSeconds, limit, p)
	s.DurationSeconds = seconds(get, "STS_DURATION_SECONDS", defaultDurationSeconds, limit, p)
	if s.DurationSeconds > s.MaxDurationSeconds {
		p.add("STS_DURATION_SECONDS", "%d is above STS_MAX_DURATION_SECONDS (%d); lower it or raise the maximum", s.DurationSeconds, s.MaxDurationSeconds)
	}

	if raw := get("STS_POLICY"); raw != "" {
		loadVerbatimPolicy(get, s, raw, p)
	} else {
		loadGrant(get, s, jwt, p)
	}
	if len(*p) > n {
		return nil
	}
	if _, err := policy.Build(s.shapeGrant()); s.Policy == "" && err != nil {
		p.add("STS_ALLOW_PREFIXES", "the default scope's policy cannot be built: %v", err)
		return nil
	}
	return s
}

// loadVerbatimPolicy keeps the seed's POLICY behaviour: one complete policy, used as written. Mixing it with the
// variables that build a policy would leave the reader guessing which one wins, so that is an error.
func loadVerbatimPolicy(get func(string) string, s *Scope, raw string, p *problems) {
	for _, v := range []string{"STS_ALLOW_PREFIXES", "STS_ALLOW_ACTIONS"} {
		if get(v) != "" {
			p.add(v, "cannot be combined with STS_POLICY, which is used verbatim; unset one of them")
		}
	}
	pol, err := policy.Parse(raw)
	if err != nil {
		p.add("STS_POLICY", "is not a usable CAM policy: %v; write a JSON object with \"version\":\"2.0\" and a \"statement\" list", err)
		return
	}
	js, err := pol.JSON()
	if err != nil {
		p.add("STS_POLICY", "cannot be re-encoded: %v", err)
		return
	}
	s.Policy = js
	s.Prefixes, s.Keys, s.Actions = []string{}, []string{}, allowedActions(pol)
}

// loadGrant reads the folders, keys and actions of a built policy.
func loadGrant(get func(string) string, s *Scope, jwt bool, p *problems) {
	if s.Bucket == "" {
		p.add("STS_BUCKET", "is required: set it to the bucket with its APPID suffix, e.g. examplebucket-1250000000 (or set STS_POLICY to a complete policy)")
	}
	raw := get("STS_ALLOW_PREFIXES")
	items := splitList(raw)
	if len(items) == 0 {
		p.add("STS_ALLOW_PREFIXES", "is required: list the folders callers may use, e.g. uploads/ (write * for the whole bucket, deliberately)")
	}
	s.Prefixes, s.Keys = []string{}, []string{}
	for _, item := range items {
		switch {
		case item == policy.WholeBucket:
			s.Prefixes = append(s.Prefixes, item)
		case strings.HasSuffix(item, "/"):
			if err := checkResource(item, true, jwt); err != nil {
				p.add("STS_ALLOW_PREFIXES", "%v", err)
				continue
			}
			s.Prefixes = append(s.Prefixes, item)
		default:
			if err := checkResource(item, false, jwt); err != nil {
				p.add("STS_ALLOW_PREFIXES", "%v (an item without a trailing / is an exact object key)", err)
				continue
			}
			s.Keys = append(s.Keys, item)
		}
	}
	if len(s.Prefixes) > 1 && slices.Contains(s.Prefixes, policy.WholeBucket) {
		p.add("STS_ALLOW_PREFIXES", "* already grants the whole bucket; list either * or folders, not both")
	}

	actions := splitList(firstNonEmpty(get("STS_ALLOW_ACTIONS"), "upload,download"))
	expanded, err := policy.ExpandActions(actions)
	if err != nil {
		p.add("STS_ALLOW_ACTIONS", "%v; use the presets upload, download, delete or COS action names like GetObject", err)
	}
	s.Actions = expanded
}

// seconds reads a positive duration in seconds, no larger than limit.
func seconds(get func(string) string, name string, def, limit int, p *problems) int {
	raw := get(name)
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n <= 0 {
		p.add(name, "%q must be a whole number of seconds above 0", raw)
		return def
	}
	if n > limit {
		p.add(name, "%d is above %d, the longest STS grants in this mode", n, limit)
		return def
	}
	if n < MinDurationSeconds {
		p.add(name, "%d is below %d: the COS SDKs refetch keys in their last minute, so shorter keys go unused", n, MinDurationSeconds)
		return def
	}
	return n
}

// allowedActions lists the actions a verbatim policy allows, for the reply's "actions" field.
func allowedActions(pol policy.Policy) []string {
	out := []string{}
	for _, st := range pol.Statement {
		if !strings.EqualFold(st.Effect, "allow") {
			continue
		}
		for _, a := range st.Action {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}
