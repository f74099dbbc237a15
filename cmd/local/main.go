// Command local runs the function on a developer's machine the way SCF runs
// it: it builds the real binary, starts it with _LAMBDA_SERVER_PORT and speaks
// SCF's net/rpc protocol to it (internal/scfrpc). With no STS_ENDPOINT it also
// starts the STS emulator (internal/stsemu), so no Tencent Cloud account is
// needed to try a request end to end. The demo configuration is used only when
// no STS_* variable is set (config.go), the same in every command.
//
//	go run ./cmd/local invoke EVENT.json|-
//	go run ./cmd/local serve [-addr 127.0.0.1:9000] [-demo]
//	go run ./cmd/local explain [-scope NAME] [EVENT.json|-]
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

const usage = `usage:
  go run ./cmd/local invoke [-timeout 3s] [-raw] [-bin PATH] EVENT.json|-
  go run ./cmd/local serve  [-addr 127.0.0.1:9000] [-timeout 3s] [-bin PATH]
                            [-demo [-cos-addr 127.0.0.1:9001] [-demo-addr 127.0.0.1:9002]]
  go run ./cmd/local explain [-scope NAME] [EVENT.json|-]

invoke  sends one event (a file, or - for stdin) to the function and prints
        the reply: "HTTP <status>", the headers and the JSON body for an API
        Gateway or Function URL event, the JSON result for anything else.
serve   answers HTTP on -addr; each request becomes a Function URL event.
        -demo also serves a COS emulator that judges the minted keys, and a
        page (cos-js-sdk-v5, installed with npm) that uploads with them.
explain prints what the configuration would grant for the event (default {}):
        the scope, the exact policy, its resources, conditions and warnings.
        No keys are read and STS is not called.

All three give the function every STS_* and TENCENTCLOUD_* variable of your
environment (a relative STS_SCOPES_FILE is taken from the current directory).
Only when no STS_* variable is set at all do they use a demo configuration
(bucket examplebucket-1250000000, folder uploads/), and say so; set any one
and nothing is filled in. invoke and serve build the function from this module
(or run -bin); without STS_ENDPOINT they start a local STS emulator, whose
credentials work only there, and, when you set no keys, hand the function
execution-role keys as SCF does (these mint only with STS_ROLE_ARN).
`

// Exit codes: a reply was printed, the function or the tool failed, the
// command line was wrong.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// cli is the process's outside world, passed in so tests can run commands
// in-process.
type cli struct {
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer // also receives the function's own log, from another goroutine
	environ []string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, environ: os.Environ()})
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, c cli) int {
	c.stderr = &lockedWriter{w: c.stderr}
	if len(args) == 0 {
		fmt.Fprint(c.stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "invoke":
		return runInvoke(ctx, args[1:], c)
	case "serve":
		return runServe(ctx, args[1:], c)
	case "explain":
		return runExplain(ctx, args[1:], c)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(c.stdout, usage)
		return exitOK
	}
	fmt.Fprintf(c.stderr, "local: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// lockedWriter serialises writes: the function's log arrives from exec's
// copying goroutine while serve's handlers report from theirs.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
