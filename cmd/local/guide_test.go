package main

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// guideBlock returns the first fenced block of lang under the docs/clients.md heading that starts with section.
func guideBlock(t *testing.T, section, lang string) string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/clients.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	i := strings.Index(text, "\n## "+section)
	if i < 0 {
		t.Fatalf("docs/clients.md has no section %q", section)
	}
	text = text[i:]
	j := strings.Index(text, "```"+lang+"\n")
	if j < 0 {
		t.Fatalf("docs/clients.md's %q section has no %s block", section, lang)
	}
	text = text[j+len("```"+lang+"\n"):]
	return text[:strings.Index(text, "```")]
}

// TestClientGuideJS: the browser guide's getAuthorization is the demo page's, which TestDemoInBrowser runs.
func TestClientGuideJS(t *testing.T) {
	app, err := os.ReadFile("demo/app.js")
	if err != nil {
		t.Fatal(err)
	}
	if snippet := guideBlock(t, "Browser", "js"); !strings.Contains(string(app), snippet) {
		t.Errorf("docs/clients.md's getAuthorization is not the demo page's (cmd/local/demo/app.js):\n%s", snippet)
	}
}

// TestClientGuideCurl runs docs/clients.md's curl lines against serve and the real function.
func TestClientGuideCurl(t *testing.T) {
	bin := needFunction(t)
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the curl guide needs %s: install it (.ci/run does)", tool)
		}
	}
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-bin", bin, "-addr", "127.0.0.1:0"}, cli{stdin: strings.NewReader(""), stdout: &logs, stderr: &logs})
	}()
	defer func() { cancel(); <-done }()
	served := regexp.MustCompile(`serving the function at (http://\S+/) `)
	var url string
	for deadline := time.Now().Add(2 * time.Minute); url == ""; time.Sleep(20 * time.Millisecond) {
		if m := served.FindStringSubmatch(logs.String()); m != nil {
			url = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", logs.String())
		}
	}
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", guideBlock(t, "curl", "sh"))
	cmd.Env = append(os.Environ(), "URL="+url)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the curl guide failed: %v\n%s", err, out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^TMP_SECRET_ID=AKID\w+$`), regexp.MustCompile(`(?m)^TMP_SECRET_KEY=\w+$`),
		regexp.MustCompile(`(?m)^SESSION_TOKEN=\w+$`),
	} {
		if !want.Match(out) {
			t.Errorf("the curl guide printed %q; want a line matching %s", out, want)
		}
	}
}
