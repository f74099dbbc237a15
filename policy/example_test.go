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

func ExampleEncode() {
	fmt.Println(policy.Encode(`{"version":"2.0"}`))
	// Output:
	// %7B%22version%22%3A%222.0%22%7D
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
