package config

import (
	"fmt"
	"os"
	"strings"
)

// vars lists every variable Load reads (TestFingerprintCoversEveryVariableLoadReads holds it to that).
var vars = []string{
	"STS_ENDPOINT", "STS_REGION", "TENCENTCLOUD_REGION", "STS_FEDERATION_NAME", "STS_ROLE_ARN",
	"STS_ROLE_EXTERNAL_ID", "STS_RESPONSE_FORMAT", "STS_ALLOW_ORIGINS", "STS_AUTH", "STS_LOG_LEVEL", "STS_CACHE",
	"STS_CACHE_MIN_REMAINING_SECONDS", "STS_MAX_CALLS_PER_SECOND", "STS_SCOPES", "STS_SCOPES_FILE",
	"STS_JWT_ISSUER", "STS_JWT_AUDIENCE", "STS_JWT_SECRET", "STS_JWKS", "STS_JWKS_URL", "STS_JWT_LEEWAY_SECONDS",
	"STS_BUCKET", "STS_BUCKET_REGION", "STS_ALLOW_PREFIXES", "STS_ALLOW_ACTIONS", "STS_DURATION_SECONDS",
	"STS_MAX_DURATION_SECONDS", "STS_POLICY",
}

// Fingerprint identifies the text of the configuration Load would read: the value of every variable it reads, and
// the scopes file's name, size and modification time, so that an edited file is read again. A caller keeps a
// loaded Config for as long as the fingerprint stays the same; SCF sets each invocation's variables before it
// runs, so the fingerprint is taken on every invocation. It costs a stat of the scopes file, no parsing.
func Fingerprint(getenv func(string) string) string {
	b := make([]byte, 0, 256)
	for _, v := range vars {
		b = append(b, getenv(v)...)
		b = append(b, 0)
	}
	if name := scopesFile(getenv); name != "" {
		if st, err := os.Stat(name); err == nil {
			b = fmt.Appendf(b, "%s\x00%d\x00%d", name, st.Size(), st.ModTime().UnixNano())
		}
	}
	return string(b)
}

// secretVars hold a secret: keys to sign with and the JWT shared secret.
var secretVars = []string{"STS_SECRET_KEY", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN", "STS_JWT_SECRET"}

// Secrets returns the secrets the environment holds, as the function uses them, for a log filter to mask. It is
// read on every invocation, as LoadCredentials is: SCF rotates the execution role's keys.
func Secrets(getenv func(string) string) []string {
	out := make([]string, 0, len(secretVars))
	for _, v := range secretVars {
		if s := strings.TrimSpace(getenv(v)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Fallback is what a function whose configuration does not load still answers with: the reply format and the
// CORS origins, each the variable's when valid and the default otherwise, so that even a ConfigError reaches a
// browser app in the shape it parses and with the headers that let it read the reply.
type Fallback struct {
	Format       string
	AllowOrigins Origins
}

// LoadFallback reads the Fallback. It never fails: a problem with either variable is Load's to report.
func LoadFallback(getenv func(string) string) Fallback {
	f := Fallback{Format: FormatCAM}
	if v := strings.TrimSpace(getenv("STS_RESPONSE_FORMAT")); v == FormatSTS {
		f.Format = v
	}
	var ignored problems
	f.AllowOrigins = parseOrigins(strings.TrimSpace(getenv("STS_ALLOW_ORIGINS")), &ignored)
	return f
}

// Origins are the CORS origins replies may be read from (STS_ALLOW_ORIGINS); "*" allows any.
type Origins []string

// Allow reports whether a browser at origin may read the replies, and the value for Access-Control-Allow-Origin.
func (o Origins) Allow(origin string) (allowOrigin string, ok bool) {
	if origin == "" {
		return "", false
	}
	for _, a := range o {
		if a == "*" {
			return "*", true
		}
		if strings.EqualFold(a, origin) {
			return origin, true
		}
	}
	return "", false
}
