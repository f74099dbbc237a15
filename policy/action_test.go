package policy

import (
	"slices"
	"testing"
)

func TestNormalizeAction(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string
	}{
		{"short", "PutObject", "name/cos:PutObject", ""},
		{"CAM form", "name/cos:GetObject", "name/cos:GetObject", ""},
		{"empty", "", "", `policy: action "": empty`},
		{"empty after the colon", "name/cos:", "", `policy: action "name/cos:": empty`},
		{"star", "*", "", `policy: action "*": wildcards are not allowed`},
		{"cos star", "name/cos:*", "", `policy: action "name/cos:*": wildcards are not allowed`},
		{"trailing star", "name/cos:Get*", "", `policy: action "name/cos:Get*": wildcards are not allowed`},
		{"other service", "name/cam:PassRole", "", `policy: action "name/cam:PassRole": not a COS action (want PutObject or name/cos:PutObject)`},
		{"no name/ part", "cos:PutObject", "", `policy: action "cos:PutObject": not a COS action (want PutObject or name/cos:PutObject)`},
		{"upper-case prefix", "Name/Cos:PutObject", "", `policy: action "Name/Cos:PutObject": not a COS action (want PutObject or name/cos:PutObject)`},
		{"digits", "PutObject2", "", `policy: action "PutObject2": a COS action name has letters only`},
		{"space", "Put Object", "", `policy: action "Put Object": a COS action name has letters only`},
		{"lower-case start", "putObject", "", `policy: action "putObject": a COS action name starts with an upper-case letter`},
		{"preset", "upload", "", `policy: action "upload": a preset, not one COS action`},
		{"CAM-form preset", "name/cos:download", "", `policy: action "name/cos:download": a preset, not one COS action`},
		{"capitalised preset", "Delete", "", `policy: action "Delete": a preset, not one COS action`},
		{"unknown", "PutObjekt", "", `policy: unknown COS action "PutObjekt"`},
		{"unknown in CAM form", "name/cos:PutObjekt", "", `policy: unknown COS action "name/cos:PutObjekt"`},
		{"known name in the wrong case", "PutObjectAcl", "", `policy: unknown COS action "PutObjectAcl" (did you mean PutObjectACL?)`},
		{"service-level action", "GetService", "", `policy: unknown COS action "GetService"`},
		{"append", "AppendObject", "name/cos:AppendObject", ""},
		{"bucket listing", "name/cos:GetBucket", "name/cos:GetBucket", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeAction(tc.in)
			checkErr(t, err, tc.wantErr, ErrInvalidAction)
			if got != tc.want {
				t.Errorf("NormalizeAction(%q) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestExpandActions(t *testing.T) {
	upload := []string{"name/cos:PutObject", "name/cos:PostObject", "name/cos:InitiateMultipartUpload",
		"name/cos:ListMultipartUploads", "name/cos:ListParts", "name/cos:UploadPart",
		"name/cos:CompleteMultipartUpload", "name/cos:AbortMultipartUpload"}
	download := []string{"name/cos:GetObject", "name/cos:HeadObject"}
	tests := []struct {
		name    string
		in      []string
		want    []string
		wantErr string
	}{
		{"upload preset", []string{"upload"}, upload, ""},
		{"download preset", []string{"download"}, download, ""},
		{"delete preset", []string{"delete"}, []string{"name/cos:DeleteObject"}, ""},
		{"presets in order", []string{"download", "upload"}, append(slices.Clone(download), upload...), ""},
		{"name then preset keeps first place", []string{"HeadObject", "download"},
			[]string{"name/cos:HeadObject", "name/cos:GetObject"}, ""},
		{"both forms dedup", []string{"PutObject", "name/cos:PutObject", "upload"}, upload, ""},
		{"nothing", nil, nil, ""},
		{"unknown preset", []string{"uplod"}, nil,
			`policy: action "uplod": not a preset (upload, download, delete) or a COS action`},
		{"preset in the wrong case", []string{"Upload"}, nil,
			`policy: action "Upload": presets are written in lower case (upload)`},
		{"every error at once", []string{"*", "upload", "name/cam:X", "Getobject"}, nil,
			"policy: action \"*\": wildcards are not allowed\n" +
				`policy: action "name/cam:X": not a COS action (want PutObject or name/cos:PutObject)` + "\n" +
				`policy: unknown COS action "Getobject" (did you mean GetObject?)`},
		{"unknown name", []string{"download", "PutObjekt"}, nil, `policy: unknown COS action "PutObjekt"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ExpandActions(tc.in)
			checkErr(t, err, tc.wantErr, ErrInvalidAction)
			if !slices.Equal(got, tc.want) {
				t.Errorf("ExpandActions(%q) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSubset(t *testing.T) {
	allowed := []string{"name/cos:PutObject", "name/cos:GetObject"}
	tests := []struct {
		name  string
		asked []string
		want  []string
	}{
		{"equal", []string{"name/cos:GetObject", "name/cos:PutObject"}, nil},
		{"narrower", []string{"name/cos:GetObject"}, nil},
		{"nothing asked", nil, nil},
		{"one extra", []string{"name/cos:GetObject", "name/cos:DeleteObject"}, []string{"name/cos:DeleteObject"}},
		{"extras once, in order", []string{"name/cos:ListParts", "name/cos:DeleteObject", "name/cos:ListParts"},
			[]string{"name/cos:ListParts", "name/cos:DeleteObject"}},
		{"unnormalized names are not equal", []string{"PutObject"}, []string{"PutObject"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Subset(allowed, tc.asked); !slices.Equal(got, tc.want) {
				t.Errorf("Subset(%q) = %q; want %q", tc.asked, got, tc.want)
			}
		})
	}
}
