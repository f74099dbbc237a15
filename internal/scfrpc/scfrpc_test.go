package scfrpc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
)

// fakeBin is built once by TestMain: the stand-in function in testdata/fakefn.
var fakeBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "scfrpc-test")
	if err != nil {
		panic(err)
	}
	fakeBin = filepath.Join(dir, "fakefn")
	if err := scfrpc.Build(context.Background(), "testdata/fakefn", fakeBin); err != nil {
		os.RemoveAll(dir)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// echo mirrors testdata/fakefn's reply.
type echo struct {
	Payload          json.RawMessage `json:"payload"`
	RequestID        string          `json:"requestId"`
	FunctionName     string          `json:"functionName"`
	Env              string          `json:"env"`
	DeadlineUnixNano int64           `json:"deadlineUnixNano"`
}

func startFake(t *testing.T, env ...string) *scfrpc.Function {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	f, err := scfrpc.Start(ctx, fakeBin, env)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func invokeEcho(t *testing.T, f *scfrpc.Function, inv scfrpc.Invocation) echo {
	t.Helper()
	reply, err := f.Invoke(context.Background(), inv)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if reply.Error != nil {
		t.Fatalf("Invoke: function error %+v", reply.Error)
	}
	var got echo
	if err := json.Unmarshal(reply.Payload, &got); err != nil {
		t.Fatalf("reply %q: %v", reply.Payload, err)
	}
	return got
}

func TestStartCapturesOutput(t *testing.T) {
	f := startFake(t)
	// fakefn prints before it listens; the line reaches Output through a pipe that may lag Ping's socket.
	if !waitOutput(f, "fakefn: listening on ") {
		t.Errorf("Output = %q; want the listening line", f.Output())
	}
	if got := string(f.Output()); !strings.HasPrefix(got, "fakefn: listening on ") {
		t.Errorf("Output = %q; want it to start with the listening line", got)
	}
}

// waitOutput reports whether the function's output comes to contain s within a few seconds. Output arrives
// through stdout/stderr pipes, which can lag the replies on the rpc socket.
func waitOutput(f *scfrpc.Function, s string) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if bytes.Contains(f.Output(), []byte(s)) {
			return true
		}
	}
	return false
}

func TestInvokeDelivers(t *testing.T) {
	f := startFake(t)
	deadline := time.Date(2100, 1, 2, 3, 4, 5, 678901234, time.UTC)
	tests := []struct {
		name string
		inv  scfrpc.Invocation
		want echo
	}{
		{
			name: "payload, request id and deadline",
			inv:  scfrpc.Invocation{Payload: []byte(`{"a":[1,2]}`), RequestID: "req-1", Deadline: deadline, FunctionName: "fn"},
			want: echo{Payload: json.RawMessage(`{"a":[1,2]}`), RequestID: "req-1", FunctionName: "fn", DeadlineUnixNano: deadline.UnixNano()},
		},
		{
			name: "environment is set before the handler runs",
			inv:  scfrpc.Invocation{Payload: []byte(`{}`), RequestID: "req-2", Deadline: deadline, Environment: map[string]string{"FAKEFN_VAR": "from-invoke"}},
			want: echo{Payload: json.RawMessage(`{}`), RequestID: "req-2", Env: "from-invoke", DeadlineUnixNano: deadline.UnixNano()},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := invokeEcho(t, f, tc.inv)
			if !bytes.Equal(got.Payload, tc.want.Payload) {
				t.Errorf("payload = %s; want %s", got.Payload, tc.want.Payload)
			}
			got.Payload, tc.want.Payload = nil, nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("echo = %+v; want %+v", got, tc.want)
			}
		})
	}
}

func TestStartEnvironment(t *testing.T) {
	f := startFake(t, "FAKEFN_VAR=from-process")
	got := invokeEcho(t, f, scfrpc.Invocation{Payload: []byte(`1`), RequestID: "r"})
	if got.Env != "from-process" {
		t.Errorf("env = %q; want %q", got.Env, "from-process")
	}
}

func TestInvokeDefaultDeadline(t *testing.T) {
	f := startFake(t)
	tests := []struct {
		name  string
		ctx   func() (context.Context, context.CancelFunc)
		check func(t *testing.T, before time.Time, got time.Time)
	}{
		{
			name: "context deadline",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithDeadline(context.Background(), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
			},
			check: func(t *testing.T, _ time.Time, got time.Time) {
				if want := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
					t.Errorf("deadline = %v; want %v", got, want)
				}
			},
		},
		{
			name: "no deadline anywhere: DefaultTimeout, never zero",
			ctx:  func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			check: func(t *testing.T, before time.Time, got time.Time) {
				if earliest := before.Add(scfrpc.DefaultTimeout); got.Before(earliest) {
					t.Errorf("deadline = %v; want at least %v", got, earliest)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := tc.ctx()
			defer cancel()
			before := time.Now()
			reply, err := f.Invoke(ctx, scfrpc.Invocation{Payload: []byte(`{}`), RequestID: "d"})
			if err != nil || reply.Error != nil {
				t.Fatalf("Invoke = %+v, %v", reply.Error, err)
			}
			var got echo
			if err := json.Unmarshal(reply.Payload, &got); err != nil {
				t.Fatalf("reply %q: %v", reply.Payload, err)
			}
			tc.check(t, before, time.Unix(0, got.DeadlineUnixNano))
		})
	}
}

func TestInvokeFunctionError(t *testing.T) {
	f := startFake(t)
	tests := []struct {
		name       string
		payload    string
		wantMsg    string
		shouldExit bool
	}{
		{name: "returned error", payload: `"fail"`, wantMsg: "fakefn: asked to fail"},
		{name: "panic", payload: `"panic"`, wantMsg: "fakefn: asked to panic", shouldExit: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reply, err := f.Invoke(context.Background(), scfrpc.Invocation{Payload: []byte(tc.payload), RequestID: "e"})
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if reply.Error == nil {
				t.Fatalf("Reply.Error = nil; want %q", tc.wantMsg)
			}
			if reply.Error.Message != tc.wantMsg || reply.Error.ShouldExit != tc.shouldExit {
				t.Errorf("Reply.Error = %q, ShouldExit %v; want %q, %v", reply.Error.Message, reply.Error.ShouldExit, tc.wantMsg, tc.shouldExit)
			}
		})
	}
}

func TestInvokeConcurrent(t *testing.T) {
	f := startFake(t)
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			id := "c" + string(rune('a'+i))
			reply, err := f.Invoke(context.Background(), scfrpc.Invocation{Payload: []byte(`"` + id + `"`), RequestID: id})
			if err != nil {
				errs <- err
				return
			}
			var got echo
			if err := json.Unmarshal(reply.Payload, &got); err != nil || got.RequestID != id || string(got.Payload) != `"`+id+`"` {
				errs <- errors.New("mixed-up reply " + string(reply.Payload) + " for " + id)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Every invocation logged its request id: the output is complete.
	for i := range n {
		if line := "fakefn: invoked c" + string(rune('a'+i)); !waitOutput(f, line) {
			t.Errorf("Output lacks %q", line)
		}
	}
}

func TestCloseKills(t *testing.T) {
	f := startFake(t)
	pid := f.Pid()
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("process %d before Close: %v", pid, err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case <-f.Exited():
	default:
		t.Errorf("Exited() still open after Close")
	}
	// Close waits for the reaping, so the pid no longer exists.
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("kill(%d, 0) after Close = %v; want ESRCH", pid, err)
	}
	if _, err := f.Invoke(context.Background(), scfrpc.Invocation{Payload: []byte(`{}`)}); err == nil {
		t.Errorf("Invoke after Close = nil error; want one")
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close = %v; want nil", err)
	}
}

func TestStartFailures(t *testing.T) {
	dir := t.TempDir()
	notSCF := filepath.Join(dir, "exits.sh")
	if err := os.WriteFile(notSCF, []byte("#!/bin/sh\necho boom >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatalf("write script: %v", err)
	}
	silent := filepath.Join(dir, "silent.sh")
	if err := os.WriteFile(silent, []byte("#!/bin/sh\nexec sleep 60\n"), 0o755); err != nil {
		t.Fatalf("write script: %v", err)
	}
	tests := []struct {
		name    string
		bin     string
		ctx     func() (context.Context, context.CancelFunc)
		wantErr error
		wantIn  string
	}{
		{name: "exits at once", bin: notSCF, wantErr: scfrpc.ErrExited, wantIn: "boom"},
		{
			name: "never answers Ping", bin: silent, wantErr: scfrpc.ErrNotReady,
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 200*time.Millisecond)
			},
		},
		{name: "no such binary", bin: filepath.Join(dir, "missing"), wantIn: "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			if tc.ctx != nil {
				ctx, cancel = tc.ctx()
			}
			defer cancel()
			f, err := scfrpc.Start(ctx, tc.bin, nil)
			if err == nil {
				f.Close()
				t.Fatalf("Start = nil error; want one")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("Start error = %v; want %v", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantIn) {
				t.Errorf("Start error = %v; want it to contain %q", err, tc.wantIn)
			}
		})
	}
}

// TestStartWithPoll starts the function with the fine polling a cold-start benchmark uses: it answers as with
// Start's backoff (the waits themselves are TestNextPoll's).
func TestStartWithPoll(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	f, err := scfrpc.StartWith(ctx, fakeBin, []string{"FAKEFN_VAR=polled"}, scfrpc.StartOptions{Poll: 200 * time.Microsecond})
	if err != nil {
		t.Fatalf("StartWith: %v", err)
	}
	defer f.Close()
	if got := invokeEcho(t, f, scfrpc.Invocation{Payload: []byte(`1`)}); got.Env != "polled" {
		t.Errorf("Env = %q; want %q", got.Env, "polled")
	}
}

func TestStats(t *testing.T) {
	f := startFake(t)
	st, err := f.Stats()
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	// A Go binary maps megabytes and holds at least stdio and its listener.
	if st.RSSBytes < 1<<20 {
		t.Errorf("RSSBytes = %d; want at least 1 MiB", st.RSSBytes)
	}
	if st.OpenFDs < 4 {
		t.Errorf("OpenFDs = %d; want at least 4", st.OpenFDs)
	}
	if st.PeakRSSBytes < st.RSSBytes {
		t.Errorf("PeakRSSBytes = %d; want at least RSSBytes %d", st.PeakRSSBytes, st.RSSBytes)
	}
}

// TestStatsChargesCPUAndPeakMemory has the function burn 200 ms of its own CPU time and make 32 MiB resident,
// and checks that Stats sees both, whatever the machine's load (the function measures its own CPU time).
func TestStatsChargesCPUAndPeakMemory(t *testing.T) {
	f := startFake(t)
	before, err := f.Stats()
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	threadsBefore, err := f.ThreadCPUTime()
	if err != nil {
		t.Fatalf("ThreadCPUTime: %v", err)
	}
	invokeEcho(t, f, scfrpc.Invocation{Payload: []byte(`"spin"`), Deadline: time.Now().Add(time.Minute)})
	threadsAfter, err := f.ThreadCPUTime()
	if err != nil {
		t.Fatalf("ThreadCPUTime: %v", err)
	}
	invokeEcho(t, f, scfrpc.Invocation{Payload: []byte(`"grow"`), Deadline: time.Now().Add(time.Minute)})
	after, err := f.Stats()
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if got := after.CPUTime - before.CPUTime; got < 150*time.Millisecond {
		t.Errorf("CPUTime grew %v over a 200 ms spin; want at least 150 ms", got)
	}
	// The spin is measured by the function itself with getrusage, which counts every thread: the live threads'
	// schedstat sum must see nearly all of it, and not much more than the invocation's CPU could be.
	if got := threadsAfter - threadsBefore; got < 190*time.Millisecond || got > 2*time.Second {
		t.Errorf("ThreadCPUTime grew %v over a 200 ms spin; want at least 190 ms and not seconds", got)
	}
	if got := after.PeakRSSBytes - before.PeakRSSBytes; got < 24<<20 {
		t.Errorf("PeakRSSBytes grew %d bytes over a 32 MiB allocation; want at least 24 MiB", got)
	}
}
