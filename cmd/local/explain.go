package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/cos-sts-scf/cos-sts-scf/config"
	"github.com/cos-sts-scf/cos-sts-scf/handler"
)

// runExplain prints, for a person, what the local configuration would grant for an event: the handler's own dry
// run, run in this process with no keys read and no STS called.
func runExplain(ctx context.Context, args []string, c cli) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() { fmt.Fprint(c.stderr, usage) }
	scope := fs.String("scope", "", "explain this scope (added to the event's parameters)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(c.stderr, "local: explain takes at most one event\n\n%s", usage)
		return exitUsage
	}
	event := []byte(`{}`)
	if fs.NArg() == 1 {
		var err error
		if event, err = readEvent(fs.Arg(0), c.stdin); err != nil {
			fmt.Fprintln(c.stderr, err)
			return exitFail
		}
	}
	if *scope != "" {
		var err error
		if event, err = withScope(event, *scope); err != nil {
			fmt.Fprintln(c.stderr, err)
			return exitFail
		}
	}

	env, _, done, err := functionConfig(c.environ, c.stderr)
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		return exitFail
	}
	defer done()
	// The handler's log says exactly what is wrong with a configuration; it is shown only when explaining failed.
	var log bytes.Buffer
	h := handler.New(handler.Options{Getenv: func(k string) string { return env[k] }, Log: &log})
	ex, err := h.Explain(ctx, event)
	if err == nil {
		printExplanation(c.stdout, ex)
		return exitOK
	}
	var he *handler.Error
	if !errors.As(err, &he) {
		fmt.Fprintln(c.stderr, err)
		return exitFail
	}
	_, _ = c.stderr.Write(log.Bytes())
	fmt.Fprintf(c.stderr, "local: %s: %s\n", he.Code, he.Message)
	if strings.HasPrefix(he.Message, "unknown scope") {
		scopeHint(c.stderr, env)
	}
	return exitFail
}

// scopeHint lists the scopes a configuration defines, for a developer who asked for one it does not have (often
// "default", which named scopes leave out unless STS_BUCKET… or the file define it).
func scopeHint(w io.Writer, env map[string]string) {
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		return
	}
	names := slices.Sorted(maps.Keys(cfg.Scopes))
	fmt.Fprintf(w, "local: this configuration defines the scopes %s: name one with -scope, or with \"scope\" in the event\n", strings.Join(names, ", "))
}

// withScope adds scope to an event's parameters, wherever that event carries them.
func withScope(event []byte, scope string) ([]byte, error) {
	var ev map[string]any
	if err := json.Unmarshal(event, &ev); err != nil || ev == nil {
		return nil, fmt.Errorf("local: -scope needs the event to be a JSON object")
	}
	method, _ := ev["httpMethod"].(string)
	switch strings.ToUpper(method) {
	case "":
		ev["scope"] = scope
	case "POST":
		params := map[string]any{}
		if s, _ := ev["body"].(string); strings.TrimSpace(s) != "" {
			if err := json.Unmarshal([]byte(s), &params); err != nil {
				return nil, fmt.Errorf("local: -scope: the event's body is not a JSON object")
			}
		}
		params["scope"] = scope
		b, _ := json.Marshal(params)
		ev["body"], ev["isBase64Encoded"] = string(b), false
	default:
		q, _ := ev["queryString"].(map[string]any)
		if q == nil {
			q = map[string]any{}
		}
		q["scope"] = scope
		ev["queryString"] = q
	}
	return json.Marshal(ev)
}

// printExplanation lays a dry run out for reading.
func printExplanation(w io.Writer, ex *handler.DryRun) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "scope      %s\n", ex.Scope)
	fmt.Fprintf(&b, "mode       %s, %d seconds\n", ex.Mode, ex.DurationSeconds)
	if ex.Bucket != "" {
		fmt.Fprintf(&b, "bucket     %s (%s)\n", ex.Bucket, ex.Region)
	}
	list := func(title string, items []string, mark string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s\n", title)
		for _, it := range items {
			fmt.Fprintf(&b, "  %s %s\n", mark, it)
		}
	}
	list("prefixes", ex.Prefixes, "-")
	list("keys", ex.Keys, "-")
	list("actions", ex.Actions, "-")
	list("resources", ex.Resources, "-")
	list("conditions", ex.Conditions, "-")
	list("warnings", ex.Warnings, "!")
	list("notes", ex.Notes, "*")
	b.WriteString("policy\n")
	var pretty bytes.Buffer
	if json.Indent(&pretty, ex.Policy, "  ", "  ") == nil {
		b.WriteString("  ")
		b.Write(pretty.Bytes())
		b.WriteByte('\n')
	}
	_, _ = w.Write(b.Bytes())
}
