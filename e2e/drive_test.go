package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
)

// defaultDeadline is SCF's default function timeout. The fault, soak and
// concurrency tests use it rather than serverless.yml's 10 s: the tighter the
// deadline, the more a retry loop that overruns it shows.
const defaultDeadline = 3 * time.Second

// send invokes the function with an SCF deadline that far from now and
// returns the reply and how long it took. Unlike invoke it reports failure
// instead of stopping the test, so goroutines may call it, and it does not
// keep the reply for the audit: callers that want that call keep.
func (h *harness) send(payload []byte, requestID string, deadline time.Duration, env map[string]string) (scfrpc.Reply, time.Duration, error) {
	all := h.env
	if len(env) > 0 {
		all = maps.Clone(h.env)
		maps.Copy(all, env)
	}
	// The protocol gets a little longer than the function: a reply that
	// comes after the deadline must be seen and reported, not cut off.
	ctx, cancel := context.WithTimeout(context.Background(), deadline+5*time.Second)
	defer cancel()
	start := time.Now()
	reply, err := h.fn.Invoke(ctx, scfrpc.Invocation{
		Payload:      payload,
		RequestID:    requestID,
		Deadline:     start.Add(deadline),
		Environment:  all,
		FunctionName: "cos-sts-scf",
		Region:       region,
	})
	took := time.Since(start)
	if err != nil {
		return reply, took, fmt.Errorf("invoke %s: %w", requestID, err)
	}
	if reply.Error != nil {
		return reply, took, fmt.Errorf("invoke %s: function error %s: %s", requestID, reply.Error.Type, reply.Error.Message)
	}
	return reply, took, nil
}

// keep hands a reply to the harness's audit.
func (h *harness) keep(payload []byte) {
	h.mu.Lock()
	h.replies = append(h.replies, payload)
	h.mu.Unlock()
}

// urlEvent is a Function URL event (docs/contract.md §1: httpMethod, no requestContext).
func urlEvent(method, body string, headers map[string]string) []byte {
	h := map[string]string{"content-type": "application/json", "x-scf-remote-addr": "203.0.113.7", "origin": origin}
	maps.Copy(h, headers)
	b, _ := json.Marshal(map[string]any{
		"httpMethod": method, "path": "/", "headers": h, "queryString": map[string]string{}, "body": body,
	})
	return b
}

// apigwEvent is an API Gateway GET with query parameters; its requestId is
// the gateway's, which then becomes the invocation's.
func apigwEvent(gatewayRequestID string, query map[string]string) []byte {
	b, _ := json.Marshal(map[string]any{
		"httpMethod": "GET", "path": "/sts", "headers": map[string]string{"host": "service-1.apigw.example"},
		"queryString": query, "body": "",
		"requestContext": map[string]any{
			"requestId": gatewayRequestID, "sourceIp": "10.0.2.14", "httpMethod": "GET", "path": "/sts", "stage": "release",
		},
	})
	return b
}

// replyWant is what a reply must look like, whatever else the test checks.
type replyWant struct {
	direct    bool   // a direct invocation: the body is the result itself
	status    int    // HTTP status (for a direct invocation, the one an error body names)
	format    string // "cam" or "sts"
	code      string // the error code; "" for success
	requestID string // the requestId an error body carries
}

// parsed is a reply taken apart: the integration response (zero for a
// direct invocation), its body, and for a success the credential payload.
type parsed struct {
	http  integration
	body  []byte
	grant *grantBody
}

// wellFormed checks one reply against docs/contract.md §1 and §3 and returns it parsed.
// It returns an error rather than failing a test so that goroutines may use it.
func wellFormed(payload []byte, want replyWant) (parsed, error) {
	var p parsed
	p.body = payload
	if !want.direct {
		if err := json.Unmarshal(payload, &p.http); err != nil {
			return p, fmt.Errorf("reply %.200s is not an integration response: %w", payload, err)
		}
		var problems []error
		if p.http.StatusCode != want.status {
			problems = append(problems, fmt.Errorf("statusCode = %d; want %d", p.http.StatusCode, want.status))
		}
		if got := p.http.header("Content-Type"); got != "application/json; charset=utf-8" {
			problems = append(problems, fmt.Errorf("Content-Type = %q; want application/json; charset=utf-8", got))
		}
		if got := p.http.header("Cache-Control"); got != "no-store" {
			problems = append(problems, fmt.Errorf("Cache-Control = %q; want no-store", got))
		}
		if p.http.IsBase64Encoded {
			problems = append(problems, errors.New("isBase64Encoded = true; want a JSON text body"))
		}
		if want.status == 429 && p.http.header("Retry-After") == "" {
			problems = append(problems, errors.New("a 429 without Retry-After"))
		}
		if want.status == 405 && p.http.header("Allow") != "GET, POST, OPTIONS" {
			problems = append(problems, fmt.Errorf("Allow = %q; want GET, POST, OPTIONS", p.http.header("Allow")))
		}
		if err := errors.Join(problems...); err != nil {
			return p, fmt.Errorf("%w (body %.300s)", err, p.http.Body)
		}
		p.body = []byte(p.http.Body)
	}
	switch {
	case want.status == 204:
		if len(p.body) != 0 {
			return p, fmt.Errorf("204 body = %q; want none", p.body)
		}
		return p, nil
	case want.code != "":
		return p, errorShape(p.body, want)
	}
	g, err := successShape(p.body, want.format)
	p.grant = g
	return p, err
}

// errorShape checks an error body: the code, the status it names, a message,
// the invocation's request id, and no data or credentials.
func errorShape(body []byte, want replyWant) error {
	var code, message, requestID string
	if want.format == "sts" {
		var b stsErrorBody
		if err := json.Unmarshal(body, &b); err != nil || b.Error == nil {
			return fmt.Errorf("body %.300s: not an sts error (%v)", body, err)
		}
		code, message, requestID = b.Error.Code, b.Error.Message, b.RequestID
	} else {
		var b camBody
		if err := json.Unmarshal(body, &b); err != nil || b.Code == nil || b.Message == nil {
			return fmt.Errorf("body %.300s: not a cam error (%v)", body, err)
		}
		if *b.Code != want.status || b.Data != nil {
			return fmt.Errorf("code = %d, data %s; want %d and no data", *b.Code, b.Data, want.status)
		}
		code, message, requestID = b.CodeDesc, *b.Message, b.RequestID
	}
	switch {
	case code != want.code:
		return fmt.Errorf("error code = %q; want %q (message %q)", code, want.code, message)
	case message == "":
		return fmt.Errorf("error %s has no message", code)
	case requestID != want.requestID:
		return fmt.Errorf("requestId = %q; want %q", requestID, want.requestID)
	}
	return nil
}

// successShape checks a success body and returns its credential payload,
// which must hold three non-empty credentials and the grant fields.
func successShape(body []byte, format string) (*grantBody, error) {
	data := body
	if format != "sts" {
		var b camBody
		if err := json.Unmarshal(body, &b); err != nil || b.Code == nil || b.Message == nil {
			return nil, fmt.Errorf("body %.300s: not cam (%v)", body, err)
		}
		if *b.Code != 0 || *b.Message != "" || b.CodeDesc != "Success" || b.Data == nil {
			return nil, fmt.Errorf("code, message, codeDesc = %d, %q, %q; want 0, \"\", Success with data", *b.Code, *b.Message, b.CodeDesc)
		}
		data = b.Data
	}
	var g grantBody
	if err := json.Unmarshal(data, &g); err != nil {
		return nil, fmt.Errorf("payload %.300s: %w", data, err)
	}
	if g.DryRun {
		return &g, nil
	}
	c := g.Credentials
	switch {
	case c == nil || c.TmpSecretID == "" || c.TmpSecretKey == "" || c.SessionToken == "":
		return nil, errors.New("a success without all three credentials")
	case g.ExpiredTime == 0 || g.StartTime >= g.ExpiredTime || g.Expiration == "" || g.RequestID == "":
		return nil, fmt.Errorf("expiredTime, startTime, expiration, requestId = %d, %d, %q, %q; want all set, start before expiry",
			g.ExpiredTime, g.StartTime, g.Expiration, g.RequestID)
	case g.Bucket != bucket || g.Region != region || len(g.Actions) == 0 || g.Keys == nil:
		return nil, fmt.Errorf("bucket, region, actions, keys = %q, %q, %q, %#v; want the grant", g.Bucket, g.Region, g.Actions, g.Keys)
	}
	return &g, nil
}

// percentile is the p-th percentile (0-100) of ds by the nearest-rank method.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(i-1, 0)]
}
