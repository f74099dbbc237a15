// Command scopesjson writes a YAML scopes file as the JSON the function reads (config.ConvertYAML): scripts/build.sh
// packs a YAML file of EXTRA_FILES this way, under its own name (JSON is YAML), so that the function binary needs no
// YAML parser and the operator's STS_SCOPES_FILE=scopes.yaml holds. A document that does not decode fails the build,
// with the YAML decoder's line, before anything is packed.
//
//	go run ./internal/scopesjson scopes.yaml dist/package/scopes.yaml
package main

import (
	"fmt"
	"os"

	"github.com/cos-sts-scf/cos-sts-scf/config"
	"github.com/cos-sts-scf/cos-sts-scf/internal/scopesyaml"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: scopesjson IN.yaml OUT")
		os.Exit(2)
	}
	if err := convert(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func convert(in, out string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("scopesjson: %w", err)
	}
	js, err := config.ConvertYAML(raw, scopesyaml.Decode)
	if err != nil {
		return fmt.Errorf("scopesjson: %s is not a valid scopes document: %w", in, err)
	}
	if err := os.WriteFile(out, append(js, '\n'), 0o644); err != nil {
		return fmt.Errorf("scopesjson: %w", err)
	}
	return nil
}
