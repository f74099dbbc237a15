package issuer

import (
	"strings"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		name string
		n    int
		rand float64
		want time.Duration
	}{
		{"first, least jitter", 1, 0, 50 * time.Millisecond},
		{"first, most jitter", 1, 0.999999, 99999950 * time.Nanosecond},
		{"second", 2, 0.5, 150 * time.Millisecond},
		{"fourth", 4, 0.5, 600 * time.Millisecond},
		{"fifth is capped", 5, 0.5, 750 * time.Millisecond},
		{"fiftieth is capped", 50, 0, 500 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i := New(Options{Rand: func() float64 { return tc.rand }})
			if got := i.backoff(tc.n); got != tc.want {
				t.Errorf("backoff(%d) with rand %v = %v; want %v", tc.n, tc.rand, got, tc.want)
			}
		})
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
		secrets        []string
	}{
		{"plain", "Name is invalid.", "Name is invalid.", nil},
		{"secret cut", "key abc123 bad", "key [REDACTED] bad", []string{"abc123"}},
		{"two secrets", "a=k1 b=t1", "a=[REDACTED] b=[REDACTED]", []string{"k1", "t1"}},
		{"an echo of the first 20 characters", "token da1e3f0b2c4d6e8fa0b1 is bad", "token [REDACTED] is bad", []string{"da1e3f0b2c4d6e8fa0b1c2d3e4f5a6b7"}},
		{"empty secret ignored", "abc", "abc", []string{""}},
		{"control characters", "line1\nline2\x00", "line1 line2", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := sanitize(tc.in, tc.secrets...); got != tc.want {
				t.Errorf("sanitize(%q) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
	long := sanitize(strings.Repeat("字", 500))
	if r := []rune(long); len(r) != maxMessage+1 || r[maxMessage] != '…' {
		t.Errorf("len(sanitize(500 x)) = %d runes; want %d (bounded, with an ellipsis)", len(r), maxMessage+1)
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Kind: KindThrottled, Code: "RequestLimitExceeded", Message: "slow down", RequestID: "rid-1", Attempts: 3}
	if got, want := e.Error(), "issuer: throttled: STS RequestLimitExceeded: slow down (request id rid-1, 3 attempts)"; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
	e = &Error{Kind: KindTimeout, Code: CodeTimeout, Message: "STS did not answer within 3s", Attempts: 1}
	if got, want := e.Error(), "issuer: timeout: STS Timeout: STS did not answer within 3s (1 attempt)"; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
}
