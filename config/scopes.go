package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// scopesFile resolves STS_SCOPES_FILE: a relative path is taken from the function's code directory (where the
// binary lives), because SCF does not promise the working directory.
func scopesFile(getenv func(string) string) string {
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
func loadNamedScopes(get func(string) string, c *Config, in inherited, p *problems) {
	inline, file := get("STS_SCOPES"), scopesFile(get)
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
		ext := strings.ToLower(filepath.Ext(file))
		if ext != ".json" && ext != ".yaml" && ext != ".yml" {
			p.add(source, "%s must end in .json, .yaml or .yml", file)
			return
		}
		// A YAML file is read as the JSON scripts/build.sh packs in its place (ConvertYAML): JSON is YAML, so the
		// file keeps its name, and the function carries no YAML parser.
		err = decodeJSON(raw, &docs)
		var syntax *json.SyntaxError
		if err != nil && ext != ".json" && errors.As(err, &syntax) {
			p.add(source, "%s is YAML that was not converted: the function reads a scopes file as JSON, which scripts/build.sh "+
				"writes when it packs a YAML one (EXTRA_FILES=%s scripts/build.sh); a file put in the code package another way "+
				"must be JSON (it may keep its name: JSON is YAML)", file, filepath.Base(file))
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
		if !validScopeName(name) {
			p.add(source, "scopes.%q: a scope name is 1 to 64 letters, digits, _ or -", truncateName(name))
			continue
		}
		if s, built := buildScope(name, docs[name], namer{source: source, scope: name}, in, p); s != nil {
			c.addScope(s, built)
		}
	}
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

// ConvertYAML turns a scopes document written in YAML into the JSON that Load reads from a scopes file: decoded
// strictly into the document's own types by decodeYAML (internal/scopesyaml.Decode: this package links no YAML
// parser), then written as JSON, so that the JSON says exactly what the YAML said, no field more or less.
// scripts/build.sh packs the result in place of a YAML scopes file; cmd/local and the tests read YAML through it.
// The error is the YAML decoder's: a field no scope has, or a value of the wrong type, with its line.
func ConvertYAML(raw []byte, decodeYAML func(raw []byte, v any) error) ([]byte, error) {
	var docs map[string]scopeDoc
	if err := decodeYAML(raw, &docs); err != nil {
		return nil, err
	}
	return json.Marshal(docs)
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
