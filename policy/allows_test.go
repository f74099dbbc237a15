package policy

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"abc", "ab", false},
		{"ab", "abc", false},
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "a/b/c", true},
		{"a/*", "a/", true},
		{"a/*", "a/b/c.png", true},
		{"a/*", "a", false},
		{"a/*", "b/a/x", false},
		{"a*c", "abbbc", true},
		{"a*c", "abbbcd", false},
		{"a*c*e", "a/c/x/e", true},
		{"*.png", "x/y.png", true},
		{"*.png", "x/y.jpg", false},
		{"**", "x", true},
		{"a*a*a*a*b", strings.Repeat("a", 200), false},
		{"ABC", "abc", false},
		{"a?c", "abc", false},
		{"a?c", "a?c", true},
		{"猫*", "猫/x", true},
	}
	for _, tc := range tests {
		t.Run(tc.pattern+"~"+tc.s, func(t *testing.T) {
			if got := match(tc.pattern, tc.s); got != tc.want {
				t.Errorf("match(%q, %q) = %v; want %v", tc.pattern, tc.s, got, tc.want)
			}
		})
	}
}

func TestAllows(t *testing.T) {
	const res = "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/"
	st := func(effect string, action, resource []string, cond string) Statement {
		s := Statement{Effect: effect, Action: action, Resource: resource}
		if cond != "" {
			s.Condition = json.RawMessage(cond)
		}
		return s
	}
	all := []string{"*"}
	get := []string{"name/cos:GetObject"}
	tests := []struct {
		name       string
		statements []Statement
		action     string
		resource   string
		want       bool
	}{
		{"no statements", nil, "name/cos:GetObject", res + "a", false},
		{"exact allow", []Statement{st("allow", get, []string{res + "a"}, "")}, "name/cos:GetObject", res + "a", true},
		{"other action", []Statement{st("allow", get, []string{res + "a"}, "")}, "name/cos:PutObject", res + "a", false},
		{"action case matters", []Statement{st("allow", get, []string{res + "a"}, "")}, "name/cos:getobject", res + "a", false},
		{"action wildcard", []Statement{st("allow", []string{"name/cos:*"}, []string{res + "*"}, "")}, "name/cos:PutObject", res + "a/b", true},
		{"action prefix wildcard", []Statement{st("allow", []string{"name/cos:Get*"}, all, "")}, "name/cos:PutObject", res + "a", false},
		{"resource folder", []Statement{st("allow", get, []string{res + "u1/*"}, "")}, "name/cos:GetObject", res + "u10/a", false},
		{"deny wins", []Statement{st("allow", all, all, ""), st("deny", get, []string{res + "secret/*"}, "")},
			"name/cos:GetObject", res + "secret/x", false},
		{"deny first still wins", []Statement{st("deny", all, []string{res + "secret/*"}, ""), st("allow", all, all, "")},
			"name/cos:GetObject", res + "secret/x", false},
		{"deny elsewhere leaves the allow", []Statement{st("allow", all, all, ""), st("deny", get, []string{res + "secret/*"}, "")},
			"name/cos:GetObject", res + "public/x", true},
		{"deny in another case", []Statement{st("allow", all, all, ""), st("Deny", all, all, "")},
			"name/cos:GetObject", res + "a", false},
		{"allow in another case", []Statement{st("Allow", all, all, "")}, "name/cos:GetObject", res + "a", true},
		{"conditional allow does not count", []Statement{st("allow", all, all, `{"ip_equal":{"qcs:ip":"10.0.0.1"}}`)},
			"name/cos:GetObject", res + "a", false},
		{"conditional deny counts", []Statement{st("allow", all, all, ""), st("deny", all, all, `{"ip_not_equal":{"qcs:ip":"10.0.0.1"}}`)},
			"name/cos:GetObject", res + "a", false},
		{"unknown effect grants nothing", []Statement{st("permit", all, all, "")}, "name/cos:GetObject", res + "a", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Policy{Version: Version, Statement: tc.statements}
			if got := Allows(p, tc.action, tc.resource); got != tc.want {
				t.Errorf("Allows(%q, %q) = %v; want %v", tc.action, tc.resource, got, tc.want)
			}
		})
	}
}

// TestAllowsGoldenProofs proves each golden grant exact: every requested
// action on every requested resource is allowed, and the nearest resources
// and actions outside it are denied, for a request that meets the grant's
// conditions (tc.ctx). allows_conditions_test.go proves the conditions.
func TestAllowsGoldenProofs(t *testing.T) {
	others := []string{"name/cos:PutObject", "name/cos:GetObject", "name/cos:HeadObject", "name/cos:DeleteObject",
		"name/cos:ListParts", "name/cos:PutObjectACL", "name/cos:GetBucket", "name/cos:PutBucketPolicy"}
	for _, tc := range goldenCases() {
		g := tc.grant
		p, err := Build(g)
		if err != nil {
			t.Fatalf("%s: Build: %v", tc.name, err)
		}
		actions, err := ExpandActions(g.Actions)
		if err != nil {
			t.Fatalf("%s: ExpandActions: %v", tc.name, err)
		}
		actions, _ = UsableActions(actions, g.Conditions) // what its conditions let the grant keep
		res := func(region, appid, bucket, key string) string {
			return fmt.Sprintf("qcs::cos:%s:uid/%s:%s/%s", region, appid, bucket, key)
		}
		inside, neighbours := grantProbes(g)
		t.Run(tc.name+"/requested", func(t *testing.T) {
			for _, a := range actions {
				for _, k := range inside {
					if r := res(g.Region, tc.appid, g.Bucket, k); !AllowsRequest(p, a, r, tc.ctx) {
						t.Errorf("AllowsRequest(%s, %s, %v) = false; want true", a, r, tc.ctx)
					}
				}
			}
		})
		t.Run(tc.name+"/other actions", func(t *testing.T) {
			denied := 0
			for _, a := range append(others, strings.ToLower(actions[0]), actions[0]+"s") {
				if slices.Contains(actions, a) {
					continue
				}
				denied++
				if r := res(g.Region, tc.appid, g.Bucket, inside[0]); AllowsRequest(p, a, r, tc.ctx) {
					t.Errorf("AllowsRequest(%s, %s, %v) = true; want false", a, r, tc.ctx)
				}
			}
			if denied < 2 {
				t.Fatalf("only %d actions probed; want at least 2", denied)
			}
		})
		t.Run(tc.name+"/other places", func(t *testing.T) {
			k := inside[0]
			bucketName := strings.TrimSuffix(g.Bucket, "-"+tc.appid)
			probes := []string{
				res(g.Region, tc.appid, "other-"+tc.appid, k),
				res(g.Region, tc.appid, bucketName+"x-"+tc.appid, k),
				res("ap-chengdu", tc.appid, g.Bucket, k),
				res(g.Region+"-fsi", tc.appid, g.Bucket, k),
				res(g.Region, "1", g.Bucket, k),
				res(g.Region, "1", bucketName+"-1", k),
			}
			if !slices.Contains(g.Prefixes, WholeBucket) {
				// "…/*" rightly matches "…//x"; a folder grant must not.
				probes = append(probes, res(g.Region, tc.appid, g.Bucket, "/"+k))
			}
			for _, r := range probes {
				if AllowsRequest(p, actions[0], r, tc.ctx) {
					t.Errorf("AllowsRequest(%s, %s, %v) = true; want false", actions[0], r, tc.ctx)
				}
			}
		})
		if tc.overlapping {
			continue
		}
		t.Run(tc.name+"/neighbour keys", func(t *testing.T) {
			for _, k := range neighbours {
				if KeyAllowed(g.Prefixes, g.Keys, k) {
					t.Fatalf("probe %q is inside the grant; the test is wrong", k)
				}
				for _, a := range actions {
					if r := res(g.Region, tc.appid, g.Bucket, k); AllowsRequest(p, a, r, tc.ctx) {
						t.Errorf("AllowsRequest(%s, %s, %v) = true; want false", a, r, tc.ctx)
					}
				}
			}
		})
	}
}

// grantProbes returns keys inside g and, for each prefix and key, its nearest
// neighbours outside: the sibling folder with a longer name (u1/ → u10/), the
// parent folder, the folder's own name as a key, and keys that extend a
// granted key.
func grantProbes(g Grant) (inside, neighbours []string) {
	parent := func(s string) string {
		if d := path.Dir(strings.TrimSuffix(s, "/")); d != "." {
			return d + "/"
		}
		return ""
	}
	for _, p := range g.Prefixes {
		if p == WholeBucket {
			inside = append(inside, "any/key.png", "top.txt", "深/层/x")
			continue
		}
		folder := strings.TrimSuffix(p, "/")
		inside = append(inside, p+"x.png", p+"2026/deep/y.txt")
		neighbours = append(neighbours, folder+"0/x.png", folder+"-old/x.png", parent(p)+"x.png", folder)
	}
	for _, k := range g.Keys {
		inside = append(inside, k)
		neighbours = append(neighbours, k+"x", k+".bak", k+"/x", parent(k)+"x.png")
	}
	return inside, neighbours
}
