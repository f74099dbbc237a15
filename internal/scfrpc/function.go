package scfrpc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/rpc"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/tencentyun/scf-go-lib/cloudfunction/messages"
)

// startTimeout bounds the wait for the first Ping when the caller's context has
// no earlier deadline: a Go function answers in milliseconds, and a binary that
// is silent for this long is not going to.
const startTimeout = 15 * time.Second

// startAttempts is how often Start retries when the port it picked was taken
// between choosing it and the function binding it.
const startAttempts = 3

// Function is one running function process, as SCF keeps one instance warm.
// Its methods are safe for concurrent use.
type Function struct {
	cmd    *exec.Cmd
	out    *output
	client *rpc.Client // one connection, shared: net/rpc multiplexes calls

	exited  chan struct{} // closed once the process has been reaped
	waitErr error         // how it ended; written before exited is closed

	closeOnce sync.Once
}

// Start runs bin the way SCF does: with env as its whole environment plus
// _LAMBDA_SERVER_PORT set to a free loopback port, its stdout and stderr
// captured (see Output), and returns once the function answers Function.Ping.
// ctx bounds only the start-up; the process runs until Close.
func Start(ctx context.Context, bin string, env []string) (*Function, error) {
	return StartWith(ctx, bin, env, StartOptions{})
}

// StartOptions tune how StartWith waits for the function.
type StartOptions struct {
	// Poll is the fixed interval between attempts to reach the starting
	// function. Zero means Start's backoff (5 ms, doubling to 100 ms), which
	// spares the CPU of a busy test run but can add up to 100 ms to a start;
	// a benchmark that times cold starts polls every few hundred microseconds
	// instead, so the wait adds at most that to what it measures.
	Poll time.Duration
}

// StartWith is Start with opts.
func StartWith(ctx context.Context, bin string, env []string, opts StartOptions) (*Function, error) {
	var err error
	for range startAttempts {
		var f *Function
		f, err = start(ctx, bin, env, opts)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, errPortTaken) {
			return nil, err
		}
	}
	return nil, err
}

// errPortTaken marks a start that failed only because another process bound
// the chosen port first; Start then tries another one.
var errPortTaken = errors.New("scfrpc: port taken")

func start(ctx context.Context, bin string, env []string, opts StartOptions) (*Function, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin)
	// The last value of a repeated name wins in exec, so ours overrides any
	// _LAMBDA_SERVER_PORT the caller passed.
	cmd.Env = append(slices.Clip(env), "_LAMBDA_SERVER_PORT="+port)
	out := &output{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = time.Second
	killWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("scfrpc: start %s: %w", bin, err)
	}
	f := &Function{cmd: cmd, out: out, exited: make(chan struct{})}
	go func() {
		f.waitErr = cmd.Wait()
		close(f.exited)
	}()
	client, err := f.waitReady(ctx, net.JoinHostPort("127.0.0.1", port), opts.Poll)
	if err != nil {
		f.kill()
		if bytes.Contains(out.bytes(), []byte("address already in use")) {
			return nil, fmt.Errorf("%w: %w", errPortTaken, err)
		}
		return nil, err
	}
	f.client = client
	return f, nil
}

// freePort asks the kernel for an unused loopback port. The function binds it
// a moment later; Start retries in the rare case someone else got there first.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("scfrpc: pick a port: %w", err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

// waitReady dials and pings until the function answers, exits, or the bound
// passes, every poll or, when poll is zero, with a backoff. The connection
// that answered is kept for the invocations.
func (f *Function) waitReady(ctx context.Context, addr string, poll time.Duration) (*rpc.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	delay := nextPoll(0, poll)
	for {
		client, err := ping(ctx, addr)
		if err == nil {
			return client, nil
		}
		select {
		case <-f.exited:
			return nil, fmt.Errorf("%w during start-up (%v); its output:\n%s", ErrExited, f.waitErr, f.out.bytes())
		case <-ctx.Done():
			return nil, fmt.Errorf("%w at %s: %w (last attempt: %v)", ErrNotReady, addr, ctx.Err(), err)
		case <-time.After(delay):
			delay = nextPoll(delay, poll)
		}
	}
}

// nextPoll is the wait after one of prev (0 before the first attempt): poll
// when it is set, else a backoff from 5 ms doubling to 100 ms.
func nextPoll(prev, poll time.Duration) time.Duration {
	if poll > 0 {
		return poll
	}
	if prev == 0 {
		return 5 * time.Millisecond
	}
	return min(2*prev, 100*time.Millisecond)
}

func ping(ctx context.Context, addr string) (*rpc.Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	client := rpc.NewClient(conn)
	call := client.Go("Function.Ping", &messages.PingRequest{}, &messages.PingResponse{}, make(chan *rpc.Call, 1))
	select {
	case <-call.Done:
		if call.Error != nil {
			client.Close()
			return nil, call.Error
		}
		return client, nil
	case <-ctx.Done():
		client.Close()
		return nil, ctx.Err()
	}
}

// Output returns everything the function has written to stdout and stderr so
// far: its log. The copy is the caller's.
func (f *Function) Output() []byte { return f.out.bytes() }

// Tee sends the function's output, what was captured so far and everything
// after, to w as well: cmd/local shows the function's log on its stderr live.
func (f *Function) Tee(w io.Writer) { f.out.setTee(w) }

// Pid is the process id, for soak tests that watch the process from outside.
func (f *Function) Pid() int { return f.cmd.Process.Pid }

// Exited is closed once the process has ended, by Close or on its own.
func (f *Function) Exited() <-chan struct{} { return f.exited }

// Close kills the process and waits until it is reaped, so that no function
// outlives the test or command that started it. It is safe to call twice.
func (f *Function) Close() error {
	f.closeOnce.Do(func() {
		if f.client != nil {
			f.client.Close()
		}
		f.kill()
	})
	return nil
}

func (f *Function) kill() {
	// An already exited process makes Kill fail with os.ErrProcessDone; the
	// wait below is what matters.
	_ = f.cmd.Process.Kill()
	<-f.exited
}
