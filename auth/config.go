package auth

import (
	"fmt"
	"net/url"
	"time"
)

// minSecretBytes is the shortest STS_JWT_SECRET accepted: HS256 is only as strong as its key, and anyone holding
// one token can guess a short secret offline and then mint tokens for any subject.
const minSecretBytes = 32

// Config is what the environment says about caller authentication. Exactly one of Secret, JWKS and JWKSURL is
// set; the lead fills it from STS_JWT_ISSUER, STS_JWT_AUDIENCE, STS_JWT_SECRET, STS_JWKS, STS_JWKS_URL and
// STS_JWT_LEEWAY_SECONDS.
type Config struct {
	Issuer, Audience string
	Secret           string        // HS256 shared secret
	JWKS             string        // inline JWKS JSON (RS256, ES256, EdDSA keys)
	JWKSURL          string        // JWKS over HTTPS
	Leeway           time.Duration // clock leeway for exp, nbf and iat; the default of 60 s is applied by the caller
}

// Problem is one configuration mistake: Var names the environment variable, Message says what is wrong and how
// to fix it. It never quotes the secret.
type Problem struct{ Var, Message string }

// Error returns Var + ": " + Message.
func (p *Problem) Error() string { return p.Var + ": " + p.Message }

// Problems returns every configuration problem at once, each a *Problem naming its variable, so that an
// operator fixes them in one deploy. An empty result means NewVerifier will accept c.
func (c Config) Problems() []error {
	var ps []error
	add := func(v, format string, args ...any) {
		ps = append(ps, &Problem{Var: v, Message: fmt.Sprintf(format, args...)})
	}
	if c.Issuer == "" {
		add("STS_JWT_ISSUER", "required with STS_AUTH=jwt: set it to the exact iss your identity provider puts in tokens")
	}
	if c.Audience == "" {
		add("STS_JWT_AUDIENCE", "required with STS_AUTH=jwt: set it to the aud your tokens carry for this function, so tokens minted for other services are refused")
	}
	if c.Leeway < 0 {
		add("STS_JWT_LEEWAY_SECONDS", "must not be negative")
	}

	var set []string
	for _, v := range []struct{ name, value string }{
		{"STS_JWT_SECRET", c.Secret}, {"STS_JWKS", c.JWKS}, {"STS_JWKS_URL", c.JWKSURL},
	} {
		if v.value != "" {
			set = append(set, v.name)
		}
	}
	switch {
	case len(set) == 0:
		add("STS_JWT_SECRET", "STS_AUTH=jwt needs a key: set exactly one of STS_JWT_SECRET (HS256), STS_JWKS (inline public keys) or STS_JWKS_URL")
	case len(set) > 1:
		for _, v := range set[1:] {
			add(v, "conflicts with %s: set exactly one of STS_JWT_SECRET, STS_JWKS, STS_JWKS_URL, so there is no doubt which keys are trusted", set[0])
		}
	}

	if c.Secret != "" && len(c.Secret) < minSecretBytes {
		add("STS_JWT_SECRET", "is %d bytes; HS256 needs at least %d random bytes, because anyone holding one token can guess a shorter secret offline and then mint tokens; generate one with: openssl rand -base64 48",
			len(c.Secret), minSecretBytes)
	}
	if c.JWKS != "" {
		_, problems := parseJWKS([]byte(c.JWKS))
		for _, p := range problems {
			add("STS_JWKS", "%s", p)
		}
	}
	if c.JWKSURL != "" {
		if _, err := parseJWKSURL(c.JWKSURL); err != nil {
			add("STS_JWKS_URL", "%s", err)
		}
	}
	return ps
}

// parseJWKSURL accepts only https:// URLs with a host: keys fetched over plain HTTP could be swapped by anyone on
// the path, and then any token they sign would be trusted.
func parseJWKSURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("is not a URL; write it as https://host/path/jwks.json")
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("must start with https://, because keys fetched over plain HTTP could be replaced on the way")
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("has no host; write it as https://host/path/jwks.json")
	}
	if u.User != nil {
		return nil, fmt.Errorf("must not carry a user name or password: a JWKS is public")
	}
	return u, nil
}
