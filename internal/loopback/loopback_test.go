package loopback

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestServer(t *testing.T) {
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hi") })}
	s.Close() // before Start: nothing to do
	if s.Addr() != "" {
		t.Errorf("Addr before Start = %q; want \"\"", s.Addr())
	}
	for _, addr := range []string{"0.0.0.0:0", "[::]:0", "example.com:80"} {
		if err := s.Start(addr); err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("Start(%s) = %v; want refused", addr, err)
		}
	}
	if err := s.Start(""); err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.Addr(), "127.0.0.1:") {
		t.Errorf("Addr = %q; want 127.0.0.1:port", s.Addr())
	}
	resp, err := http.Get("http://" + s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hi" {
		t.Errorf("body = %q; want the handler's", body)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.StartOn(ln); !errors.Is(err, ErrStarted) {
		t.Errorf("StartOn on a started server = %v; want ErrStarted", err)
	}
	if _, err := ln.Accept(); err == nil {
		t.Error("the refused listener is still open")
	}
	s.Close()
	if _, err := http.Get("http://" + s.Addr()); err == nil {
		t.Error("the server still answers after Close")
	}
	s.Close()
}
