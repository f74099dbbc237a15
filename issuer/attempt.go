package issuer

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"sync/atomic"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	sts "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/sts/v20180813"
)

// statusTransport passes requests to the shared transport and tells each attempt the HTTP status of its answer
// (through the *atomic.Int32 its context carries): the SDK reports a non-JSON 502 as a JSON parse error, and the
// status is what tells a gateway failure (retry) from garbage (retry too, but reported differently). One serves
// every client, so it keeps nothing of any request itself.
type statusTransport struct{ next http.RoundTripper }

// statusKey is the context key of an attempt's status.
type statusKey struct{}

func (s statusTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	if resp == nil {
		return resp, err
	}
	if status, ok := req.Context().Value(statusKey{}).(*atomic.Int32); ok {
		status.Store(int32(resp.StatusCode))
	}
	if resp.StatusCode == http.StatusOK && resp.Header.Get("Content-Type") != "text/event-stream" {
		// The SDK (common v1.3.211) decodes a JSON answer five times: TryReadErr looks for an error in it twice
		// (ErrorResponse, then the deprecated shape), then ParseFromHttpResponse does the same two decodes again
		// before the third, into the response. TryReadErr skips an octet-stream answer, so a 200 is marked as one
		// for the SDK: it is still decoded as JSON (by anything but text/event-stream), its error found by the same
		// two decodes, now done once. Answers of other statuses are left as they came, as is an event stream.
		// The answer, and so its header, is this call's own, and only the SDK reads it.
		resp.Header.Set("Content-Type", "application/octet-stream")
	}
	return resp, err
}

// clientKey is what an SDK client is built for: it holds the credentials it signs with, and the endpoint and
// region it calls.
type clientKey struct {
	endpoint    Endpoint
	region      string
	credentials Credentials
}

// maxClients bounds the clients kept. One instance signs with one set of keys at a time (SCF rotates the role's
// keys every so often); a few more cover the rotation and a configuration change.
const maxClients = 8

// client is an SDK client's two calls. It holds the *sts.Client only inside these method values: a *sts.Client
// reachable from the Issuer's type (a field, a map of them) would make the linker keep every exported method of it
// and of what they call, since net/rpc (scf-go-lib's wire) looks methods up by reflection. That was 160 KB of the
// binary for about twenty STS APIs the function never calls.
type client struct {
	getFederationToken func(context.Context, *sts.GetFederationTokenRequest) (*sts.GetFederationTokenResponse, error)
	assumeRole         func(context.Context, *sts.AssumeRoleRequest) (*sts.AssumeRoleResponse, error)
}

// client returns the SDK client for r's endpoint, region and credentials, built once and kept: building one runs
// the SDK's Client.Init, which clones net/http's default transport through reflection, only to have it replaced by
// the shared one. A client is safe for concurrent calls (its fields are only read once built), and never signs with
// any keys but its own, so a client whose keys rotated is simply not asked again.
func (i *Issuer) client(r Request) (*client, error) {
	k := clientKey{endpoint: r.Endpoint, region: r.Region, credentials: r.Credentials}
	i.mu.Lock()
	defer i.mu.Unlock()
	if c, ok := i.clients[k]; ok {
		return c, nil
	}
	p := profile.NewClientProfile() // a zero ClientProfile would enable the region breaker
	p.HttpProfile.Endpoint = r.Endpoint.Host
	p.HttpProfile.Scheme = r.Endpoint.Scheme
	// No http.Client timeout: every attempt's context has its deadline (attempt), which ends the request, its
	// connection and the reading of its body alike. A client timeout as well would only make net/http start a timer
	// and a goroutine per request to enforce a limit that never comes first.
	p.HttpProfile.ReqTimeout = 0
	p.Debug = false // debug dumps headers, X-TC-Token included
	p.DisableRegionBreaker = true
	p.NetworkFailureMaxRetries = 0 // retries are ours, inside the deadline
	p.RateLimitExceededMaxRetries = 0
	cred := common.NewTokenCredential(r.Credentials.SecretID, r.Credentials.SecretKey, r.Credentials.Token)
	c, err := sts.NewClient(cred, r.Region, p)
	if err != nil {
		return nil, err
	}
	c.WithHttpTransport(statusTransport{next: i.transport})
	if len(i.clients) >= maxClients {
		clear(i.clients)
	}
	kept := &client{getFederationToken: c.GetFederationTokenWithContext, assumeRole: c.AssumeRoleWithContext}
	i.clients[k] = kept
	return kept, nil
}

// attempt makes one signed call with the client for r's credentials.
func (i *Issuer) attempt(ctx context.Context, r Request, timeout time.Duration) (Result, *Error, bool) {
	var status atomic.Int32
	actx, cancel := context.WithTimeout(context.WithValue(ctx, statusKey{}, &status), timeout)
	defer cancel()

	client, err := i.client(r)
	if err != nil {
		return Result{}, &Error{Kind: KindUpstream, Code: CodeNotSent, Message: "the STS client could not be built"}, false
	}

	var (
		creds           *sts.Credentials
		expired         int64
		expiration, rid *string
	)
	switch r.Mode {
	case ModeGetFederationToken:
		req := sts.NewGetFederationTokenRequest()
		req.Name = &r.Name
		req.Policy = ptr(i.escaped(r.Policy))
		if r.DurationSeconds > 0 {
			req.DurationSeconds = ptr(uint64(r.DurationSeconds))
		}
		var resp *sts.GetFederationTokenResponse
		if resp, err = client.getFederationToken(actx, req); err == nil && resp.Response != nil {
			out := resp.Response
			creds, expiration, rid = out.Credentials, out.Expiration, out.RequestId
			if out.ExpiredTime != nil {
				expired = int64(*out.ExpiredTime)
			}
		}
	case ModeAssumeRole:
		req := sts.NewAssumeRoleRequest()
		req.RoleArn = &r.RoleARN
		req.RoleSessionName = &r.RoleSessionName
		if r.Policy != "" {
			req.Policy = ptr(i.escaped(r.Policy))
		}
		if r.DurationSeconds > 0 {
			req.DurationSeconds = ptr(uint64(r.DurationSeconds))
		}
		if r.ExternalID != "" {
			req.ExternalId = &r.ExternalID
		}
		req.Tags = tags(r.Tags)
		var resp *sts.AssumeRoleResponse
		if resp, err = client.assumeRole(actx, req); err == nil && resp.Response != nil {
			out := resp.Response
			creds, expiration, rid = out.Credentials, out.Expiration, out.RequestId
			if out.ExpiredTime != nil {
				expired = *out.ExpiredTime
			}
		}
	}
	if err != nil {
		e, retry := classify(err, actx.Err(), int(status.Load()), timeout, r.Credentials.SecretKey, r.Credentials.Token)
		return Result{}, e, retry
	}
	return result(creds, expired, deref(expiration), requestID(deref(rid)))
}

// result checks a success: STS answering 200 without credentials is a
// failure, never a Result the caller would hand out.
func result(c *sts.Credentials, expired int64, expiration, rid string) (Result, *Error, bool) {
	if c == nil || deref(c.TmpSecretId) == "" || deref(c.TmpSecretKey) == "" || deref(c.Token) == "" {
		return Result{}, &Error{Kind: KindUpstream, Code: CodeBadAnswer, Message: "STS answered a success with empty credentials", RequestID: rid}, false
	}
	if expired <= 0 {
		return Result{}, &Error{Kind: KindUpstream, Code: CodeBadAnswer, Message: "STS answered a success without ExpiredTime", RequestID: rid}, false
	}
	if _, err := time.Parse(time.RFC3339, expiration); err != nil {
		// Absent, or not a date: what the reply carries is computed, never STS's text passed on.
		expiration = time.Unix(expired, 0).UTC().Format(time.RFC3339)
	}
	return Result{
		TmpSecretID:  *c.TmpSecretId,
		TmpSecretKey: *c.TmpSecretKey,
		SessionToken: *c.Token,
		ExpiredTime:  expired,
		Expiration:   expiration,
		RequestID:    rid,
	}, nil, false
}

// escapedPolicy is a policy and its URL-encoding, as STS takes it.
type escapedPolicy struct{ raw, escaped string }

// escaped URL-encodes a policy, as STS requires and the SDK does not do. The last one is kept: a function answers
// mostly the same grant, whose policy is then encoded once rather than on every call.
func (i *Issuer) escaped(policy string) string {
	if last := i.lastPolicy.Load(); last != nil && last.raw == policy {
		return last.escaped
	}
	e := url.QueryEscape(policy)
	i.lastPolicy.Store(&escapedPolicy{raw: policy, escaped: e})
	return e
}

// tags turns the map into STS's list, sorted so that a call is reproducible.
func tags(m map[string]string) []*sts.Tag {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*sts.Tag, 0, len(keys))
	for _, k := range keys {
		out = append(out, &sts.Tag{Key: ptr(k), Value: ptr(m[k])})
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
