package config

import (
	"strconv"
	"strings"

	"github.com/cos-sts-scf/cos-sts-scf/policy"
)

// defaultScopeVars are the variables that write the environment's default scope (envScope); a scopes file's
// "default" scope excludes them. STS_BUCKET_REGION is not among them: it is every scope's region when the scope
// names none.
var defaultScopeVars = []string{"STS_BUCKET", "STS_ALLOW_PREFIXES", "STS_ALLOW_ACTIONS", "STS_POLICY", "STS_DURATION_SECONDS", "STS_MAX_DURATION_SECONDS"}

// envScope translates the default scope's variables into the document a scopes file would hold for it, so that
// buildScope judges both alike; namer{} names each field's problems by its variable. STS_ALLOW_PREFIXES holds
// folders and keys in one list: an item ending in "/" (or "*") is a folder, any other an exact key. The only
// problems found here are those a document cannot have: a duration that is not a whole number.
func envScope(get func(string) string, p *problems) scopeDoc {
	d := scopeDoc{
		Bucket:  get("STS_BUCKET"),
		Actions: splitList(get("STS_ALLOW_ACTIONS")),
		Policy:  get("STS_POLICY"),
	}
	for _, item := range splitList(get("STS_ALLOW_PREFIXES")) {
		if item == policy.WholeBucket || strings.HasSuffix(item, "/") {
			d.Prefixes = append(d.Prefixes, item)
		} else {
			d.Keys = append(d.Keys, item)
		}
	}
	d.DurationSeconds = envSeconds(get, "STS_DURATION_SECONDS", p)
	d.MaxDurationSeconds = envSeconds(get, "STS_MAX_DURATION_SECONDS", p)
	return d
}

// envSeconds reads a number of seconds; nil when the variable is unset or (a problem added) not a whole number.
func envSeconds(get func(string) string, name string, p *problems) *int {
	raw := get(name)
	if raw == "" {
		return nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		p.add(name, "%q must be a whole number of seconds", raw)
		return nil
	}
	return &n
}
