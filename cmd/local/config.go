package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cos-sts-scf/cos-sts-scf/config"
	"github.com/cos-sts-scf/cos-sts-scf/internal/scopesyaml"
)

// demoConfiguration is the demo configuration, matching testdata/events. It is used only when the developer set no STS_*
// variable at all: filling in around a partial configuration would hide exactly the mistakes the function reports
// (a missing STS_ALLOW_PREFIXES answered 200 on the demo folder instead of a ConfigError).
var demoConfiguration = []struct{ name, value string }{
	{"STS_BUCKET", "examplebucket-1250000000"},
	{"STS_BUCKET_REGION", "ap-guangzhou"},
	{"STS_ALLOW_PREFIXES", "uploads/"},
}

// functionConfig is the function's environment, the same for invoke, serve and explain: the developer's STS_* and
// TENCENTCLOUD_* variables, a relative STS_SCOPES_FILE made absolute from the working directory (where the
// developer typed it; the function would look beside its binary, in a temporary folder), or, when no STS_*
// variable is set at all, the demo scope. A YAML STS_SCOPES_FILE is given to the function as scripts/build.sh packs
// it: converted to JSON (scopesJSON), in a temporary folder that done removes. It says on stderr which it is,
// naming variables but never their values.
func functionConfig(environ []string, stderr io.Writer) (env map[string]string, demo bool, done func(), err error) {
	done = func() {}
	env = functionEnv(environ)
	var set []string
	for name := range env {
		if strings.HasPrefix(name, "STS_") {
			set = append(set, name)
		}
	}
	slices.Sort(set)
	if len(set) == 0 {
		var filled []string
		for _, d := range demoConfiguration {
			env[d.name] = d.value
			filled = append(filled, d.name+"="+d.value)
		}
		fmt.Fprintf(stderr, "local: no STS_* variable is set, so the demo configuration is used: %s. Set any STS_* variable to use your own configuration instead; then nothing is filled in.\n", strings.Join(filled, ", "))
		return env, true, done, nil
	}
	shown := ""
	if name := strings.TrimSpace(env["STS_SCOPES_FILE"]); name != "" {
		abs, err := filepath.Abs(name)
		if err != nil {
			return nil, false, done, fmt.Errorf("local: STS_SCOPES_FILE=%s: %w", name, err)
		}
		if _, err := os.Stat(abs); err != nil {
			return nil, false, done, fmt.Errorf("local: STS_SCOPES_FILE=%s: there is no file %s (a relative path is taken from the current directory)", name, abs)
		}
		env["STS_SCOPES_FILE"], shown = abs, abs // a path, never a secret: show where it was looked for
		if ext := strings.ToLower(filepath.Ext(abs)); ext == ".yaml" || ext == ".yml" {
			packed, cleanup, err := scopesJSON(abs)
			if err != nil {
				return nil, false, done, fmt.Errorf("local: STS_SCOPES_FILE=%s: %w", name, err)
			}
			env["STS_SCOPES_FILE"], done = packed, cleanup
			shown += " (YAML, given to the function as JSON, as scripts/build.sh packs it)"
		}
	}
	for i, name := range set {
		if name == "STS_SCOPES_FILE" {
			set[i] += "=" + shown
		}
	}
	fmt.Fprintf(stderr, "local: your configuration is used as it is, nothing filled in: %s.\n", strings.Join(set, ", "))
	return env, false, done, nil
}

// scopesJSON converts the YAML scopes file at path as scripts/build.sh does when it packs one (config.ConvertYAML),
// into a file of the same name in a new temporary folder, which cleanup removes: the function reads scopes files
// as JSON only.
func scopesJSON(path string) (packed string, cleanup func(), err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", nil, err
	}
	js, err := config.ConvertYAML(raw, scopesyaml.Decode)
	if err != nil {
		return "", nil, fmt.Errorf("%s is not a valid scopes document: %w", path, err)
	}
	dir, err := os.MkdirTemp("", "cos-sts-scf-scopes-")
	if err != nil {
		return "", nil, err
	}
	packed = filepath.Join(dir, filepath.Base(path))
	if err := os.WriteFile(packed, js, 0o600); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return packed, func() { os.RemoveAll(dir) }, nil
}

// functionEnv picks the variables the function reads: STS_* are its own,
// TENCENTCLOUD_* are what SCF injects (execution role keys, region). Nothing
// else of the developer's environment leaks in, as nothing else would in SCF.
func functionEnv(environ []string) map[string]string {
	env := make(map[string]string)
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if ok && (strings.HasPrefix(name, "STS_") || strings.HasPrefix(name, "TENCENTCLOUD_")) {
			env[name] = value
		}
	}
	return env
}
