package cosemu

import "testing"

func TestPolicyEvaluation(t *testing.T) {
	res := testRes + "uploads/a.png"
	ctx := map[string]string{keyContentLength: "100", keyContentType: "image/png", keySourceIP: "203.0.113.7"}
	stmt := func(effect, action, resource, cond string) string {
		s := `{"effect":"` + effect + `","action":["` + action + `"],"resource":["` + resource + `"]`
		if cond != "" {
			s += `,"condition":` + cond
		}
		return s + "}"
	}
	allowUploads := stmt("allow", "name/cos:PutObject", testRes+"uploads/*", "")
	tests := []struct {
		name       string
		statements string
		action     string
		ctx        map[string]string
		want       bool
	}{
		{"allow", allowUploads, "name/cos:PutObject", ctx, true},
		{"other action", allowUploads, "name/cos:GetObject", ctx, false},
		{"action case", stmt("allow", "name/cos:putobject", testRes+"uploads/*", ""), "name/cos:PutObject", ctx, true},
		{"action wildcard", stmt("allow", "name/cos:*", testRes+"*", ""), "name/cos:DeleteObject", ctx, true},
		{"other resource", stmt("allow", "name/cos:PutObject", testRes+"private/*", ""), "name/cos:PutObject", ctx, false},
		{"deny wins", allowUploads + "," + stmt("deny", "name/cos:*", "*", ""), "name/cos:PutObject", ctx, false},
		{"deny with false condition", allowUploads + "," + stmt("deny", "name/cos:*", "*", `{"ip_equal":{"qcs:ip":"10.0.0.0/8"}}`), "name/cos:PutObject", ctx, true},
		{"size within", stmt("allow", "name/cos:PutObject", "*", `{"numeric_less_than_equal":{"cos:content-length":100}}`), "name/cos:PutObject", ctx, true},
		{"size above", stmt("allow", "name/cos:PutObject", "*", `{"numeric_less_than_equal":{"cos:content-length":99}}`), "name/cos:PutObject", ctx, false},
		{"size absent", stmt("allow", "name/cos:PutObject", "*", `{"numeric_less_than_equal":{"cos:content-length":99}}`), "name/cos:PutObject", map[string]string{}, false},
		{"size absent, if_exist", stmt("allow", "name/cos:PutObject", "*", `{"numeric_less_than_equal_if_exist":{"cos:content-length":99}}`), "name/cos:PutObject", map[string]string{}, true},
		{"type like", stmt("allow", "name/cos:PutObject", "*", `{"string_like":{"cos:content-type":["text/*","image/*"]}}`), "name/cos:PutObject", ctx, true},
		{"type like ?", stmt("allow", "name/cos:PutObject", "*", `{"string_like":{"cos:content-type":"image/pn?"}}`), "name/cos:PutObject", ctx, true},
		{"type not like", stmt("allow", "name/cos:PutObject", "*", `{"string_not_like":{"cos:content-type":["image/*"]}}`), "name/cos:PutObject", ctx, false},
		{"type equal", stmt("allow", "name/cos:PutObject", "*", `{"string_equal":{"cos:content-type":"image/gif"}}`), "name/cos:PutObject", ctx, false},
		{"ip in cidr", stmt("allow", "name/cos:PutObject", "*", `{"ip_equal":{"qcs:ip":["203.0.113.0/24"]}}`), "name/cos:PutObject", ctx, true},
		{"ip not equal", stmt("allow", "name/cos:PutObject", "*", `{"ip_not_equal":{"qcs:ip":["203.0.113.7"]}}`), "name/cos:PutObject", ctx, false},
		{"all conditions must hold", stmt("allow", "name/cos:PutObject", "*", `{"ip_equal":{"qcs:ip":"203.0.113.7"},"string_equal":{"cos:content-type":"image/gif"}}`), "name/cos:PutObject", ctx, false},
		{"unknown operator allows nothing", stmt("allow", "name/cos:PutObject", "*", `{"date_less_than":{"qcs:current_time":"2030-01-01"}}`), "name/cos:PutObject", ctx, false},
		{"unknown operator in a deny refuses", allowUploads + "," + stmt("deny", "name/cos:*", "*", `{"date_less_than":{"qcs:current_time":"2030-01-01"}}`), "name/cos:PutObject", ctx, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parsePolicy(`{"version":"2.0","statement":[` + tc.statements + `]}`)
			if err != nil {
				t.Fatalf("parsePolicy: %v", err)
			}
			if got := p.allows(tc.action, res, tc.ctx); got != tc.want {
				t.Errorf("allows = %t; want %t", got, tc.want)
			}
		})
	}
}

func TestParsePolicyRefuses(t *testing.T) {
	for _, text := range []string{
		`{"version":"1.0","statement":[]}`,
		`{"version":"2.0","statement":[]}`,
		`{"version":"2.0","principal":{"qcs":["*"]},"statement":[{"effect":"allow","action":"*","resource":"*"}]}`,
		`{"version":"2.0","statement":[{"effect":"maybe","action":"*","resource":"*"}]}`,
		`{"version":"2.0","statement":[{"Effect":"allow","action":"*","resource":"*"}]}`,
		`{"version":"2.0","statement":[{"effect":"allow","action":[],"resource":"*"}]}`,
		`not json`,
	} {
		if _, err := parsePolicy(text); err == nil {
			t.Errorf("parsePolicy(%s) = nil error; want refused", text)
		}
	}
}
