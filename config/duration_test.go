package config

import (
	"strings"
	"testing"
)

// TestDurationFloor: keys shorter than MinDurationSeconds go unused by the COS SDKs, so neither the environment nor
// a scope may configure them; the problem names its variable or field.
func TestDurationFloor(t *testing.T) {
	tests := []struct {
		name string
		e    env
		want string // "" for no problem
	}{
		{"env default at the floor", minimal.with("STS_DURATION_SECONDS", "300"), ""},
		{"env default below", minimal.with("STS_DURATION_SECONDS", "60"), "STS_DURATION_SECONDS: 60 is below 300"},
		{"env maximum below", minimal.with("STS_MAX_DURATION_SECONDS", "120", "STS_DURATION_SECONDS", "120"), "STS_MAX_DURATION_SECONDS: 120 is below 300"},
		{"scope default below", env{"STS_SCOPES": `{"a":{"bucket":"b-1250000000","prefixes":["u/"],"durationSeconds":60}}`},
			"scopes.a.durationSeconds: 60 is below 300"},
		{"scope maximum below", env{"STS_SCOPES": `{"a":{"bucket":"b-1250000000","prefixes":["u/"],"maxDurationSeconds":200}}`},
			"scopes.a.maxDurationSeconds: 200 is below 300"},
		{"scope at the floor", env{"STS_SCOPES": `{"a":{"bucket":"b-1250000000","prefixes":["u/"],"durationSeconds":300,"maxDurationSeconds":300}}`}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.e.get)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Load: %v; want no problem", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Load: %v; want a problem containing %q", err, tc.want)
			}
		})
	}
}
