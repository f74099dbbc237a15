package stsemu

import (
	"crypto/hmac"
	"crypto/subtle"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// authHeader is the parsed Authorization header:
// "TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request,
// SignedHeaders=a;b, Signature=<hex>".
type authHeader struct {
	SecretID, Date, Service string
	Signed                  []string
	Signature               string
}

// parseAuthorization reads the header; ok is false when it is not TC3-shaped.
func parseAuthorization(h string) (authHeader, bool) {
	rest, found := strings.CutPrefix(h, tc3Algorithm+" ")
	if !found {
		return authHeader{}, false
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return authHeader{}, false
		}
		fields[k] = v
	}
	cred := strings.Split(fields["Credential"], "/")
	if len(cred) != 4 || cred[0] == "" || cred[3] != "tc3_request" {
		return authHeader{}, false
	}
	signed := strings.Split(fields["SignedHeaders"], ";")
	if fields["Signature"] == "" || !sort.StringsAreSorted(signed) ||
		!contains(signed, "content-type") || !contains(signed, "host") {
		return authHeader{}, false
	}
	for _, name := range signed {
		if name != strings.ToLower(name) {
			return authHeader{}, false
		}
	}
	return authHeader{SecretID: cred[0], Date: cred[1], Service: cred[2], Signed: signed, Signature: fields["Signature"]}, true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// authenticate checks the call as STS does, in its order: a well-formed
// header, a fresh timestamp, a known key, the token of a temporary key, and
// last the signature over the headers and the exact body. temporary reports
// whether the key was temporary (GetFederationToken refuses those).
func (s *Server) authenticate(r *http.Request, body []byte) (temporary bool, e *apiError) {
	auth, ok := parseAuthorization(r.Header.Get("Authorization"))
	if !ok {
		return false, &apiError{"AuthFailure.InvalidAuthorization", "Authorization is not a valid TC3-HMAC-SHA256 header (Credential, SignedHeaders with content-type and host, Signature)."}
	}
	tsText := r.Header.Get("X-TC-Timestamp")
	if tsText == "" {
		return false, &apiError{"MissingParameter", "The request is missing a required parameter `X-TC-Timestamp`."}
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return false, &apiError{"InvalidParameter", "X-TC-Timestamp must be Unix seconds."}
	}
	now := s.opts.Now()
	if skew := now.Sub(time.Unix(ts, 0)); skew > s.opts.MaxSkew || skew < -s.opts.MaxSkew {
		return false, &apiError{"AuthFailure.SignatureExpire", "Signature expired: X-TC-Timestamp differs from server time by more than " + s.opts.MaxSkew.String() + "."}
	}

	secretKey, known := s.opts.Keys[auth.SecretID]
	if !known {
		s.mu.Lock()
		tk, isTemp := s.temp[auth.SecretID]
		s.mu.Unlock()
		if !isTemp {
			return false, &apiError{"AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct."}
		}
		temporary = true
		token := r.Header.Get("X-TC-Token")
		switch {
		case token == "":
			return true, &apiError{"AuthFailure.TokenFailure", "A temporary SecretId requires its token in X-TC-Token."}
		case subtle.ConstantTimeCompare([]byte(token), []byte(tk.token)) != 1:
			return true, &apiError{"AuthFailure.TokenFailure", "The token in X-TC-Token does not belong to this SecretId."}
		case !now.Before(tk.expires):
			return true, &apiError{"AuthFailure.TokenFailure", "The temporary key has expired."}
		}
		secretKey = tk.secretKey
	}

	if auth.Service != "sts" || auth.Date != tc3Date(ts) {
		return temporary, &apiError{"AuthFailure.SignatureFailure", "The credential scope must be <UTC date of X-TC-Timestamp>/sts/tc3_request."}
	}
	in := tc3Input{
		SecretKey: secretKey,
		Service:   auth.Service,
		Timestamp: ts,
		Method:    r.Method,
		Query:     r.URL.RawQuery,
		Headers:   map[string]string{},
		Signed:    auth.Signed,
		Payload:   body,
	}
	for _, name := range auth.Signed {
		if name == "host" {
			in.Headers[name] = r.Host
		} else {
			in.Headers[name] = r.Header.Get(name)
		}
	}
	if !hmac.Equal([]byte(tc3Signature(in)), []byte(strings.ToLower(auth.Signature))) {
		return temporary, &apiError{"AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct."}
	}
	return temporary, nil
}
