package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateKey(t *testing.T) {
	long := strings.Repeat("a", MaxKeyBytes)
	tests := []struct {
		name    string
		key     string
		wantErr string // "" means accepted
	}{
		{"simple", "a.png", ""},
		{"nested", "home/u1/2026/x.png", ""},
		{"dots inside a segment", "a/.hidden/..x/x..", ""},
		{"three dots", "a/.../b", ""},
		{"unicode", "照片/猫.jpg", ""},
		{"spaces and punctuation", "docs/ça va & <ok> #1.txt", ""},
		{"exactly 850 bytes", long, ""},
		{"empty", "", `policy: key "": empty`},
		{"851 bytes", long + "a", `policy: key "` + strings.Repeat("a", maxQuoted) + `"...: 851 bytes, longer than 850`},
		{"invalid UTF-8", "a\xffb", `policy: key "a\xffb": not valid UTF-8`},
		{"replacement character", "a\ufffdb", "policy: key \"a\ufffdb\": replacement character U+FFFD at byte 1 (the input was not valid UTF-8)"},
		{"leading slash", "/a", `policy: key "/a": leading "/"`},
		{"trailing slash", "a/", `policy: key "a/": ends in "/" (that is a folder prefix, not a key)`},
		{"double slash", "a//b", `policy: key "a//b": empty path segment`},
		{"dot segment", "a/./b", `policy: key "a/./b": "." path segment`},
		{"dotdot segment", "a/../b", `policy: key "a/../b": ".." path segment`},
		{"dot key", ".", `policy: key ".": "." path segment`},
		{"dotdot last", "a/..", `policy: key "a/..": ".." path segment`},
		{"NUL", "a\x00b", `policy: key "a\x00b": control character U+0000 at byte 1`},
		{"newline", "a\nb", `policy: key "a\nb": control character U+000A at byte 1`},
		{"DEL", "a\x7f", `policy: key "a\x7f": control character U+007F at byte 1`},
		{"C1 NEL", "a\u0085", `policy: key "a\u0085": control character U+0085 at byte 1`},
		{"C1 last", "\u009f", `policy: key "\u009f": control character U+009F at byte 0`},
		{"star", "a/*", `policy: key "a/*": CAM wildcard '*' at byte 2`},
		{"question mark", "a?b", `policy: key "a?b": CAM wildcard '?' at byte 1`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, ValidateKey(tc.key), tc.wantErr, ErrInvalidKey)
		})
	}
}

func TestValidatePrefix(t *testing.T) {
	tests := []struct {
		name    string
		prefix  string
		wantErr string
	}{
		{"one segment", "uploads/", ""},
		{"nested", "home/u1/2026/", ""},
		{"unicode", "照片/", ""},
		{"exactly 850 bytes", strings.Repeat("a", MaxKeyBytes-1) + "/", ""},
		{"empty", "", `policy: prefix "": empty`},
		{"no trailing slash", "a/b", `policy: prefix "a/b": must end in "/"`},
		{"only a slash", "/", `policy: prefix "/": leading "/"`},
		{"leading slash", "/a/", `policy: prefix "/a/": leading "/"`},
		{"double slash inside", "a//b/", `policy: prefix "a//b/": empty path segment`},
		{"double slash at the end", "a//", `policy: prefix "a//": empty path segment`},
		{"dot segment", "./", `policy: prefix "./": "." path segment`},
		{"dotdot segment", "a/../", `policy: prefix "a/../": ".." path segment`},
		{"whole bucket is not a prefix", "*", `policy: prefix "*": CAM wildcard '*' at byte 0`},
		{"star folder", "a/*/", `policy: prefix "a/*/": CAM wildcard '*' at byte 2`},
		{"tab", "a\t/", `policy: prefix "a\t/": control character U+0009 at byte 1`},
		{"too long", strings.Repeat("a", MaxKeyBytes) + "/", `policy: prefix "` + strings.Repeat("a", maxQuoted) + `"...: 851 bytes, longer than 850`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, ValidatePrefix(tc.prefix), tc.wantErr, ErrInvalidKey)
		})
	}
}

func TestQuoteCutsOnRuneBoundary(t *testing.T) {
	s := strings.Repeat("a", maxQuoted-1) + "猫猫"
	got := quote(s)
	want := `"` + strings.Repeat("a", maxQuoted-1) + `"...`
	if got != want {
		t.Errorf("quote = %s; want %s", got, want)
	}
}

// checkErr asserts that err is nil when wantErr is empty, and otherwise that
// it has exactly the message wantErr and wraps sentinel.
func checkErr(t *testing.T, err error, wantErr string, sentinel error) {
	t.Helper()
	if wantErr == "" {
		if err != nil {
			t.Errorf("err = %v; want nil", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("err = nil; want %q", wantErr)
	}
	if err.Error() != wantErr {
		t.Errorf("err = %q; want %q", err.Error(), wantErr)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("errors.Is(%v, %v) = false; want true", err, sentinel)
	}
}
