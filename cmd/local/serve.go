package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/uuid"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
)

// maxEventBody is SCF's limit on a synchronous invocation's payload; a Function
// URL refuses larger requests before the function sees them.
const maxEventBody = 6 << 20

// shutdownGrace bounds how long serve waits for requests in flight after
// Ctrl-C.
const shutdownGrace = 5 * time.Second

func runServe(ctx context.Context, args []string, c cli) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() { fmt.Fprint(c.stderr, usage) }
	addr := fs.String("addr", "127.0.0.1:9000", "where to listen for HTTP")
	timeout := fs.Duration("timeout", scfrpc.DefaultTimeout, "each invocation's deadline from its arrival, as the function's SCF timeout")
	bin := fs.String("bin", "", "run this function binary instead of building the module")
	d := demoFlags(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(c.stderr, "local: serve takes no arguments\n\n%s", usage)
		return exitUsage
	}
	// Listen before building, so a busy port fails at once.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(c.stderr, "local: %v\n", err)
		return exitFail
	}
	if d.enabled {
		if err = d.listen(); err != nil {
			ln.Close()
			fmt.Fprintln(c.stderr, err)
			return exitFail
		}
		defer d.close()
	}
	var adjust []func(map[string]string)
	if d.enabled {
		adjust = append(adjust, func(env map[string]string) { d.configure(env, c.stderr) })
	}
	s, err := startSession(ctx, *bin, c, adjust...)
	if err != nil {
		ln.Close()
		fmt.Fprintln(c.stderr, err)
		return exitFail
	}
	defer s.Close()
	if d.enabled {
		if err := d.start(ctx, s, "http://"+ln.Addr().String()+"/", c); err != nil {
			ln.Close()
			fmt.Fprintln(c.stderr, err)
			return exitFail
		}
	}

	srv := &http.Server{
		Handler:           &gateway{fn: s.fn, env: s.env, timeout: *timeout, log: c.stderr},
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Fprintf(c.stderr, "local: serving the function at http://%s/ : each request becomes a Function URL event. Ctrl-C stops.\n", ln.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		fmt.Fprintf(c.stderr, "local: %v\n", err)
		return exitFail
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		fmt.Fprintf(c.stderr, "local: shutdown: %v\n", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(c.stderr, "local: %v\n", err)
	}
	return exitOK
}

// invoker is the part of *scfrpc.Function the gateway needs.
type invoker interface {
	Invoke(context.Context, scfrpc.Invocation) (scfrpc.Reply, error)
}

// gateway plays the Function URL trigger: request in, event to the function,
// integration response back out as HTTP.
type gateway struct {
	fn      invoker
	env     map[string]string
	timeout time.Duration
	log     io.Writer
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEventBody))
	if err != nil {
		http.Error(w, "local: the request body is unreadable or larger than SCF accepts", http.StatusRequestEntityTooLarge)
		return
	}
	payload, err := json.Marshal(functionURLEvent(r, body))
	if err != nil {
		g.fail(w, r, fmt.Errorf("local: encode event: %w", err))
		return
	}
	id := uuid.New()
	deadline := time.Now().Add(g.timeout)
	ctx, cancel := context.WithDeadline(r.Context(), deadline.Add(overrun))
	defer cancel()
	reply, err := g.fn.Invoke(ctx, scfrpc.Invocation{
		Payload:      payload,
		RequestID:    id,
		Deadline:     deadline,
		Environment:  g.env,
		FunctionName: functionName,
	})
	if err != nil {
		g.fail(w, r, err)
		return
	}
	if reply.Error != nil {
		printFunctionError(g.log, reply.Error)
		g.fail(w, r, errors.New("local: the function failed; its error is in the log"))
		return
	}
	hr, ok, err := parseHTTPReply(reply.Payload)
	if err != nil {
		g.fail(w, r, err)
		return
	}
	if !ok {
		// A result without statusCode is sent as a 200 JSON body, as Function
		// URLs do.
		hr = httpReply{status: http.StatusOK, headers: map[string][]string{"Content-Type": {"application/json"}}, body: reply.Payload}
	}
	if hr.status < 100 || hr.status > 999 {
		g.fail(w, r, fmt.Errorf("local: the function answered statusCode %d", hr.status))
		return
	}
	for name, values := range hr.headers {
		for _, v := range values {
			w.Header().Add(name, v)
		}
	}
	w.WriteHeader(hr.status)
	w.Write(hr.body) //nolint:errcheck // the client went away; nothing to tell it
	fmt.Fprintf(g.log, "local: %s %s -> %d (request %s)\n", r.Method, r.URL.RequestURI(), hr.status, id)
}

// fail answers 502, as a trigger does when the function gives no usable reply.
func (g *gateway) fail(w http.ResponseWriter, r *http.Request, err error) {
	fmt.Fprintf(g.log, "local: %s %s -> 502: %v\n", r.Method, r.URL.RequestURI(), err)
	http.Error(w, err.Error(), http.StatusBadGateway)
}
