package handler_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cos-sts-scf/cos-sts-scf/handler"
	"github.com/cos-sts-scf/cos-sts-scf/issuer"
)

// The work bounds of limits.go, as the project sets them: any event up to SCF's 6 MB limit costs the handler
// under 16 MB of allocation (counted cumulatively, so the peak is lower still), and an error reply and a log
// line stay under 4 KB. e2e/hostile_bounds_test.go charges the real binary the CPU time of the same shapes.
const (
	maxAlloc    = 16 << 20
	maxErrorLen = 4 << 10
	maxLogLine  = 4 << 10
)

// fixedMinter issues the same keys for every request, so that shapes which pass reach a reply without STS.
type fixedMinter struct{}

func (fixedMinter) Issue(context.Context, issuer.Request) (issuer.Result, error) {
	return issuer.Result{TmpSecretID: "AKIDbounds", TmpSecretKey: "bounds-tmp-secret-key", SessionToken: "bounds-session-token",
		ExpiredTime: 1_900_000_000, RequestID: "sts-bounds"}, nil
}

// lineMeter remembers the longest single write: slog hands the redactor each line in one Write.
type lineMeter struct {
	mu      sync.Mutex
	longest int
}

func (m *lineMeter) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.longest = max(m.longest, len(p))
	return len(p), nil
}

func (m *lineMeter) take() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.longest
	m.longest = 0
	return n
}

// boundsHandler is a handler with the default scope over uploads/ and the fixed minter.
func boundsHandler(log *lineMeter) *handler.Handler {
	env := map[string]string{"STS_SECRET_ID": "AKIDbounds", "STS_SECRET_KEY": "bounds-permanent-key",
		"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/"}
	return handler.New(handler.Options{Getenv: func(k string) string { return env[k] }, Minter: fixedMinter{}, Log: log})
}

func jsonList(n int, f func(i int) string) string {
	items := make([]string, n)
	for i := range items {
		items[i] = f(i)
	}
	b, _ := json.Marshal(items)
	return string(b)
}

func urlPost(body string) []byte {
	b, _ := json.Marshal(map[string]any{"httpMethod": "POST", "headers": map[string]string{"x-scf-remote-addr": "203.0.113.7"}, "body": body})
	return b
}

// hostileShapes are the worst requests of the review, above MaxEventBytes (refused after one skim), and the worst
// that fit under it (read, validated and refused by the rules behind the cap).
func hostileShapes() []struct {
	name   string
	event  []byte
	status int
} {
	const sixMB = 6_000_000
	prefixes := jsonList(30_000, func(i int) string { return "uploads/u" + strconv.Itoa(i) + "/" })
	headers := map[string]string{}
	for i := 0; len(headers)*20 < sixMB; i++ {
		headers["x-h"+strconv.Itoa(i)] = "v"
	}
	bigHeaders, _ := json.Marshal(map[string]any{"httpMethod": "GET", "headers": headers})
	fewHeaders := map[string]string{"x-scf-remote-addr": "203.0.113.7"}
	for i := 0; len(fewHeaders)*20 < handler.MaxEventBytes-4096; i++ {
		fewHeaders["x-h"+strconv.Itoa(i)] = "v"
	}
	capHeaders, _ := json.Marshal(map[string]any{"httpMethod": "GET", "headers": fewHeaders})
	queryList := make([]string, 0, sixMB/16)
	for i := 0; len(queryList)*19 < sixMB; i++ { // about 19 bytes an item, quotes and comma included
		queryList = append(queryList, "uploads/q"+strconv.Itoa(i)+"/")
	}
	bigQuery, _ := json.Marshal(map[string]any{"httpMethod": "GET", "queryString": map[string]any{"prefixes": queryList}})
	b64, _ := json.Marshal(map[string]any{"httpMethod": "POST", "isBase64Encoded": true,
		"body": base64.StdEncoding.EncodeToString([]byte(`{"prefixes":` + prefixes + `}`))})
	return []struct {
		name   string
		event  []byte
		status int
	}{
		{"30,000 prefixes", urlPost(`{"prefixes":` + prefixes + `}`), 400},
		{"10,000 keys", urlPost(`{"keys":` + jsonList(10_000, func(i int) string { return "uploads/k" + strconv.Itoa(i) }) + `}`), 400},
		{"400,000 bad action names", urlPost(`{"actions":` + jsonList(400_000, func(int) string { return "x" }) + `}`), 400},
		{"200,000 content types", urlPost(`{"contentTypes":` + jsonList(200_000, func(i int) string { return "image/x" + strconv.Itoa(i) }) + `}`), 400},
		{"a 4 MB scope name", urlPost(`{"scope":"` + strings.Repeat("s", 4<<20) + `"}`), 400},
		{"a 6 MB direct invocation", []byte(`{"keys":` + jsonList(sixMB/16, func(i int) string { return "uploads/" + strconv.Itoa(i) }) + `}`), 400},
		{"6 MB of header names", bigHeaders, 400},
		{"a 6 MB query-string list", bigQuery, 400},
		{"a base64 body", b64, 400},
		{"100 prefixes, the list limit", urlPost(`{"prefixes":` + jsonList(handler.MaxListItems, func(i int) string { return "uploads/u" + strconv.Itoa(i) + "/" }) + `}`), 400},
		{"101 prefixes", urlPost(`{"prefixes":` + jsonList(handler.MaxListItems+1, func(i int) string { return "uploads/u" + strconv.Itoa(i) + "/" }) + `}`), 400},
		{"100 bad action names", urlPost(`{"actions":` + jsonList(handler.MaxListItems, func(i int) string { return "Bogus" + strconv.Itoa(i) }) + `}`), 400},
		{"100 content types", urlPost(`{"contentTypes":` + jsonList(handler.MaxListItems, func(i int) string { return "image/x" + strconv.Itoa(i) }) + `}`), 200},
		{"100 keys of 850 bytes", urlPost(`{"keys":` + jsonList(handler.MaxListItems, func(i int) string {
			return "uploads/" + strconv.Itoa(i) + strings.Repeat("k", 838-len(strconv.Itoa(i)))
		}) + `}`), 400},
		{"a 120 KB scope name", urlPost(`{"scope":"` + strings.Repeat("s", 120<<10) + `"}`), 400},
		{"a 120 KB format", urlPost(`{"format":"` + strings.Repeat("f", 120<<10) + `"}`), 400},
		{"a 120 KB method", func() []byte {
			b, _ := json.Marshal(map[string]any{"httpMethod": strings.Repeat("M", 120<<10)})
			return b
		}(), 405},
		{"a 120 KB parameter name", urlPost(`{"` + strings.Repeat("p", 120<<10) + `":1}`), 400},
		{"headers up to the cap", capHeaders, 200},
		{"a 120 KB gateway request id", func() []byte {
			b, _ := json.Marshal(map[string]any{"httpMethod": "GET", "queryString": map[string]string{"nope": "1"},
				"requestContext": map[string]string{"requestId": strings.Repeat("r", 120<<10), "sourceIp": "10.0.2.14"}})
			return b
		}(), 400},
		{"claims nested 20,000 deep", []byte(`{"claims":` + strings.Repeat(`{"a":`, 20_000) + `1` + strings.Repeat(`}`, 20_000) + `}`), 400},
	}
}

// allocated runs f and returns the bytes allocated meanwhile: cumulative, so no collection can hide any, and the
// whole process's, so a quiet test is needed (fuzz workers run their input one at a time).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHostileShapesAllocateLittle sends each worst shape in process and counts what the handler allocates, the
// size of its reply and of its log line. Before the bounds, 400,000 bad action names allocated 1.1 GB and drew a
// 28 MB reply and log line, and a 4 MB scope name a 4 MB log line.
func TestHostileShapesAllocateLittle(t *testing.T) {
	log := &lineMeter{}
	h := boundsHandler(log)
	h.Invoke(context.Background(), json.RawMessage(`{"dryRun":true}`)) // load the configuration first
	log.take()
	for _, s := range hostileShapes() {
		var out json.RawMessage
		var err error
		alloc := allocated(func() { out, err = h.Invoke(context.Background(), s.event) })
		if err != nil {
			t.Fatalf("%s: function error %v", s.name, err)
		}
		body, status := replyBody(t, out)
		line := log.take()
		t.Logf("%-30s %8d bytes: allocated %6d KB, reply %4d bytes, log line %4d bytes", s.name, len(s.event), alloc>>10, len(body), line)
		if status != s.status {
			t.Errorf("%s: status %d; want %d (%.300s)", s.name, status, s.status, body)
		}
		if alloc > maxAlloc {
			t.Errorf("%s: allocated %d MB; want at most %d MB", s.name, alloc>>20, maxAlloc>>20)
		}
		if status >= 400 && len(body) > maxErrorLen {
			t.Errorf("%s: error reply of %d bytes; want at most %d", s.name, len(body), maxErrorLen)
		}
		if line == 0 || line > maxLogLine {
			t.Errorf("%s: log line of %d bytes; want one of at most %d", s.name, line, maxLogLine)
		}
	}
}

// replyBody returns the body of an integration response, or a direct invocation's reply itself, and its status.
func replyBody(t testing.TB, out []byte) (string, int) {
	t.Helper()
	var ir struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if json.Unmarshal(out, &ir) == nil && ir.StatusCode != 0 {
		return ir.Body, ir.StatusCode
	}
	var direct struct {
		Code *int `json:"code"`
	}
	if err := json.Unmarshal(out, &direct); err != nil {
		t.Fatalf("reply %.300s is neither an integration response nor a JSON object: %v", out, err)
	}
	if direct.Code == nil || *direct.Code == 0 {
		return string(out), 200
	}
	return string(out), *direct.Code
}

// FuzzWorkIsBounded grows events of every shape from a repeated fragment: list items in each list parameter,
// header names, query-string items, long scalars. Whatever the fuzzer builds, up to SCF's 6 MB, the handler
// allocates under 16 MB, and an error reply and a log line stay under 4 KB: a work bound, not a timing.
func FuzzWorkIsBounded(f *testing.F) {
	f.Add(`"uploads/a/"`, uint16(30000), uint8(0))
	f.Add(`"x"`, uint16(60000), uint8(2))
	f.Add(`"image/png"`, uint16(500), uint8(3))
	f.Add(`null`, uint16(99), uint8(1))
	f.Add(`{"a":`, uint16(20000), uint8(7))
	f.Add(`x-h`, uint16(60000), uint8(4))
	f.Add(`uploads/q/`, uint16(60000), uint8(5))
	f.Add(`s`, uint16(65535), uint8(6))
	log := &lineMeter{}
	h := boundsHandler(log)
	f.Fuzz(func(t *testing.T, fragment string, n uint16, where uint8) {
		if len(fragment)*int(n) > 6_000_000 {
			return // over SCF's event limit: the platform refuses it before the function
		}
		event := grow(fragment, int(n), where)
		log.take()
		var out json.RawMessage
		var err error
		alloc := allocated(func() { out, err = h.Invoke(context.Background(), event) })
		if err != nil {
			t.Fatalf("function error %v", err)
		}
		body, status := replyBody(t, out)
		if alloc > maxAlloc {
			t.Fatalf("a %d-byte event allocated %d MB; want at most %d MB", len(event), alloc>>20, maxAlloc>>20)
		}
		if status >= 400 && len(body) > maxErrorLen {
			t.Fatalf("a %d-byte event drew an error of %d bytes; want at most %d", len(event), len(body), maxErrorLen)
		}
		if line := log.take(); line > maxLogLine {
			t.Fatalf("a %d-byte event drew a log line of %d bytes; want at most %d", len(event), line, maxLogLine)
		}
	})
}

// grow builds an event holding fragment n times, placed as where says.
func grow(fragment string, n int, where uint8) []byte {
	repeated := func(sep string) string { return strings.TrimSuffix(strings.Repeat(fragment+sep, n), sep) }
	switch where % 8 {
	case 0, 1, 2, 3: // a JSON list parameter in a POST body
		name := []string{"prefixes", "keys", "actions", "contentTypes"}[where%4]
		return urlPost(`{"` + name + `":[` + repeated(",") + `]}`)
	case 4: // header names
		headers := map[string]string{}
		for i := range n {
			headers[fragment+strconv.Itoa(i)] = fragment
		}
		b, _ := json.Marshal(map[string]any{"httpMethod": "GET", "headers": headers})
		return b
	case 5: // a query-string list
		b, _ := json.Marshal(map[string]any{"httpMethod": "GET", "queryString": map[string]any{"keys": repeated(",")}})
		return b
	case 6: // a long scalar
		b, _ := json.Marshal(map[string]any{"scope": repeated("")})
		return b
	}
	return []byte(`{"claims":` + repeated("") + `}`) // a direct invocation's object, nested or not
}
