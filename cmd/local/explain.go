package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/cos-sts-scf/cos-sts-scf/config"
	"github.com/cos-sts-scf/cos-sts-scf/handler"
)

// explanation is the dry-run body the handler answers, as explain reads it.
type explanation struct {
	Mode            string          `json:"mode"`
	Scope           string          `json:"scope"`
	DurationSeconds int             `json:"durationSeconds"`
	Bucket          string          `json:"bucket"`
	Region          string          `json:"region"`
	Prefixes        []string        `json:"prefixes"`
	Keys            []string        `json:"keys"`
	Actions         []string        `json:"actions"`
	Resources       []string        `json:"resources"`
	Conditions      []string        `json:"conditions"`
	Warnings        []string        `json:"warnings"`
	Notes           []string        `json:"notes"`
	Policy          json.RawMessage `json:"policy"`
}

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

	env, _, err := functionConfig(c.environ, c.stderr)
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		return exitFail
	}
	// The handler's log says exactly what is wrong with a configuration; it is shown only when explaining failed.
	var log bytes.Buffer
	h := handler.New(handler.Options{Getenv: func(k string) string { return env[k] }, Log: &log})
	payload, err := h.Explain(ctx, event)
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		return exitFail
	}
	body := payload
	if r, ok, err := parseHTTPReply(payload); err == nil && ok {
		body = r.body
	}
	var envelope struct {
		Data     *explanation `json:"data"`
		CodeDesc string       `json:"codeDesc"`
		Message  string       `json:"message"`
		Error    *struct{ Code, Message string }
		DryRun   bool `json:"dryRun"`
	}
	if err := json.Unmarshal(body, &envelope); err != nil {
		fmt.Fprintf(c.stderr, "local: unexpected reply %s\n", body)
		return exitFail
	}
	ex := envelope.Data
	if envelope.DryRun { // the sts format has no envelope
		ex = &explanation{}
		_ = json.Unmarshal(body, ex)
	}
	if ex != nil {
		printExplanation(c.stdout, ex)
		return exitOK
	}
	_, _ = c.stderr.Write(log.Bytes())
	code, msg := envelope.CodeDesc, envelope.Message
	if envelope.Error != nil {
		code, msg = envelope.Error.Code, envelope.Error.Message
	}
	fmt.Fprintf(c.stderr, "local: %s: %s\n", code, msg)
	if strings.HasPrefix(msg, "unknown scope") {
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
func printExplanation(w io.Writer, ex *explanation) {
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
