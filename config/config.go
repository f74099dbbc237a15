// Package config reads the function's configuration from its environment variables (docs/contract.md §4).
//
// Load validates everything at once and reports every problem together, each naming the variable and how to fix
// it, because a function that fails on the first of five mistakes costs five deploys. Credentials are not part of
// Config: SCF hands the execution role's keys over with every invocation and rotates them, so they are read by
// LoadCredentials on each call, while Config may be cached for as long as its variables keep their text.
package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/auth"
	"github.com/cos-sts-scf/cos-sts-scf/issuer"
	"github.com/cos-sts-scf/cos-sts-scf/policy"
)

// DefaultScope is the name of the scope built from STS_BUCKET, STS_ALLOW_PREFIXES and their siblings.
const DefaultScope = "default"

// Response formats (docs/contract.md §3).
const (
	FormatCAM = "cam"
	FormatSTS = "sts"
)

// Config is the validated, credential-free configuration of one function instance.
type Config struct {
	Endpoint       issuer.Endpoint
	Region         string // region sent to STS
	FederationName string // Name for GetFederationToken
	RoleARN        string // set: mint with AssumeRole
	ExternalID     string
	Format         string  // FormatCAM or FormatSTS
	AllowOrigins   Origins // CORS origins; "*" allows any
	LogLevel       Level
	Scopes         map[string]*Scope
	// Cache reuses credentials minted for an identical grant and identity within a warm instance, while at least
	// CacheMinRemaining of their lifetime (and never under a third of it) is left.
	Cache             bool
	CacheMinRemaining time.Duration
	// MaxCallsPerSecond is STS_MAX_CALLS_PER_SECOND: each instance calls STS at most this often on average (a
	// token bucket of one, issuer.Limiter), and answers 429 beyond it without calling. 0: no limit.
	MaxCallsPerSecond float64
	// Auth is set with STS_AUTH=jwt: callers must present a bearer token, except for anonymous scopes.
	Auth *auth.Config

	unnarrowed map[*Scope]builtPolicy // the policies of scopes' whole grants, built once at load (Unnarrowed)
}

// builtPolicy is a policy and its JSON, as policy.BuildJSON returns them.
type builtPolicy struct {
	policy policy.Policy
	json   string
}

// addScope keeps a built scope, and the policy of its whole grant when it has one.
func (c *Config) addScope(s *Scope, built *builtPolicy) {
	c.Scopes[s.Name] = s
	if built != nil {
		if c.unnarrowed == nil {
			c.unnarrowed = map[*Scope]builtPolicy{}
		}
		c.unnarrowed[s] = *built
	}
}

// Unnarrowed returns the policy of scope s's whole grant (policy.BuildJSON of s.Grant()) and its JSON, built once
// when the configuration loaded: what a request that narrows nothing and adds no condition is sent. ok is false
// unless s is one of c.Scopes without templates and without a verbatim STS_POLICY: a scope filled from a caller's
// claims (Substitute) is another Scope, with a grant of its own. The policy is shared: a caller must not change it.
func (c *Config) Unnarrowed(s *Scope) (p policy.Policy, json string, ok bool) {
	b, ok := c.unnarrowed[s]
	return b.policy, b.json, ok
}

// Mode tells which STS action mints credentials: AssumeRole when a role is configured, else GetFederationToken.
func (c *Config) Mode() issuer.Mode {
	if c.RoleARN != "" {
		return issuer.ModeAssumeRole
	}
	return issuer.ModeGetFederationToken
}

// Level is how important a log line is (STS_LOG_LEVEL): lines below the configured level are not written. The
// values are log/slog's, so that a level reads the same in either.
type Level int

// The levels STS_LOG_LEVEL names.
const (
	LevelDebug Level = -4
	LevelInfo  Level = 0
	LevelWarn  Level = 4
	LevelError Level = 8
)

// String is the level as a log line writes it.
func (l Level) String() string {
	switch l {
	case LevelDebug:
		return "DEBUG"
	case LevelInfo:
		return "INFO"
	case LevelWarn:
		return "WARN"
	case LevelError:
		return "ERROR"
	}
	return "INFO"
}

// Error is a configuration problem: Var names the variable, Problem says what is wrong and how to fix it.
type Error struct {
	Var     string
	Problem string
}

func (e *Error) Error() string { return e.Var + ": " + e.Problem }

// ErrConfig is matched (errors.Is) by every error Load and LoadCredentials return, so callers can map them to the
// ConfigError reply without knowing each variable.
var ErrConfig = errors.New("config: invalid configuration")

// Is makes every *Error match ErrConfig.
func (e *Error) Is(target error) bool { return target == ErrConfig }

// problems collects every configuration error found, in order.
type problems []error

func (p *problems) add(v, format string, args ...any) {
	*p = append(*p, &Error{Var: v, Problem: fmt.Sprintf(format, args...)})
}

func (p problems) err() error { return errors.Join(p...) }

// Load reads and validates the configuration. Every problem is reported, joined, each an *Error.
func Load(getenv func(string) string) (*Config, error) {
	var p problems
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }

	c := &Config{Scopes: map[string]*Scope{}}

	ep, err := issuer.ParseEndpoint(get("STS_ENDPOINT"))
	if err != nil {
		p.add("STS_ENDPOINT", "%v; use a host (sts.tencentcloudapi.com), host:port, or an https:// URL without a path (http:// only for a local emulator on a loopback address)", err)
	}
	c.Endpoint = ep

	c.Region = cmp.Or(get("STS_REGION"), get("TENCENTCLOUD_REGION"), "ap-guangzhou")
	if !validRegion(c.Region) {
		p.add("STS_REGION", "%q is not a region; write it like ap-guangzhou", c.Region)
	}

	c.FederationName = cmp.Or(get("STS_FEDERATION_NAME"), "cossts")
	if !validFederationName(c.FederationName) {
		p.add("STS_FEDERATION_NAME", "%q must be 1 to 32 letters (STS accepts nothing else in Name)", c.FederationName)
	}

	c.RoleARN = get("STS_ROLE_ARN")
	if c.RoleARN != "" && !validRoleARN(c.RoleARN) {
		p.add("STS_ROLE_ARN", "%q is not a role ARN; write it like qcs::cam::uin/100000000001:roleName/cos-sts", c.RoleARN)
	}
	c.ExternalID = get("STS_ROLE_EXTERNAL_ID")
	if c.ExternalID != "" && c.RoleARN == "" {
		p.add("STS_ROLE_EXTERNAL_ID", "is only used with AssumeRole; set STS_ROLE_ARN or unset it")
	}

	switch f := cmp.Or(get("STS_RESPONSE_FORMAT"), FormatCAM); f {
	case FormatCAM, FormatSTS:
		c.Format = f
	default:
		p.add("STS_RESPONSE_FORMAT", "%q must be cam or sts", f)
		c.Format = FormatCAM
	}

	c.AllowOrigins = parseOrigins(get("STS_ALLOW_ORIGINS"), &p)

	switch lvl := strings.ToLower(get("STS_LOG_LEVEL")); lvl {
	case "", "info":
		c.LogLevel = LevelInfo
	case "debug":
		c.LogLevel = LevelDebug
	case "warn", "warning":
		c.LogLevel = LevelWarn
	case "error":
		c.LogLevel = LevelError
	default:
		p.add("STS_LOG_LEVEL", "%q must be debug, info, warn or error", lvl)
	}

	loadAuth(get, c, &p)
	loadCache(get, c, &p)
	c.MaxCallsPerSecond = callsPerSecond(get("STS_MAX_CALLS_PER_SECOND"), &p)

	in := inherited{region: c.Region, mode: c.Mode(), jwt: c.Auth != nil}
	if r := get("STS_BUCKET_REGION"); r != "" {
		in.region = r
		if problem := regionProblem(r); problem != "" {
			p.add("STS_BUCKET_REGION", "%s", problem)
		}
	}
	loadNamedScopes(get, c, in, &p)
	// The environment's default scope exists when its variables say so, or when nothing else is configured (and
	// then the missing variables are reported). A scopes document may define "default" itself instead.
	_, fileDefault := c.Scopes[DefaultScope]
	named := get("STS_SCOPES") != "" || get("STS_SCOPES_FILE") != ""
	if !fileDefault && (!named || anySet(get, defaultScopeVars)) {
		if s, built := buildScope(DefaultScope, envScope(get, &p), namer{}, in, &p); s != nil {
			c.addScope(s, built)
		}
	}

	if err := p.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// loadAuth reads caller authentication (STS_AUTH and the STS_JWT_* variables).
func loadAuth(get func(string) string, c *Config, p *problems) {
	switch a := strings.ToLower(get("STS_AUTH")); a {
	case "", "none":
		for _, v := range authVars {
			if get(v) != "" {
				p.add(v, "is set while STS_AUTH is none, so no token would be checked; set STS_AUTH=jwt or unset %s", v)
			}
		}
		return
	case "jwt":
	default:
		p.add("STS_AUTH", "%q must be none or jwt", a)
		return
	}
	a := &auth.Config{
		Issuer: get("STS_JWT_ISSUER"), Audience: get("STS_JWT_AUDIENCE"),
		Secret: get("STS_JWT_SECRET"), JWKS: get("STS_JWKS"), JWKSURL: get("STS_JWKS_URL"),
		Leeway: 60 * time.Second,
	}
	if raw := get("STS_JWT_LEEWAY_SECONDS"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > 3600 {
			p.add("STS_JWT_LEEWAY_SECONDS", "%q must be a whole number of seconds from 0 to 3600", raw)
		} else {
			a.Leeway = time.Duration(n) * time.Second
		}
	}
	*p = append(*p, configErrors(a.Problems())...)
	c.Auth = a
}

// authVars are the variables that mean something only with STS_AUTH=jwt.
var authVars = []string{"STS_JWT_ISSUER", "STS_JWT_AUDIENCE", "STS_JWT_SECRET", "STS_JWKS", "STS_JWKS_URL", "STS_JWT_LEEWAY_SECONDS"}

// configErrors turns auth's problems into this package's, so that every error Load returns is an *Error.
func configErrors(errs []error) []error {
	out := make([]error, 0, len(errs))
	for _, err := range errs {
		var ap *auth.Problem
		if errors.As(err, &ap) {
			out = append(out, &Error{Var: ap.Var, Problem: ap.Message})
		} else {
			out = append(out, &Error{Var: "STS_AUTH", Problem: err.Error()})
		}
	}
	return out
}

// loadCache reads STS_CACHE and STS_CACHE_MIN_REMAINING_SECONDS.
func loadCache(get func(string) string, c *Config, p *problems) {
	switch v := strings.ToLower(get("STS_CACHE")); v {
	case "", "off":
	case "on":
		c.Cache = true
	default:
		p.add("STS_CACHE", "%q must be on or off", v)
	}
	c.CacheMinRemaining = 300 * time.Second
	if raw := get("STS_CACHE_MIN_REMAINING_SECONDS"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			p.add("STS_CACHE_MIN_REMAINING_SECONDS", "%q must be a whole number of seconds, 0 or more", raw)
			return
		}
		c.CacheMinRemaining = time.Duration(n) * time.Second
	}
}

// callsPerSecond reads STS_MAX_CALLS_PER_SECOND: unset is 0 (no limit), else a positive decimal number written as
// digits with an optional fraction (4.8, 0.5, 100); anything else (0, a sign, an exponent, a word) is a problem.
func callsPerSecond(raw string, p *problems) float64 {
	if raw == "" {
		return 0
	}
	whole, frac, hasFrac := strings.Cut(raw, ".")
	ok := whole != "" && allBytes(whole, isDigit) && (!hasFrac || frac != "" && allBytes(frac, isDigit))
	n, err := strconv.ParseFloat(raw, 64)
	if !ok || err != nil || !(n > 0) {
		p.add("STS_MAX_CALLS_PER_SECOND", "%q must be a positive number of STS calls per second and instance, like 4.8 "+
			"(docs/capacity.md: 0.8 × 600 ÷ the function's reserved concurrency), or unset for no limit", raw)
		return 0
	}
	return n
}

func parseOrigins(s string, p *problems) Origins {
	var out Origins
	for _, o := range splitList(s) {
		if o != "*" && !validOrigin(o) {
			p.add("STS_ALLOW_ORIGINS", "%q is not an origin; write scheme://host[:port] with no path, e.g. https://app.example.com, or *", o)
			continue
		}
		out = append(out, strings.TrimSuffix(o, "/"))
	}
	return out
}

// splitList splits a comma-separated variable, trimming blanks and dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func anySet(get func(string) string, names []string) bool {
	for _, n := range names {
		if get(n) != "" {
			return true
		}
	}
	return false
}

// Warnings lists what is allowed but risky in c, one sentence each, for the cold-start log.
func (c *Config) Warnings() []string {
	var w []string
	if slices.Contains(c.AllowOrigins, "*") {
		w = append(w, "STS_ALLOW_ORIGINS=* lets scripts on any website ask for credentials; list your apps' origins instead")
	}
	if c.Auth == nil {
		w = append(w, "callers are not authenticated (STS_AUTH=none): anyone who can reach the trigger gets credentials for every scope; set STS_AUTH=jwt, or keep the trigger private or behind API Gateway authentication, and the scopes narrow")
	}
	names := make([]string, 0, len(c.Scopes))
	for name := range c.Scopes {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		s := c.Scopes[name]
		if s.Policy != "" {
			w = append(w, fmt.Sprintf("scope %q uses STS_POLICY verbatim; review it, callers cannot narrow it", name))
			continue
		}
		for _, msg := range policy.Warnings(s.Grant()) {
			w = append(w, fmt.Sprintf("scope %q: %s", name, msg))
		}
		for _, k := range s.Keys {
			if looksLikeFolder(k) {
				w = append(w, fmt.Sprintf("scope %q: %q has no trailing /, so it grants the one object named %q, not a folder; if you meant the folder, write %q", name, k, k, k+"/"))
			}
		}
	}
	return w
}

// looksLikeFolder reports whether an exact key reads like a folder name someone forgot the "/" on (uploads,
// users/${jwt:sub}): its last segment has no file extension.
func looksLikeFolder(key string) bool {
	last := key[strings.LastIndex(key, "/")+1:]
	return !strings.Contains(last, ".")
}
