package e2e_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The work one request may cost, whatever it holds (README "Security notes"): SCF accepts events of up to 6 MB,
// and the trigger is public. The bounds are the project's; a clean run costs a small fraction of each, so
// neither a busy machine nor a slow one brings a correct build near them. CPU time is the function process's own
// (not wall time), charged per invocation.
const (
	maxCPUPerRequest = 250 * time.Millisecond
	maxErrorReply    = 4 << 10
	maxLogLine       = 4 << 10
	// maxPeakGrowth bounds how far the hostile requests raise the process's peak RSS above a warm instance's:
	// serverless.yml's memorySize, 64 MB (400,000 bad action names alone used to take 190 MB). Most of what
	// remains is the SCF runtime's own copies of a 7 MB event (the gob frame, the payload, its JSON check) and the
	// collector's headroom; the handler's share is bounded at 16 MiB by TestHostileShapesAllocateLittle in
	// package handler, and is a few kilobytes.
	maxPeakGrowth = 64 << 20
)

// hostileList is a JSON list of n strings made by f.
func hostileList(n int, f func(i int) string) string {
	items := make([]string, n)
	for i := range items {
		items[i] = f(i)
	}
	b, _ := json.Marshal(items)
	return string(b)
}

// hostileShape is one worst case: an event up to SCF's 6 MB limit, and the status it must get.
type hostileShape struct {
	name   string
	event  []byte
	status int
}

// hostileShapes are the attacks of the review and their relatives: long lists (quadratic narrowing), many
// errors (amplification), huge scalars (echoed in logs), and events whose sheer size is the weapon.
func hostileShapes() []hostileShape {
	const sixMB = 6_000_000
	prefixes := hostileList(30_000, func(i int) string { return "uploads/u" + strconv.Itoa(i) + "/" })
	keys := hostileList(10_000, func(i int) string { return "uploads/k" + strconv.Itoa(i) })
	badActions := hostileList(400_000, func(i int) string { return "x" })
	types := hostileList(200_000, func(i int) string { return "image/x" + strconv.Itoa(i) })
	manyHeaders := map[string]string{}
	for i := 0; len(manyHeaders)*20 < sixMB; i++ {
		manyHeaders["x-h"+strconv.Itoa(i)] = "v"
	}
	queryList := make([]string, 0, sixMB/16)
	for i := 0; len(queryList)*19 < sixMB; i++ { // about 19 bytes an item, quotes and comma included
		queryList = append(queryList, "uploads/q"+strconv.Itoa(i)+"/")
	}
	return []hostileShape{
		{"30,000 prefixes (570 KB)", hostilePost(`{"prefixes":` + prefixes + `}`), 400},
		{"10,000 keys", hostilePost(`{"keys":` + keys + `}`), 400},
		{"400,000 bad action names", hostilePost(`{"actions":` + badActions + `}`), 400},
		{"200,000 content types", hostilePost(`{"contentTypes":` + types + `}`), 400},
		{"a 4 MB scope name", hostilePost(`{"scope":"` + strings.Repeat("s", 4<<20) + `"}`), 400},
		{"a 6 MB direct invocation", []byte(`{"keys":` + hostileList(sixMB/16, func(i int) string { return "uploads/" + strconv.Itoa(i) }) + `}`), 400},
		{"6 MB of header names", hostileEvent("GET", nil, "", manyHeaders), 400},
		{"a 6 MB query-string list", hostileEvent("GET", map[string]any{"prefixes": queryList}, "", nil), 400},
		{"a 4 MB base64 body", func() []byte {
			b, _ := json.Marshal(map[string]any{"httpMethod": "POST", "headers": map[string]string{}, "isBase64Encoded": true,
				"body": base64.StdEncoding.EncodeToString([]byte(`{"prefixes":` + prefixes + prefixes[1:len(prefixes)-1] + `]}`))})
			return b
		}(), 400},
		// Deeper than 10,000 levels, SCF's Go runtime refuses the event itself (encoding/json's limit), before the
		// function: the deepest event that reaches it.
		{"claims nested 9,900 deep", []byte(`{"claims":` + strings.Repeat(`{"a":`, 9_900) + `1` + strings.Repeat(`}`, 9_900) + `}`), 400},
	}
}

// TestHostileWorkIsBounded sends each worst shape to the real binary and charges it the function's CPU time, its
// reply and log line sizes, and the growth of the process's peak memory. Before the bounds, 30,000 prefixes ran
// 37 s (past SCF's timeout, unanswered) and 400,000 bad names drew a 13 MB reply and log line and 190 MB RSS.
func TestHostileWorkIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("sends about 40 MB of events")
	}
	h := newHarness(t, nil)
	// A warm instance: the baseline includes a parsed configuration and a minted grant.
	hostileCall(t, h, hostilePost(`{"prefixes":["uploads/a/"]}`), "warm-up", nil)
	base, err := h.fn.Stats()
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	for i, s := range hostileShapes() {
		id := fmt.Sprintf("hostile-shape-%d", i)
		before, err := h.fn.Stats()
		if err != nil {
			t.Fatalf("Stats: %v", err)
		}
		reply, _, err := h.send(s.event, id, 10*time.Second, nil)
		if err != nil {
			t.Fatalf("%s (%d bytes): %v", s.name, len(s.event), err)
		}
		after, err := h.fn.Stats()
		if err != nil {
			t.Fatalf("Stats: %v", err)
		}
		r := hostileParse(t, reply.Payload, isDirect(s.event))
		cpu := after.CPUTime - before.CPUTime
		t.Logf("%-28s %8d bytes: %4d ms CPU, reply %4d bytes, %s %.120q", s.name, len(s.event), cpu.Milliseconds(), len(r.raw), r.code(), r.message())
		if r.status != s.status {
			t.Errorf("%s: status %d; want %d (%.300s)", s.name, r.status, s.status, r.raw)
		}
		if cpu > maxCPUPerRequest {
			t.Errorf("%s: the function spent %v of CPU; want at most %v", s.name, cpu, maxCPUPerRequest)
		}
		if len(r.raw) > maxErrorReply {
			t.Errorf("%s: the error reply is %d bytes; want at most %d", s.name, len(r.raw), maxErrorReply)
		}
		switch line, ok := hostileLogLine(h, id); {
		case !ok:
			t.Errorf("%s: no log line for %s", s.name, id)
		case len(line) > maxLogLine:
			t.Errorf("%s: the log line is %d bytes; want at most %d", s.name, len(line), maxLogLine)
		}
	}
	end, err := h.fn.Stats()
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	t.Logf("peak RSS %d MiB warm, %d MiB after the shapes", base.PeakRSSBytes>>20, end.PeakRSSBytes>>20)
	if grew := end.PeakRSSBytes - base.PeakRSSBytes; grew > maxPeakGrowth {
		t.Errorf("the hostile requests raised peak RSS by %d MiB; want at most %d MiB", grew>>20, maxPeakGrowth>>20)
	}
}

// hostileLogLine returns the raw log line for requestID, waiting for the pipe as waitLogLine does.
func hostileLogLine(h *harness, requestID string) (string, bool) {
	needle := `"requestId":"` + requestID + `"`
	for range 200 {
		for _, line := range strings.Split(string(h.fn.Output()), "\n") {
			if strings.Contains(line, needle) {
				return line, true
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return "", false
}
