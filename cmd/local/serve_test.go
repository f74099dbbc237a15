package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
	"github.com/tencentyun/scf-go-lib/cloudfunction/messages"
)

// fakeFunction answers every invocation with reply and keeps what it got.
type fakeFunction struct {
	reply scfrpc.Reply
	err   error
	got   scfrpc.Invocation
}

func (f *fakeFunction) Invoke(_ context.Context, inv scfrpc.Invocation) (scfrpc.Reply, error) {
	f.got = inv
	return f.reply, f.err
}

func TestGateway(t *testing.T) {
	tests := []struct {
		name       string
		reply      scfrpc.Reply
		err        error
		wantStatus int
		wantHeader map[string]string
		wantBody   string
	}{
		{
			name:       "integration response written back",
			reply:      scfrpc.Reply{Payload: []byte(`{"statusCode":201,"headers":{"Content-Type":"application/json","Vary":"Origin"},"body":"{\"ok\":true}"}`)},
			wantStatus: 201,
			wantHeader: map[string]string{"Content-Type": "application/json", "Vary": "Origin"},
			wantBody:   `{"ok":true}`,
		},
		{
			name:       "base64 body decoded",
			reply:      scfrpc.Reply{Payload: []byte(`{"statusCode":200,"headers":{},"body":"aGk=","isBase64Encoded":true}`)},
			wantStatus: 200,
			wantBody:   "hi",
		},
		{
			name:       "result without statusCode is a 200 JSON body",
			reply:      scfrpc.Reply{Payload: []byte(`{"a":1}`)},
			wantStatus: 200,
			wantHeader: map[string]string{"Content-Type": "application/json"},
			wantBody:   `{"a":1}`,
		},
		{
			name:       "function error is a 502",
			reply:      scfrpc.Reply{Error: &messages.InvokeResponse_Error{Message: "boom", Type: "errorString"}},
			wantStatus: 502,
		},
		{
			name:       "protocol failure is a 502",
			err:        errors.New("connection reset"),
			wantStatus: 502,
		},
		{
			name:       "impossible status is a 502, not a panic",
			reply:      scfrpc.Reply{Payload: []byte(`{"statusCode":7,"body":""}`)},
			wantStatus: 502,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fn := &fakeFunction{reply: tc.reply, err: tc.err}
			var log bytes.Buffer
			g := &gateway{fn: fn, env: map[string]string{"STS_BUCKET": "b-1250000000"}, timeout: 3 * time.Second, log: &log}
			r := httptest.NewRequest("POST", "http://fn.example/sts?dryRun", strings.NewReader(`{"x":1}`))
			r.RemoteAddr = "192.0.2.1:1234"
			w := httptest.NewRecorder()
			before := time.Now()
			g.ServeHTTP(w, r)

			if w.Code != tc.wantStatus {
				t.Errorf("status = %d; want %d (log %q)", w.Code, tc.wantStatus, log.String())
			}
			for name, want := range tc.wantHeader {
				if got := w.Header().Get(name); got != want {
					t.Errorf("header %s = %q; want %q", name, got, want)
				}
			}
			if tc.wantBody != "" && w.Body.String() != tc.wantBody {
				t.Errorf("body = %q; want %q", w.Body.String(), tc.wantBody)
			}
			// What the function received: a Function URL event, the
			// environment, a request id and a deadline timeout from now.
			var ev urlEvent
			if err := json.Unmarshal(fn.got.Payload, &ev); err != nil {
				t.Fatalf("event %q: %v", fn.got.Payload, err)
			}
			if ev.HTTPMethod != "POST" || ev.Body != `{"x":1}` || ev.Headers["x-scf-remote-addr"] != "192.0.2.1" || ev.QueryString["dryRun"] != true {
				t.Errorf("event = %+v; want the POST with its body, remote addr and dryRun", ev)
			}
			if fn.got.Environment["STS_BUCKET"] != "b-1250000000" {
				t.Errorf("Environment = %v; want STS_BUCKET passed", fn.got.Environment)
			}
			if fn.got.RequestID == "" {
				t.Errorf("RequestID is empty")
			}
			if fn.got.Deadline.Before(before.Add(3 * time.Second)) {
				t.Errorf("Deadline = %v; want at least %v", fn.got.Deadline, before.Add(3*time.Second))
			}
		})
	}
}

func TestGatewayBodyLimit(t *testing.T) {
	fn := &fakeFunction{}
	g := &gateway{fn: fn, timeout: time.Second, log: io.Discard}
	r := httptest.NewRequest("POST", "http://fn.example/", bytes.NewReader(make([]byte, maxEventBody+1)))
	w := httptest.NewRecorder()
	g.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d; want %d", w.Code, http.StatusRequestEntityTooLarge)
	}
	if fn.got.Payload != nil {
		t.Errorf("the function was invoked with an oversized body")
	}
}
