package auth

import (
	"strings"
	"testing"
)

func TestSessionName(t *testing.T) {
	tests := []struct {
		name, sub, want string
	}{
		{"plain", "alice", "alice"},
		{"allowed punctuation kept", "a_b+c=d,e.f@g-h", "a_b+c=d,e.f@g-h"},
		{"email", "alice@example.com", "alice@example.com"},
		{"slash and colon", "auth0|user:42/x", "auth0-user-42-x"},
		{"space", "a b", "a-b"},
		{"unicode rune becomes one dash", "ālice", "-lice"},
		{"emoji", "a😀b", "a-b"},
		{"invalid UTF-8", "a\xffb", "a-b"},
		{"empty padded", "", "--"},
		{"one char padded", "a", "a-"},
		{"one bad char padded", "/", "--"},
		{"64 kept", strings.Repeat("x", 64), strings.Repeat("x", 64)},
		{"65 cut", strings.Repeat("x", 65), strings.Repeat("x", 64)},
		{"long unicode cut to 64 bytes", strings.Repeat("ü", 100), strings.Repeat("-", 64)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SessionName(tc.sub)
			if got != tc.want {
				t.Errorf("SessionName(%q) = %q; want %q", tc.sub, got, tc.want)
			}
			if again := SessionName(tc.sub); again != got {
				t.Errorf("SessionName(%q) = %q, then %q; want the same", tc.sub, got, again)
			}
		})
	}
}
