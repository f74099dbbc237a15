package stsemu

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// tc3Algorithm is the only signing algorithm TC3 defines; anything else in the
// Authorization header is refused before a key is looked up.
const tc3Algorithm = "TC3-HMAC-SHA256"

// tc3Input holds everything TC3-HMAC-SHA256 signs. It is a plain value so the
// signing can be checked against Tencent's published worked example without
// an HTTP request.
type tc3Input struct {
	SecretKey string
	Service   string // "sts": the first label of the API host
	Timestamp int64  // X-TC-Timestamp, Unix seconds; it also fixes the scope's UTC date
	Method    string
	Query     string            // canonical query string; "" for POST
	Headers   map[string]string // signed header name (lower case) → value as sent
	Signed    []string          // SignedHeaders in the order the client listed them
	Payload   []byte
}

// tc3Date is the credential scope date: the UTC day of the timestamp, so a
// client near midnight in UTC+8 signs with yesterday's date.
func tc3Date(ts int64) string {
	return time.Unix(ts, 0).UTC().Format("2006-01-02")
}

// canonicalRequest builds TC3's CanonicalRequest. The URI is always "/" for
// API 3.0; header names and values are lower-cased and trimmed, as the
// signing document requires, so "X-TC-Action: DescribeInstances" signs as
// "x-tc-action:describeinstances".
func canonicalRequest(in tc3Input) string {
	var b strings.Builder
	b.WriteString(in.Method + "\n/\n" + in.Query + "\n")
	for _, name := range in.Signed {
		b.WriteString(name + ":" + strings.ToLower(strings.TrimSpace(in.Headers[name])) + "\n")
	}
	b.WriteString("\n" + strings.Join(in.Signed, ";") + "\n")
	b.WriteString(sha256Hex(in.Payload))
	return b.String()
}

// stringToSign binds the canonical request to the algorithm, the time and the
// credential scope, so a signature cannot be replayed on another day or
// against another service.
func stringToSign(in tc3Input) string {
	scope := tc3Date(in.Timestamp) + "/" + in.Service + "/tc3_request"
	return tc3Algorithm + "\n" + strconv.FormatInt(in.Timestamp, 10) + "\n" + scope + "\n" +
		sha256Hex([]byte(canonicalRequest(in)))
}

// tc3Signature is the hex signature a correct client sends. The secret key is
// never used directly: it is folded through the date, the service and
// "tc3_request", so a leaked derived key is worth one day on one service.
func tc3Signature(in tc3Input) string {
	k := hmacSHA256([]byte("TC3"+in.SecretKey), tc3Date(in.Timestamp))
	k = hmacSHA256(k, in.Service)
	k = hmacSHA256(k, "tc3_request")
	return hex.EncodeToString(hmacSHA256(k, stringToSign(in)))
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
