package issuer

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"sort"
	"sync/atomic"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	sts "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/sts/v20180813"
)

// statusRecorder passes requests to the shared transport and remembers the
// HTTP status: the SDK reports a non-JSON 502 as a JSON parse error, and the
// status is what tells a gateway failure (retry) from garbage (retry too,
// but reported differently).
type statusRecorder struct {
	next   http.RoundTripper
	status atomic.Int32
}

func (s *statusRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	if resp != nil {
		s.status.Store(int32(resp.StatusCode))
	}
	return resp, err
}

// attempt makes one signed call. A client is built per attempt around the
// shared transport: building one is cheap, and a client whose credential
// changed under a concurrent call would sign it with the wrong keys.
func (i *Issuer) attempt(ctx context.Context, r Request, timeout time.Duration) (Result, *Error, bool) {
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	rec := &statusRecorder{next: i.transport}
	p := profile.NewClientProfile() // a zero ClientProfile would enable the region breaker
	p.HttpProfile.Endpoint = r.Endpoint.Host
	p.HttpProfile.Scheme = r.Endpoint.Scheme
	p.HttpProfile.ReqTimeout = int(math.Ceil(timeout.Seconds())) + 1 // a backstop; actx is the real limit
	p.Debug = false                                                  // debug dumps headers, X-TC-Token included
	p.DisableRegionBreaker = true
	p.NetworkFailureMaxRetries = 0 // retries are ours, inside the deadline
	p.RateLimitExceededMaxRetries = 0
	cred := common.NewTokenCredential(r.Credentials.SecretID, r.Credentials.SecretKey, r.Credentials.Token)
	client, err := sts.NewClient(cred, r.Region, p)
	if err != nil {
		return Result{}, &Error{Kind: KindUpstream, Code: CodeNotSent, Message: "the STS client could not be built"}, false
	}
	client.WithHttpTransport(rec)

	var (
		creds           *sts.Credentials
		expired         int64
		expiration, rid *string
	)
	switch r.Mode {
	case ModeGetFederationToken:
		req := sts.NewGetFederationTokenRequest()
		req.Name = &r.Name
		req.Policy = ptr(url.QueryEscape(r.Policy))
		if r.DurationSeconds > 0 {
			req.DurationSeconds = ptr(uint64(r.DurationSeconds))
		}
		var resp *sts.GetFederationTokenResponse
		if resp, err = client.GetFederationTokenWithContext(actx, req); err == nil && resp.Response != nil {
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
			req.Policy = ptr(url.QueryEscape(r.Policy))
		}
		if r.DurationSeconds > 0 {
			req.DurationSeconds = ptr(uint64(r.DurationSeconds))
		}
		if r.ExternalID != "" {
			req.ExternalId = &r.ExternalID
		}
		req.Tags = tags(r.Tags)
		var resp *sts.AssumeRoleResponse
		if resp, err = client.AssumeRoleWithContext(actx, req); err == nil && resp.Response != nil {
			out := resp.Response
			creds, expiration, rid = out.Credentials, out.Expiration, out.RequestId
			if out.ExpiredTime != nil {
				expired = *out.ExpiredTime
			}
		}
	}
	if err != nil {
		e, retry := classify(err, actx.Err(), int(rec.status.Load()), timeout, r.Credentials.SecretKey, r.Credentials.Token)
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
