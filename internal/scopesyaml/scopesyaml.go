// Package scopesyaml reads YAML scopes documents for the tools around the function: scripts/build.sh (through
// internal/scopesjson), cmd/local and the tests. The function binary itself reads a scopes file as JSON only and
// links no YAML parser (356 KB of its binary): config.ConvertYAML, given Decode, turns a YAML document
// into the JSON the function reads, and build.sh packs that.
package scopesyaml

import (
	"bytes"
	"errors"
	"io"

	"go.yaml.in/yaml/v3"
)

// Decode decodes a YAML document into v strictly: a field v has no place for is an error (a typo would otherwise
// drop a restriction without a word). An empty document leaves v as it is.
func Decode(raw []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}
