package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cos-sts-scf/cos-sts-scf/auth"
	"github.com/cos-sts-scf/cos-sts-scf/issuer"
	"github.com/cos-sts-scf/cos-sts-scf/policy"
)

// scopeDoc is one scope as a scopes file writes it (docs/contract.md §4). The environment's default scope is
// translated into the same document (envScope), so that buildScope, and only buildScope, decides what a scope is.
type scopeDoc struct {
	Bucket             string   `json:"bucket" yaml:"bucket"`
	Region             string   `json:"region" yaml:"region"`
	Prefixes           []string `json:"prefixes" yaml:"prefixes"`
	Keys               []string `json:"keys" yaml:"keys"`
	Actions            []string `json:"actions" yaml:"actions"`
	DurationSeconds    *int     `json:"durationSeconds" yaml:"durationSeconds"`
	MaxDurationSeconds *int     `json:"maxDurationSeconds" yaml:"maxDurationSeconds"`
	Conditions         *struct {
		MaxContentLength *int64   `json:"maxContentLength" yaml:"maxContentLength"`
		ContentTypes     []string `json:"contentTypes" yaml:"contentTypes"`
		BindSourceIP     bool     `json:"bindSourceIp" yaml:"bindSourceIp"`
	} `json:"conditions" yaml:"conditions"`
	Anonymous bool `json:"anonymous" yaml:"anonymous"`
	// Policy is STS_POLICY, a complete policy used verbatim. Only the environment sets it: a scopes file has no
	// such field, and decoding refuses one.
	Policy string `json:"-" yaml:"-"`
}

// inherited is what every scope takes from the rest of the configuration.
type inherited struct {
	region string      // the bucket's region when a scope names none: STS_BUCKET_REGION, else STS_REGION
	mode   issuer.Mode // how keys are minted, which bounds the durations
	jwt    bool        // STS_AUTH=jwt: templates can be filled
}

// namer says where a scope document's fields came from, so that each problem names what the operator wrote: the
// variable for the environment's default scope (STS_DURATION_SECONDS: …), the place in the document for named
// scopes (STS_SCOPES_FILE: scopes.avatar.prefixes[1]: …).
type namer struct {
	source string // STS_SCOPES or STS_SCOPES_FILE; "" for the environment
	scope  string
}

// envVars maps each field of a scope document to the variable that sets it in the environment (envScope).
var envVars = map[string]string{
	"bucket":             "STS_BUCKET",
	"region":             "STS_BUCKET_REGION",
	"prefixes":           "STS_ALLOW_PREFIXES",
	"keys":               "STS_ALLOW_PREFIXES",
	"actions":            "STS_ALLOW_ACTIONS",
	"durationSeconds":    "STS_DURATION_SECONDS",
	"maxDurationSeconds": "STS_MAX_DURATION_SECONDS",
	"policy":             "STS_POLICY",
}

// envNotes explain a field that the environment writes differently from a document.
var envNotes = map[string]string{
	"keys": " (an item without a trailing / is an exact object key)",
}

// add records a problem with field ("prefixes[1]", "conditions.maxContentLength").
func (n namer) add(p *problems, field, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if n.source == "" {
		p.add(n.ref(field), "%s%s", msg, envNotes[fieldName(field)])
		return
	}
	p.add(n.source, "scopes.%s.%s: %s", n.scope, field, msg)
}

// ref names a field inside a message: by its variable for the environment, by its name in a document.
func (n namer) ref(field string) string {
	if v, ok := envVars[fieldName(field)]; ok && n.source == "" {
		return v
	}
	return field
}

// fieldName is a field without its index: prefixes[1] → prefixes.
func fieldName(field string) string {
	name, _, _ := strings.Cut(field, "[")
	return name
}

// buildScope validates one scope document and builds the scope, or returns nil after adding every problem to p,
// each named by n. The policy of the scope's whole grant is built to check it; a scope without templates returns
// it too (Config.Unnarrowed), as every caller of that scope is sent the same.
func buildScope(name string, d scopeDoc, n namer, in inherited, p *problems) (*Scope, *builtPolicy) {
	start := len(*p)
	s := &Scope{Name: name, Bucket: strings.TrimSpace(d.Bucket), Anonymous: d.Anonymous}
	s.Region = cmp.Or(strings.TrimSpace(d.Region), in.region)

	switch {
	case s.Bucket != "":
		if _, err := policy.AppID(s.Bucket); err != nil {
			n.add(p, "bucket", "%q is not a bucket name: write it with its APPID suffix, e.g. examplebucket-1250000000 (%v)", s.Bucket, err)
		}
	case d.Policy == "":
		n.add(p, "bucket", "is required: the bucket with its APPID suffix, e.g. examplebucket-1250000000")
	}
	// A region the scope inherits was checked, and its problem reported, where it was written (STS_REGION,
	// STS_BUCKET_REGION); the scope is then not built, but not blamed either.
	inheritedBadRegion := false
	if r := strings.TrimSpace(d.Region); r != "" {
		if problem := regionProblem(r); problem != "" {
			n.add(p, "region", "%s", problem)
		}
	} else {
		inheritedBadRegion = !validRegion(s.Region)
	}
	s.DurationSeconds, s.MaxDurationSeconds = durations(d, n, in.mode, p)

	if d.Policy != "" {
		verbatimPolicy(s, d, n, p)
	} else {
		grantResources(s, d, n, in.jwt, p)
		actions := d.Actions
		if len(actions) == 0 {
			actions = defaultActions
		}
		expanded, err := policy.ExpandActions(actions)
		if err != nil {
			n.add(p, "actions", "%v; use the presets upload, download, delete or COS action names like GetObject", err)
		}
		s.Actions = expanded
	}

	if s.Anonymous && s.Templated() {
		n.add(p, "anonymous", "a scope with ${jwt:…} templates needs a token to fill them; remove anonymous or the templates")
	}
	if s.Anonymous && !in.jwt {
		n.add(p, "anonymous", "means something only with STS_AUTH=jwt, where every other scope needs a token; remove it")
	}
	if c := d.Conditions; c != nil {
		if c.MaxContentLength != nil {
			if *c.MaxContentLength <= 0 {
				n.add(p, "conditions.maxContentLength", "%d must be above 0 bytes", *c.MaxContentLength)
			}
			s.Conditions.MaxContentLength = *c.MaxContentLength
		}
		for i, ct := range c.ContentTypes {
			if err := policy.ValidateContentType(ct); err != nil {
				n.add(p, fmt.Sprintf("conditions.contentTypes[%d]", i), "%v", err)
				continue
			}
			s.Conditions.ContentTypes = append(s.Conditions.ContentTypes, ct)
		}
		s.Conditions.BindSourceIP = c.BindSourceIP
	}

	if len(*p) > start || inheritedBadRegion {
		return nil, nil
	}
	if s.Policy == "" {
		pol, text, err := policy.BuildJSON(s.shapeGrant())
		if err != nil {
			n.add(p, "prefixes", "the scope's policy cannot be built: %v", err)
			return nil, nil
		}
		if !s.Templated() {
			// Without templates the shape is the grant itself: what a request that narrows nothing is sent.
			return s, &builtPolicy{policy: pol, json: text}
		}
	}
	return s, nil
}

// grantResources reads the folders and keys of a scope whose policy is built.
func grantResources(s *Scope, d scopeDoc, n namer, jwt bool, p *problems) {
	s.Prefixes, s.Keys = []string{}, []string{}
	for i, pre := range d.Prefixes {
		field := fmt.Sprintf("prefixes[%d]", i)
		switch {
		case pre == policy.WholeBucket:
			s.Prefixes = append(s.Prefixes, pre)
		case !strings.HasSuffix(pre, "/"):
			n.add(p, field, "must end with \"/\" (list exact objects under keys)")
		default:
			if err := checkResource(pre, true, jwt); err != nil {
				n.add(p, field, "%v", err)
				continue
			}
			s.Prefixes = append(s.Prefixes, pre)
		}
	}
	for i, k := range d.Keys {
		if err := checkResource(k, false, jwt); err != nil {
			n.add(p, fmt.Sprintf("keys[%d]", i), "%v", err)
			continue
		}
		s.Keys = append(s.Keys, k)
	}
	if len(d.Prefixes)+len(d.Keys) == 0 {
		n.add(p, "prefixes", "is required: list at least one folder (ending in /) or object key, e.g. uploads/ (write * for the whole bucket, deliberately)")
	}
	if len(s.Prefixes) > 1 && slices.Contains(s.Prefixes, policy.WholeBucket) {
		n.add(p, "prefixes", "\"*\" already grants the whole bucket; list either \"*\" or folders, not both")
	}
}

// verbatimPolicy keeps the seed's POLICY behaviour: one complete policy, used as written. Mixing it with the
// fields that build a policy would leave the reader guessing which one wins, so that is an error.
func verbatimPolicy(s *Scope, d scopeDoc, n namer, p *problems) {
	if len(d.Prefixes)+len(d.Keys) > 0 {
		n.add(p, "prefixes", "cannot be combined with %s, which is used verbatim; unset one of them", n.ref("policy"))
	}
	if len(d.Actions) > 0 {
		n.add(p, "actions", "cannot be combined with %s, which is used verbatim; unset one of them", n.ref("policy"))
	}
	pol, err := policy.Parse(d.Policy)
	if err != nil {
		n.add(p, "policy", "is not a usable CAM policy: %v; write a JSON object with \"version\":\"2.0\" and a \"statement\" list", err)
		return
	}
	js, err := pol.JSON()
	if err != nil {
		n.add(p, "policy", "cannot be re-encoded: %v", err)
		return
	}
	s.Policy = js
	s.Prefixes, s.Keys, s.Actions = []string{}, []string{}, allowedActions(pol)
}

// durations decides a scope's default and maximum lifetime. A maximum below the default lifetime of 1800 s
// lowers the default with it: an operator who wrote only a maximum of 600 s meant keys of at most ten minutes.
// A default above the maximum when both are written is a mistake to report, not to guess about.
func durations(d scopeDoc, n namer, mode issuer.Mode, p *problems) (dur, maxDur int) {
	limit := maxFederationSeconds
	if mode == issuer.ModeAssumeRole {
		limit = maxAssumeRoleSeconds
	}
	dur, maxDur = defaultDurationSeconds, defaultMaxDurationSeconds
	maxOK := true
	if d.MaxDurationSeconds != nil {
		maxDur = *d.MaxDurationSeconds
		maxOK = checkSeconds(n, p, "maxDurationSeconds", maxDur, limit)
	}
	if d.DurationSeconds == nil {
		if maxOK && dur > maxDur {
			dur = maxDur
		}
		return dur, maxDur
	}
	dur = *d.DurationSeconds
	if checkSeconds(n, p, "durationSeconds", dur, limit) && maxOK && dur > maxDur {
		n.add(p, "durationSeconds", "%d is above %s (%d); lower it or raise the maximum", dur, n.ref("maxDurationSeconds"), maxDur)
	}
	return dur, maxDur
}

// checkSeconds reports whether a configured lifetime lies between MinDurationSeconds and STS's limit, and adds the
// problem when it does not.
func checkSeconds(n namer, p *problems, field string, v, limit int) bool {
	switch {
	case v <= 0:
		n.add(p, field, "%d must be above 0", v)
	case v < MinDurationSeconds:
		n.add(p, field, "%d is below %d: the COS SDKs refetch keys in their last minute, so shorter keys go unused", v, MinDurationSeconds)
	case v > limit:
		n.add(p, field, "%d is above %d, the longest STS grants in this mode", v, limit)
	default:
		return true
	}
	return false
}

// regionProblem says what is wrong with a bucket's region, or "".
func regionProblem(region string) string {
	if validRegion(region) {
		return ""
	}
	return fmt.Sprintf("%q is not a region; write the bucket's region like ap-guangzhou", region)
}

// checkResource validates a folder prefix (isPrefix) or key of a scope, which may hold ${jwt:…} templates when
// callers are authenticated: the shape any claim value gives it must be valid.
func checkResource(item string, isPrefix, jwt bool) error {
	shape := item
	if auth.HasTemplate(item) {
		if !jwt {
			return errors.New("templates like ${jwt:sub} need STS_AUTH=jwt: without a verified token there is no claim to fill them")
		}
		var err error
		if shape, err = auth.Fill(item); err != nil {
			return err
		}
	}
	if isPrefix {
		return policy.ValidatePrefix(shape)
	}
	return policy.ValidateKey(shape)
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
