package auth

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// jwksServer is an https JWKS endpoint that counts its requests and serves whatever body and status it is set to.
type jwksServer struct {
	*httptest.Server
	fetches atomic.Int64
	mu      sync.Mutex
	body    string
	status  int
	gate    chan struct{} // when set, each request waits for it to close
}

func newJWKSServer(t *testing.T, body string) *jwksServer {
	t.Helper()
	s := &jwksServer{body: body, status: http.StatusOK}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		body, status, gate := s.body, s.status, s.gate
		s.mu.Unlock()
		if gate != nil {
			<-gate
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(body string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body, s.status = body, status
}

// remoteVerifier builds a Verifier for s's JWKS with a fake clock, MinRefetch 1 minute and TTL 10 minutes.
func remoteVerifier(t *testing.T, s *jwksServer, clock *fakeClock) *Verifier {
	t.Helper()
	v, err := NewVerifier(Config{Issuer: testIssuer, Audience: testAudience, JWKSURL: s.URL + "/jwks.json?tenant=x"},
		Options{HTTPClient: s.Client(), Now: clock.Now, MinRefetch: time.Minute, TTL: 10 * time.Minute})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

// TestJWKSURLCache walks one Verifier through a timeline: each step moves the fake clock, may change what the
// server publishes, verifies a token signed by the key called kid, and checks the outcome and the fetch count.
func TestJWKSURLCache(t *testing.T) {
	k := newKeys(t)
	clock := newClock()
	oldSet := jwks(t, rsaJWK(&k.rsa.PublicKey, "old"))
	bothSet := jwks(t, rsaJWK(&k.rsa.PublicKey, "old"), rsaJWK(&k.rsa2.PublicKey, "new"))
	newSet := jwks(t, rsaJWK(&k.rsa2.PublicKey, "new"))
	srv := newJWKSServer(t, oldSet)
	v := remoteVerifier(t, srv, clock)
	signers := map[string]any{"old": k.rsa, "new": k.rsa2, "forged": k.rsa2}

	steps := []struct {
		name        string
		advance     time.Duration
		publish     string // "" keeps what is published
		kid         string
		want        error
		fragment    string
		wantFetches int64
	}{
		{"first use fetches", 0, "", "old", nil, "", 1},
		{"cached", time.Second, "", "old", nil, "", 1},
		{"unknown kid right after a fetch is not refetched", 0, bothSet, "new", ErrUnauthorized, "unknown kid", 1},
		{"unknown kid again within MinRefetch", 58 * time.Second, "", "new", ErrUnauthorized, "unknown kid", 1},
		{"unknown kid after MinRefetch refetches and finds it", time.Second, "", "new", nil, "", 2},
		{"a forged kid right after is rate-limited", time.Second, "", "forged", ErrUnauthorized, "unknown kid", 2},
		{"a forged kid within MinRefetch stays rate-limited", 30 * time.Second, "", "forged", ErrUnauthorized, "unknown kid", 2},
		{"a forged kid after MinRefetch costs one fetch", 30 * time.Second, "", "forged", ErrUnauthorized, "unknown kid", 3},
		{"known kids keep working without fetches", 5 * time.Minute, newSet, "old", nil, "", 3},
		{"after TTL the set is refreshed and the withdrawn key is gone", 5 * time.Minute, "", "old", ErrUnauthorized, "unknown kid", 4},
		{"the refreshed set is cached again", time.Minute, "", "new", nil, "", 4},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			clock.Advance(st.advance)
			if st.publish != "" {
				srv.set(st.publish, http.StatusOK)
			}
			tok := sign(t, jwt.SigningMethodRS256, signers[st.kid], st.kid, claimsAt(clock.Now(), nil))
			_, err := v.Verify(context.Background(), tok)
			wantErr(t, err, st.want, st.fragment)
			assertNoLeak(t, err, tok)
			if got := srv.fetches.Load(); got != st.wantFetches {
				t.Errorf("fetches = %d; want %d", got, st.wantFetches)
			}
		})
	}
}

// TestJWKSURLStale checks that a failed refresh keeps the cached keys for up to 2×TTL, retried at most once per
// MinRefetch, and that past that the failure reaches the caller as ErrJWKSUnavailable.
func TestJWKSURLStale(t *testing.T) {
	k := newKeys(t)
	clock := newClock()
	srv := newJWKSServer(t, jwks(t, edJWK(k.ed.Public().(ed25519.PublicKey), "ed")))
	v := remoteVerifier(t, srv, clock)

	steps := []struct {
		name        string
		advance     time.Duration
		status      int
		kid         string
		want        error
		wantFetches int64
	}{
		{"first fetch", 0, http.StatusOK, "ed", nil, 1},
		{"refresh fails, stale keys serve", 10 * time.Minute, http.StatusServiceUnavailable, "ed", nil, 2},
		{"no retry within MinRefetch", 30 * time.Second, http.StatusServiceUnavailable, "ed", nil, 2},
		{"retry after MinRefetch, still stale", 30 * time.Second, http.StatusServiceUnavailable, "ed", nil, 3},
		{"an unknown kid while the provider is down", time.Minute, http.StatusServiceUnavailable, "other", ErrJWKSUnavailable, 4},
		{"at 2×TTL stale keys are no longer trusted", 8 * time.Minute, http.StatusServiceUnavailable, "ed", ErrJWKSUnavailable, 5},
		{"without usable keys a failure is remembered", 0, http.StatusServiceUnavailable, "ed", ErrJWKSUnavailable, 5},
		{"still remembered, though the provider is back", 9 * time.Second, http.StatusOK, "ed", ErrJWKSUnavailable, 5},
		{"recovery once the failure is 10 s old", time.Second, http.StatusOK, "ed", nil, 6},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			clock.Advance(st.advance)
			srv.mu.Lock()
			srv.status = st.status
			srv.mu.Unlock()
			tok := sign(t, jwt.SigningMethodEdDSA, k.ed, st.kid, claimsAt(clock.Now(), nil))
			_, err := v.Verify(context.Background(), tok)
			wantErr(t, err, st.want, "")
			assertNoLeak(t, err, tok)
			if errors.Is(err, ErrUnauthorized) {
				t.Errorf("err = %v; a fetch failure must not look like a bad token", err)
			}
			if got := srv.fetches.Load(); got != st.wantFetches {
				t.Errorf("fetches = %d; want %d", got, st.wantFetches)
			}
		})
	}
}

func TestJWKSURLFailures(t *testing.T) {
	k := newKeys(t)
	tok := sign(t, jwt.SigningMethodRS256, k.rsa, "a", claimsAt(epoch, nil))
	good := jwks(t, rsaJWK(&k.rsa.PublicKey, "a"))
	tests := []struct {
		name     string
		status   int
		body     string
		setup    func(s *jwksServer)
		ctx      func() context.Context
		fragment string
	}{
		{name: "HTTP 500", status: 500, body: good, fragment: "HTTP status 500"},
		{name: "not JSON", status: 200, body: "<html>login</html>", fragment: "not valid JSON"},
		{name: "no usable key", status: 200, body: `{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`, fragment: "no RS256, ES256 or EdDSA"},
		{name: "too large", status: 200, body: `{"keys":[], "pad":"` + strings.Repeat("x", maxJWKSBytes) + `"}`, fragment: "larger than"},
		{name: "server down", status: 200, body: good, setup: func(s *jwksServer) { s.Close() }, fragment: "GET https://127.0.0.1"},
		{name: "redirect to http", status: 200, body: good, setup: func(s *jwksServer) {
			s.Config.Handler = http.RedirectHandler("http://127.0.0.1:1/jwks.json", http.StatusFound)
		}, fragment: "non-https"},
		{name: "context cancelled", status: 200, body: good, ctx: func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, fragment: "canceled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newJWKSServer(t, tc.body)
			srv.set(tc.body, tc.status)
			if tc.setup != nil {
				tc.setup(srv)
			}
			v := remoteVerifier(t, srv, newClock())
			ctx := context.Background()
			if tc.ctx != nil {
				ctx = tc.ctx()
			}
			_, err := v.Verify(ctx, tok)
			wantErr(t, err, ErrJWKSUnavailable, tc.fragment)
			assertNoLeak(t, err, tok)
			if strings.Contains(err.Error(), "tenant=x") {
				t.Errorf("err = %q; want the URL's query left out", err)
			}
		})
	}
}

// TestJWKSURLNoStampede starts many Verify calls while the first fetch is held open; however they interleave,
// exactly one request reaches the server and every call succeeds.
func TestJWKSURLNoStampede(t *testing.T) {
	k := newKeys(t)
	clock := newClock()
	srv := newJWKSServer(t, jwks(t, ecJWK(t, &k.ec.PublicKey, "ec")))
	gate := make(chan struct{})
	srv.mu.Lock()
	srv.gate = gate
	srv.mu.Unlock()
	v := remoteVerifier(t, srv, clock)
	tok := sign(t, jwt.SigningMethodES256, k.ec, "ec", claimsAt(clock.Now(), nil))

	const callers = 16
	errs := make(chan error, callers)
	for range callers {
		go func() {
			_, err := v.Verify(context.Background(), tok)
			errs <- err
		}()
	}
	for srv.fetches.Load() == 0 { // the first fetch is in the handler, held by the gate
		time.Sleep(time.Millisecond)
	}
	close(gate)
	for range callers {
		if err := <-errs; err != nil {
			t.Errorf("Verify: %v", err)
		}
	}
	if got := srv.fetches.Load(); got != 1 {
		t.Errorf("fetches = %d; want 1", got)
	}
}

// TestJWKSURLEmptyCacheIsRateLimited: with no keys yet and the provider failing, every token used to trigger a
// fetch (20 forged tokens, 20 requests to the identity provider). The unknown-kid rule holds for an empty cache
// too: one fetch, its failure remembered for failureTTL, then one more.
func TestJWKSURLEmptyCacheIsRateLimited(t *testing.T) {
	k := newKeys(t)
	clock := newClock()
	srv := newJWKSServer(t, "down")
	srv.set("down", http.StatusBadGateway)
	v := remoteVerifier(t, srv, clock)
	for i := range 20 {
		tok := sign(t, jwt.SigningMethodEdDSA, k.ed, fmt.Sprint("forged-", i), claimsAt(clock.Now(), nil))
		_, err := v.Verify(context.Background(), tok)
		wantErr(t, err, ErrJWKSUnavailable, "HTTP status 502")
		clock.Advance(400 * time.Millisecond) // 20 tokens in 8 s
	}
	if got := srv.fetches.Load(); got != 1 {
		t.Errorf("fetches = %d after 20 tokens in 8 s; want 1", got)
	}
	clock.Advance(2 * time.Second)
	tok := sign(t, jwt.SigningMethodEdDSA, k.ed, "forged-again", claimsAt(clock.Now(), nil))
	_, err := v.Verify(context.Background(), tok)
	wantErr(t, err, ErrJWKSUnavailable, "")
	if got := srv.fetches.Load(); got != 2 {
		t.Errorf("fetches = %d once the failure is 10 s old; want 2", got)
	}
}

// TestJWKSURLFetchOutlivesItsFirstCaller: the single fetch used to run under the context of the caller that
// started it, so its deadline cancelled the fetch for everyone waiting. The fetch runs on its own timeout: the
// first caller gives up at its deadline, a patient one gets the keys.
func TestJWKSURLFetchOutlivesItsFirstCaller(t *testing.T) {
	k := newKeys(t)
	clock := newClock()
	srv := newJWKSServer(t, jwks(t, ecJWK(t, &k.ec.PublicKey, "ec")))
	gate := make(chan struct{})
	srv.mu.Lock()
	srv.gate = gate
	srv.mu.Unlock()
	v := remoteVerifier(t, srv, clock)
	tok := sign(t, jwt.SigningMethodES256, k.ec, "ec", claimsAt(clock.Now(), nil))

	hurried, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := v.Verify(hurried, tok)
		first <- err
	}()
	for srv.fetches.Load() == 0 { // the first caller's fetch has reached the server and is held there
		time.Sleep(time.Millisecond)
	}
	second := make(chan error, 1)
	go func() {
		_, err := v.Verify(context.Background(), tok) // no deadline: it waits for the fetch under way
		second <- err
	}()
	cancel() // the first caller's deadline passes
	if err := <-first; !errors.Is(err, ErrJWKSUnavailable) || !errors.Is(err, context.Canceled) {
		t.Errorf("first caller: %v; want ErrJWKSUnavailable wrapping its own context's end", err)
	}
	close(gate)
	if err := <-second; err != nil {
		t.Errorf("second caller: %v; want the keys the fetch brought", err)
	}
	if got := srv.fetches.Load(); got != 1 {
		t.Errorf("fetches = %d; want 1", got)
	}
}
