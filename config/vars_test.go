package config

import (
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a getenv that remembers every name it is asked for.
type recorder struct {
	e    env
	mu   sync.Mutex
	read map[string]bool
}

func (r *recorder) get(name string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.read[name] = true
	return r.e[name]
}

func record(e env, f func(getenv func(string) string)) []string {
	r := &recorder{e: e, read: map[string]bool{}}
	f(r.get)
	var names []string
	for n := range r.read {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// TestFingerprintCoversEveryVariableLoadReads: a variable Load reads but Fingerprint leaves out would let the
// handler keep a stale configuration after it changed. Every name a getenv passed to Load is asked for, in
// configurations that take each of Load's paths, must be one Fingerprint reads, and changing its value must change
// the fingerprint.
func TestFingerprintCoversEveryVariableLoadReads(t *testing.T) {
	jwt := minimal.with("STS_AUTH", "jwt", "STS_JWT_ISSUER", "https://idp.example.com", "STS_JWT_AUDIENCE", "cos-sts",
		"STS_JWKS_URL", "https://idp.example.com/jwks", "STS_JWT_LEEWAY_SECONDS", "30")
	configs := map[string]env{
		"nothing":    {},
		"minimal":    minimal,
		"everything": minimal.with("STS_ENDPOINT", "sts.tencentcloudapi.com", "STS_REGION", "ap-shanghai", "STS_BUCKET_REGION", "ap-beijing", "STS_ALLOW_ACTIONS", "upload", "STS_DURATION_SECONDS", "900", "STS_MAX_DURATION_SECONDS", "3600", "STS_ROLE_ARN", "qcs::cam::uin/1:roleName/r", "STS_ROLE_EXTERNAL_ID", "x", "STS_RESPONSE_FORMAT", "sts", "STS_ALLOW_ORIGINS", "*", "STS_LOG_LEVEL", "debug", "STS_CACHE", "on", "STS_CACHE_MIN_REMAINING_SECONDS", "60", "STS_FEDERATION_NAME", "app", "STS_MAX_CALLS_PER_SECOND", "4.8"),
		"jwt":        jwt,
		"jwt unset":  minimal.with("STS_JWT_SECRET", "s"),
		"policy":     {"STS_POLICY": `{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetObject"],"resource":["*"]}]}`},
		"scopes":     keys.with("STS_SCOPES", threeScopesJSON),
		"file":       keys.with("STS_SCOPES_FILE", writeFile(t, "scopes.json", threeScopesJSON)),
	}
	fingerprinted := record(env{}, func(get func(string) string) { Fingerprint(get) })
	for name, e := range configs {
		t.Run(name, func(t *testing.T) {
			read := record(e, func(get func(string) string) { _, _ = Load(get) })
			if len(read) < 10 {
				t.Fatalf("Load read only %q; the recorder is not in use", read)
			}
			for _, v := range read {
				if !slices.Contains(fingerprinted, v) {
					t.Errorf("Load reads %s, which Fingerprint leaves out", v)
					continue
				}
				if Fingerprint(e.get) == Fingerprint(e.with(v, e[v]+"1").get) {
					t.Errorf("changing %s leaves the fingerprint as it was", v)
				}
			}
		})
	}
	for _, v := range fingerprinted {
		if strings.Contains(v, "SECRET_KEY") || strings.Contains(v, "SESSIONTOKEN") {
			t.Errorf("Fingerprint reads %s: keys are read per invocation, not part of the configuration", v)
		}
	}
}

// TestFingerprintFollowsTheScopesFile: an edited scopes file is read again without a variable changing.
func TestFingerprintFollowsTheScopesFile(t *testing.T) {
	path := writeFile(t, "scopes.json", threeScopesJSON)
	e := keys.with("STS_SCOPES_FILE", path)
	before := Fingerprint(e.get)
	if before != Fingerprint(e.get) {
		t.Fatal("Fingerprint differs between two calls on the same configuration")
	}
	if err := os.WriteFile(path, []byte(`{"a":{"bucket":"a-1250000000","prefixes":["x/"]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if Fingerprint(e.get) == before {
		t.Error("the fingerprint did not change with the scopes file")
	}
}

func TestSecretsAndFallback(t *testing.T) {
	e := env{"STS_SECRET_KEY": " perm-key ", "TENCENTCLOUD_SECRETKEY": "role-key", "TENCENTCLOUD_SESSIONTOKEN": "tok", "STS_JWT_SECRET": "jwt",
		"STS_SECRET_ID": "AKIDpublic", "STS_RESPONSE_FORMAT": " sts", "STS_ALLOW_ORIGINS": "https://a.example.com, not-an-origin", "STS_BUCKET": "bad"}
	if got, want := Secrets(e.get), []string{"perm-key", "role-key", "tok", "jwt"}; !slices.Equal(got, want) {
		t.Errorf("Secrets = %q; want %q", got, want)
	}
	if _, err := Load(e.get); err == nil {
		t.Fatal("the configuration loaded; the test wants a broken one")
	}
	f := LoadFallback(e.get)
	if f.Format != FormatSTS || !slices.Equal(f.AllowOrigins, Origins{"https://a.example.com"}) {
		t.Errorf("LoadFallback = %+v; want sts and the one valid origin", f)
	}
	if f := LoadFallback(env{"STS_RESPONSE_FORMAT": "xml"}.get); f.Format != FormatCAM || f.AllowOrigins != nil {
		t.Errorf("LoadFallback of a bad format = %+v; want cam and no origins", f)
	}
}
