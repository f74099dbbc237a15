package e2e_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"maps"
)

// The events every test sends, in docs/contract.md §1's three shapes. fnURL
// and gateway take exactly the headers given; the others fill in what a
// caller usually sends.

// fnURL is a Function URL event (httpMethod, no requestContext) with exactly
// these headers; nil headers means only x-scf-remote-addr, as SCF adds it.
func fnURL(method string, query map[string]any, body string, headers map[string]string) []byte {
	if query == nil {
		query = map[string]any{}
	}
	if headers == nil {
		headers = map[string]string{"x-scf-remote-addr": "203.0.113.7"}
	}
	b, _ := json.Marshal(map[string]any{"httpMethod": method, "path": "/", "headers": headers, "queryString": query, "body": body})
	return b
}

// urlEvent is a Function URL event from a browser page at origin, with a JSON
// content type; headers are added to those.
func urlEvent(method, body string, headers map[string]string) []byte {
	h := map[string]string{"content-type": "application/json", "x-scf-remote-addr": "203.0.113.7", "origin": origin}
	maps.Copy(h, headers)
	return fnURL(method, nil, body, h)
}

// postBody is a Function URL POST with a JSON body and no Origin.
func postBody(body string) []byte {
	return fnURL("POST", nil, body, map[string]string{"content-type": "application/json", "x-scf-remote-addr": "203.0.113.7"})
}

// get is a Function URL GET with a query string.
func get(query map[string]any) []byte { return fnURL("GET", query, "", nil) }

// withOrigin is a Function URL event from a browser page at o.
func withOrigin(method, o string, query map[string]any, body string) []byte {
	return fnURL(method, query, body, map[string]string{"origin": o, "x-scf-remote-addr": "203.0.113.7", "content-type": "application/json"})
}

// base64Event is a Function URL POST whose body is marked isBase64Encoded.
func base64Event(body string) []byte {
	b, _ := json.Marshal(map[string]any{
		"httpMethod": "POST", "path": "/", "headers": map[string]string{"content-type": "application/json"},
		"queryString": map[string]any{}, "body": base64.StdEncoding.EncodeToString([]byte(body)), "isBase64Encoded": true,
	})
	return b
}

// gateway is an API Gateway event with its own request id and source IP, and
// exactly these headers (nil: only host).
func gateway(method string, query map[string]any, body, gatewayID, sourceIP string, headers map[string]string) []byte {
	if query == nil {
		query = map[string]any{}
	}
	if headers == nil {
		headers = map[string]string{"host": "service-1.apigw.example"}
	}
	b, _ := json.Marshal(map[string]any{
		"httpMethod": method, "path": "/sts", "headers": headers, "queryString": query, "body": body,
		"requestContext": map[string]any{"requestId": gatewayID, "sourceIp": sourceIP, "httpMethod": method, "path": "/sts", "stage": "release"},
	})
	return b
}

// apigwEvent is an API Gateway GET with query parameters; its requestId is
// the gateway's, which then becomes the invocation's.
func apigwEvent(gatewayRequestID string, query map[string]string) []byte {
	q := map[string]any{}
	for k, v := range query {
		q[k] = v
	}
	return gateway("GET", q, "", gatewayRequestID, "10.0.2.14", nil)
}

// direct is a direct invocation's event.
func direct(s string) []byte { return []byte(s) }

// signJWT makes an HS256 token with jwtSecret.
func signJWT(claims map[string]any) string {
	enc := base64.RawURLEncoding
	head, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	body, _ := json.Marshal(claims)
	signing := enc.EncodeToString(head) + "." + enc.EncodeToString(body)
	mac := hmac.New(sha256.New, []byte(jwtSecret))
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}
