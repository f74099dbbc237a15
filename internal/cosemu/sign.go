package cosemu

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// algorithm is the only signature algorithm COS defines.
const algorithm = "sha1"

// authorization is a parsed COS request signature: the q-* fields of an
// Authorization header, a presigned URL's query string, or a POST Object
// form's Signature field.
type authorization struct {
	Algorithm, AK, SignTime, KeyTime string
	HeaderList, ParamList            []string // lower-case, URL-encoded names
	Signature                        string
}

// errMalformed is wrapped by parseAuthorization for a signature that cannot be read.
var errMalformed = errors.New("cosemu: malformed signature")

// authFields are the members of a signature, in the order COS documents them.
var authFields = []string{"q-sign-algorithm", "q-ak", "q-sign-time", "q-key-time", "q-header-list", "q-url-param-list", "q-signature"}

// parseAuthorization reads "q-sign-algorithm=sha1&q-ak=…&…&q-signature=…".
// Values are taken as written: COS's SDKs never URL-encode them.
func parseAuthorization(s string) (authorization, error) {
	fields := map[string]string{}
	for _, kv := range strings.Split(s, "&") {
		k, v, _ := strings.Cut(kv, "=")
		fields[k] = v
	}
	return authFromFields(func(k string) (string, bool) { v, ok := fields[k]; return v, ok })
}

// authFromQuery reads a presigned URL's signature from its query string; ok
// is false when the query holds no q-signature at all.
func authFromQuery(q url.Values) (a authorization, ok bool, err error) {
	if !q.Has("q-signature") && !q.Has("q-ak") {
		return authorization{}, false, nil
	}
	a, err = authFromFields(func(k string) (string, bool) { return q.Get(k), q.Has(k) })
	return a, true, err
}

func authFromFields(get func(string) (string, bool)) (authorization, error) {
	for _, k := range authFields {
		if _, ok := get(k); !ok {
			return authorization{}, errors.Join(errMalformed, errors.New("missing "+k))
		}
	}
	v := func(k string) string { s, _ := get(k); return s }
	a := authorization{
		Algorithm: v("q-sign-algorithm"), AK: v("q-ak"), SignTime: v("q-sign-time"), KeyTime: v("q-key-time"),
		HeaderList: splitList(v("q-header-list")), ParamList: splitList(v("q-url-param-list")), Signature: v("q-signature"),
	}
	switch {
	case a.Algorithm != algorithm:
		return a, errors.Join(errMalformed, errors.New("q-sign-algorithm must be sha1"))
	case a.AK == "":
		return a, errors.Join(errMalformed, errors.New("empty q-ak"))
	}
	if _, _, err := parseWindow(a.SignTime); err != nil {
		return a, errors.Join(errMalformed, errors.New("q-sign-time: "+err.Error()))
	}
	if _, _, err := parseWindow(a.KeyTime); err != nil {
		return a, errors.Join(errMalformed, errors.New("q-key-time: "+err.Error()))
	}
	return a, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

// parseWindow reads "start;end" in Unix seconds.
func parseWindow(s string) (start, end time.Time, err error) {
	a, b, ok := strings.Cut(s, ";")
	x, err1 := strconv.ParseInt(a, 10, 64)
	y, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || y < x {
		return time.Time{}, time.Time{}, errors.New(`want "start;end" in Unix seconds, start before end`)
	}
	return time.Unix(x, 0), time.Unix(y, 0), nil
}

// encode is the URL encoding of COS's signature: every byte but the
// unreserved A-Z a-z 0-9 - _ . ~ as %XX with upper-case hex.
func encode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// pair is one signed parameter or header: its lower-cased encoded name and its value.
type pair struct{ name, value string }

// canonical renders the pairs whose names the signer listed as
// "name=encode(value)&…", sorted by name then value, as COS's HttpParameters
// and HttpHeaders are. A listed name the request does not carry contributes
// nothing, so the signature no longer matches.
func canonical(listed []string, all []pair) string {
	var out []string
	for _, p := range all {
		if slices.Contains(listed, p.name) {
			out = append(out, p.name+"="+encode(p.value))
		}
	}
	slices.Sort(out)
	return strings.Join(out, "&")
}

// queryPairs lists a query string's parameters by their signed names.
func queryPairs(q url.Values) []pair {
	var out []pair
	for k, vs := range q {
		for _, v := range vs {
			out = append(out, pair{strings.ToLower(encode(k)), v})
		}
	}
	return out
}

// stringToSign is COS's StringToSign for one request: the algorithm, the
// signature's time window and the SHA-1 of HttpString, which is the method
// in lower case, the decoded path, then the signed parameters and headers.
func stringToSign(signTime, method, path, params, headers string) string {
	httpString := strings.ToLower(method) + "\n" + path + "\n" + params + "\n" + headers + "\n"
	return algorithm + "\n" + signTime + "\n" + sha1Hex(httpString) + "\n"
}

// sign is q-signature: HMAC-SHA1 of stringToSign under SignKey, itself the
// hex HMAC-SHA1 of q-key-time under the secret key.
func sign(secretKey, keyTime, toSign string) string {
	return hmacHex(hmacHex(secretKey, keyTime), toSign)
}

func sha1Hex(s string) string {
	h := sha1.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

func hmacHex(key, msg string) string {
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// signatureMatches compares in constant time, case-insensitively as hex is.
func signatureMatches(got, want string) bool {
	return hmac.Equal([]byte(strings.ToLower(got)), []byte(want))
}
