package stsemu

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/loopback"
)

// ErrStarted is returned by Start when the server is already listening: one
// Server serves one address, so tests never wonder which port they hit.
var ErrStarted = loopback.ErrStarted

// Options configures a Server. The zero value is usable but knows no keys, so
// every signed call fails with AuthFailure.SecretIdNotFound.
type Options struct {
	// Keys are the account's permanent keys: SecretId → SecretKey.
	Keys map[string]string
	// AppID is the account's APPID; policy resources must lie under
	// uid/<AppID>, as STS refuses grants on another account's buckets.
	// Default "1250000000".
	AppID string
	// Now is the emulator's clock (default time.Now); tests move it to
	// provoke AuthFailure.SignatureExpire.
	Now func() time.Time
	// MaxSkew is the allowed |X-TC-Timestamp - now| (default 5m, as STS).
	MaxSkew time.Duration
	// Logf, when set, gets one line per call. It never receives a secret key,
	// a temporary secret key or a token.
	Logf func(format string, args ...any)
}

// Server is the emulator. Its methods are safe for concurrent use.
type Server struct {
	opts Options

	mu     sync.Mutex
	calls  []Call
	faults []*queuedFault
	gen    uint64             // counts Resets: a call that began before one is not recorded after it
	temp   map[string]tempKey // temporary SecretId → its key, token and expiry

	issued   []IssuedCredential // every credential issued, in order; Reset keeps it
	issuedAt map[string]int     // TmpSecretId → its index in issued

	conns     atomic.Int64
	closing   chan struct{}
	closeOnce sync.Once
	web       loopback.Server
}

// tempKey is a temporary credential the emulator issued: it is valid only
// with its token and only until it expires, as with real STS.
type tempKey struct {
	secretKey string
	token     string
	expires   time.Time
}

// New returns a Server that is not yet listening; call Start, or mount it as
// an http.Handler (then Connections stays 0).
func New(opts Options) *Server {
	keys := make(map[string]string, len(opts.Keys))
	for id, key := range opts.Keys {
		keys[id] = key
	}
	opts.Keys = keys
	if opts.AppID == "" {
		opts.AppID = "1250000000"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxSkew <= 0 {
		opts.MaxSkew = 5 * time.Minute
	}
	s := &Server{
		opts:     opts,
		temp:     make(map[string]tempKey),
		issuedAt: make(map[string]int),
		closing:  make(chan struct{}),
	}
	s.web.Handler = s
	s.web.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	return s
}

// Start listens on 127.0.0.1 on a free port and serves in the background.
// Loopback only: the emulator accepts any well-signed call, so it must never
// be reachable from another machine.
func (s *Server) Start() error {
	if err := s.web.Start(""); err != nil {
		return fmt.Errorf("stsemu: %w", err)
	}
	return nil
}

// Addr is "127.0.0.1:port", the form STS_ENDPOINT and issuer.Endpoint.Host
// take; "" before Start.
func (s *Server) Addr() string { return s.web.Addr() }

// URL is "http://127.0.0.1:port"; "" before Start.
func (s *Server) URL() string {
	if a := s.Addr(); a != "" {
		return "http://" + a
	}
	return ""
}

// Close stops listening, drops open connections and ends in-flight Delay
// faults at once, so a test's cleanup never waits for a hang it injected.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	s.web.Close()
}

// Connections counts the TCP connections accepted since Start. A client that
// reuses its connection pool makes two calls over one connection.
func (s *Server) Connections() int {
	return int(s.conns.Load())
}

// NewRoleKeys mints temporary keys like those SCF hands an execution role:
// they authenticate only together with the token in X-TC-Token, and only
// until ttl has passed on the emulator's clock.
func (s *Server) NewRoleKeys(ttl time.Duration) (secretID, secretKey, token string) {
	c := newCredentials()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.temp[c.TmpSecretId] = tempKey{secretKey: c.TmpSecretKey, token: c.Token, expires: s.opts.Now().Add(ttl)}
	return c.TmpSecretId, c.TmpSecretKey, c.Token
}

// Calls returns a copy of every call received, in arrival order, failed and
// faulted ones included.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	copy(out, s.calls)
	return out
}

// Reset forgets recorded calls and queued faults. Keys stay valid, and the
// record of issued credentials (Issued) stays whole.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
	s.faults = nil
	s.gen++
}

// generation is the number of Resets so far; ServeHTTP notes it when a call arrives.
func (s *Server) generation() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen
}

// record keeps c, unless a Reset came after it arrived (in gen): a hung call that ends after a test moved on
// belongs to the test before, and must not show up in the next one's Calls.
func (s *Server) record(c Call, gen uint64) {
	s.mu.Lock()
	if gen != s.gen {
		s.mu.Unlock()
		return
	}
	s.calls = append(s.calls, c)
	s.mu.Unlock()
	if s.opts.Logf != nil {
		result := c.ErrorCode
		if result == "" {
			result = "ok"
		}
		// The SecretId identifies a key but is not a secret; the key, the
		// token and the issued credentials are never passed on.
		s.opts.Logf("stsemu: %s %s secretId=%s -> %s", c.Action, c.RequestID, c.SecretID, result)
	}
}
