package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// contentType is what the floor sends and signs. TC3 signs header values lower-cased, so its case does not matter
// to the signature, only to STS's parsing.
const contentType = "application/json; charset=utf-8"

// signedHeaders are the headers the floor signs, in the sorted order TC3 wants: content-type and host are required,
// x-tc-action binds the signature to the one action (as Tencent's worked example does).
const signedHeaders = "content-type;host;x-tc-action"

// tc3 is one TencentCloud API 3.0 request to sign with TC3-HMAC-SHA256, written from Tencent's "签名方法 v3" document:
// a canonical request of the method, URI "/", an empty query, the signed headers (names and values lower-cased and
// trimmed) and the hex SHA-256 of the body; a string to sign of the algorithm, the timestamp, the credential scope
// (UTC date/service/tc3_request) and the canonical request's hash; and a key derived from the secret key through
// the date, the service and "tc3_request".
type tc3 struct {
	SecretID, SecretKey string
	Service             string // the API host's first label: "sts"
	Host                string // as sent in the Host header, with any port
	Action              string
	Timestamp           int64 // X-TC-Timestamp, Unix seconds
	Body                []byte
}

// date is the credential scope's date: the UTC day of the timestamp.
func (r tc3) date() string { return time.Unix(r.Timestamp, 0).UTC().Format("2006-01-02") }

func (r tc3) canonicalRequest() string {
	sum := sha256.Sum256(r.Body)
	return "POST\n/\n\n" +
		"content-type:" + contentType + "\n" +
		"host:" + strings.ToLower(r.Host) + "\n" +
		"x-tc-action:" + strings.ToLower(r.Action) + "\n\n" +
		signedHeaders + "\n" + hex.EncodeToString(sum[:])
}

func (r tc3) scope() string { return r.date() + "/" + r.Service + "/tc3_request" }

func (r tc3) stringToSign() string {
	sum := sha256.Sum256([]byte(r.canonicalRequest()))
	return "TC3-HMAC-SHA256\n" + strconv.FormatInt(r.Timestamp, 10) + "\n" + r.scope() + "\n" + hex.EncodeToString(sum[:])
}

func (r tc3) signature() string {
	k := hmacSHA256([]byte("TC3"+r.SecretKey), r.date())
	k = hmacSHA256(k, r.Service)
	k = hmacSHA256(k, "tc3_request")
	return hex.EncodeToString(hmacSHA256(k, r.stringToSign()))
}

// authorization is the Authorization header's value.
func (r tc3) authorization() string {
	return "TC3-HMAC-SHA256 Credential=" + r.SecretID + "/" + r.scope() +
		", SignedHeaders=" + signedHeaders + ", Signature=" + r.signature()
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
