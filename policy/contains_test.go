package policy

import "testing"

func TestContains(t *testing.T) {
	tests := []struct {
		name  string
		scope string
		p     string
		want  bool
	}{
		{"itself", "home/u1/", "home/u1/", true},
		{"sub folder", "home/u1/", "home/u1/2026/", true},
		{"key inside", "home/u1/", "home/u1/x.png", true},
		{"deep key", "home/u1/", "home/u1/a/b/c.png", true},
		{"sibling with a longer name", "home/u1/", "home/u10/", false},
		{"key in sibling", "home/u1/", "home/u10/x.png", false},
		{"key named like the folder", "home/u1/", "home/u1", false},
		{"parent", "home/u1/", "home/", false},
		{"other tree", "home/u1/", "work/u1/", false},
		{"case differs", "home/u1/", "Home/u1/x", false},
		{"scope is a key", "home/u1", "home/u1/x", false},
		{"scope is invalid", "home//", "home//x", false},
		{"dotdot escape", "home/u1/", "home/u1/../u2/x", false},
		{"empty p", "home/u1/", "", false},
		{"whole bucket, key", WholeBucket, "any/key.png", true},
		{"whole bucket, prefix", WholeBucket, "any/", true},
		{"whole bucket, itself", WholeBucket, WholeBucket, true},
		{"whole bucket, invalid key", WholeBucket, "/etc/passwd", false},
		{"prefix never contains whole bucket", "home/", WholeBucket, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Contains(tc.scope, tc.p); got != tc.want {
				t.Errorf("Contains(%q, %q) = %v; want %v", tc.scope, tc.p, got, tc.want)
			}
		})
	}
}

func TestKeyAllowed(t *testing.T) {
	prefixes := []string{"home/u1/", "shared/"}
	keys := []string{"public/logo.png"}
	tests := []struct {
		name string
		key  string
		want bool
	}{
		{"inside a prefix", "home/u1/a.png", true},
		{"inside the other prefix", "shared/b/c.txt", true},
		{"equal to a key", "public/logo.png", true},
		{"sibling u10", "home/u10/a.png", false},
		{"parent", "home/a.png", false},
		{"next to a key", "public/logo.png.bak", false},
		{"under a key", "public/logo.png/x", false},
		{"a prefix is not a key", "home/u1/", false},
		{"invalid key equal to nothing", "home/u1//a", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := KeyAllowed(prefixes, keys, tc.key); got != tc.want {
				t.Errorf("KeyAllowed(%q) = %v; want %v", tc.key, got, tc.want)
			}
		})
	}
	t.Run("an invalid scope key matches nothing", func(t *testing.T) {
		if KeyAllowed(nil, []string{"a//b"}, "a//b") {
			t.Errorf("KeyAllowed(nil, [a//b], a//b) = true; want false")
		}
	})
}

func TestPrefixAllowed(t *testing.T) {
	tests := []struct {
		name   string
		scope  []string
		prefix string
		want   bool
	}{
		{"equal", []string{"home/u1/"}, "home/u1/", true},
		{"narrower", []string{"home/u1/"}, "home/u1/2026/", true},
		{"sibling u10", []string{"home/u1/"}, "home/u10/", false},
		{"wider", []string{"home/u1/"}, "home/", false},
		{"a key is not a prefix", []string{"home/u1/"}, "home/u1/x", false},
		{"second scope prefix", []string{"a/", "home/"}, "home/u10/", true},
		{"whole bucket scope", []string{WholeBucket}, "anything/", true},
		{"whole bucket asked, whole bucket scope", []string{WholeBucket}, WholeBucket, true},
		{"whole bucket asked, folder scope", []string{"home/"}, WholeBucket, false},
		{"empty scope", nil, "home/", false},
		{"empty prefix never means all", []string{WholeBucket}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PrefixAllowed(tc.scope, tc.prefix); got != tc.want {
				t.Errorf("PrefixAllowed(%q, %q) = %v; want %v", tc.scope, tc.prefix, got, tc.want)
			}
		})
	}
}
