package issuer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// Made-up keys; they work only with the emulator.
const (
	testID  = "AKIDissuertestkey000000000000000000"
	testKey = "issuertestsecretkey00000000000000"
)

const testPolicy = `{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:PutObject"],` +
	`"resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/uploads/*"]}]}`

func startEmu(t testing.TB) *stsemu.Server {
	t.Helper()
	emu := stsemu.New(stsemu.Options{Keys: map[string]string{testID: testKey}})
	if err := emu.Start(); err != nil {
		t.Fatalf("emulator Start: %v", err)
	}
	t.Cleanup(emu.Close)
	return emu
}

func endpoint(t *testing.T, emu *stsemu.Server) Endpoint {
	t.Helper()
	ep, err := ParseEndpoint(emu.URL())
	if err != nil {
		t.Fatalf("ParseEndpoint(%q): %v", emu.URL(), err)
	}
	return ep
}

func federation(ep Endpoint) Request {
	return Request{
		Endpoint: ep, Region: "ap-guangzhou", Mode: ModeGetFederationToken,
		Credentials: Credentials{SecretID: testID, SecretKey: testKey},
		Policy:      testPolicy, DurationSeconds: 900, Name: "cossts",
	}
}

func assumeRole(ep Endpoint, c Credentials) Request {
	return Request{
		Endpoint: ep, Region: "ap-guangzhou", Mode: ModeAssumeRole, Credentials: c,
		Policy: testPolicy, DurationSeconds: 3600,
		RoleARN: "qcs::cam::uin/100000000001:roleName/cos-uploader", RoleSessionName: "alice",
		ExternalID: "ext-42", Tags: map[string]string{"sub": "alice", "app": "demo"},
	}
}

// fakeTime is a clock that only Sleep moves, so retry schedules are exact
// and tests never wait for backoff. The real context deadline is far away;
// the fake clock starts budget before it.
type fakeTime struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeTime(t *testing.T, budget time.Duration) (*fakeTime, context.Context) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	t.Cleanup(cancel)
	return &fakeTime{now: deadline.Add(-budget)}, ctx
}

func (f *fakeTime) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeTime) Sleep(_ context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	return nil
}

func (f *fakeTime) options() Options {
	return Options{Now: f.Now, Sleep: f.Sleep, Rand: func() float64 { return 0.5 }}
}

func TestIssueGetFederationToken(t *testing.T) {
	emu := startEmu(t)
	iss := New(Options{})
	res, err := iss.Issue(context.Background(), federation(endpoint(t, emu)))
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	calls := emu.Calls()
	if len(calls) != 1 {
		t.Fatalf("emulator calls = %d; want 1", len(calls))
	}
	c := calls[0]
	if res.TmpSecretID != c.Issued.TmpSecretId || res.TmpSecretKey != c.Issued.TmpSecretKey || res.SessionToken != c.Issued.Token {
		t.Errorf("Result credentials differ from what the emulator issued")
	}
	if res.ExpiredTime != c.ExpiredTime || res.RequestID != c.RequestID || res.Attempts != 1 {
		t.Errorf("Result = %d %q %d; want %d %q 1", res.ExpiredTime, res.RequestID, res.Attempts, c.ExpiredTime, c.RequestID)
	}
	if want := time.Unix(c.ExpiredTime, 0).UTC().Format(time.RFC3339); res.Expiration != want {
		t.Errorf("Expiration = %q; want %q", res.Expiration, want)
	}
	if c.Action != "GetFederationToken" || c.Name != "cossts" || c.DurationSeconds != 900 || c.Region != "ap-guangzhou" {
		t.Errorf("Call = %s %s %d %s; want GetFederationToken cossts 900 ap-guangzhou", c.Action, c.Name, c.DurationSeconds, c.Region)
	}
	if c.Policy != testPolicy {
		t.Errorf("Call.Policy = %q; want %q", c.Policy, testPolicy)
	}
	if c.RawPolicy != url.QueryEscape(testPolicy) {
		t.Errorf("Call.RawPolicy = %q; want url.QueryEscape of the policy", c.RawPolicy)
	}
	if c.Token != "" {
		t.Errorf("Call.Token present; want none with permanent keys")
	}
}

func TestIssueAssumeRoleWithRoleKeys(t *testing.T) {
	emu := startEmu(t)
	id, key, token := emu.NewRoleKeys(time.Hour)
	res, err := New(Options{}).Issue(context.Background(), assumeRole(endpoint(t, emu), Credentials{id, key, token}))
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	c := emu.Calls()[0]
	if res.SessionToken != c.Issued.Token || res.SessionToken == "" {
		t.Errorf("SessionToken differs from the emulator's")
	}
	checks := []struct{ name, got, want string }{
		{"Action", c.Action, "AssumeRole"},
		{"SecretID", c.SecretID, id},
		{"RoleArn", c.RoleArn, "qcs::cam::uin/100000000001:roleName/cos-uploader"},
		{"RoleSessionName", c.RoleSessionName, "alice"},
		{"ExternalId", c.ExternalId, "ext-42"},
		{"Policy", c.Policy, testPolicy},
		{"Tags[sub]", c.Tags["sub"], "alice"},
		{"Tags[app]", c.Tags["app"], "demo"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("Call.%s = %q; want %q", ch.name, ch.got, ch.want)
		}
	}
	if c.Token == "" || c.DurationSeconds != 3600 {
		t.Errorf("Call token present = %v, DurationSeconds = %d; want a token and 3600", c.Token != "", c.DurationSeconds)
	}
}

func TestIssueAssumeRoleOptionalFieldsOmitted(t *testing.T) {
	emu := startEmu(t)
	r := assumeRole(endpoint(t, emu), Credentials{SecretID: testID, SecretKey: testKey})
	r.Policy, r.ExternalID, r.Tags, r.DurationSeconds = "", "", nil, 0
	res, err := New(Options{}).Issue(context.Background(), r)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	c := emu.Calls()[0]
	if c.RawPolicy != "" || c.ExternalId != "" || c.Tags != nil || c.DurationSeconds != 0 {
		t.Errorf("Call = %+v; want no Policy, ExternalId, Tags or DurationSeconds sent", c)
	}
	if res.ExpiredTime != c.ExpiredTime {
		t.Errorf("ExpiredTime = %d; want %d (STS's default duration)", res.ExpiredTime, c.ExpiredTime)
	}
}

func TestIssueReusesConnection(t *testing.T) {
	emu := startEmu(t)
	iss := New(Options{})
	for i := 0; i < 2; i++ {
		if _, err := iss.Issue(context.Background(), federation(endpoint(t, emu))); err != nil {
			t.Fatalf("Issue %d: %v", i, err)
		}
	}
	if got := emu.Connections(); got != 1 {
		t.Errorf("Connections = %d; want 1 (the transport is shared)", got)
	}
}

func TestIssueUsesEachRequestsCredentials(t *testing.T) {
	emu := startEmu(t)
	iss := New(Options{})
	ep := endpoint(t, emu)
	var ids []string
	for i := 0; i < 2; i++ {
		id, key, token := emu.NewRoleKeys(time.Hour)
		ids = append(ids, id)
		if _, err := iss.Issue(context.Background(), assumeRole(ep, Credentials{id, key, token})); err != nil {
			t.Fatalf("Issue with role keys %d: %v", i, err)
		}
	}
	calls := emu.Calls()
	if len(calls) != 2 || calls[0].SecretID != ids[0] || calls[1].SecretID != ids[1] {
		t.Errorf("calls signed by %v; want %v", []string{calls[0].SecretID, calls[1].SecretID}, ids)
	}
}

func TestIssueConcurrent(t *testing.T) {
	emu := startEmu(t)
	iss := New(Options{})
	ep := endpoint(t, emu)
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		id, key, token := emu.NewRoleKeys(time.Hour)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := iss.Issue(context.Background(), assumeRole(ep, Credentials{id, key, token})); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Issue: %v", err)
	}
	if got := len(emu.Calls()); got != n {
		t.Errorf("emulator calls = %d; want %d", got, n)
	}
}

func TestIssueRetries(t *testing.T) {
	tests := []struct {
		name   string
		fault  stsemu.Fault
		tries  int // attempts until success
		sleeps []time.Duration
	}{
		{"throttled twice", stsemu.Fault{Times: 2, Code: "RequestLimitExceeded"}, 3, []time.Duration{75 * time.Millisecond, 150 * time.Millisecond}},
		{"throttled by uin", stsemu.Fault{Times: 1, Code: "RequestLimitExceeded.UinLimitExceeded"}, 2, []time.Duration{75 * time.Millisecond}},
		{"over the frequency limit", stsemu.Fault{Times: 1, Code: "InvalidParameter.OverLimit", Message: "超过频率限制"}, 2, []time.Duration{75 * time.Millisecond}},
		{"internal error", stsemu.Fault{Times: 1, Code: "InternalError.SystemError"}, 2, []time.Duration{75 * time.Millisecond}},
		{"502", stsemu.Fault{Times: 2, HTTPStatus: 502}, 3, []time.Duration{75 * time.Millisecond, 150 * time.Millisecond}},
		{"503", stsemu.Fault{Times: 1, HTTPStatus: 503}, 2, []time.Duration{75 * time.Millisecond}},
		{"reset", stsemu.Fault{Times: 2, Reset: true}, 3, []time.Duration{75 * time.Millisecond, 150 * time.Millisecond}},
		{"malformed JSON", stsemu.Fault{Times: 1, Body: `{"Response":{"Credentials":`}, 2, []time.Duration{75 * time.Millisecond}},
		{"not JSON at all", stsemu.Fault{Times: 1, Body: `<html>oops</html>`}, 2, []time.Duration{75 * time.Millisecond}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			emu := startEmu(t)
			emu.Inject(tc.fault)
			ft, ctx := newFakeTime(t, 3*time.Second)
			res, err := New(ft.options()).Issue(ctx, federation(endpoint(t, emu)))
			if err != nil {
				t.Fatalf("Issue: %v", err)
			}
			if res.Attempts != tc.tries {
				t.Errorf("Attempts = %d; want %d", res.Attempts, tc.tries)
			}
			if got := len(emu.Calls()); got != tc.tries {
				t.Errorf("emulator calls = %d; want %d", got, tc.tries)
			}
			if !equalDurations(ft.sleeps, tc.sleeps) {
				t.Errorf("sleeps = %v; want %v", ft.sleeps, tc.sleeps)
			}
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestIssueGivesUpInsideDeadline(t *testing.T) {
	tests := []struct {
		name     string
		fault    stsemu.Fault
		kind     Kind
		code     string
		attempts int
	}{
		// Budget 1.5s, jitter 0.5: waits 75, 150, 300, 600ms; after the 5th
		// attempt 375ms are left, less than 750ms + 100ms.
		{"throttled forever", stsemu.Fault{Code: "RequestLimitExceeded"}, KindThrottled, "RequestLimitExceeded", 5},
		{"internal error forever", stsemu.Fault{Code: "InternalError"}, KindUpstream, "InternalError", 5},
		{"502 forever", stsemu.Fault{HTTPStatus: 502}, KindUpstream, CodeBadAnswer, 5},
		{"reset forever", stsemu.Fault{Reset: true}, KindUpstream, CodeNetwork, 5},
		{"malformed forever", stsemu.Fault{Body: "{"}, KindUpstream, CodeBadAnswer, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			emu := startEmu(t)
			emu.Inject(tc.fault)
			ft, ctx := newFakeTime(t, 1500*time.Millisecond)
			_, err := New(ft.options()).Issue(ctx, federation(endpoint(t, emu)))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Issue error = %v; want *Error", err)
			}
			if e.Kind != tc.kind || e.Code != tc.code || e.Attempts != tc.attempts {
				t.Errorf("Error = %s %s after %d; want %s %s after %d", e.Kind, e.Code, e.Attempts, tc.kind, tc.code, tc.attempts)
			}
			if got := len(emu.Calls()); got != tc.attempts {
				t.Errorf("emulator calls = %d; want %d", got, tc.attempts)
			}
			want := []time.Duration{75 * time.Millisecond, 150 * time.Millisecond, 300 * time.Millisecond, 600 * time.Millisecond}
			if !equalDurations(ft.sleeps, want) {
				t.Errorf("sleeps = %v; want %v", ft.sleeps, want)
			}
			if now, dl := ft.Now(), deadlineOf(t, ctx); !now.Before(dl) {
				t.Errorf("gave up at %v; want before the deadline %v", now, dl)
			}
		})
	}
}

func deadlineOf(t *testing.T, ctx context.Context) time.Time {
	t.Helper()
	dl, ok := ctx.Deadline()
	if !ok {
		t.Fatalf("context has no deadline")
	}
	return dl
}

func TestIssueStopsAtMaxAttemptsWithoutDeadline(t *testing.T) {
	emu := startEmu(t)
	emu.Inject(stsemu.Fault{Code: "RequestLimitExceeded"})
	ft, _ := newFakeTime(t, time.Hour)
	_, err := New(ft.options()).Issue(context.Background(), federation(endpoint(t, emu)))
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindThrottled || e.Attempts != maxAttempts {
		t.Fatalf("Issue error = %v; want KindThrottled after %d attempts", err, maxAttempts)
	}
}

func TestIssueHangIsTimeout(t *testing.T) {
	tests := []struct {
		name           string
		attemptTimeout time.Duration
		ctxTimeout     time.Duration
		minAttempts    int
	}{
		// Attempt timeouts end each attempt; the fake Sleep makes retries
		// immediate, so several attempts fit.
		{"attempt timeout", 50 * time.Millisecond, time.Minute, 2},
		// The context's deadline, shorter than AttemptTimeout, caps the
		// first attempt.
		{"context deadline", time.Minute, 150 * time.Millisecond, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			emu := startEmu(t)
			emu.Inject(stsemu.Fault{Delay: time.Hour})
			ctx, cancel := context.WithTimeout(context.Background(), tc.ctxTimeout)
			defer cancel()
			iss := New(Options{AttemptTimeout: tc.attemptTimeout, Sleep: func(context.Context, time.Duration) error { return nil }})
			_, err := iss.Issue(ctx, federation(endpoint(t, emu)))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Issue error = %v; want *Error", err)
			}
			if e.Kind != KindTimeout || e.Code != CodeTimeout || e.Attempts < tc.minAttempts {
				t.Errorf("Error = %s %s after %d; want timeout after at least %d", e.Kind, e.Code, e.Attempts, tc.minAttempts)
			}
		})
	}
}

func TestIssueNotRetried(t *testing.T) {
	tests := []struct {
		name string
		req  func(*testing.T, *stsemu.Server) Request
		code string
	}{
		{"bad signature", func(t *testing.T, emu *stsemu.Server) Request {
			r := federation(endpoint(t, emu))
			r.Credentials.SecretKey = "wrong"
			return r
		}, "AuthFailure.SignatureFailure"},
		{"unknown key", func(t *testing.T, emu *stsemu.Server) Request {
			r := federation(endpoint(t, emu))
			r.Credentials.SecretID = "AKIDnobody"
			return r
		}, "AuthFailure.SecretIdNotFound"},
		{"role keys on GetFederationToken", func(t *testing.T, emu *stsemu.Server) Request {
			r := federation(endpoint(t, emu))
			id, key, token := emu.NewRoleKeys(time.Hour)
			r.Credentials = Credentials{id, key, token}
			return r
		}, "FailedOperation.TempKeyNotAllowed"},
		{"role keys without token", func(t *testing.T, emu *stsemu.Server) Request {
			id, key, _ := emu.NewRoleKeys(time.Hour)
			return assumeRole(endpoint(t, emu), Credentials{SecretID: id, SecretKey: key})
		}, "AuthFailure.TokenFailure"},
		{"foreign resource", func(t *testing.T, emu *stsemu.Server) Request {
			r := federation(endpoint(t, emu))
			r.Policy = strings.ReplaceAll(testPolicy, "1250000000", "1250000001")
			return r
		}, "InvalidParameter.GrantOtherResource"},
		{"duration too long", func(t *testing.T, emu *stsemu.Server) Request {
			r := federation(endpoint(t, emu))
			r.DurationSeconds = 129601 // a sub-account's limit is 129,600 s
			return r
		}, "InvalidParameter.OverTimeError"},
		{"name with digits", func(t *testing.T, emu *stsemu.Server) Request {
			r := federation(endpoint(t, emu))
			r.Name = "cos1"
			return r
		}, "InvalidParameter.ParamError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			emu := startEmu(t)
			ft, ctx := newFakeTime(t, 3*time.Second)
			_, err := New(ft.options()).Issue(ctx, tc.req(t, emu))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Issue error = %v; want *Error", err)
			}
			calls := emu.Calls()
			if e.Kind != KindUpstream || e.Code != tc.code || e.Attempts != 1 || len(calls) != 1 {
				t.Fatalf("Error = %s %s after %d (%d calls); want upstream %s after 1", e.Kind, e.Code, e.Attempts, len(calls), tc.code)
			}
			if e.RequestID != calls[0].RequestID || e.Message == "" {
				t.Errorf("RequestID, Message = %q, %q; want %q and STS's message", e.RequestID, e.Message, calls[0].RequestID)
			}
			if len(ft.sleeps) != 0 {
				t.Errorf("sleeps = %v; want none", ft.sleeps)
			}
		})
	}
}

func TestIssueEmptyCredentials(t *testing.T) {
	emu := startEmu(t)
	emu.Inject(stsemu.Fault{EmptyCredentials: true})
	res, err := New(Options{}).Issue(context.Background(), federation(endpoint(t, emu)))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Issue = %+v, %v; want an *Error", res, err)
	}
	if e.Kind != KindUpstream || e.Attempts != 1 || !strings.Contains(e.Message, "empty credentials") {
		t.Errorf("Error = %s %q after %d; want upstream \"…empty credentials\" after 1", e.Kind, e.Message, e.Attempts)
	}
	if res != (Result{}) {
		t.Errorf("Result = %+v; want the zero Result", res)
	}
}

func TestIssueConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ft, ctx := newFakeTime(t, 1500*time.Millisecond)
	_, err = New(ft.options()).Issue(ctx, federation(Endpoint{Host: addr, Scheme: SchemeHTTP}))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Issue error = %v; want *Error", err)
	}
	if e.Kind != KindUpstream || e.Code != CodeNetwork || e.Attempts != 5 || !strings.Contains(e.Message, "refused") {
		t.Errorf("Error = %s %s %q after %d; want upstream NetworkError \"…refused\" after 5", e.Kind, e.Code, e.Message, e.Attempts)
	}
}

func TestErrorsHoldNoSecret(t *testing.T) {
	emu := startEmu(t)
	id, key, token := emu.NewRoleKeys(time.Hour)
	creds := Credentials{id, key, token}
	ep := endpoint(t, emu)
	faults := []stsemu.Fault{
		// STS messages can quote parameters; an echo of the secrets must be cut.
		{Times: 1, Code: "InvalidParameter", Message: "bad key " + key + " token " + token},
		{Times: 1, Code: "RequestLimitExceeded", Message: key},
		{Times: 1, Body: `{"Response":{"Credentials":{"TmpSecretKey":"` + key + `"`},
		{Times: 1, HTTPStatus: 502},
		{Times: 1, Reset: true},
		{Times: 1, EmptyCredentials: true},
	}
	for _, f := range faults {
		emu.Reset()
		emu.Inject(f)
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		iss := New(Options{Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }, AttemptTimeout: time.Second})
		_, err := iss.Issue(ctx, assumeRole(ep, creds))
		cancel()
		if err == nil {
			t.Fatalf("fault %+v: Issue succeeded; want an error", f)
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("fault %+v: error %v; want *Error", f, err)
		}
		for _, s := range []string{key, token} {
			if strings.Contains(err.Error(), s) || strings.Contains(e.Message, s) {
				t.Errorf("fault %+v: error %q holds a secret", f, err)
			}
		}
	}
	if !strings.Contains(sanitize("bad key "+key, key), "[REDACTED]") {
		t.Errorf("sanitize left no [REDACTED] marker")
	}
}

func TestInvalidRequest(t *testing.T) {
	ok := federation(Endpoint{Host: "127.0.0.1:1", Scheme: SchemeHTTP})
	tests := []struct {
		name   string
		mutate func(*Request)
	}{
		{"no region", func(r *Request) { r.Region = "" }},
		{"no secret key", func(r *Request) { r.Credentials.SecretKey = "" }},
		{"no mode", func(r *Request) { r.Mode = "" }},
		{"federation without name", func(r *Request) { r.Name = "" }},
		{"federation without policy", func(r *Request) { r.Policy = "" }},
		{"role without ARN", func(r *Request) { r.Mode = ModeAssumeRole; r.RoleSessionName = "s1" }},
		{"negative duration", func(r *Request) { r.DurationSeconds = -1 }},
		{"bad scheme", func(r *Request) { r.Endpoint.Scheme = "FTP" }},
		{"tag value over 256 characters", func(r *Request) {
			*r = assumeRole(r.Endpoint, r.Credentials)
			r.Tags["sub"] = strings.Repeat("é", 257)
		}},
		{"empty tag key", func(r *Request) { *r = assumeRole(r.Endpoint, r.Credentials); r.Tags[""] = "x" }},
		{"tag key over 128 characters", func(r *Request) { *r = assumeRole(r.Endpoint, r.Credentials); r.Tags[strings.Repeat("k", 129)] = "x" }},
		{"51 tags", func(r *Request) {
			*r = assumeRole(r.Endpoint, r.Credentials)
			for i := range 49 {
				r.Tags[fmt.Sprint("t", i)] = "x"
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ok
			r.Credentials.SecretKey = "topsecret"
			tc.mutate(&r)
			_, err := New(Options{}).Issue(context.Background(), r)
			if !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("Issue error = %v; want ErrInvalidRequest", err)
			}
			if strings.Contains(err.Error(), "topsecret") {
				t.Errorf("error %q holds the secret key", err)
			}
		})
	}
}

// With SCF's default 3 s timeout the handler gives the issuer about 2.5 s. One stuck connection must not take all
// of it: the first attempt gets half, so the retry still answers.
func TestIssueShortBudgetLeavesRoomForASecondAttempt(t *testing.T) {
	emu := startEmu(t)
	emu.Inject(stsemu.Fault{Times: 1, Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	res, err := New(Options{}).Issue(ctx, federation(endpoint(t, emu)))
	if err != nil {
		t.Fatalf("Issue = %v; want the second attempt to succeed", err)
	}
	if res.Attempts != 2 {
		t.Errorf("Attempts = %d; want 2", res.Attempts)
	}
}

// TestIssueOverLimitIsThrottling: InvalidParameter.OverLimit ("超过频率限制") is STS throttling; when it lasts, the
// failure is KindThrottled (429), not a permanent InvalidParameter (502).
func TestIssueOverLimitIsThrottling(t *testing.T) {
	emu := startEmu(t)
	emu.Inject(stsemu.Fault{Code: "InvalidParameter.OverLimit", Message: "超过频率限制"})
	ft, ctx := newFakeTime(t, 30*time.Second)
	_, err := New(ft.options()).Issue(ctx, federation(endpoint(t, emu)))
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindThrottled || e.Code != CodeOverLimit || e.Attempts != maxAttempts {
		t.Fatalf("Issue error = %v; want throttled %s after %d attempts", err, CodeOverLimit, maxAttempts)
	}
}

// TestIssuePassesOnOnlyWhatLooksLikeSTS: STS's error code reaches the caller's reply and its request id the reply
// and the log, so a code outside STS's grammar or a request id that is not one (an echo of the request, a proxy's
// page) is not passed on, and an echo of a key in the message is masked even when cut short.
func TestIssuePassesOnOnlyWhatLooksLikeSTS(t *testing.T) {
	answer := func(code, msg, rid string) string {
		return fmt.Sprintf(`{"Response":{"Error":{"Code":%q,"Message":%q},"RequestId":%q}}`, code, msg, rid)
	}
	const uuid = "0b2d4f61-8a3c-4e5f-9b7d-1c2e3f4a5b6c"
	tests := []struct {
		name, body     string
		code, rid, msg string
	}{
		{"STS's own", answer("AuthFailure.SignatureExpire", "expired", uuid), "AuthFailure.SignatureExpire", uuid, "expired"},
		{"code with a space", answer("AuthFailure X-TC-Token="+testKey, "m", uuid), CodeBadAnswer, "", "STS answered an error whose code is not an STS error code"},
		{"code with a digit first in a part", answer("Auth.9x", "m", uuid), "Auth.9x", uuid, "m"},
		{"code empty part", answer("AuthFailure..X", "m", uuid), CodeBadAnswer, "", "STS answered an error whose code is not an STS error code"},
		{"code too long", answer(strings.Repeat("A", 81), "m", uuid), CodeBadAnswer, "", "STS answered an error whose code is not an STS error code"},
		{"request id with markup", answer("FailedOperation", "m", uuid+"<script>"), "FailedOperation", "", "m"},
		{"request id echoing a key", answer("FailedOperation", "m", testKey[:20]+" x"), "FailedOperation", "", "m"},
		{"message echoing a cut key", answer("FailedOperation", "bad key "+testKey[:20]+"…", uuid), "FailedOperation", uuid, "bad key [REDACTED]…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			emu := startEmu(t)
			emu.Inject(stsemu.Fault{Body: tc.body})
			ft, ctx := newFakeTime(t, 3*time.Second)
			_, err := New(ft.options()).Issue(ctx, federation(endpoint(t, emu)))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Issue error = %v; want *Error", err)
			}
			if e.Code != tc.code || e.RequestID != tc.rid || e.Message != tc.msg {
				t.Errorf("Error code, request id, message = %q, %q, %q; want %q, %q, %q", e.Code, e.RequestID, e.Message, tc.code, tc.rid, tc.msg)
			}
			if strings.Contains(e.Error(), testKey[:16]) {
				t.Errorf("Error %q holds a piece of the key", e)
			}
		})
	}
}
