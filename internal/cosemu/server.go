package cosemu

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/loopback"
	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// Key is a SecretId's secret key and what limits it.
type Key struct {
	SecretKey string
	// Token is the x-cos-security-token that must come with a temporary
	// key; "" for a permanent key, which needs none.
	Token string
	// Expires is when the key stops working; zero for never.
	Expires time.Time
	// Policy is the CAM policy JSON the key is limited to. A key without one
	// is refused everything: the emulator models no account or role rights.
	Policy string
}

// FromSTS looks keys up among those the STS emulator issued, with the policy
// each was cut down to.
func FromSTS(s *stsemu.Server) func(secretID string) (Key, bool) {
	return func(secretID string) (Key, bool) {
		ic, ok := s.LookupIssued(secretID)
		if !ok {
			return Key{}, false
		}
		return Key{SecretKey: ic.TmpSecretKey, Token: ic.Token, Expires: time.Unix(ic.ExpiredTime, 0), Policy: ic.Policy}, true
	}
}

// Bucket is a bucket the emulator serves: its name with the APPID suffix
// (examplebucket-1250000000) and its region.
type Bucket struct{ Name, Region string }

// CORSRule is one of a bucket's CORS rules, as COS's PUT Bucket cors takes
// them. An origin may hold one "*" (http://*.example.com); "*" alone allows
// every origin; AllowedHeaders "*" allows every request header.
type CORSRule struct {
	AllowedOrigins []string
	AllowedMethods []string // PUT, GET, POST, DELETE, HEAD
	AllowedHeaders []string
	ExposeHeaders  []string
	MaxAgeSeconds  int
}

// Options configures a Server.
type Options struct {
	// Buckets are the buckets served, addressed as COS does by host name:
	// <bucket>.cos.<region>.<anything>, so an SDK's real bucket URL works
	// once its connections lead here (Client), and a browser reaches
	// http://<bucket>.cos.<region>.localhost:<port> with no DNS at all.
	Buckets []Bucket
	// Keys finds a SecretId's key; FromSTS for keys the STS emulator issued.
	Keys func(secretID string) (Key, bool)
	// Now is the emulator's clock (default time.Now): expiry of keys and of
	// signatures is judged by it.
	Now func() time.Time
	// MaxObjectBytes caps one object, one simple upload and one part
	// (default 32 MiB); MaxStoredBytes caps everything held (default 256 MiB).
	MaxObjectBytes, MaxStoredBytes int64
	// CORS are the rules every bucket answers browsers with; none means
	// cross-origin requests are refused, as a bucket without CORS refuses them.
	CORS []CORSRule
	// Logf, when set, gets one line per request. It never receives a key,
	// a token or a signature.
	Logf func(format string, args ...any)
}

// Request is one request as the emulator judged it.
type Request struct {
	Action   string // the CAM action, "name/cos:PutObject"; "" when none was determined
	Bucket   string
	Key      string
	SecretID string
	Origin   string
	Status   int
	Code     string // COS's error code; "" on success
}

// Server is the emulator. Its methods are safe for concurrent use.
type Server struct {
	opts Options

	mu       sync.Mutex
	objects  map[string]map[string]*object // bucket → key → object
	uploads  map[string]*upload            // upload id → multipart upload
	stored   int64
	requests []Request

	web loopback.Server
}

// ErrStarted is returned by Start on a server that is already listening.
var ErrStarted = loopback.ErrStarted

// New returns a Server that is not yet listening; call Start, or mount it as
// an http.Handler.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxObjectBytes <= 0 {
		opts.MaxObjectBytes = 32 << 20
	}
	if opts.MaxStoredBytes <= 0 {
		opts.MaxStoredBytes = 256 << 20
	}
	if opts.Keys == nil {
		opts.Keys = func(string) (Key, bool) { return Key{}, false }
	}
	s := &Server{opts: opts, objects: map[string]map[string]*object{}, uploads: map[string]*upload{}}
	s.web.Handler = s
	return s
}

// Start listens on addr (default "127.0.0.1:0", a loopback address: the emulator stores whatever a valid key
// sends, so it must never be reachable from another machine) and serves in the background; Addr is set when it
// returns.
func (s *Server) Start(addr string) error { return named(s.web.Start(addr)) }

// StartOn serves on ln, which must be on a loopback address, in the background, for a caller that took its port
// first.
func (s *Server) StartOn(ln net.Listener) error { return named(s.web.StartOn(ln)) }

func named(err error) error {
	if err != nil {
		return fmt.Errorf("cosemu: %w", err)
	}
	return nil
}

// Addr is "127.0.0.1:port"; "" before Start.
func (s *Server) Addr() string { return s.web.Addr() }

// Close stops listening and drops open connections.
func (s *Server) Close() { s.web.Close() }

// BucketHost is the host name COS gives a bucket, <bucket>.cos.<region>.myqcloud.com.
func BucketHost(b Bucket) string { return b.Name + ".cos." + b.Region + ".myqcloud.com" }

// Client returns an HTTP client whose every connection, whatever host its
// URL names, goes to the emulator: an SDK configured with a bucket's real
// URL (BucketHost) then talks to it unchanged. from is the loopback address
// to connect from ("" lets the kernel choose 127.0.0.1), so that a test can
// come from another IP than the one credentials were bound to.
func (s *Server) Client(from string) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if from != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
	}
	addr := s.Addr()
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 4,
	}}
}

// Requests returns every request judged so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Object returns a stored object's content and content type.
func (s *Server) Object(bucket, key string) (data []byte, contentType string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[bucket][key]
	if !ok {
		return nil, "", false
	}
	return slices.Clone(o.data), o.contentType, true
}

// Keys lists a bucket's object keys, sorted.
func (s *Server) Keys(bucket string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.objects[bucket] {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r)
	s.mu.Unlock()
	if s.opts.Logf != nil {
		result := r.Code
		if result == "" {
			result = "ok"
		}
		s.opts.Logf("cosemu: %s %s/%s secretId=%s -> %d %s", strings.TrimPrefix(r.Action, "name/cos:"), r.Bucket, r.Key, r.SecretID, r.Status, result)
	}
}

// bucketOf finds the bucket a Host header addresses.
func (s *Server) bucketOf(host string) (Bucket, bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	labels := strings.Split(strings.ToLower(host), ".")
	if len(labels) < 3 || labels[1] != "cos" {
		return Bucket{}, false
	}
	for _, b := range s.opts.Buckets {
		if b.Name == labels[0] && b.Region == labels[2] {
			return b, true
		}
	}
	return Bucket{}, false
}

// newID is a random hex id of n characters.
func newID(n int) string {
	b := make([]byte, (n+1)/2)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails (Go ≥ 1.24)
	return hex.EncodeToString(b)[:n]
}
