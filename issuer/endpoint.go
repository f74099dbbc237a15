package issuer

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// DefaultHost is STS's public endpoint, used when STS_ENDPOINT is unset.
const DefaultHost = "sts.tencentcloudapi.com"

// Schemes an Endpoint may use, spelled as tencentcloud-sdk-go's HttpProfile
// wants them.
const (
	SchemeHTTPS = "HTTPS"
	SchemeHTTP  = "HTTP"
)

// ErrEndpoint is returned (wrapped) by ParseEndpoint for a value that is not
// a host, host:port or http(s) URL without path.
var ErrEndpoint = errors.New("issuer: invalid STS endpoint")

// Endpoint is where STS is: a host or host:port, and the scheme to reach it.
type Endpoint struct {
	Host   string // host or host:port
	Scheme string // SchemeHTTPS or SchemeHTTP
}

// ParseEndpoint reads STS_ENDPOINT: "" is the public endpoint over HTTPS; a
// bare "host" or "host:port" is HTTPS, since only a local emulator should
// ever be reached in clear text, and that has to be asked for with
// "http://" and a loopback host. The error says what is wrong without
// repeating the value, which could hold user info.
func ParseEndpoint(s string) (Endpoint, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Endpoint{Host: DefaultHost, Scheme: SchemeHTTPS}, nil
	}
	raw := s
	if !strings.Contains(s, "://") {
		raw = "https://" + s
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Endpoint{}, fmt.Errorf("%w: not a host, host:port or URL", ErrEndpoint)
	}
	var scheme string
	switch strings.ToLower(u.Scheme) {
	case "https":
		scheme = SchemeHTTPS
	case "http":
		scheme = SchemeHTTP
	default:
		return Endpoint{}, fmt.Errorf("%w: scheme %q is not http or https", ErrEndpoint, u.Scheme)
	}
	switch {
	case u.User != nil:
		return Endpoint{}, fmt.Errorf("%w: user info is not allowed (STS authenticates by signature)", ErrEndpoint)
	case u.Path != "" && u.Path != "/":
		return Endpoint{}, fmt.Errorf("%w: a path is not allowed (STS answers on /)", ErrEndpoint)
	case u.RawQuery != "" || u.ForceQuery:
		return Endpoint{}, fmt.Errorf("%w: a query is not allowed", ErrEndpoint)
	case u.Fragment != "" || strings.Contains(s, "#"):
		return Endpoint{}, fmt.Errorf("%w: a fragment is not allowed", ErrEndpoint)
	case u.Hostname() == "":
		return Endpoint{}, fmt.Errorf("%w: the host is empty", ErrEndpoint)
	case !validHost(u.Hostname()):
		return Endpoint{}, fmt.Errorf("%w: the host must be a DNS name (letters, digits, - and .) or an IP address", ErrEndpoint)
	}
	if p := u.Port(); p != "" || strings.HasSuffix(u.Host, ":") {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return Endpoint{}, fmt.Errorf("%w: the port must be 1-65535", ErrEndpoint)
		}
	}
	if scheme == SchemeHTTP && !isLoopback(u.Hostname()) {
		// The role's X-TC-Token and the keys STS mints would cross the network in clear text.
		return Endpoint{}, fmt.Errorf("%w: http:// is only for a loopback host (localhost, 127.0.0.0/8, ::1), such as a local emulator; use https://", ErrEndpoint)
	}
	return Endpoint{Host: strings.ToLower(u.Host), Scheme: scheme}, nil
}

// isLoopback reports a host that never leaves the machine: "localhost" or a loopback address. Other names are
// not resolved here; one that resolves to a loopback address is not trusted to keep doing so.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Unmap().IsLoopback()
}

// validHost accepts a DNS name in ASCII or an IP address. url.Parse lets through hosts with spaces, control or
// non-ASCII characters, which no resolver would look up and which would not survive being written back out.
func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
