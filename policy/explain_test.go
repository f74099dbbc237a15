package policy

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestWarnings(t *testing.T) {
	const (
		wholeBucket  = `the grant covers the whole bucket examplebucket-1250000000 (prefix "*"): every object in it, not one folder`
		postOut      = "PostObject is left out of the grant: " + reasonFormType
		multipartOut = "InitiateMultipartUpload, ListMultipartUploads, ListParts, UploadPart, CompleteMultipartUpload, AbortMultipartUpload are left out of the grant: " + reasonMultipartSize
		sizeNoUpload = "maxContentLength has no effect: the grant has no upload that carries the object (PutObject, PostObject, AppendObject)"
		typeNoUpload = "contentTypes has no effect: the grant has no upload that declares the object's type (PutObject, AppendObject, InitiateMultipartUpload)"
	)
	grant := func(prefixes, actions []string, c Conditions) Grant {
		return Grant{Bucket: "examplebucket-1250000000", Region: "ap-guangzhou", Prefixes: prefixes, Actions: actions, Conditions: c}
	}
	folder := []string{"u/"}
	tests := []struct {
		name string
		g    Grant
		want []string
	}{
		{"plain folder upload", grant(folder, []string{"upload"}, Conditions{}), nil},
		{"simple uploads only, with limits", grant(folder, []string{"PutObject"},
			Conditions{MaxContentLength: 10, ContentTypes: []string{"image/*"}, SourceIP: "203.0.113.7"}), nil},
		{"form uploads under types", grant(folder, []string{"PutObject", "PostObject"},
			Conditions{ContentTypes: []string{"image/*"}}), []string{postOut}},
		{"IP binding alone says nothing", grant(folder, []string{"upload"}, Conditions{SourceIP: "203.0.113.7"}), nil},
		{"whole bucket", grant([]string{WholeBucket}, []string{"download"}, Conditions{}), []string{wholeBucket}},
		{"limits with multipart, whole bucket first", grant([]string{WholeBucket}, []string{"upload"},
			Conditions{MaxContentLength: 10, ContentTypes: []string{"image/*"}}),
			[]string{wholeBucket, postOut, multipartOut}},
		{"multipart under types alone is kept, typed at initiation", grant(folder, []string{"PutObject", "InitiateMultipartUpload"},
			Conditions{ContentTypes: []string{"image/*"}}), nil},
		{"appends", grant(folder, []string{"AppendObject"}, Conditions{MaxContentLength: 1024}),
			[]string{"maxContentLength limits each AppendObject request, not the object: repeated appends can grow it past 1024 bytes"}},
		{"limits on a download grant", grant(folder, []string{"download"},
			Conditions{MaxContentLength: 10, ContentTypes: []string{"text/csv"}}), []string{sizeNoUpload, typeNoUpload}},
		{"IP matching everything", grant(folder, []string{"download"}, Conditions{SourceIP: "0.0.0.0/0"}),
			[]string{"sourceIP 0.0.0.0/0 matches every address and restricts nothing"}},
		{"invalid actions are skipped", grant(folder, []string{"PutObjekt", "GetObject"}, Conditions{MaxContentLength: 10}),
			[]string{sizeNoUpload}},
		{"a size limit on multipart alone", grant(folder, []string{"UploadPart"}, Conditions{MaxContentLength: 10}),
			[]string{"UploadPart is left out of the grant: " + reasonMultipartSize, sizeNoUpload}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Warnings(tc.g); !slices.Equal(got, tc.want) {
				t.Errorf("Warnings =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestDescribeConditions(t *testing.T) {
	built := func(g Grant) Policy {
		t.Helper()
		g.Bucket, g.Region = "examplebucket-1250000000", "ap-guangzhou"
		if g.Prefixes == nil {
			g.Prefixes = []string{"u/"}
		}
		p, err := Build(g)
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		return p
	}
	parsed := func(text string) Policy {
		t.Helper()
		p, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		return p
	}
	tests := []struct {
		name string
		p    Policy
		want []string
	}{
		{"no conditions", built(Grant{Actions: []string{"upload"}}), nil},
		{"the avatar grant", built(Grant{Actions: []string{"upload"},
			Conditions: Conditions{MaxContentLength: 5242880, ContentTypes: []string{"image/*"}, SourceIP: "203.0.113.7"}}),
			[]string{
				"uploads may be at most 5242880 bytes (numeric_less_than_equal on cos:content-length, on PutObject)",
				"uploads must declare a Content-Type matching image/* (string_like on cos:content-type, on PutObject)",
				"requests must come from 203.0.113.7 (ip_equal on qcs:ip)",
			}},
		{"several types, a network", built(Grant{Actions: []string{"PutObject", "GetObject"},
			Conditions: Conditions{ContentTypes: []string{"image/png", "application/pdf"}, SourceIP: "198.51.100.0/24"}}),
			[]string{
				"uploads must declare a Content-Type matching application/pdf or image/png (string_like on cos:content-type, on PutObject)",
				"requests must come from an address in 198.51.100.0/24 (ip_equal on qcs:ip)",
			}},
		{"a hand-written policy", parsed(`{"version":"2.0","statement":[
			{"effect":"allow","action":"name/cos:GetObject","resource":"*","condition":{"string_equal_if_exist":{"cos:versionid":""}}},
			{"effect":"deny","action":["name/cos:PutObject","name/cos:PostObject"],"resource":"*",
			 "condition":{"numeric_greater_than":{"cos:content-length":10},"ip_not_equal":{"qcs:ip":["10.0.0.0/8","192.168.0.1"]}}},
			{"effect":"allow","action":"name/cos:GetObject","resource":"*","condition":{"bool_equal":{"cos:secure-transport":"true"}}}]}`),
			[]string{
				`allow GetObject only when cos:versionid is "", or the request has no cos:versionid (string_equal_if_exist on cos:versionid)`,
				`deny PutObject, PostObject when cos:content-length is more than "10" (numeric_greater_than on cos:content-length)`,
				`deny PutObject, PostObject when qcs:ip is not in "10.0.0.0/8" or "192.168.0.1" (ip_not_equal on qcs:ip)`,
				`allow GetObject only when cos:secure-transport satisfies bool_equal "true" (bool_equal on cos:secure-transport)`,
			}},
		{"unreadable", Policy{Version: Version, Statement: []Statement{
			{Effect: "allow", Action: []string{"*"}, Resource: []string{"*"}, Condition: json.RawMessage(`[1]`)},
			{Effect: "allow", Action: []string{"*"}, Resource: []string{"*"}, Condition: json.RawMessage(`{"ip_equal":3}`)},
			{Effect: "allow", Action: []string{"*"}, Resource: []string{"*"}, Condition: json.RawMessage(`{"ip_equal":{"qcs:ip":null}}`)},
		}}, []string{
			"statement 1 has a condition this evaluator cannot read; it counts as never allowing and always denying",
			"statement 2: operator ip_equal has no readable keys",
			"statement 3: ip_equal on qcs:ip has no readable value",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DescribeConditions(tc.p); !slices.Equal(got, tc.want) {
				t.Errorf("DescribeConditions =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
