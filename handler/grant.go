package handler

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/cos-sts-scf/cos-sts-scf/config"
	"github.com/cos-sts-scf/cos-sts-scf/policy"
)

// caller is what the trigger tells about who is asking.
type caller struct {
	direct bool   // a direct invocation: no HTTP, no caller IP
	ip     string // API Gateway's sourceIp or Function URL's x-scf-remote-addr
}

// resolved is what one request is granted: the policy to send and the fields the reply reports.
type resolved struct {
	Scope           *config.Scope
	Grant           policy.Grant
	Policy          policy.Policy
	PolicyJSON      string
	DurationSeconds int
	Notes           []string // what a dry run should tell the operator about this grant
}

// lookupScope finds the scope a request names (the default one when it names none).
func lookupScope(cfg *config.Config, p params) (*config.Scope, error) {
	name := p.Scope
	if name == "" {
		name = config.DefaultScope
	}
	scope, ok := cfg.Scopes[name]
	if !ok {
		return nil, invalidParameter("unknown scope %q", truncate(name, 64))
	}
	return scope, nil
}

// resolve narrows a scope to what the request asks for. Bad syntax is the caller's mistake (400); asking for more
// than the scope allows is refused (403); nothing is ever silently widened or dropped.
func resolve(cfg *config.Config, scope *config.Scope, p params, who caller) (*resolved, error) {
	name := scope.Name
	r := &resolved{Scope: scope, Grant: scope.Grant(), DurationSeconds: scope.DurationSeconds}

	if p.HasDuration {
		if p.DurationSeconds <= 0 {
			return nil, invalidParameter("durationSeconds must be above 0")
		}
		if p.DurationSeconds < config.MinDurationSeconds {
			return nil, invalidParameter("durationSeconds %d is below %d: the COS SDKs refetch keys in their last minute, so shorter keys go unused",
				p.DurationSeconds, config.MinDurationSeconds)
		}
		if p.DurationSeconds > scope.MaxDurationSeconds {
			return nil, accessDenied("durationSeconds %d is above this scope's maximum of %d", p.DurationSeconds, scope.MaxDurationSeconds)
		}
		r.DurationSeconds = p.DurationSeconds
	}

	if scope.Policy != "" {
		if p.HasPrefixes || p.HasKeys || p.HasActions || p.HasMaxContentLength || p.HasContentTypes {
			return nil, accessDenied("scope %q grants a fixed policy; prefixes, keys, actions and conditions cannot be requested", name)
		}
		r.PolicyJSON = scope.Policy
		return r, nil
	}

	if p.HasPrefixes || p.HasKeys {
		prefixes, keys, err := narrowResources(scope, p)
		if err != nil {
			return nil, err
		}
		r.Grant.Prefixes, r.Grant.Keys = prefixes, keys
	}
	if p.HasActions {
		actions, err := policy.ExpandActions(p.Actions)
		if err != nil {
			return nil, invalidParameter("actions: %s", plain(err))
		}
		if extra := policy.Subset(scope.Actions, actions); len(extra) > 0 {
			return nil, accessDenied("action %s is not allowed in scope %q", extra[0], name)
		}
		r.Grant.Actions = actions
	}
	cond, notes, err := conditions(scope, p, who)
	if err != nil {
		return nil, err
	}
	r.Grant.Conditions, r.Notes = cond, notes
	if err := keepUsable(r, p); err != nil {
		return nil, err
	}

	if pol, text, ok := cfg.Unnarrowed(scope); ok && !narrows(p) && cond.SourceIP == "" {
		// The grant is the scope's whole one, whose policy was built when the configuration loaded.
		r.Policy, r.PolicyJSON = pol, text
		return r, nil
	}
	if r.Policy, r.PolicyJSON, err = policy.BuildJSON(r.Grant); err != nil {
		// The scope's own grant was built at load time, so what fails here is what the request added (too many
		// prefixes for the policy size limit, say).
		return nil, invalidParameter("the requested grant cannot be built: %s", plain(err))
	}
	return r, nil
}

// narrows reports whether a request asks for less than its scope's whole grant: resources, actions or conditions.
func narrows(p params) bool {
	return p.HasPrefixes || p.HasKeys || p.HasActions || p.HasMaxContentLength || p.HasContentTypes
}

// keepUsable narrows the grant's actions to those its conditions let it keep (policy.UsableActions): a preset
// loses them quietly, with a note for dry runs, so that the reply's actions are what the keys can do; an action
// the request names itself is refused with the reason, as nothing asked for is ever silently dropped.
func keepUsable(r *resolved, p params) error {
	kept, dropped := policy.UsableActions(r.Grant.Actions, r.Grant.Conditions)
	var reasons []string
	left := map[string][]string{}
	for _, d := range dropped {
		short := strings.TrimPrefix(d.Action, policy.ActionPrefix)
		if p.HasActions && namesItself(p.Actions, d.Action) {
			return accessDenied("action %s cannot be granted with scope %q's conditions: %s", short, r.Scope.Name, d.Reason)
		}
		if left[d.Reason] == nil {
			reasons = append(reasons, d.Reason)
		}
		left[d.Reason] = append(left[d.Reason], short)
	}
	if len(kept) == 0 {
		return accessDenied("no action of this grant can be used under scope %q's conditions: %s", r.Scope.Name, reasons[0])
	}
	for _, reason := range reasons {
		r.Notes = append(r.Notes, strings.Join(left[reason], ", ")+" left out of the grant: "+reason)
	}
	r.Grant.Actions = kept
	return nil
}

// namesItself reports whether a request's actions name camName directly, not through a preset.
func namesItself(asked []string, camName string) bool {
	for _, a := range asked {
		if n, err := policy.NormalizeAction(a); err == nil && n == camName {
			return true
		}
	}
	return false
}

// conditions starts from the scope's conditions and applies the request's tightening. A request may lower the
// size limit or pick fewer content types; asking for more than the scope allows is refused.
func conditions(scope *config.Scope, p params, who caller) (policy.Conditions, []string, error) {
	sc := scope.Conditions
	c := policy.Conditions{MaxContentLength: sc.MaxContentLength, ContentTypes: sc.ContentTypes}
	var notes []string

	if p.HasMaxContentLength {
		switch {
		case p.MaxContentLength <= 0:
			return c, nil, invalidParameter("maxContentLength must be above 0 bytes")
		case sc.MaxContentLength > 0 && int64(p.MaxContentLength) > sc.MaxContentLength:
			return c, nil, accessDenied("maxContentLength %d is above scope %q's limit of %d bytes; a request may only lower it", p.MaxContentLength, scope.Name, sc.MaxContentLength)
		}
		c.MaxContentLength = int64(p.MaxContentLength)
	}
	if p.HasContentTypes {
		if len(p.ContentTypes) == 0 {
			return c, nil, invalidParameter("contentTypes is empty; name at least one, or leave it out for the scope's")
		}
		var types []string
		seen := make(map[string]bool, len(p.ContentTypes))
		for _, t := range p.ContentTypes {
			if err := policy.ValidateContentType(t); err != nil {
				return c, nil, invalidParameter("contentTypes: %s", plain(err))
			}
			if len(sc.ContentTypes) > 0 && !policy.ContentTypeAllowed(sc.ContentTypes, t) {
				return c, nil, accessDenied("content type %q is not allowed in scope %q", truncate(t, 64), scope.Name)
			}
			if !seen[t] {
				seen[t] = true
				types = append(types, t)
			}
		}
		c.ContentTypes = types
	}
	if sc.BindSourceIP {
		switch {
		case who.direct:
			notes = append(notes, "a direct invocation has no caller IP, so these credentials are not bound to one (bindSourceIp applies to HTTP triggers)")
		default:
			// One address, never a CIDR: policy.ValidateIP accepts ranges, and "0.0.0.0/0" would bind nothing.
			addr, err := netip.ParseAddr(who.ip)
			if err != nil || addr.Zone() != "" {
				return c, nil, accessDenied("scope %q binds credentials to the caller's IP, and the trigger did not provide a usable one", scope.Name)
			}
			c.SourceIP = addr.Unmap().String()
		}
	}
	return c, notes, nil
}

// narrowResources checks each requested prefix and key against the scope, deduplicating as it goes. Its cost grows
// with the request times the scope's prefixes, never with the square of the request.
func narrowResources(scope *config.Scope, p params) (prefixes, keys []string, err error) {
	prefixes, keys = []string{}, []string{}
	seen := make(map[string]bool, len(p.Prefixes)+len(p.Keys)) // a key never ends in "/", a prefix always does
	for _, pre := range p.Prefixes {
		if err := policy.ValidatePrefix(pre); err != nil {
			return nil, nil, invalidParameter("prefixes: %s", plain(err))
		}
		if !policy.PrefixAllowed(scope.Prefixes, pre) {
			return nil, nil, accessDenied("prefix %q is outside scope %q%s", truncate(pre, 128), scope.Name, keyNotFolder(scope, pre))
		}
		if !seen[pre] {
			seen[pre] = true
			prefixes = append(prefixes, pre)
		}
	}
	for _, k := range p.Keys {
		if err := policy.ValidateKey(k); err != nil {
			return nil, nil, invalidParameter("keys: %s", plain(err))
		}
		if !policy.KeyAllowed(scope.Prefixes, scope.Keys, k) {
			return nil, nil, accessDenied("key %q is outside scope %q%s", truncate(k, 128), scope.Name, keyNotFolder(scope, k))
		}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	if len(prefixes)+len(keys) == 0 {
		return nil, nil, invalidParameter("prefixes and keys are empty; name at least one, or leave both out for the whole scope")
	}
	return prefixes, keys, nil
}

// keyNotFolder explains a refusal that an operator's missing "/" caused: STS_ALLOW_PREFIXES=uploads grants the one
// object "uploads", so a request inside uploads/ is outside the scope. It returns "" when no scope key is a
// folder of the request.
func keyNotFolder(scope *config.Scope, requested string) string {
	for _, k := range scope.Keys {
		if strings.HasPrefix(requested, k+"/") {
			return fmt.Sprintf(": the scope holds the key %q (one object), not a folder; a folder is configured with a trailing / (%q)", truncate(k, 128), truncate(k, 127)+"/")
		}
	}
	return ""
}
