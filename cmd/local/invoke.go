package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/uuid"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
)

// functionName is what the function sees as its name in the invocation
// context, as if deployed with serverless.yml.
const functionName = "cos-sts-scf"

// overrun is how long past the deadline the tool still waits for a reply, so
// that a function that ignores its deadline is reported instead of hanging.
const overrun = time.Second

func runInvoke(ctx context.Context, args []string, c cli) int {
	fs := flag.NewFlagSet("invoke", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() { fmt.Fprint(c.stderr, usage) }
	timeout := fs.Duration("timeout", scfrpc.DefaultTimeout, "the invocation's deadline from now, as the function's SCF timeout")
	raw := fs.Bool("raw", false, "print the reply payload exactly as the function returned it")
	bin := fs.String("bin", "", "run this function binary instead of building the module")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(c.stderr, "local: invoke takes one event: a JSON file, or - for stdin\n\n%s", usage)
		return exitUsage
	}
	event, err := readEvent(fs.Arg(0), c.stdin)
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		return exitFail
	}

	s, err := startSession(ctx, *bin, c)
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		return exitFail
	}
	deadline := time.Now().Add(*timeout)
	ctx, cancel := context.WithDeadline(ctx, deadline.Add(overrun))
	defer cancel()
	reply, err := s.fn.Invoke(ctx, scfrpc.Invocation{
		Payload:      event,
		RequestID:    uuid.New(),
		Deadline:     deadline,
		Environment:  s.env,
		FunctionName: functionName,
	})
	// Closing first flushes the function's last log lines to stderr, so they
	// come before the reply, as they happened.
	s.Close()
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		return exitFail
	}
	if reply.Error != nil {
		printFunctionError(c.stderr, reply.Error)
		return exitFail
	}
	if *raw {
		_, err = c.stdout.Write(append(reply.Payload, '\n'))
	} else {
		err = printReply(c.stdout, reply.Payload)
	}
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		return exitFail
	}
	return exitOK
}

// readEvent reads the event from a file or, for "-", stdin. SCF accepts only
// JSON events, so anything else is refused here rather than by the function.
func readEvent(name string, stdin io.Reader) ([]byte, error) {
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(stdin)
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, fmt.Errorf("local: read event: %w", err)
	}
	if !json.Valid(b) {
		return nil, fmt.Errorf("local: the event in %s is not valid JSON", name)
	}
	return b, nil
}
