package policy

import "testing"

func TestAppID(t *testing.T) {
	tests := []struct {
		name    string
		bucket  string
		want    string
		wantErr string
	}{
		{"typical", "examplebucket-1250000000", "1250000000", ""},
		{"dashes in the name", "my-app-assets-1250000000", "1250000000", ""},
		{"digits in the name", "b2-1", "1", ""},
		{"no dash", "examplebucket", "", `policy: bucket "examplebucket": want <name>-<appid>, like examplebucket-1250000000`},
		{"empty", "", "", `policy: bucket "": want <name>-<appid>, like examplebucket-1250000000`},
		{"no name", "-1250000000", "", `policy: bucket "-1250000000": want <name>-<appid>, like examplebucket-1250000000`},
		{"no appid", "examplebucket-", "", `policy: bucket "examplebucket-": want <name>-<appid>, like examplebucket-1250000000`},
		{"appid not digits", "examplebucket-12a", "", `policy: bucket "examplebucket-12a": the APPID after the last "-" must be digits`},
		{"upper case", "Example-1250000000", "", `policy: bucket "Example-1250000000": only lower-case letters, digits and "-" are allowed`},
		{"colon", "a:b-1250000000", "", `policy: bucket "a:b-1250000000": only lower-case letters, digits and "-" are allowed`},
		{"slash", "a/b-1250000000", "", `policy: bucket "a/b-1250000000": only lower-case letters, digits and "-" are allowed`},
		{"name starts with a dash", "-a-1250000000", "", `policy: bucket "-a-1250000000": the name must not start or end with "-"`},
		{"name ends with a dash", "a--1250000000", "", `policy: bucket "a--1250000000": the name must not start or end with "-"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AppID(tc.bucket)
			checkErr(t, err, tc.wantErr, ErrInvalidBucket)
			if got != tc.want {
				t.Errorf("AppID(%q) = %q; want %q", tc.bucket, got, tc.want)
			}
		})
	}
}

func TestValidateRegion(t *testing.T) {
	tests := []struct {
		region string
		ok     bool
	}{
		{"ap-guangzhou", true},
		{"ap-shanghai-fsi", true},
		{"na-siliconvalley", true},
		{"ap-beijing-1", true},
		{"eu-frankfurt", true},
		{"", false},
		{"guangzhou", false},
		{"ap-1", false},
		{"AP-guangzhou", false},
		{"ap_guangzhou", false},
		{"ap-guangzhou-", false},
		{"-ap-guangzhou", false},
		{"ap--guangzhou", false},
		{"ap-guangzhou-1-2", false},
		{"ap-guangzhou:1", false},
		{"ap-guangzhou/x", false},
		{"ap-guangzhou-x1", false},
	}
	for _, tc := range tests {
		t.Run(tc.region, func(t *testing.T) {
			want := ""
			if !tc.ok {
				want = `policy: region ` + quote(tc.region) + `: want lower-case words joined by "-", like ap-guangzhou`
			}
			checkErr(t, ValidateRegion(tc.region), want, ErrInvalidRegion)
		})
	}
}
