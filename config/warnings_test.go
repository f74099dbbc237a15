package config_test

import (
	"strings"
	"testing"

	"github.com/cos-sts-scf/cos-sts-scf/config"
)

// TestWarningsExactKeyLooksLikeAFolder: an item without a trailing / in STS_ALLOW_PREFIXES is an exact key; when
// it reads like a folder name (no file extension) the cold start warns, naming the fix.
func TestWarningsExactKeyLooksLikeAFolder(t *testing.T) {
	tests := []struct {
		prefixes string
		want     string // "" means no such warning
	}{
		{"uploads", `scope "default": "uploads" has no trailing /, so it grants the one object named "uploads", not a folder; if you meant the folder, write "uploads/"`},
		{"uploads/, exports/latest", `"exports/latest" has no trailing /`},
		{"exports/latest.csv", ""},
		{"uploads/", ""},
	}
	for _, tc := range tests {
		t.Run(tc.prefixes, func(t *testing.T) {
			env := map[string]string{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": tc.prefixes}
			cfg, err := config.Load(func(k string) string { return env[k] })
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			w := strings.Join(cfg.Warnings(), "\n")
			if tc.want == "" {
				if strings.Contains(w, "no trailing /") {
					t.Errorf("warnings %q; want none about a missing /", w)
				}
			} else if !strings.Contains(w, tc.want) {
				t.Errorf("warnings %q; want %q", w, tc.want)
			}
		})
	}
}
