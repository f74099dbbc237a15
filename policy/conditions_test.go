package policy

import (
	"reflect"
	"strings"
	"testing"
)

func TestValidateContentType(t *testing.T) {
	const shape = `want type/subtype or type/*, like image/png or image/*, in letters, digits and !#$&^_.+-`
	long := "application/" + strings.Repeat("x", MaxContentTypeBytes-len("application/"))
	tests := []struct {
		name    string
		in      string
		wantErr string // the part after `policy: content type "<in>": `; "" means accepted
	}{
		{"type and subtype", "image/png", ""},
		{"type wildcard", "image/*", ""},
		{"vendor tree with punctuation", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ""},
		{"suffix", "image/svg+xml", ""},
		{"digits", "video/mp4", ""},
		{"exactly 255 bytes", long, ""},
		{"empty", "", "empty"},
		{"256 bytes", long + "x", "longer than 255 bytes"},
		{"star alone", "*", "matches every type; leave contentTypes out instead"},
		{"star slash star", "*/*", "matches every type; leave contentTypes out instead"},
		{"upper case", "image/PNG", "must be lower case (CAM compares it case-sensitively and clients send lower case)"},
		{"no slash", "image", shape},
		{"two slashes", "image/png/x", shape},
		{"empty subtype", "image/", shape},
		{"empty type", "/png", shape},
		{"wildcard type", "*/png", shape},
		{"partial wildcard", "image/p*", shape},
		{"question mark", "image/pn?", shape},
		{"parameters", "text/plain; charset=utf-8", shape},
		{"space", "image /png", shape},
		{"control character", "image/png\n", shape},
		{"non-ASCII", "image/pñg", shape},
		{"starts with punctuation", "image/.png", shape},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := ""
			if tc.wantErr != "" {
				want = "policy: content type " + quote(tc.in) + ": " + tc.wantErr
			}
			checkErr(t, ValidateContentType(tc.in), want, ErrInvalidCondition)
		})
	}
}

func TestContentTypeAllowed(t *testing.T) {
	tests := []struct {
		name  string
		scope []string
		asked string
		want  bool
	}{
		{"inside a wildcard", []string{"image/*"}, "image/png", true},
		{"the wildcard itself", []string{"image/*"}, "image/*", true},
		{"equal", []string{"image/png"}, "image/png", true},
		{"second scope entry", []string{"text/plain", "image/*"}, "image/gif", true},
		{"other type", []string{"image/*"}, "text/plain", false},
		{"wider than the scope", []string{"image/png"}, "image/*", false},
		{"sibling", []string{"image/png"}, "image/jpeg", false},
		{"type named like the scope's", []string{"image/*"}, "imagex/png", false},
		{"no limit in the scope", nil, "application/pdf", true},
		{"no limit still needs a valid type", nil, "*", false},
		{"invalid ask", []string{"image/*"}, "image/PNG", false},
		{"empty ask", []string{"image/*"}, "", false},
		{"invalid scope entry covers nothing", []string{"*"}, "image/png", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ContentTypeAllowed(tc.scope, tc.asked); got != tc.want {
				t.Errorf("ContentTypeAllowed(%q, %q) = %v; want %v", tc.scope, tc.asked, got, tc.want)
			}
		})
	}
}

func TestValidateIP(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"203.0.113.7", true},
		{"203.0.113.0/24", true},
		{"203.0.113.7/24", true}, // CAM accepts host bits; Build clears them
		{"0.0.0.0/0", true},
		{"2001:db8::1", true},
		{"2001:db8::/32", true},
		{"::ffff:203.0.113.7", true}, // Build writes it as IPv4
		{"", false},
		{"203.0.113", false},
		{"203.0.113.256", false},
		{"203.0.113.7/33", false},
		{"203.0.113.7/", false},
		{"fe80::1%eth0", false},
		{"::ffff:203.0.113.0/120", false},
		{"203.0.113.7 ", false},
		{"example.com", false},
		{"*", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			want := ""
			if !tc.ok {
				want = "policy: IP " + quote(tc.in) + ": want an IPv4 or IPv6 address or CIDR, like 203.0.113.7 or 203.0.113.0/24"
			}
			checkErr(t, ValidateIP(tc.in), want, ErrInvalidCondition)
		})
	}
}

// TestConditionsValidate shows the form Build writes: content types sorted,
// deduplicated and without those another covers; the IP canonical.
func TestConditionsValidate(t *testing.T) {
	tests := []struct {
		name string
		in   Conditions
		want Conditions
	}{
		{"zero", Conditions{}, Conditions{}},
		{"types collapse",
			Conditions{ContentTypes: []string{"image/png", "text/plain", "image/*", "text/plain"}},
			Conditions{ContentTypes: []string{"image/*", "text/plain"}}},
		{"CIDR host bits cleared", Conditions{SourceIP: "203.0.113.7/24"}, Conditions{SourceIP: "203.0.113.0/24"}},
		{"mapped address as IPv4", Conditions{SourceIP: "::ffff:203.0.113.7"}, Conditions{SourceIP: "203.0.113.7"}},
		{"IPv6 short form", Conditions{SourceIP: "2001:DB8:0::1"}, Conditions{SourceIP: "2001:db8::1"}},
		{"length kept", Conditions{MaxContentLength: 1}, Conditions{MaxContentLength: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.validate()
			if err != nil {
				t.Fatalf("validate: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("validate = %#v; want %#v", got, tc.want)
			}
		})
	}
}
