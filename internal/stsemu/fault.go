package stsemu

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Fault makes the emulator misbehave the way STS and the network do, so
// retry and timeout paths can be tested. Faults apply before any validation:
// even a badly signed call gets the fault. When several fields are set, Delay
// runs first, then the first of Reset, HTTPStatus, Body, EmptyCredentials,
// Code answers; a Delay alone is followed by normal handling (a slow STS).
type Fault struct {
	// Times is how many calls the fault applies to; 0 means every call until
	// Reset. Queued faults apply in order: a later one waits for the earlier
	// to be used up.
	Times int
	// Code answers with this STS error code, e.g. "RequestLimitExceeded".
	Code string
	// Message goes with Code (default "injected fault").
	Message string
	// HTTPStatus answers with this raw HTTP status and a non-JSON body, as a
	// gateway in front of STS does.
	HTTPStatus int
	// Delay waits this long, or until the client goes away or Close, before
	// answering.
	Delay time.Duration
	// Reset hijacks the connection and closes it (with an RST) unanswered.
	Reset bool
	// Body answers 200 with this raw body, e.g. malformed JSON.
	Body string
	// EmptyCredentials answers a success whose Credentials fields are "".
	EmptyCredentials bool
}

// queuedFault is a Fault with its remaining uses; left < 0 means forever.
type queuedFault struct {
	f    Fault
	left int
}

// Inject queues f for the next calls.
func (s *Server) Inject(f Fault) {
	left := f.Times
	if left <= 0 {
		left = -1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &queuedFault{f: f, left: left})
}

// nextFault takes one use of the fault at the head of the queue.
func (s *Server) nextFault() (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		return Fault{}, false
	}
	q := s.faults[0]
	if q.left > 0 {
		q.left--
		if q.left == 0 {
			s.faults = s.faults[1:]
		}
	}
	return q.f, true
}

// delay runs f's Delay. It reports false when the call ended during it: the
// client went away, or Close was called.
func (s *Server) delay(r *http.Request, f Fault, c *Call) bool {
	if f.Delay <= 0 {
		return true
	}
	t := time.NewTimer(f.Delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		c.ErrorCode = "ClientGone"
	case <-s.closing:
		c.ErrorCode = "Closed"
	}
	return false
}

// faultAnswer returns what f answers with, or nil when the call goes on to
// normal handling (a Delay with nothing after it). It fills c first, so the
// call can be recorded before the client sees the answer.
func (s *Server) faultAnswer(f Fault, c *Call) func(http.ResponseWriter) {
	switch {
	case f.Reset:
		c.ErrorCode = "ConnectionReset"
		c.RequestID = ""
		return resetConnection
	case f.HTTPStatus != 0:
		c.ErrorCode = fmt.Sprintf("HTTP%d", f.HTTPStatus)
		c.RequestID = ""
		return func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(f.HTTPStatus)
			fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>\n", f.HTTPStatus, http.StatusText(f.HTTPStatus))
		}
	case f.Body != "":
		c.ErrorCode = "MalformedBody"
		c.RequestID = ""
		return func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, f.Body)
		}
	case f.EmptyCredentials:
		c.ErrorCode = "EmptyCredentials"
		exp := s.opts.Now().Add(30 * time.Minute)
		body := map[string]any{"Response": map[string]any{
			"Credentials": Credentials{},
			"ExpiredTime": exp.Unix(),
			"Expiration":  exp.UTC().Format(time.RFC3339),
			"RequestId":   c.RequestID,
		}}
		return func(w http.ResponseWriter) { writeJSON(w, body) }
	case f.Code != "":
		e := apiError{Code: f.Code, Message: f.Message}
		if e.Message == "" {
			e.Message = "injected fault"
		}
		c.ErrorCode = f.Code
		rid := c.RequestID
		return func(w http.ResponseWriter) { writeError(w, e, rid) }
	}
	return nil
}

// resetConnection closes the client's connection without an answer. With
// SO_LINGER 0 the close sends an RST, which is what a crashed proxy does.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		// Only a ResponseRecorder lands here; the nearest thing it can show
		// is a gateway error.
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) //nolint:errcheck // best effort: a FIN is a reset too for the client.
	}
	conn.Close()
}

// apiError is an STS error answer.
type apiError struct{ Code, Message string }

// writeError answers as STS does: HTTP 200 with Response.Error.
func writeError(w http.ResponseWriter, e apiError, requestID string) {
	writeJSON(w, map[string]any{"Response": map[string]any{
		"Error":     map[string]string{"Code": e.Code, "Message": e.Message},
		"RequestId": requestID,
	}})
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "stsemu: encoding answer failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b) //nolint:errcheck // the client may be gone; nothing to do.
}
