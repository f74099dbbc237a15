package issuer

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
)

// hashOf is the suffix fitName gives a name it had to change.
func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "-" + hex.EncodeToString(sum[:8])
}

func TestSessionName(t *testing.T) {
	tests := []struct {
		name, sub, want string
	}{
		{"plain", "alice", "alice"},
		{"allowed punctuation kept", "a_b+c=d,e.f@g-h", "a_b+c=d,e.f@g-h"},
		{"email", "alice@example.com", "alice@example.com"},
		{"two kept", "ab", "ab"},
		{"64 kept", strings.Repeat("x", 64), strings.Repeat("x", 64)},
		{"slash and colon", "auth0|user:42/x", "auth0-user-42-x" + hashOf("auth0|user:42/x")},
		{"space", "a b", "a-b" + hashOf("a b")},
		{"unicode bytes become dashes", "ālice", "--lice" + hashOf("ālice")},
		{"invalid UTF-8", "a\xffb", "a-b" + hashOf("a\xffb")},
		{"empty", "", hashOf("")},
		{"one char", "a", "a" + hashOf("a")},
		{"65 cut and hashed", strings.Repeat("x", 65), strings.Repeat("x", 47) + hashOf(strings.Repeat("x", 65))},
		{"long unicode", strings.Repeat("ü", 100), strings.Repeat("-", 47) + hashOf(strings.Repeat("ü", 100))},
	}
	valid := regexp.MustCompile(`^[\w+=,.@-]{2,64}$`) // STS's pattern, within this package's 64
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SessionName(tc.sub)
			if got != tc.want {
				t.Errorf("SessionName(%q) = %q; want %q", tc.sub, got, tc.want)
			}
			if !valid.MatchString(got) {
				t.Errorf("SessionName(%q) = %q; STS would refuse it", tc.sub, got)
			}
		})
	}
}

func TestSessionTag(t *testing.T) {
	long := strings.Repeat("a", 300)
	tests := []struct {
		name, sub, want string
	}{
		{"plain", "alice", "alice"},
		{"email and URL-ish subs kept", "auth0:google/1@x.com=+_-.", "auth0:google/1@x.com=+_-."},
		{"one char kept", "a", "a"},
		{"256 kept", strings.Repeat("a", 256), strings.Repeat("a", 256)},
		{"257 cut and hashed", strings.Repeat("a", 257), strings.Repeat("a", 239) + hashOf(strings.Repeat("a", 257))},
		{"300 cut and hashed", long, long[:239] + hashOf(long)},
		{"space and pipe", "user with|pipe", "user-with-pipe" + hashOf("user with|pipe")},
		{"empty", "", hashOf("")},
	}
	valid := regexp.MustCompile(`^[A-Za-z0-9_.:/=+@-]{1,256}$`)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SessionTag(tc.sub)
			if got != tc.want {
				t.Errorf("SessionTag(%q) = %q; want %q", tc.sub, got, tc.want)
			}
			if !valid.MatchString(got) {
				t.Errorf("SessionTag(%q) = %q; outside STS's limits", tc.sub, got)
			}
		})
	}
	// Two subs alike for 300 characters still get two tags.
	if SessionTag(long+"x") == SessionTag(long+"y") {
		t.Errorf("two long subs differing at the end share a tag")
	}
}
