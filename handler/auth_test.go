package handler_test

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/handler"
	"github.com/cos-sts-scf/cos-sts-scf/issuer"
	"github.com/cos-sts-scf/cos-sts-scf/policy"
)

const jwtSecret = "handler-test-jwt-secret-0123456789abcdef"

// hs256 signs claims with secret: the token a caller's identity provider would hand it.
func hs256(t *testing.T, secret string, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signing := enc(map[string]string{"alg": "HS256", "typ": "JWT"}) + "." + enc(claims)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func claimsFor(sub string, exp time.Time) map[string]any {
	return map[string]any{"iss": "https://idp.example.com", "aud": "cos-sts", "sub": sub, "exp": exp.Unix(), "iat": time.Now().Unix()}
}

// withBearer puts an Authorization header into a Function URL event.
func withBearer(event, token string) string {
	return strings.Replace(event, `"headers":{`, `"headers":{"authorization":"Bearer `+token+`",`, 1)
}

func jwtRig(t *testing.T, kv ...string) *rig {
	return newRig(t, append([]string{
		"STS_AUTH", "jwt", "STS_JWT_ISSUER", "https://idp.example.com", "STS_JWT_AUDIENCE", "cos-sts",
		"STS_JWT_SECRET", jwtSecret, "STS_ALLOW_PREFIXES", "users/${jwt:sub}/",
	}, kv...)...)
}

func TestJWTCallerAuthentication(t *testing.T) {
	good := hs256(t, jwtSecret, claimsFor("alice", time.Now().Add(time.Hour)))
	tests := []struct {
		name   string
		event  string
		status int
		code   string
		msg    string
	}{
		{"no token", funcURL("POST", "", `{}`), 401, "Unauthorized", "bearer token is required"},
		{"not bearer", strings.Replace(funcURL("POST", "", `{}`), `"headers":{`, `"headers":{"authorization":"Basic YTpi",`, 1), 401, "Unauthorized", ""},
		{"bad signature", withBearer(funcURL("POST", "", `{}`), hs256(t, "another-secret-of-at-least-32-bytes!!", claimsFor("alice", time.Now().Add(time.Hour)))), 401, "Unauthorized", ""},
		{"expired", withBearer(funcURL("POST", "", `{}`), hs256(t, jwtSecret, claimsFor("alice", time.Now().Add(-time.Hour)))), 401, "Unauthorized", ""},
		{"unsafe sub", withBearer(funcURL("POST", "", `{}`), hs256(t, jwtSecret, claimsFor("..", time.Now().Add(time.Hour)))), 403, "AccessDenied", "cannot be filled from your token"},
		{"claims over HTTP", withBearer(funcURL("POST", "", `{"claims":{"sub":"bob"}}`), good), 400, "InvalidParameter", "claims are refused over HTTP"},
		{"another user's folder", withBearer(funcURL("POST", "", `{"prefixes":["users/bob/"]}`), good), 403, "AccessDenied", "outside scope"},
		{"direct without claims", `{}`, 401, "Unauthorized", "claims"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := jwtRig(t)
			var b map[string]any
			var status int
			if strings.Contains(tc.event, "httpMethod") {
				hr := r.http(tc.event)
				status, b = hr.StatusCode, hr.json(t)
				if status == 401 && hr.Headers["WWW-Authenticate"] != "Bearer" {
					t.Errorf("401 without WWW-Authenticate: Bearer: %v", hr.Headers)
				}
			} else if err := json.Unmarshal(r.invoke(tc.event, time.Second), &b); err != nil {
				t.Fatal(err)
			} else {
				status = int(b["code"].(float64))
			}
			msg, _ := b["message"].(string)
			if status != tc.status || b["codeDesc"] != tc.code || !strings.Contains(msg, tc.msg) {
				t.Fatalf("reply %d %v; want %d %s containing %q", status, b, tc.status, tc.code, tc.msg)
			}
			if len(r.emu.Calls()) != 0 {
				t.Error("STS was called for a refused caller")
			}
			assertNoSecrets(t, r.log.String()+msg, good, jwtSecret)
		})
	}
}

func TestJWTMintsForTheTokensUser(t *testing.T) {
	r := jwtRig(t, "STS_ROLE_ARN", testRoleARN)
	token := hs256(t, jwtSecret, claimsFor("alice@example.com", time.Now().Add(time.Hour)))
	hr := r.http(withBearer(funcURL("POST", "", `{}`), token))
	if hr.StatusCode != 200 {
		t.Fatalf("reply %d %s", hr.StatusCode, hr.Body)
	}
	p := r.lastPolicy()
	if !policy.Allows(p, "name/cos:PutObject", res+"users/alice@example.com/a.png") || policy.Allows(p, "name/cos:PutObject", res+"users/bob/a.png") {
		t.Errorf("policy does not grant exactly the token's folder: %+v", p)
	}
	c := r.emu.Calls()[0]
	if c.Tags["sub"] != "alice@example.com" || !strings.Contains(c.RoleSessionName, "alice") {
		t.Errorf("AssumeRole session %q tags %v; want both derived from sub", c.RoleSessionName, c.Tags)
	}
	assertNoSecrets(t, r.log.String(), token)
}

func TestJWTAnonymousScopeAndOperatorClaims(t *testing.T) {
	scopes := `{"public": {"bucket": "assets-1250000000", "prefixes": ["public/"], "actions": ["download"], "anonymous": true},
	            "mine": {"bucket": "examplebucket-1250000000", "prefixes": ["users/${jwt:sub}/"], "actions": ["upload"]}}`
	r := jwtRig(t, "STS_SCOPES", scopes, "STS_ALLOW_PREFIXES", "", "STS_BUCKET", "")
	if hr := r.http(funcURL("GET", `{"scope":"public"}`, "")); hr.StatusCode != 200 {
		t.Errorf("anonymous scope without a token = %d %s; want 200", hr.StatusCode, hr.Body)
	}
	if hr := r.http(funcURL("GET", `{"scope":"mine"}`, "")); hr.StatusCode != 401 {
		t.Errorf("templated scope without a token = %d; want 401", hr.StatusCode)
	}
	out := r.invoke(`{"scope":"mine","claims":{"sub":"bob"},"dryRun":true}`, time.Second)
	if !strings.Contains(string(out), "examplebucket-1250000000/users/bob/*") {
		t.Errorf("operator's dry run as bob = %s", out)
	}
}

func TestJWTWithJWKSURL(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks := fmt.Sprintf(`{"keys":[{"kty":"RSA","kid":"k1","alg":"RS256","use":"sig","n":%q,"e":%q}]}`,
		base64.RawURLEncoding.EncodeToString(key.N.Bytes()), base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()))
	var fetches atomic.Int32
	var down atomic.Bool
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		if down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, jwks)
	}))
	t.Cleanup(srv.Close)

	r := newRig(t, "STS_AUTH", "jwt", "STS_JWT_ISSUER", "https://idp.example.com", "STS_JWT_AUDIENCE", "cos-sts",
		"STS_JWKS_URL", srv.URL+"/jwks.json", "STS_ALLOW_PREFIXES", "users/${jwt:sub}/")
	r.h = handler.New(handler.Options{Getenv: r.getenv, Minter: issuer.New(issuer.Options{}), Log: r.log, JWKSClient: srv.Client()})

	sign := func(kid string) string {
		head, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": kid})
		body, _ := json.Marshal(claimsFor("carol", time.Now().Add(time.Hour)))
		signing := base64.RawURLEncoding.EncodeToString(head) + "." + base64.RawURLEncoding.EncodeToString(body)
		sum := sha256.Sum256([]byte(signing))
		sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	for i := 0; i < 3; i++ {
		if hr := r.http(withBearer(funcURL("POST", "", `{}`), sign("k1"))); hr.StatusCode != 200 {
			t.Fatalf("RS256 token from the JWKS URL = %d %s", hr.StatusCode, hr.Body)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("JWKS fetched %d times for 3 invocations; want 1 (cached across warm invocations)", n)
	}
	if !policy.Allows(r.lastPolicy(), "name/cos:PutObject", res+"users/carol/x") {
		t.Error("policy is not for the token's user")
	}
	// An unknown kid right after a fetch is refused without hammering the identity provider.
	if hr := r.http(withBearer(funcURL("POST", "", `{}`), sign("k2"))); hr.StatusCode != 401 || fetches.Load() != 1 {
		t.Errorf("unknown kid = %d after %d fetches; want 401 and no refetch inside the rate limit", hr.StatusCode, fetches.Load())
	}
	// A cold instance whose identity provider is down answers 502: the caller is not at fault.
	down.Store(true)
	r.h = handler.New(handler.Options{Getenv: r.getenv, Minter: issuer.New(issuer.Options{}), Log: r.log, JWKSClient: srv.Client()})
	if hr := r.http(withBearer(funcURL("POST", "", `{}`), sign("k1"))); hr.StatusCode != 502 || !strings.Contains(hr.Body, "STS_JWKS_URL") {
		t.Errorf("JWKS URL down = %d %s; want 502 naming STS_JWKS_URL", hr.StatusCode, hr.Body)
	}
}
