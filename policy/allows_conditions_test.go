package policy

import "testing"

// TestAvatarGrantProofs proves the avatar grant of the README (upload at most
// 5 MiB of image/* into avatars/alice/ from 203.0.113.7) allows the upload
// it describes and denies each nearest neighbour.
func TestAvatarGrantProofs(t *testing.T) {
	p, err := Build(Grant{
		Bucket: "examplebucket-1250000000", Region: "ap-guangzhou",
		Prefixes: []string{"avatars/alice/"}, Actions: []string{"upload"},
		Conditions: Conditions{MaxContentLength: 5 << 20, ContentTypes: []string{"image/*"}, SourceIP: "203.0.113.7"},
	})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	const bucket = "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/"
	ok := RequestContext{KeyContentLength: "5242880", KeyContentType: "image/png", KeySourceIP: "203.0.113.7"}
	with := func(k, v string) RequestContext {
		c := RequestContext{}
		for key, val := range ok {
			c[key] = val
		}
		if v == "" {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name     string
		action   string
		resource string
		ctx      RequestContext
		want     bool
	}{
		{"5 MiB image/png into the folder", "name/cos:PutObject", bucket + "avatars/alice/x.png", ok, true},
		// contentTypes leave PostObject out (its form's Content-Type is never image/*), maxContentLength
		// the multipart APIs (a part's length is not the object's): the grant is PutObject alone.
		{"the same by form upload", "name/cos:PostObject", bucket + "avatars/alice/x.png", ok, false},
		{"deeper in the folder", "name/cos:PutObject", bucket + "avatars/alice/2026/x.png", ok, true},
		{"other image type", "name/cos:PutObject", bucket + "avatars/alice/x.gif", with(KeyContentType, "image/gif"), true},
		{"one byte", "name/cos:PutObject", bucket + "avatars/alice/x.png", with(KeyContentLength, "1"), true},
		{"6 MiB", "name/cos:PutObject", bucket + "avatars/alice/x.png", with(KeyContentLength, "6291456"), false},
		{"5 MiB and a byte", "name/cos:PutObject", bucket + "avatars/alice/x.png", with(KeyContentLength, "5242881"), false},
		{"text/plain", "name/cos:PutObject", bucket + "avatars/alice/x.png", with(KeyContentType, "text/plain"), false},
		{"type named like image", "name/cos:PutObject", bucket + "avatars/alice/x.png", with(KeyContentType, "imagex/png"), false},
		{"no Content-Type", "name/cos:PutObject", bucket + "avatars/alice/x.png", with(KeyContentType, ""), false},
		{"no Content-Length", "name/cos:PutObject", bucket + "avatars/alice/x.png", with(KeyContentLength, ""), false},
		{"sibling folder", "name/cos:PutObject", bucket + "avatars/alicex/x.png", ok, false},
		{"other user's folder", "name/cos:PutObject", bucket + "avatars/bob/x.png", ok, false},
		{"parent folder", "name/cos:PutObject", bucket + "avatars/x.png", ok, false},
		{"other bucket", "name/cos:PutObject",
			"qcs::cos:ap-guangzhou:uid/1250000000:otherbucket-1250000000/avatars/alice/x.png", ok, false},
		{"other region", "name/cos:PutObject",
			"qcs::cos:ap-chengdu:uid/1250000000:examplebucket-1250000000/avatars/alice/x.png", ok, false},
		{"GetObject", "name/cos:GetObject", bucket + "avatars/alice/x.png", ok, false},
		{"DeleteObject", "name/cos:DeleteObject", bucket + "avatars/alice/x.png", ok, false},
		{"other IP", "name/cos:PutObject", bucket + "avatars/alice/x.png", with(KeySourceIP, "203.0.113.8"), false},
		{"no IP", "name/cos:PutObject", bucket + "avatars/alice/x.png", with(KeySourceIP, ""), false},
		{"unknown request", "name/cos:PutObject", bucket + "avatars/alice/x.png", nil, false},
		{"multipart part from the IP", "name/cos:UploadPart", bucket + "avatars/alice/x.png",
			RequestContext{KeyContentLength: "1048576", KeySourceIP: "203.0.113.7"}, false},
		{"initiating a multipart upload of an image", "name/cos:InitiateMultipartUpload", bucket + "avatars/alice/x.png",
			with(KeyContentLength, "0"), false},
		{"multipart part from another IP", "name/cos:UploadPart", bucket + "avatars/alice/x.png",
			RequestContext{KeyContentLength: "1048576", KeySourceIP: "198.51.100.1"}, false},
		{"listing parts, no body", "name/cos:ListParts", bucket + "avatars/alice/x.png",
			RequestContext{KeySourceIP: "203.0.113.7"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := AllowsRequest(p, tc.action, tc.resource, tc.ctx); got != tc.want {
				t.Errorf("AllowsRequest(%s, %s, %v) = %v; want %v", tc.action, tc.resource, tc.ctx, got, tc.want)
			}
		})
	}
}

// TestCIDRGrantProofs proves a CIDR binding: an address inside the network
// is allowed, one outside is not, for every action of the grant.
func TestCIDRGrantProofs(t *testing.T) {
	p, err := Build(Grant{
		Bucket: "assets-1300000001", Region: "ap-singapore", Prefixes: []string{"public/"},
		Actions: []string{"download"}, Conditions: Conditions{SourceIP: "198.51.100.0/24"},
	})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	const object = "qcs::cos:ap-singapore:uid/1300000001:assets-1300000001/public/logo.png"
	tests := []struct {
		ip   string
		want bool
	}{
		{"198.51.100.0", true},
		{"198.51.100.20", true},
		{"198.51.100.255", true},
		{"::ffff:198.51.100.20", true},
		{"198.51.101.0", false},
		{"198.51.99.255", false},
		{"10.0.0.1", false},
		{"2001:db8::1", false},
	}
	for _, tc := range tests {
		for _, a := range []string{"name/cos:GetObject", "name/cos:HeadObject"} {
			t.Run(tc.ip+"/"+a, func(t *testing.T) {
				if got := AllowsRequest(p, a, object, RequestContext{KeySourceIP: tc.ip}); got != tc.want {
					t.Errorf("AllowsRequest(%s from %s) = %v; want %v", a, tc.ip, got, tc.want)
				}
			})
		}
	}
}
