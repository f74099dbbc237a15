package issuer

import (
	"errors"
	"strings"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in   string
		want Endpoint
	}{
		{"", Endpoint{DefaultHost, SchemeHTTPS}},
		{"  ", Endpoint{DefaultHost, SchemeHTTPS}},
		{"sts.internal.tencentcloudapi.com", Endpoint{"sts.internal.tencentcloudapi.com", SchemeHTTPS}},
		{"sts.tencentcloudapi.com:443", Endpoint{"sts.tencentcloudapi.com:443", SchemeHTTPS}},
		{"127.0.0.1:8080", Endpoint{"127.0.0.1:8080", SchemeHTTPS}},
		{"http://127.0.0.1:8080", Endpoint{"127.0.0.1:8080", SchemeHTTP}},
		{"http://127.0.0.1:8080/", Endpoint{"127.0.0.1:8080", SchemeHTTP}},
		{"HTTP://LocalHost:9", Endpoint{"localhost:9", SchemeHTTP}},
		{"https://sts.tencentcloudapi.com", Endpoint{"sts.tencentcloudapi.com", SchemeHTTPS}},
		{"https://sts.tencentcloudapi.com:8443", Endpoint{"sts.tencentcloudapi.com:8443", SchemeHTTPS}},
		{"http://[::1]:8080", Endpoint{"[::1]:8080", SchemeHTTP}},
		{"http://127.8.9.10", Endpoint{"127.8.9.10", SchemeHTTP}},
		{"http://[::ffff:127.0.0.1]:9", Endpoint{"[::ffff:127.0.0.1]:9", SchemeHTTP}},
		{"https://10.0.0.8", Endpoint{"10.0.0.8", SchemeHTTPS}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseEndpoint(tc.in)
			if err != nil {
				t.Fatalf("ParseEndpoint(%q) error = %v; want nil", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseEndpoint(%q) = %+v; want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseEndpointErrors(t *testing.T) {
	tests := []struct {
		name, in, says string
	}{
		{"path", "https://sts.tencentcloudapi.com/v2", "path"},
		{"path without scheme", "sts.tencentcloudapi.com/v2", "path"},
		{"query", "http://127.0.0.1:80?x=1", "query"},
		{"empty query", "http://127.0.0.1:80?", "query"},
		{"fragment", "http://127.0.0.1:80#f", "fragment"},
		{"user info", "https://AKIDx:hunter2@sts.tencentcloudapi.com", "user info"},
		{"user info without scheme", "u:hunter2@sts.tencentcloudapi.com", "user info"},
		{"ftp", "ftp://sts.tencentcloudapi.com", "scheme"},
		{"no host", "http://", "host"},
		{"only port", "http://:80", "host"},
		{"port 0", "127.0.0.1:0", "port"},
		{"port too big", "127.0.0.1:70000", "port"},
		{"port not a number", "http://127.0.0.1:http", ""},
		{"empty port", "127.0.0.1:", "port"},
		{"space in host", "sts tencentcloudapi.com", ""},
		{"unicode space in host", "0\u0085/", "DNS name"},
		{"non-ASCII host", "stś.tencentcloudapi.com", "DNS name"},
		{"clear text to STS", "http://sts.tencentcloudapi.com", "loopback"},
		{"clear text in a VPC", "http://sts.internal.tencentcloudapi.com", "loopback"},
		{"clear text to a private address", "HTTP://10.0.0.8:8080", "loopback"},
		{"clear text to a name that merely starts like localhost", "http://localhost.example.com", "loopback"},
		{"clear text to the unspecified address", "http://0.0.0.0:80", "loopback"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseEndpoint(tc.in)
			if !errors.Is(err, ErrEndpoint) {
				t.Fatalf("ParseEndpoint(%q) = %+v, %v; want ErrEndpoint", tc.in, got, err)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error = %q; want it to mention %q", err, tc.says)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error = %q; want the password left out", err)
			}
		})
	}
}

// FuzzParseEndpoint: whatever parses must print back to a URL that parses to
// the same Endpoint, and an error must never repeat user info.
func FuzzParseEndpoint(f *testing.F) {
	for _, s := range []string{"", "sts.tencentcloudapi.com", "127.0.0.1:8080", "http://[::1]:9", "https://u:p@h", "h/p?q#f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ep, err := ParseEndpoint(s)
		if err != nil {
			if !errors.Is(err, ErrEndpoint) {
				t.Fatalf("ParseEndpoint(%q) error %v; want ErrEndpoint", s, err)
			}
			return
		}
		if ep.Host == "" || (ep.Scheme != SchemeHTTP && ep.Scheme != SchemeHTTPS) {
			t.Fatalf("ParseEndpoint(%q) = %+v; want a host and a scheme", s, ep)
		}
		if host := strings.Trim(strings.TrimSuffix(ep.Host, ":"+portOf(ep.Host)), "[]"); ep.Scheme == SchemeHTTP && !isLoopback(host) {
			t.Fatalf("ParseEndpoint(%q) = %+v; want clear text only to a loopback host", s, ep)
		}
		again, err := ParseEndpoint(strings.ToLower(ep.Scheme) + "://" + ep.Host)
		if err != nil || again != ep {
			t.Fatalf("re-parse of %+v = %+v, %v; want the same", ep, again, err)
		}
	})
}

// portOf returns the port of host:port, "" when there is none.
func portOf(hostport string) string {
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.HasSuffix(hostport, "]") {
		return hostport[i+1:]
	}
	return ""
}
