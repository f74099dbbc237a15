package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/cos-sts-scf/cos-sts-scf/issuer"
	"github.com/cos-sts-scf/cos-sts-scf/policy"
)

// ScopeConditions narrow what a scope's credentials may do beyond folders and actions (docs/contract.md §4).
type ScopeConditions struct {
	MaxContentLength int64    // > 0: uploads may be at most this many bytes
	ContentTypes     []string // uploads must carry one of these Content-Types ("image/*" allowed)
	BindSourceIP     bool     // the credentials work only from the caller's IP
}

// scopeDoc is one scope as written in STS_SCOPES or STS_SCOPES_FILE.
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
}

var scopeNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// defaultScopeVars are the variables that build the env default scope; a file's "default" excludes them.
var defaultScopeVars = []string{"STS_BUCKET", "STS_ALLOW_PREFIXES", "STS_ALLOW_ACTIONS", "STS_POLICY", "STS_DURATION_SECONDS", "STS_MAX_DURATION_SECONDS"}

// ScopesFile resolves STS_SCOPES_FILE: a relative path is taken from the function's code directory (where the
// binary lives), because SCF does not promise the working directory.
func ScopesFile(getenv func(string) string) string {
	name := strings.TrimSpace(getenv("STS_SCOPES_FILE"))
	if name == "" || filepath.IsAbs(name) {
		return name
	}
	if _, err := os.Stat(name); err == nil {
		return name
	}
	if exe, err := os.Executable(); err == nil {
		return filepath.Join(filepath.Dir(exe), name)
	}
	return name
}

// loadNamedScopes reads STS_SCOPES and STS_SCOPES_FILE into c.Scopes, naming each problem by its place in the
// document: scopes.avatar.prefixes[1].
func loadNamedScopes(get func(string) string, c *Config, mode issuer.Mode, p *problems) {
	inline, file := get("STS_SCOPES"), ScopesFile(get)
	if inline != "" && file != "" {
		p.add("STS_SCOPES", "cannot be combined with STS_SCOPES_FILE; keep the scopes in one place")
		return
	}
	var docs map[string]scopeDoc
	var source string
	switch {
	case inline != "":
		source = "STS_SCOPES"
		if err := decodeJSON([]byte(inline), &docs); err != nil {
			p.add(source, "is not valid JSON: %v", err)
			return
		}
	case file != "":
		source = "STS_SCOPES_FILE"
		raw, err := os.ReadFile(file)
		if err != nil {
			p.add(source, "cannot read %s: %v; ship the file in the code package and give its path relative to it", file, unwrapPathError(err))
			return
		}
		switch strings.ToLower(filepath.Ext(file)) {
		case ".json":
			err = decodeJSON(raw, &docs)
		case ".yaml", ".yml":
			err = decodeYAML(raw, &docs)
		default:
			p.add(source, "%s must end in .json, .yaml or .yml", file)
			return
		}
		if err != nil {
			p.add(source, "%s is not a valid scopes document: %v", file, err)
			return
		}
	default:
		return
	}
	if len(docs) == 0 {
		p.add(source, "defines no scope; write {\"name\": {\"bucket\": …, \"prefixes\": […]}}")
	}

	names := make([]string, 0, len(docs))
	for name := range docs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == DefaultScope {
			for _, v := range defaultScopeVars {
				if get(v) != "" {
					p.add(source, "defines the %q scope while %s also configures it; remove one of the two", DefaultScope, v)
				}
			}
		}
		if s := buildScope(source, name, docs[name], bucketRegion(get, c.Region), mode, c.Auth != nil, p); s != nil {
			c.Scopes[name] = s
		}
	}
}

// buildScope validates one scope document. Problems are named source: scopes.<name>.<field>.
func buildScope(source, name string, d scopeDoc, defaultRegion string, mode issuer.Mode, jwt bool, p *problems) *Scope {
	n := len(*p)
	at := func(field string) string { return fmt.Sprintf("scopes.%s.%s", name, field) }
	add := func(field, format string, args ...any) {
		p.add(source, "%s: %s", at(field), fmt.Sprintf(format, args...))
	}
	if !scopeNameRE.MatchString(name) {
		p.add(source, "scopes.%q: a scope name is 1 to 64 letters, digits, _ or -", truncateName(name))
		return nil
	}
	s := &Scope{Name: name, Bucket: strings.TrimSpace(d.Bucket), Anonymous: d.Anonymous}
	s.Region = firstNonEmpty(strings.TrimSpace(d.Region), defaultRegion)

	if s.Bucket == "" {
		add("bucket", "is required, with its APPID suffix, e.g. examplebucket-1250000000")
	} else if _, err := policy.AppID(s.Bucket); err != nil {
		add("bucket", "%v", err)
	}
	if err := policy.ValidateRegion(s.Region); err != nil {
		add("region", "%v", err)
	}

	s.Prefixes, s.Keys = []string{}, []string{}
	for i, pre := range d.Prefixes {
		field := fmt.Sprintf("prefixes[%d]", i)
		switch {
		case pre == policy.WholeBucket:
			s.Prefixes = append(s.Prefixes, pre)
		case !strings.HasSuffix(pre, "/"):
			add(field, "must end with \"/\" (list exact objects under keys)")
		default:
			if err := checkResource(pre, true, jwt); err != nil {
				add(field, "%v", err)
				continue
			}
			s.Prefixes = append(s.Prefixes, pre)
		}
	}
	for i, k := range d.Keys {
		if err := checkResource(k, false, jwt); err != nil {
			add(fmt.Sprintf("keys[%d]", i), "%v", err)
			continue
		}
		s.Keys = append(s.Keys, k)
	}
	if s.Anonymous && s.Templated() {
		add("anonymous", "a scope with ${jwt:…} templates needs a token to fill them; remove anonymous or the templates")
	}
	if s.Anonymous && !jwt {
		add("anonymous", "means something only with STS_AUTH=jwt, where every other scope needs a token; remove it")
	}
	if len(d.Prefixes)+len(d.Keys) == 0 {
		add("prefixes", "list at least one folder prefix or key (write \"*\" for the whole bucket, deliberately)")
	}
	if len(s.Prefixes) > 1 && slices.Contains(s.Prefixes, policy.WholeBucket) {
		add("prefixes", "\"*\" already grants the whole bucket; list either \"*\" or folders, not both")
	}

	actions := d.Actions
	if len(actions) == 0 {
		actions = []string{"upload", "download"}
	}
	expanded, err := policy.ExpandActions(actions)
	if err != nil {
		add("actions", "%v", err)
	}
	s.Actions = expanded

	limit := maxFederationSeconds
	if mode == issuer.ModeAssumeRole {
		limit = maxAssumeRoleSeconds
	}
	s.DurationSeconds, s.MaxDurationSeconds = defaultDurationSeconds, defaultMaxDurationSeconds
	if d.MaxDurationSeconds != nil {
		s.MaxDurationSeconds = *d.MaxDurationSeconds
		if s.MaxDurationSeconds <= 0 || s.MaxDurationSeconds > limit {
			add("maxDurationSeconds", "%d must be between 1 and %d, the longest STS grants in this mode", s.MaxDurationSeconds, limit)
		}
	}
	if d.DurationSeconds != nil {
		s.DurationSeconds = *d.DurationSeconds
		if s.DurationSeconds <= 0 {
			add("durationSeconds", "%d must be above 0", s.DurationSeconds)
		}
	} else if s.DurationSeconds > s.MaxDurationSeconds {
		s.DurationSeconds = s.MaxDurationSeconds // a short maximum shortens the default with it
	}
	if s.DurationSeconds > s.MaxDurationSeconds {
		add("durationSeconds", "%d is above maxDurationSeconds (%d)", s.DurationSeconds, s.MaxDurationSeconds)
	}
	for field, n := range map[string]int{"durationSeconds": s.DurationSeconds, "maxDurationSeconds": s.MaxDurationSeconds} {
		if n > 0 && n < MinDurationSeconds {
			add(field, "%d is below %d: the COS SDKs refetch keys in their last minute, so shorter keys go unused", n, MinDurationSeconds)
		}
	}

	if c := d.Conditions; c != nil {
		if c.MaxContentLength != nil {
			if *c.MaxContentLength <= 0 {
				add("conditions.maxContentLength", "%d must be above 0 bytes", *c.MaxContentLength)
			}
			s.Conditions.MaxContentLength = *c.MaxContentLength
		}
		for i, ct := range c.ContentTypes {
			if err := policy.ValidateContentType(ct); err != nil {
				add(fmt.Sprintf("conditions.contentTypes[%d]", i), "%v", err)
				continue
			}
			s.Conditions.ContentTypes = append(s.Conditions.ContentTypes, ct)
		}
		s.Conditions.BindSourceIP = c.BindSourceIP
	}
	if len(*p) > n {
		return nil
	}
	if _, err := policy.Build(s.shapeGrant()); err != nil {
		add("prefixes", "the scope's policy cannot be built: %v", err)
		return nil
	}
	return s
}

// decodeJSON decodes strictly: an unknown field is a typo that would otherwise silently drop a restriction.
func decodeJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("unexpected data after the scopes object")
	}
	return nil
}

func decodeYAML(raw []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func truncateName(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
