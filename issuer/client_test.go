package issuer

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"
)

// TestIssueKeepsOneClientPerCredentials: calls with the same keys share one SDK client; keys that rotate get a
// client of their own, each call signed with its own keys; and the clients kept stay few.
func TestIssueKeepsOneClientPerCredentials(t *testing.T) {
	emu := startEmu(t)
	iss := New(Options{})
	ep := endpoint(t, emu)
	for i := range 3 {
		if _, err := iss.Issue(context.Background(), federation(ep)); err != nil {
			t.Fatalf("Issue %d: %v", i, err)
		}
	}
	if n := len(iss.clients); n != 1 {
		t.Errorf("%d clients after three calls with the same keys; want 1", n)
	}
	var ids []string
	for range maxClients + 3 {
		id, key, token := emu.NewRoleKeys(time.Hour)
		ids = append(ids, id)
		if _, err := iss.Issue(context.Background(), assumeRole(ep, Credentials{id, key, token})); err != nil {
			t.Fatalf("Issue with role keys %s: %v", id, err)
		}
		if n := len(iss.clients); n > maxClients {
			t.Fatalf("%d clients kept; want at most %d", n, maxClients)
		}
	}
	calls := emu.Calls()[3:]
	for i, c := range calls {
		if c.SecretID != ids[i] {
			t.Errorf("call %d signed by %s; want %s, its own keys", i, c.SecretID, ids[i])
		}
	}
}

// twoAnswers answers a GetFederationToken named "bad" with a gateway's 502 page and any other with a success.
type twoAnswers struct{}

func (twoAnswers) RoundTrip(r *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(r.Body)
	_ = r.Body.Close()
	status, ctype, answer := 200, "application/json", cannedAnswer
	if strings.Contains(string(body), `"Name":"bad"`) {
		status, ctype, answer = 502, "text/html", "<html>502 Bad Gateway</html>"
	}
	return &http.Response{
		StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {ctype}}, Body: io.NopCloser(strings.NewReader(answer)),
		ContentLength: int64(len(answer)), Request: r,
	}, nil
}

// TestEachAttemptReadsItsOwnStatus: one client serves concurrent calls, and each call's error is judged by the
// HTTP status of its own answer, never another's.
func TestEachAttemptReadsItsOwnStatus(t *testing.T) {
	iss := New(Options{Transport: twoAnswers{}, Sleep: func(context.Context, time.Duration) error { return context.Canceled }})
	ep := Endpoint{Host: "sts.example.com", Scheme: SchemeHTTPS}
	var wg sync.WaitGroup
	errs := make(chan string, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := federation(ep)
			if i%2 == 0 {
				r.Name = "bad"
			}
			_, err := iss.Issue(context.Background(), r)
			ie, _ := err.(*Error)
			switch {
			case r.Name == "bad" && (ie == nil || ie.Code != CodeBadAnswer || !strings.Contains(ie.Message, "HTTP 502")):
				errs <- "a 502 answer gave " + errString(err)
			case r.Name != "bad" && err != nil:
				errs <- "a success gave " + errString(err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(iss.clients); n != 1 {
		t.Errorf("%d clients; want one, shared", n)
	}
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// answerWith answers every call with one status, content type and body.
type answerWith struct {
	status      int
	contentType string
	body        string
}

func (a answerWith) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	_ = r.Body.Close()
	return &http.Response{
		StatusCode: a.status, Status: http.StatusText(a.status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {a.contentType}}, Body: io.NopCloser(strings.NewReader(a.body)),
		ContentLength: int64(len(a.body)), Request: r,
	}, nil
}

// TestErrorsAreFoundInEveryAnswer: the SDK finds STS's error in an answer whatever its status and content type,
// as it did before 200s were marked for it as octet-stream (statusTransport), and a success still parses.
func TestErrorsAreFoundInEveryAnswer(t *testing.T) {
	const uuid = "6a2d1c3e-0f4b-4c5d-8e9f-0a1b2c3d4e5f"
	stsError := `{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad signature"},"RequestId":"` + uuid + `"}}`
	deprecated := `{"code":4000,"message":"bad","codeDesc":"InvalidParameter"}`
	tests := []struct {
		name   string
		answer answerWith
		code   string
		rid    string
	}{
		{"STS error, 200", answerWith{200, "application/json", stsError}, "AuthFailure.SignatureFailure", uuid},
		{"STS error, 200, no content type", answerWith{200, "", stsError}, "AuthFailure.SignatureFailure", uuid},
		{"STS error, 400", answerWith{400, "application/json", stsError}, "AuthFailure.SignatureFailure", uuid},
		{"STS error, 503", answerWith{503, "application/json", stsError}, "AuthFailure.SignatureFailure", uuid},
		{"deprecated error, 200", answerWith{200, "application/json", deprecated}, "InvalidParameter", ""},
		{"not JSON, 200", answerWith{200, "text/html", "<html>hello</html>"}, CodeBadAnswer, ""},
		{"not JSON, 400", answerWith{400, "text/html", "<html>no</html>"}, CodeBadAnswer, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			iss := New(Options{Transport: tc.answer, Sleep: func(context.Context, time.Duration) error { return context.Canceled }})
			_, err := iss.Issue(context.Background(), federation(Endpoint{Host: "sts.example.com", Scheme: SchemeHTTPS}))
			ie, ok := err.(*Error)
			if !ok || ie.Code != tc.code || ie.RequestID != tc.rid || ie.Attempts != 1 {
				t.Fatalf("Issue error = %v; want code %s, request id %q, after one attempt", err, tc.code, tc.rid)
			}
		})
	}
	res, err := New(Options{Transport: answerWith{200, "application/json", cannedAnswer}}).Issue(context.Background(),
		federation(Endpoint{Host: "sts.example.com", Scheme: SchemeHTTPS}))
	if err != nil || res.SessionToken != cannedToken || res.ExpiredTime != 1795953336 {
		t.Errorf("a success = %+v, %v", res, err)
	}
}

// TestEscapedPolicy: a policy is sent URL-encoded, whichever one came before it; the last one's encoding is reused.
func TestEscapedPolicy(t *testing.T) {
	iss := New(Options{})
	for _, p := range []string{testPolicy, `{"a":"b c&d"}`, testPolicy, testPolicy, ""} {
		if got, want := iss.escaped(p), url.QueryEscape(p); got != want {
			t.Errorf("escaped(%q) = %q; want %q", p, got, want)
		}
	}
	first := iss.escaped(testPolicy)
	if again := iss.escaped(testPolicy); unsafe.StringData(again) != unsafe.StringData(first) {
		t.Error("the same policy twice was encoded twice")
	}
}
