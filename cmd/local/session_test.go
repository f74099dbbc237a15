package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestFunctionEnv(t *testing.T) {
	got := functionEnv([]string{
		"STS_BUCKET=b-1250000000", "TENCENTCLOUD_SECRETID=AKIDrole", "HOME=/root", "PATH=/bin",
		"STS_POLICY={\"a\":\"=\"}", "SCF_RUNTIME=Go1", "NOEQUALS",
	})
	want := map[string]string{"STS_BUCKET": "b-1250000000", "TENCENTCLOUD_SECRETID": "AKIDrole", "STS_POLICY": `{"a":"="}`}
	if len(got) != len(want) {
		t.Errorf("functionEnv = %v; want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("functionEnv[%s] = %q; want %q", k, got[k], v)
		}
	}
}

func TestStartEmulator(t *testing.T) {
	tests := []struct {
		name       string
		environ    []string
		want       map[string]string // "" means: must be unset
		wantNotice []string
		secret     string // must not appear in the notice
	}{
		{
			name:    "nothing set: demo keys and scope",
			environ: nil,
			want: map[string]string{
				"STS_SECRET_ID": demoSecretID, "STS_BUCKET": "examplebucket-1250000000",
				"STS_BUCKET_REGION": "ap-guangzhou", "STS_ALLOW_PREFIXES": "uploads/",
			},
			wantNotice: []string{"STS_SECRET_ID=" + demoSecretID, "STS_BUCKET=examplebucket-1250000000", "STS_ALLOW_PREFIXES=uploads/", "work only there"},
		},
		{
			name:    "the developer's own values are kept",
			environ: []string{"STS_SECRET_ID=AKIDmine", "STS_SECRET_KEY=mysecretkeyvalue", "STS_BUCKET=mine-1250000001"},
			want: map[string]string{
				"STS_SECRET_ID": "AKIDmine", "STS_SECRET_KEY": "mysecretkeyvalue", "STS_BUCKET": "mine-1250000001",
				"STS_ALLOW_PREFIXES": "uploads/",
			},
			wantNotice: []string{"STS_ALLOW_PREFIXES=uploads/"},
			secret:     "mysecretkeyvalue",
		},
		{
			name:    "a complete policy: no demo scope",
			environ: []string{`STS_POLICY={"version":"2.0"}`},
			want:    map[string]string{"STS_SECRET_ID": demoSecretID, "STS_BUCKET": "", "STS_ALLOW_PREFIXES": ""},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &session{env: functionEnv(tc.environ)}
			defer s.Close()
			var notice bytes.Buffer
			if err := s.startEmulator(&notice); err != nil {
				t.Fatalf("startEmulator: %v", err)
			}
			if got, want := s.env["STS_ENDPOINT"], s.emu.URL(); got != want || !strings.HasPrefix(got, "http://127.0.0.1:") {
				t.Errorf("STS_ENDPOINT = %q; want the emulator's %q", got, want)
			}
			for k, want := range tc.want {
				if got := s.env[k]; got != want {
					t.Errorf("%s = %q; want %q", k, got, want)
				}
			}
			if s.env["STS_SECRET_KEY"] == "" {
				t.Errorf("STS_SECRET_KEY is empty")
			}
			for _, want := range append(tc.wantNotice, s.emu.URL()) {
				if !strings.Contains(notice.String(), want) {
					t.Errorf("notice %q lacks %q", notice.String(), want)
				}
			}
			secret := tc.secret
			if secret == "" {
				secret = s.env["STS_SECRET_KEY"]
			}
			if strings.Contains(notice.String(), secret) {
				t.Errorf("notice %q contains the secret key", notice.String())
			}
			if n := strings.Count(notice.String(), "\n"); n != 1 {
				t.Errorf("notice has %d lines; want one paragraph", n)
			}
		})
	}
}
