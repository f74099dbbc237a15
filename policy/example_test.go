package policy_test

import (
	"fmt"

	"github.com/cos-sts-scf/cos-sts-scf/policy"
)

func ExampleBuild() {
	p, err := policy.Build(policy.Grant{
		Bucket:   "examplebucket-1250000000",
		Region:   "ap-guangzhou",
		Prefixes: []string{"uploads/alice/"},
		Keys:     []string{"avatars/alice.png"},
		Actions:  []string{"download", "PutObject"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	text, err := p.JSON()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(text)
	// Output:
	// {"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetObject","name/cos:HeadObject","name/cos:PutObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/avatars/alice.png","qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/uploads/alice/*"]}]}
}

func ExampleContains() {
	fmt.Println(policy.Contains("home/u1/", "home/u1/2026/"))
	fmt.Println(policy.Contains("home/u1/", "home/u1/x.png"))
	fmt.Println(policy.Contains("home/u1/", "home/u10/"))
	fmt.Println(policy.Contains(policy.WholeBucket, "anything/at/all.txt"))
	// Output:
	// true
	// true
	// false
	// true
}

func ExampleExpandActions() {
	actions, err := policy.ExpandActions([]string{"download", "name/cos:DeleteObject", "GetObject"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(actions)
	_, err = policy.ExpandActions([]string{"name/cos:*"})
	fmt.Println(err)
	// Output:
	// [name/cos:GetObject name/cos:HeadObject name/cos:DeleteObject]
	// policy: action "name/cos:*": wildcards are not allowed
}

func ExampleAllows() {
	p, err := policy.Build(policy.Grant{
		Bucket:   "examplebucket-1250000000",
		Region:   "ap-guangzhou",
		Prefixes: []string{"home/u1/"},
		Actions:  []string{"upload"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	const bucket = "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/"
	fmt.Println(policy.Allows(p, "name/cos:PutObject", bucket+"home/u1/photo.png"))
	fmt.Println(policy.Allows(p, "name/cos:PutObject", bucket+"home/u10/photo.png"))
	fmt.Println(policy.Allows(p, "name/cos:GetObject", bucket+"home/u1/photo.png"))
	// Output:
	// true
	// false
	// false
}

func ExampleParse() {
	p, err := policy.Parse(`{"version":"2.0","statement":{"effect":"Allow","action":"name/cos:GetObject","resource":"*"}}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Statement[0].Effect, p.Statement[0].Action, p.Statement[0].Resource)
	// Output:
	// allow [name/cos:GetObject] [*]
}

func ExampleAllowsRequest() {
	p, err := policy.Build(policy.Grant{
		Bucket:   "examplebucket-1250000000",
		Region:   "ap-guangzhou",
		Prefixes: []string{"avatars/alice/"},
		Actions:  []string{"upload"},
		Conditions: policy.Conditions{
			MaxContentLength: 5 << 20,
			ContentTypes:     []string{"image/*"},
			SourceIP:         "203.0.113.7",
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	const object = "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/avatars/alice/x.png"
	upload := func(size, contentType, ip string) bool {
		return policy.AllowsRequest(p, "name/cos:PutObject", object, policy.RequestContext{
			policy.KeyContentLength: size, policy.KeyContentType: contentType, policy.KeySourceIP: ip,
		})
	}
	fmt.Println(upload("5242880", "image/png", "203.0.113.7"))
	fmt.Println(upload("6291456", "image/png", "203.0.113.7"))
	fmt.Println(upload("5242880", "text/plain", "203.0.113.7"))
	fmt.Println(upload("5242880", "image/png", "198.51.100.1"))
	// Output:
	// true
	// false
	// false
	// false
}

func ExampleDescribeConditions() {
	p, err := policy.Build(policy.Grant{
		Bucket:     "examplebucket-1250000000",
		Region:     "ap-guangzhou",
		Prefixes:   []string{"avatars/alice/"},
		Actions:    []string{"PutObject"},
		Conditions: policy.Conditions{MaxContentLength: 5242880, SourceIP: "203.0.113.0/24"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range policy.DescribeConditions(p) {
		fmt.Println(s)
	}
	// Output:
	// uploads may be at most 5242880 bytes (numeric_less_than_equal on cos:content-length, on PutObject)
	// requests must come from an address in 203.0.113.0/24 (ip_equal on qcs:ip)
}

func ExampleWarnings() {
	for _, w := range policy.Warnings(policy.Grant{
		Bucket:     "examplebucket-1250000000",
		Region:     "ap-guangzhou",
		Prefixes:   []string{policy.WholeBucket},
		Actions:    []string{"upload"},
		Conditions: policy.Conditions{ContentTypes: []string{"image/*"}},
	}) {
		fmt.Println(w)
	}
	// Output:
	// the grant covers the whole bucket examplebucket-1250000000 (prefix "*"): every object in it, not one folder
	// PostObject is left out of the grant: COS compares cos:content-type with a form upload's own Content-Type, multipart/form-data, so no POST Object could meet contentTypes: upload with PutObject
}

func ExampleContentTypeAllowed() {
	scope := []string{"image/*"}
	fmt.Println(policy.ContentTypeAllowed(scope, "image/png"))
	fmt.Println(policy.ContentTypeAllowed(scope, "image/*"))
	fmt.Println(policy.ContentTypeAllowed(scope, "text/plain"))
	// Output:
	// true
	// true
	// false
}
