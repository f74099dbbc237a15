package e2e_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// TestHostilePlainHTTPEndpoint: STS_ENDPOINT=http://… was accepted silently, so the role's X-TC-Token and the
// minted keys would cross the network in clear text. http:// is for a loopback host (the emulator) only.
func TestHostilePlainHTTPEndpoint(t *testing.T) {
	h := newHarness(t, nil)
	for i, ep := range []string{"http://sts.tencentcloudapi.com", "http://10.0.0.8:8080", "HTTP://sts.internal.tencentcloudapi.com"} {
		id := fmt.Sprintf("plain-%d", i)
		r := hostileCall(t, h, hostilePost(`{"dryRun":true}`), id, map[string]string{"STS_ENDPOINT": ep})
		wantError(t, ep, r, 500, "ConfigError")
		// The problem is logged before the invocation's own line; the pipe may lag the reply, so wait for that line.
		if _, ok := waitLogLine(h, id); !ok {
			t.Fatalf("%s: no log line for invocation %s", ep, id)
		}
		if log := string(h.fn.Output()); !strings.Contains(log, "STS_ENDPOINT") || !strings.Contains(log, "loopback") {
			t.Errorf("%s: the log does not name STS_ENDPOINT and the loopback rule:\n%s", ep, log)
		}
	}
	// The emulator, on a loopback address, still works (h.env's STS_ENDPOINT is http://127.0.0.1:port).
	if r := hostileCall(t, h, hostilePost(`{}`), "loopback", nil); r.status != 200 {
		t.Errorf("loopback emulator: status %d; want 200 (%.300s)", r.status, r.raw)
	}
}

// jwksServer is an identity provider's JWKS endpoint over TLS, trusted by the function through SSL_CERT_FILE.
type jwksServer struct {
	*httptest.Server
	fetches atomic.Int32
	pub     ed25519.PublicKey
	key     ed25519.PrivateKey
	// hold, when set, is waited on before answering; failing makes every answer a 500.
	hold    chan struct{}
	started chan struct{} // receives when a fetch arrives
	failing bool
}

func newJWKSServer(t *testing.T, failing bool, hold chan struct{}) (*jwksServer, map[string]string) {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &jwksServer{pub: pub, key: key, hold: hold, failing: failing, started: make(chan struct{}, 100)}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.started <- struct{}{}
		if s.hold != nil {
			select {
			case <-s.hold:
			case <-r.Context().Done():
				return
			}
		}
		if s.failing {
			http.Error(w, "identity provider down", http.StatusInternalServerError)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"keys": []any{map[string]string{
			"kty": "OKP", "crv": "Ed25519", "kid": "k1", "alg": "EdDSA", "use": "sig",
			"x": base64.RawURLEncoding.EncodeToString(pub),
		}}})
	}))
	t.Cleanup(s.Close)
	cert := filepath.Join(t.TempDir(), "idp.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	if err := os.WriteFile(cert, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	env := hostileJWTEnv(hostileTeam)
	env["STS_JWT_SECRET"] = ""
	env["STS_JWKS_URL"] = s.URL + "/jwks.json"
	env["SSL_CERT_FILE"] = cert
	return s, env
}

// TestHostileJWKSFetchIsRateLimited: while the key cache was empty, every unauthenticated request triggered a
// fetch of STS_JWKS_URL (20 bogus tokens, 20 outbound connections). A failed fetch is remembered briefly, and
// the unknown-kid limit holds for an empty cache too.
func TestHostileJWKSFetchIsRateLimited(t *testing.T) {
	idp, env := newJWKSServer(t, true, nil)
	h := newHarness(t, env)
	for i := range 20 {
		token := hostileEdDSA(idp.key, fmt.Sprintf("forged-%d", i), hostileClaims(map[string]any{"sub": "mallory"}))
		r := hostileCall(t, h, bearer(token, map[string]any{"scope": "team"}), fmt.Sprintf("forged-%d", i), nil)
		wantError(t, "a token while the JWKS is down", r, 502, "UpstreamError", "STS_JWKS_URL")
	}
	if n := idp.fetches.Load(); n != 1 {
		t.Errorf("20 requests with an empty key cache fetched the JWKS %d times; want 1", n)
	}
}

// TestHostileJWKSFetchOutlivesItsFirstCaller: the single-flight fetch ran under the first caller's context, so a
// caller with little time left started it and a caller with plenty of time, waiting on it, got a 504 when the
// first one's deadline cancelled it. The fetch runs on its own timeout.
func TestHostileJWKSFetchOutlivesItsFirstCaller(t *testing.T) {
	hold := make(chan struct{})
	idp, env := newJWKSServer(t, false, hold)
	h := newHarness(t, env)
	token := hostileEdDSA(idp.key, "k1", hostileClaims(map[string]any{"sub": "alice"}))
	event := bearer(token, map[string]any{"scope": "team"})

	var wg sync.WaitGroup
	var short, long []byte
	var shortErr, longErr error
	wg.Add(1)
	go func() { // the first caller, with 800 ms left
		defer wg.Done()
		r, _, err := h.send(event, "jwks-short", 800*time.Millisecond, nil)
		short, shortErr = r.Payload, err
	}()
	<-idp.started // its fetch has reached the identity provider
	done := make(chan struct{})
	go func() { // the second caller, with the serverless.yml timeout
		defer close(done)
		r, _, err := h.send(event, "jwks-long", 10*time.Second, nil)
		long, longErr = r.Payload, err
	}()
	wg.Wait() // the first caller has been answered: its deadline passed
	close(hold)
	<-done
	if shortErr != nil || longErr != nil {
		t.Fatalf("invoke: %v, %v", shortErr, longErr)
	}
	h.keep(short)
	h.keep(long)
	if r := hostileParse(t, short, false); r.status != 504 {
		t.Errorf("the caller with 800 ms left: status %d; want 504 (%.300s)", r.status, r.raw)
	}
	if r := hostileParse(t, long, false); r.status != 200 {
		t.Errorf("the caller with 10 s left: status %d; want 200 (%.300s)", r.status, r.raw)
	}
	if n := idp.fetches.Load(); n != 1 {
		t.Errorf("the JWKS was fetched %d times; want 1 (the second caller waits for the first fetch)", n)
	}
}

// TestHostileSTSErrorsAreNotEchoed: STS's Error.Code and RequestId were copied into the caller's reply and the
// log, so a misbehaving STS (or a proxy in front of it) echoing the signing key or the role token got it to the
// caller. Only a code of STS's grammar and a request id that looks like one are passed on, and the log masks
// even a 20-character prefix of a secret.
func TestHostileSTSErrorsAreNotEchoed(t *testing.T) {
	h := newHarness(t, nil)
	prefix := h.secrets[0][:20] // the permanent secret key, cut short as an echo would cut it
	body, _ := json.Marshal(map[string]any{"Response": map[string]any{
		"Error":     map[string]string{"Code": "AuthFailure.SignatureFailure X-TC-Token=" + prefix, "Message": "signed with " + prefix + "…"},
		"RequestId": prefix + "<script>",
	}})
	h.emu.Inject(stsemu.Fault{Body: string(body), Times: 1})
	r := hostileCall(t, h, hostilePost(`{}`), "echo", nil)
	wantError(t, "an STS error echoing a secret", r, 502, "UpstreamError")
	if strings.Contains(string(r.raw), prefix[:16]) || strings.Contains(string(r.raw), "<script>") {
		t.Errorf("the reply carries what STS echoed: %s", r.raw)
	}
	line, ok := hostileLogLine(h, "echo")
	if !ok {
		t.Fatalf("no log line for the echo")
	}
	if strings.Contains(string(h.fn.Output()), prefix[:16]) {
		t.Errorf("the log carries a 16-character prefix of the secret key: %s", line)
	}

	// A well-formed STS error still reaches the caller, code and request id.
	h.emu.Inject(stsemu.Fault{Code: "FailedOperation.Whatever", Times: 1})
	r = hostileCall(t, h, hostilePost(`{}`), "honest", nil)
	calls := h.emu.Calls()
	wantError(t, "a well-formed STS error", r, 502, "UpstreamError", "FailedOperation.Whatever", calls[len(calls)-1].RequestID)
}

// TestHostileOverLimitIsThrottling: STS's rate-limit code InvalidParameter.OverLimit ("超过频率限制") was taken for a
// permanent InvalidParameter and answered 502. It is retried, and answered 429 as RequestLimitExceeded is.
func TestHostileOverLimitIsThrottling(t *testing.T) {
	h := newHarness(t, nil)
	h.emu.Inject(stsemu.Fault{Code: "InvalidParameter.OverLimit", Message: "超过频率限制", Times: 1})
	if r := hostileCall(t, h, hostilePost(`{}`), "overlimit-once", nil); r.status != 200 {
		t.Errorf("one OverLimit: status %d; want 200 after a retry (%.300s)", r.status, r.raw)
	}
	if n := len(h.emu.Calls()); n != 2 {
		t.Errorf("STS calls = %d; want 2 (the throttled one and its retry)", n)
	}
	h.emu.Inject(stsemu.Fault{Code: "InvalidParameter.OverLimit", Message: "超过频率限制"})
	r := hostileCall(t, h, hostilePost(`{}`), "overlimit-always", nil)
	wantError(t, "OverLimit on every attempt", r, 429, "RequestLimitExceeded")
	if r.headers["Retry-After"] == "" {
		t.Errorf("a 429 without Retry-After: %v", r.headers)
	}
	if n := len(h.emu.Calls()); n < 4 {
		t.Errorf("STS calls = %d; want the throttled call retried", n)
	}
}

// TestHostileFederationDuration: the configuration refused any maximum above 7,200 s for GetFederationToken,
// which STS documents as the root account's limit; a sub-account's keys may ask for up to 129,600 s.
func TestHostileFederationDuration(t *testing.T) {
	h := newHarness(t, map[string]string{"STS_MAX_DURATION_SECONDS": "129600"})
	r := hostileCall(t, h, hostilePost(`{"durationSeconds":100000}`), "long", nil)
	if r.status != 200 {
		t.Fatalf("durationSeconds 100000 under a 129600 maximum: status %d; want 200 (%.300s)", r.status, r.raw)
	}
	if calls := h.emu.Calls(); len(calls) != 1 || calls[0].DurationSeconds != 100000 {
		t.Errorf("STS calls = %+v; want one asking 100000 s", calls)
	}
	r = hostileCall(t, h, hostilePost(`{"dryRun":true}`), "too-long", map[string]string{"STS_MAX_DURATION_SECONDS": "129601"})
	wantError(t, "a maximum above 129600", r, 500, "ConfigError")
}

// TestHostileScopeEnumeration: an unauthenticated caller could list the scopes (an unknown one was a 400, an
// existing one a 401). Under STS_AUTH=jwt both answer a caller without a valid token the same way.
func TestHostileScopeEnumeration(t *testing.T) {
	scopes := `{"mine": {"bucket": "examplebucket-1250000000", "prefixes": ["users/${jwt:sub}/"], "actions": ["upload"]},
 "public": {"bucket": "examplebucket-1250000000", "prefixes": ["public/"], "actions": ["download"], "anonymous": true}}`
	h := newHarness(t, hostileJWTEnv(scopes))
	forged := hostileHS256(hostileClaims(map[string]any{"sub": "alice"}))
	forged = forged[:len(forged)-4] + "AAAA"
	for i, tc := range []struct {
		name  string
		event func(scope string) []byte
	}{
		{"no token", func(scope string) []byte { return hostileEvent("GET", map[string]any{"scope": scope}, "", nil) }},
		{"a forged token", func(scope string) []byte { return bearer(forged, map[string]any{"scope": scope}) }},
	} {
		known := hostileCall(t, h, tc.event("mine"), fmt.Sprintf("enum-%d-known", i), nil)
		unknown := hostileCall(t, h, tc.event("m1ne"), fmt.Sprintf("enum-%d-unknown", i), nil)
		wantError(t, tc.name+", existing scope", known, 401, "Unauthorized")
		wantError(t, tc.name+", unknown scope", unknown, 401, "Unauthorized")
		if known.message() != unknown.message() || known.headers["WWW-Authenticate"] != unknown.headers["WWW-Authenticate"] {
			t.Errorf("%s: an existing and an unknown scope answer differently: %q / %q", tc.name, known.message(), unknown.message())
		}
	}
	valid := hostileHS256(hostileClaims(map[string]any{"sub": "alice"}))
	r := hostileCall(t, h, bearer(valid, map[string]any{"scope": "m1ne"}), "enum-valid", nil)
	wantError(t, "a valid token, unknown scope", r, 400, "InvalidParameter", "m1ne")
}
