package deploy_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// publishedAPIGatewayTemplate is the SCF console's API Gateway test event template, as Tencent's documentation of
// the API Gateway trigger prints it ("integration request event message structure"): a POST with a body and a
// query string.
const publishedAPIGatewayTemplate = `{
  "requestContext": {
    "serviceId": "service-f94sy04v",
    "path": "/test/{path}",
    "httpMethod": "POST",
    "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    "identity": {"secretId": "abdcdxxxxxxxsdfs"},
    "sourceIp": "10.0.2.14",
    "stage": "release"
  },
  "headers": {
    "Accept-Language": "en-US,en,cn",
    "Accept": "text/html,application/xml,application/json",
    "Host": "service-3ei3tii4-251000691.ap-guangzhou.apigateway.myqloud.com",
    "User-Agent": "User Agent String"
  },
  "body": "{\"test\":\"body\"}",
  "pathParameters": {"path": "value"},
  "queryStringParameters": {"foo": "bar"},
  "headerParameters": {"Refer": "10.0.2.14"},
  "stageVariables": {"stage": "release"},
  "path": "/test/value",
  "queryString": {"foo": "bar", "bob": "alice"},
  "httpMethod": "POST"
}`

// publishedFunctionURLEvent is the event a Function URL delivers to an event function, as Tencent's Function URL
// overview prints it (without its // comment, which is not JSON): a POST with a body and a query string.
const publishedFunctionURLEvent = `{
  "body": "{\"test\":\"hello world\"}",
  "headers": {
    "accept": "*/*",
    "accept-encoding": "gzip, deflate, br",
    "cache-control": "no-cache",
    "connection": "keep-alive",
    "content-length": "17",
    "x-scf-remote-addr": "111.206.96.145"
  },
  "httpMethod": "POST",
  "path": "/",
  "queryString": {"a": "1", "b": "2"}
}`

// TestPublishedConsoleTemplates: pasted unchanged, Tencent's templates are POSTs with a query string; the
// function refuses them with a message that names what to change.
func TestPublishedConsoleTemplates(t *testing.T) {
	d := startFunction(t, packagedFunction(t))
	for _, tc := range []struct{ name, event, names string }{
		{"API Gateway", publishedAPIGatewayTemplate, `("bob", "foo")`},
		{"Function URL", publishedFunctionURLEvent, `("a", "b")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := decodeResult(t, d.invoke(t, []byte(tc.event)))
			msg, _ := r.body["message"].(string)
			if r.status != 400 || r.body["codeDesc"] != "InvalidParameter" {
				t.Errorf("status %d %v; want 400 InvalidParameter", r.status, r.body)
			}
			for _, want := range []string{"a POST takes its parameters in the JSON body", tc.names, "move them into the body", `"queryString": {}`} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
		})
	}
}

// readmeBlock returns the body of the README's fenced code block whose info string is info ("json apigw-edit").
func readmeBlock(t *testing.T, readme, info string) string {
	t.Helper()
	re := regexp.MustCompile("(?ms)^```" + regexp.QuoteMeta(info) + "\n(.*?)^```")
	m := re.FindStringSubmatch(readme)
	if m == nil {
		t.Fatalf("README.md has no ```%s block", info)
	}
	return m[1]
}

func readREADME(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// applyEdit replaces the template's members with the edit's, as the README tells the reader to.
func applyEdit(t *testing.T, template, edit string) map[string]any {
	t.Helper()
	var ev, members map[string]any
	if err := json.Unmarshal([]byte(template), &ev); err != nil {
		t.Fatalf("template: %v", err)
	}
	if err := json.Unmarshal([]byte(edit), &members); err != nil {
		t.Fatalf("the README's edit %s is not a JSON object: %v", edit, err)
	}
	maps.Copy(ev, members)
	return ev
}

func loadEvent(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ev
}

// TestREADMEConsoleEdits applies the README's edits to the published templates, literally: the results are the
// console events the repository ships, and the function grants them (STS asked for uploads/alice/).
func TestREADMEConsoleEdits(t *testing.T) {
	readme := readREADME(t)
	d := startFunction(t, packagedFunction(t))
	for _, tc := range []struct {
		name, template, block, shipped string
		ignoreHeaders                  bool // the Function URL file's content-length matches its own body
	}{
		{"API Gateway POST", publishedAPIGatewayTemplate, "json apigw-edit", "console-apigw.json", false},
		{"API Gateway GET", publishedAPIGatewayTemplate, "json apigw-get-edit", "", false},
		{"Function URL POST", publishedFunctionURLEvent, "json function-url-edit", "console-function-url.json", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := applyEdit(t, tc.template, readmeBlock(t, readme, tc.block))
			if tc.shipped != "" {
				want := loadEvent(t, tc.shipped)
				got := maps.Clone(ev)
				if tc.ignoreHeaders {
					delete(got, "headers")
					delete(want, "headers")
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("the README's edit of the template differs from testdata/events/%s:\nedit:    %v\nshipped: %v", tc.shipped, got, want)
				}
			}
			event, _ := json.Marshal(ev)
			d.emu.Reset()
			r := decodeResult(t, d.invoke(t, event))
			if r.status != 200 || r.credentials()["tmpSecretId"] == nil {
				t.Fatalf("status %d, body %v; want 200 with credentials", r.status, r.body)
			}
			calls := d.emu.Calls()
			if len(calls) != 1 || !strings.Contains(calls[0].Policy, "examplebucket-1250000000/uploads/alice/*") {
				t.Errorf("STS calls %+v; want one for uploads/alice/", calls)
			}
		})
	}
}

// TestConsoleEvents: every testdata/events/console-*.json is in the README's table, every file the table names
// exists, and each one, pasted into the console of a function configured like the demo, succeeds.
func TestConsoleEvents(t *testing.T) {
	readme := readREADME(t)
	files, err := filepath.Glob(filepath.Join("..", "testdata", "events", "console-*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no console events: %v", err)
	}
	var shipped []string
	for _, f := range files {
		shipped = append(shipped, filepath.Base(f))
	}
	var listed []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(console-[a-z-]+\\.json)` \\|").FindAllStringSubmatch(readme, -1) {
		listed = append(listed, m[1])
	}
	slices.Sort(listed)
	if !slices.Equal(listed, shipped) {
		t.Errorf("README's console table lists %q; testdata/events has %q", listed, shipped)
	}

	d := startFunction(t, packagedFunction(t))
	for _, name := range shipped {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "testdata", "events", name))
			if err != nil {
				t.Fatal(err)
			}
			r := decodeResult(t, d.invoke(t, b))
			switch {
			case r.status != 0 && r.status != 200:
				t.Errorf("status %d, body %v; want 200", r.status, r.body)
			case r.dryRun():
				if v := r.data()["version"]; v != packageVersion {
					t.Errorf("dry run %v; want version %q", r.data(), packageVersion)
				}
			case r.credentials()["tmpSecretId"] == nil:
				t.Errorf("body %v; want credentials", r.body)
			}
		})
	}
}
