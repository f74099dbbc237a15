package cosemu

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestServeLoopbackOnly(t *testing.T) {
	s := New(Options{})
	if err := s.Start("0.0.0.0:0"); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("Start(0.0.0.0:0) = %v; want refused: the emulator must not be reachable from elsewhere", err)
	}
	if err := s.Start(""); err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer s.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.StartOn(ln); !errors.Is(err, ErrStarted) {
		t.Errorf("StartOn on a started server = %v; want ErrStarted", err)
	}
}

// TestClientFrom: the client reaches the emulator whatever host a URL names, from the address asked for, which
// the policy's qcs:ip then sees.
func TestClientFrom(t *testing.T) {
	policy := `{"version":"2.0","statement":[{"effect":"allow","action":"name/cos:*","resource":"*","condition":{"ip_equal":{"qcs:ip":"127.0.0.2"}}}]}`
	f := newFixture(t, policy)
	if err := f.s.Start(""); err != nil {
		t.Fatal(err)
	}
	defer f.s.Close()
	for from, want := range map[string]int{"127.0.0.2": http.StatusNotFound, "": http.StatusForbidden} {
		r := signed(request("GET", "/uploads/none", nil, nil))
		r.RequestURI, r.URL.Scheme, r.URL.Host = "", "http", testHost
		resp, err := f.s.Client(from).Do(r)
		if err != nil {
			t.Fatalf("from %q: %v", from, err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("from %q: status %d; want %d", from, resp.StatusCode, want)
		}
	}
}
