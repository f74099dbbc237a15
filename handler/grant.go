package handler

import (
	"github.com/cos-sts-scf/cos-sts-scf/config"
	"github.com/cos-sts-scf/cos-sts-scf/policy"
)

// resolved is what one request is granted: the policy to send and the fields the reply reports.
type resolved struct {
	Scope           *config.Scope
	Grant           policy.Grant
	PolicyJSON      string
	DurationSeconds int
}

// resolve narrows a scope to what the request asks for. Bad syntax is the caller's mistake (400); asking for more
// than the scope allows is refused (403); nothing is ever silently widened or dropped.
func resolve(cfg *config.Config, p params) (*resolved, error) {
	name := p.Scope
	if name == "" {
		name = config.DefaultScope
	}
	scope, ok := cfg.Scopes[name]
	if !ok {
		return nil, invalidParameter("unknown scope %q", truncate(name, 64))
	}
	r := &resolved{Scope: scope, Grant: scope.Grant(), DurationSeconds: scope.DurationSeconds}

	if p.HasDuration {
		if p.DurationSeconds <= 0 {
			return nil, invalidParameter("durationSeconds must be above 0")
		}
		if p.DurationSeconds > scope.MaxDurationSeconds {
			return nil, accessDenied("durationSeconds %d is above this scope's maximum of %d", p.DurationSeconds, scope.MaxDurationSeconds)
		}
		r.DurationSeconds = p.DurationSeconds
	}

	if scope.Policy != "" {
		if p.HasPrefixes || p.HasKeys || p.HasActions {
			return nil, accessDenied("scope %q grants a fixed policy; prefixes, keys and actions cannot be requested", name)
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
			return nil, invalidParameter("actions: %v", err)
		}
		if extra := policy.Subset(scope.Actions, actions); len(extra) > 0 {
			return nil, accessDenied("action %s is not allowed in scope %q", extra[0], name)
		}
		r.Grant.Actions = actions
	}

	pol, err := policy.Build(r.Grant)
	if err != nil {
		return nil, asError(err)
	}
	if r.PolicyJSON, err = pol.JSON(); err != nil {
		return nil, asError(err)
	}
	return r, nil
}

// narrowResources checks each requested prefix and key against the scope, deduplicating as it goes.
func narrowResources(scope *config.Scope, p params) (prefixes, keys []string, err error) {
	prefixes, keys = []string{}, []string{}
	for _, pre := range p.Prefixes {
		if err := policy.ValidatePrefix(pre); err != nil {
			return nil, nil, invalidParameter("prefixes: %v", err)
		}
		if !policy.PrefixAllowed(scope.Prefixes, pre) {
			return nil, nil, accessDenied("prefix %q is outside scope %q", truncate(pre, 128), scope.Name)
		}
		prefixes = appendNew(prefixes, pre)
	}
	for _, k := range p.Keys {
		if err := policy.ValidateKey(k); err != nil {
			return nil, nil, invalidParameter("keys: %v", err)
		}
		if !policy.KeyAllowed(scope.Prefixes, scope.Keys, k) {
			return nil, nil, accessDenied("key %q is outside scope %q", truncate(k, 128), scope.Name)
		}
		keys = appendNew(keys, k)
	}
	if len(prefixes)+len(keys) == 0 {
		return nil, nil, invalidParameter("prefixes and keys are empty; name at least one, or leave both out for the whole scope")
	}
	return prefixes, keys, nil
}

func appendNew(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}
