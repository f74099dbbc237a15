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
		roleKeys   bool
		secret     string // must not appear in the notice
	}{
		{
			name:    "nothing set: demo keys and scope",
			environ: nil,
			want: map[string]string{
				"STS_SECRET_ID": demoSecretID, "STS_BUCKET": "examplebucket-1250000000",
				"STS_BUCKET_REGION": "ap-guangzhou", "STS_ALLOW_PREFIXES": "uploads/", "TENCENTCLOUD_SECRETID": "",
			},
			wantNotice: []string{"no STS_* variable is set", "STS_BUCKET=examplebucket-1250000000", "STS_ALLOW_PREFIXES=uploads/", "STS_SECRET_ID=" + demoSecretID, "work only there"},
		},
		{
			name:    "the developer's own keys and values, nothing filled in",
			environ: []string{"STS_SECRET_ID=AKIDmine", "STS_SECRET_KEY=mysecretkeyvalue", "STS_BUCKET=mine-1250000001"},
			want: map[string]string{
				"STS_SECRET_ID": "AKIDmine", "STS_SECRET_KEY": "mysecretkeyvalue", "STS_BUCKET": "mine-1250000001",
				"STS_ALLOW_PREFIXES": "", "STS_BUCKET_REGION": "", "TENCENTCLOUD_SECRETID": "",
			},
			wantNotice: []string{"nothing filled in: STS_BUCKET, STS_SECRET_ID, STS_SECRET_KEY.", "accepts your STS_SECRET_ID"},
			secret:     "mysecretkeyvalue",
		},
		{
			name:       "configuration without keys: role keys as SCF gives them, no demo",
			environ:    []string{"STS_BUCKET=mine-1250000001", "STS_ALLOW_PREFIXES=photos/"},
			want:       map[string]string{"STS_SECRET_ID": "", "STS_SECRET_KEY": "", "STS_ALLOW_PREFIXES": "photos/"},
			wantNotice: []string{"TENCENTCLOUD_SECRETID", "mint only with STS_ROLE_ARN"},
			roleKeys:   true,
		},
		{
			name:     "a complete policy: no demo scope",
			environ:  []string{`STS_POLICY={"version":"2.0"}`},
			want:     map[string]string{"STS_SECRET_ID": "", "STS_BUCKET": "", "STS_ALLOW_PREFIXES": ""},
			roleKeys: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var notice bytes.Buffer
			env, demo, done, err := functionConfig(tc.environ, &notice)
			if err != nil {
				t.Fatal(err)
			}
			defer done()
			s := &session{env: env, demo: demo}
			defer s.Close()
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
			secrets := []string{tc.secret, s.env["STS_SECRET_KEY"], s.env["TENCENTCLOUD_SECRETKEY"], s.env["TENCENTCLOUD_SESSIONTOKEN"]}
			if tc.roleKeys {
				if s.env["TENCENTCLOUD_SECRETID"] == "" || s.env["TENCENTCLOUD_SECRETKEY"] == "" || s.env["TENCENTCLOUD_SESSIONTOKEN"] == "" {
					t.Errorf("role keys missing: %v", s.env)
				}
			} else if s.env["STS_SECRET_KEY"] == "" {
				t.Errorf("STS_SECRET_KEY is empty")
			}
			for _, want := range append(tc.wantNotice, s.emu.URL()) {
				if !strings.Contains(notice.String(), want) {
					t.Errorf("notice %q lacks %q", notice.String(), want)
				}
			}
			for _, secret := range secrets {
				if secret != "" && strings.Contains(notice.String(), secret) {
					t.Errorf("notice %q contains a secret", notice.String())
				}
			}
			if n := strings.Count(notice.String(), "\n"); n != 2 {
				t.Errorf("notice has %d lines; want one about the configuration and one about the emulator", n)
			}
		})
	}
}
