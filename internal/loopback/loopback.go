// Package loopback serves HTTP on the local machine only. The STS and COS emulators accept whatever a valid key
// sends and hand out keys to anyone who signs, so they must never be reachable from another machine; this is the
// one place their listeners are opened, checked and closed.
package loopback

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// ErrStarted is returned by Start and StartOn on a server that is already listening: one server, one listener.
var ErrStarted = errors.New("already started")

// Server serves Handler on one loopback listener. Set Handler (and ConnState, if wanted) before starting it; its
// methods are safe for concurrent use after that.
type Server struct {
	Handler   http.Handler
	ConnState func(net.Conn, http.ConnState) // as http.Server's

	mu  sync.Mutex
	ln  net.Listener
	srv *http.Server
}

// Start listens on addr (default "127.0.0.1:0", a free port) and serves in the background; Addr is set when it
// returns. An address that is not a loopback one is refused.
func (s *Server) Start(addr string) error {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := check(addr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return s.StartOn(ln)
}

// StartOn serves on ln in the background, for a caller that took its port first. A listener that is not on a
// loopback address, or one given to a server already listening, is closed and refused.
func (s *Server) StartOn(ln net.Listener) error {
	if err := check(ln.Addr().String()); err != nil {
		ln.Close()
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		ln.Close()
		return ErrStarted
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s.Handler, ConnState: s.ConnState, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln) //nolint:errcheck // Serve returns ErrServerClosed after Close.
	return nil
}

// check refuses an address that is not a loopback one.
func check(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("serve on a loopback address, not %q", addr)
	}
	return nil
}

// Addr is "127.0.0.1:port"; "" before Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops listening and drops open connections. It may be called before Start, and more than once.
func (s *Server) Close() {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv != nil {
		srv.Close() //nolint:errcheck // closing what is already gone is fine
	}
}
