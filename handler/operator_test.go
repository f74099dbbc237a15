package handler_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/handler"
)

// TestPostWithQueryStringSaysWhatToChange: the SCF console's API Gateway and Function URL templates are POSTs with
// a query string; the 400 names what was found and what to change, instead of only refusing.
func TestPostWithQueryStringSaysWhatToChange(t *testing.T) {
	r := newRig(t)
	tests := []struct {
		name, query string
		want        []string
	}{
		{"the console template's query", `{"foo":"bar","bob":"alice"}`, []string{`("bob", "foo")`, "move them into the body", "send a GET", `"queryString": {}`}},
		{"many names are cut short", `{"a":"1","b":"2","c":"3","d":"4","e":"5"}`, []string{`"a", "b", "c" and 2 more`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, ev := range []string{apigw("POST", tc.query, `{}`), funcURL("POST", tc.query, `{}`)} {
				hr := r.http(ev)
				body := hr.json(t)
				msg, _ := body["message"].(string)
				if hr.StatusCode != 400 || body["codeDesc"] != "InvalidParameter" {
					t.Errorf("status %d %v; want 400 InvalidParameter", hr.StatusCode, body["codeDesc"])
				}
				for _, w := range tc.want {
					if !strings.Contains(msg, w) {
						t.Errorf("message %q lacks %q", msg, w)
					}
				}
			}
		})
	}
}

// TestExactKeyIsNotAFolder: STS_ALLOW_PREFIXES=uploads (no slash) is the one object "uploads". A request inside
// uploads/ is refused, and the refusal says why, for prefixes and keys alike; other refusals carry no such hint.
func TestExactKeyIsNotAFolder(t *testing.T) {
	r := newRig(t, "STS_ALLOW_PREFIXES", "uploads,docs/")
	tests := []struct {
		name, body string
		hint       bool
	}{
		{"a folder inside the key", `{"prefixes":["uploads/alice/"]}`, true},
		{"the key as a folder", `{"prefixes":["uploads/"]}`, true},
		{"a key inside the key", `{"keys":["uploads/alice/a.jpg"]}`, true},
		{"unrelated folder", `{"prefixes":["private/"]}`, false},
		{"a look-alike name", `{"prefixes":["uploads2/"]}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hr := r.http(funcURL("POST", "", tc.body))
			body := hr.json(t)
			msg, _ := body["message"].(string)
			if hr.StatusCode != 403 || !strings.Contains(msg, "is outside scope \"default\"") {
				t.Fatalf("reply %d %q; want 403 outside scope", hr.StatusCode, msg)
			}
			hint := `the scope holds the key "uploads" (one object), not a folder; a folder is configured with a trailing / ("uploads/")`
			if got := strings.Contains(msg, hint); got != tc.hint {
				t.Errorf("message %q: hint present = %v; want %v", msg, got, tc.hint)
			}
		})
	}
	// The exact key itself is still granted: the hint never changes what is allowed.
	if hr := r.http(funcURL("POST", "", `{"keys":["uploads"],"dryRun":true}`)); hr.StatusCode != 200 {
		t.Errorf("the exact key: %d %s; want 200", hr.StatusCode, hr.Body)
	}
}

// TestVersionInColdStartAndDryRun: the build's version is the first cold-start log line, whatever the log level,
// and every dry run carries it.
func TestVersionInColdStartAndDryRun(t *testing.T) {
	var log syncBuffer
	env := map[string]string{"STS_BUCKET": testBucket, "STS_ALLOW_PREFIXES": "uploads/", "STS_LOG_LEVEL": "error",
		"STS_SECRET_ID": testSecretID, "STS_SECRET_KEY": testSecretKey}
	h := handler.New(handler.Options{Getenv: func(k string) string { return env[k] }, Log: &log, Version: "v1.2.3-4-gabcdef0"})
	h.Warm()
	first, _, _ := strings.Cut(log.String(), "\n")
	var line map[string]any
	if err := json.Unmarshal([]byte(first), &line); err != nil {
		t.Fatalf("first log line %q: %v", first, err)
	}
	if line["msg"] != "cold start" || line["version"] != "v1.2.3-4-gabcdef0" || !strings.HasPrefix(line["go"].(string), "go") {
		t.Errorf("first log line = %s; want the cold start with the version and Go release", first)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, ev := range []string{`{"dryRun":true}`, `{"dryRun":true,"format":"sts"}`} {
		out, err := h.Invoke(ctx, json.RawMessage(ev))
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Version string
			Data    struct{ Version string }
		}
		if err := json.Unmarshal(out, &body); err != nil {
			t.Fatal(err)
		}
		if body.Version+body.Data.Version != "v1.2.3-4-gabcdef0" {
			t.Errorf("%s answered %s; want version v1.2.3-4-gabcdef0", ev, out)
		}
	}

	// Without a version, the handler says it does not know rather than leaving the field empty.
	log = syncBuffer{}
	handler.New(handler.Options{Getenv: func(k string) string { return env[k] }, Log: &log}).Warm()
	if !strings.Contains(log.String(), `"version":"unknown"`) {
		t.Errorf("log %s; want version unknown", log.String())
	}
}
