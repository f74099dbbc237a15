package stsemu

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// startServer runs the emulator on loopback with the real clock, as the SDK
// and the issuer see it.
func startServer(t *testing.T) *Server {
	t.Helper()
	s := New(Options{Keys: map[string]string{testID: testKey}, AppID: testAppID})
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// post sends a freshly signed GetFederationToken to s over TCP.
func post(t *testing.T, s *Server, client *http.Client) (*http.Response, []byte, error) {
	t.Helper()
	r := newReq("GetFederationToken", federationBody(t))
	r.ts, r.host = time.Now().Unix(), s.Addr()
	resp, err := client.Do(r.httpRequest(t, s.URL()+"/"))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func decode(t *testing.T, b []byte) answer {
	t.Helper()
	var a answer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("answer is not JSON: %v: %q", err, b)
	}
	return a
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name   string
		fault  Fault
		check  func(t *testing.T, resp *http.Response, body []byte, err error)
		record string
	}{
		{"code", Fault{Times: 1, Code: "RequestLimitExceeded", Message: "slow down"}, func(t *testing.T, resp *http.Response, body []byte, err error) {
			a := decode(t, body)
			if a.errorCode() != "RequestLimitExceeded" || a.Response.Error.Message != "slow down" || resp.StatusCode != 200 {
				t.Errorf("answer = %d %s; want 200 RequestLimitExceeded: slow down", resp.StatusCode, body)
			}
		}, "RequestLimitExceeded"},
		{"http status", Fault{Times: 1, HTTPStatus: 502}, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if resp.StatusCode != 502 || json.Valid(body) {
				t.Errorf("answer = %d %q; want 502 with a non-JSON body", resp.StatusCode, body)
			}
		}, "HTTP502"},
		{"malformed body", Fault{Times: 1, Body: `{"Response":`}, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if resp.StatusCode != 200 || string(body) != `{"Response":` {
				t.Errorf("answer = %d %q; want 200 {\"Response\":", resp.StatusCode, body)
			}
		}, "MalformedBody"},
		{"empty credentials", Fault{Times: 1, EmptyCredentials: true}, func(t *testing.T, resp *http.Response, body []byte, err error) {
			a := decode(t, body)
			if a.errorCode() != "" || a.Response.Credentials == nil || *a.Response.Credentials != (Credentials{}) || a.Response.ExpiredTime == 0 {
				t.Errorf("answer = %s; want a success with empty Credentials", body)
			}
		}, "EmptyCredentials"},
		{"reset", Fault{Times: 1, Reset: true}, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err == nil {
				t.Errorf("Do = %d %q; want a connection error", resp.StatusCode, body)
			}
		}, "ConnectionReset"},
		{"delay then normal", Fault{Times: 1, Delay: time.Millisecond}, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if a := decode(t, body); a.errorCode() != "" {
				t.Errorf("answer = %s; want success after the delay", body)
			}
		}, ""},
		{"delay then code", Fault{Times: 1, Delay: time.Millisecond, Code: "InternalError"}, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if a := decode(t, body); a.errorCode() != "InternalError" {
				t.Errorf("answer = %s; want InternalError", body)
			}
		}, "InternalError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t)
			s.Inject(tc.fault)
			client := &http.Client{Transport: &http.Transport{}}
			resp, body, err := post(t, s, client)
			if err != nil && !tc.fault.Reset {
				t.Fatalf("Do: %v", err)
			}
			tc.check(t, resp, body, err)
			if calls := s.Calls(); len(calls) != 1 || calls[0].ErrorCode != tc.record || calls[0].Name != "cossts" {
				t.Errorf("Calls = %+v; want one call named cossts with ErrorCode %q", calls, tc.record)
			}
			// Times: 1 is used up: the next call is served normally.
			_, body, err = post(t, s, client)
			if err != nil {
				t.Fatalf("second Do: %v", err)
			}
			if a := decode(t, body); a.errorCode() != "" {
				t.Errorf("second answer = %s; want success once the fault is used up", body)
			}
		})
	}
}

func TestFaultQueueAndReset(t *testing.T) {
	s := newTestServer(t)
	s.Inject(Fault{Times: 2, Code: "RequestLimitExceeded"})
	s.Inject(Fault{Code: "InternalError"}) // forever, once the first is used up
	want := []string{"RequestLimitExceeded", "RequestLimitExceeded", "InternalError", "InternalError", "InternalError"}
	for i, w := range want {
		if a, _ := serve(t, s, newReq("GetFederationToken", federationBody(t))); a.errorCode() != w {
			t.Fatalf("call %d: Code = %q; want %q", i, a.errorCode(), w)
		}
	}
	s.Reset()
	if got := len(s.Calls()); got != 0 {
		t.Errorf("len(Calls) after Reset = %d; want 0", got)
	}
	if a, _ := serve(t, s, newReq("GetFederationToken", federationBody(t))); a.errorCode() != "" {
		t.Errorf("Code after Reset = %q; want success: Reset drops faults", a.errorCode())
	}
}

func TestFaultAppliesBeforeValidation(t *testing.T) {
	s := newTestServer(t)
	s.Inject(Fault{Times: 1, Code: "InternalError"})
	r := newReq("GetFederationToken", federationBody(t))
	r.key = "wrong"
	if a, _ := serve(t, s, r); a.errorCode() != "InternalError" {
		t.Errorf("Code = %q; want the injected InternalError, not a signature error", a.errorCode())
	}
}

func TestDelayEndsWhenClientGoes(t *testing.T) {
	s := startServer(t)
	s.Inject(Fault{Delay: time.Hour})
	client := &http.Client{Timeout: 50 * time.Millisecond}
	if _, _, err := post(t, s, client); err == nil {
		t.Fatalf("Do succeeded; want a client timeout")
	}
	waitFor(t, func() bool { return len(s.Calls()) == 1 })
	if got := s.Calls()[0].ErrorCode; got != "ClientGone" {
		t.Errorf("ErrorCode = %q; want ClientGone", got)
	}
}

func TestCloseEndsDelays(t *testing.T) {
	s := startServer(t)
	s.Inject(Fault{Delay: time.Hour})
	done := make(chan error, 1)
	go func() {
		_, _, err := post(t, s, &http.Client{})
		done <- err
	}()
	waitFor(t, func() bool { return s.Connections() == 1 })
	s.Close()
	if err := <-done; err == nil {
		t.Errorf("Do succeeded; want an error once the server closed")
	}
}

// waitFor polls cond; the test's own timeout bounds it, so no timing is
// asserted.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for !cond() {
		time.Sleep(time.Millisecond)
	}
}

func TestStartTwice(t *testing.T) {
	s := startServer(t)
	if err := s.Start(); !errors.Is(err, ErrStarted) {
		t.Errorf("second Start = %v; want ErrStarted", err)
	}
	if !strings.HasPrefix(s.Addr(), "127.0.0.1:") || s.URL() != "http://"+s.Addr() {
		t.Errorf("Addr, URL = %q, %q; want 127.0.0.1:port and http://127.0.0.1:port", s.Addr(), s.URL())
	}
}

func TestConcurrentCalls(t *testing.T) {
	s := startServer(t)
	const workers, each = 8, 25
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if i%5 == 0 {
					s.Inject(Fault{Times: 1, Code: "RequestLimitExceeded"})
				}
				_, body, err := post(t, s, client)
				if err != nil {
					errs <- err
					continue
				}
				if !bytes.Contains(body, []byte(`"RequestId"`)) {
					errs <- errors.New("answer without RequestId: " + string(body))
				}
				_ = s.Calls()
				_ = s.Connections()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("call failed: %v", err)
	}
	calls := s.Calls()
	if len(calls) != workers*each {
		t.Fatalf("len(Calls) = %d; want %d", len(calls), workers*each)
	}
	throttled := 0
	for _, c := range calls {
		if c.ErrorCode == "RequestLimitExceeded" {
			throttled++
		} else if c.ErrorCode != "" {
			t.Errorf("ErrorCode = %q; want success or the injected throttling", c.ErrorCode)
		}
	}
	if want := workers * each / 5; throttled != want {
		t.Errorf("throttled calls = %d; want %d (each injected fault used exactly once)", throttled, want)
	}
	// The pool may dial a spare connection while another is being put back,
	// so only reuse itself is asserted: far fewer connections than calls.
	if n := s.Connections(); n >= workers*each/4 {
		t.Errorf("Connections = %d; want fewer than %d with keep-alive", n, workers*each/4)
	}
}
