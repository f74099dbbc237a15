package e2e_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// integration is the reply to an HTTP-shaped event (docs/contract.md §1).
type integration struct {
	IsBase64Encoded bool              `json:"isBase64Encoded"`
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
}

// header looks a name up case-insensitively, as HTTP does.
func (r integration) header(name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// camBody is docs/contract.md §3's cam shape, success or error.
type camBody struct {
	Code      *int            `json:"code"`
	Message   *string         `json:"message"`
	CodeDesc  string          `json:"codeDesc"`
	RequestID string          `json:"requestId"`
	Data      json.RawMessage `json:"data"`
}

// stsErrorBody is docs/contract.md §3's sts error shape.
type stsErrorBody struct {
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	RequestID string `json:"requestId"`
}

// grantBody is the credential payload (data of cam, or the whole sts body),
// or a dry run's answer.
type grantBody struct {
	Credentials *struct {
		SessionToken string `json:"sessionToken"`
		TmpSecretID  string `json:"tmpSecretId"`
		TmpSecretKey string `json:"tmpSecretKey"`
	} `json:"credentials"`
	ExpiredTime int64    `json:"expiredTime"`
	StartTime   int64    `json:"startTime"`
	Expiration  string   `json:"expiration"`
	RequestID   string   `json:"requestId"`
	Bucket      string   `json:"bucket"`
	Region      string   `json:"region"`
	Prefixes    []string `json:"prefixes"`
	Keys        []string `json:"keys"`
	Actions     []string `json:"actions"`

	DryRun          bool            `json:"dryRun"`
	Mode            string          `json:"mode"`
	DurationSeconds int             `json:"durationSeconds"`
	Policy          json.RawMessage `json:"policy"`
}

// camPolicy is the CAM policy of docs/contract.md §6.
type camPolicy struct {
	Version   string `json:"version"`
	Statement []struct {
		Effect   string   `json:"effect"`
		Action   []string `json:"action"`
		Resource []string `json:"resource"`
	} `json:"statement"`
}

// grant is what a request should end up allowed.
type grant struct {
	prefixes []string
	actions  []string // normalized: name/cos:X
}

var (
	uploadActions = []string{
		"name/cos:PutObject", "name/cos:PostObject", "name/cos:InitiateMultipartUpload", "name/cos:ListMultipartUploads",
		"name/cos:ListParts", "name/cos:UploadPart", "name/cos:CompleteMultipartUpload", "name/cos:AbortMultipartUpload",
	}
	downloadActions = []string{"name/cos:GetObject", "name/cos:HeadObject"}
)

func resource(prefix string) string {
	return "qcs::cos:" + region + ":uid/" + appID + ":" + bucket + "/" + prefix + "*"
}

// sameSet compares as sets: the order of actions and resources is the
// policy builder's business.
func sameSet(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(slices.Compact(g), slices.Compact(w))
}

// checkPolicy checks that raw grants exactly g: the actions on the prefixes,
// allow only, version 2.0, no principal.
func checkPolicy(t *testing.T, raw string, g grant) {
	t.Helper()
	if strings.Contains(raw, "principal") {
		t.Errorf("policy has a principal: %s", raw)
	}
	var p camPolicy
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		t.Fatalf("policy %q: %v", raw, err)
	}
	if p.Version != "2.0" {
		t.Errorf("policy version = %q; want 2.0", p.Version)
	}
	var actions, resources []string
	for _, st := range p.Statement {
		if st.Effect != "allow" {
			t.Errorf("statement effect = %q; want allow", st.Effect)
		}
		actions = append(actions, st.Action...)
		resources = append(resources, st.Resource...)
	}
	var want []string
	for _, prefix := range g.prefixes {
		want = append(want, resource(prefix))
	}
	if !sameSet(resources, want) {
		t.Errorf("policy resources = %q; want %q", resources, want)
	}
	if !sameSet(actions, g.actions) {
		t.Errorf("policy actions = %q; want %q", actions, g.actions)
	}
}

// checkIssued checks a credential payload against the call that minted it.
func checkIssued(t *testing.T, b grantBody, call stsemu.Call, g grant, duration int) {
	t.Helper()
	if b.Credentials == nil {
		t.Fatalf("no credentials in the reply")
	}
	if b.Credentials.TmpSecretID != call.Issued.TmpSecretId || b.Credentials.TmpSecretKey != call.Issued.TmpSecretKey || b.Credentials.SessionToken != call.Issued.Token {
		t.Errorf("credentials differ from those STS issued")
	}
	if b.ExpiredTime != call.ExpiredTime {
		t.Errorf("expiredTime = %d; want %d", b.ExpiredTime, call.ExpiredTime)
	}
	if b.StartTime != b.ExpiredTime-int64(duration) {
		t.Errorf("startTime = %d; want expiredTime - %d = %d", b.StartTime, duration, b.ExpiredTime-int64(duration))
	}
	if want := time.Unix(b.ExpiredTime, 0).UTC().Format(time.RFC3339); b.Expiration != want {
		t.Errorf("expiration = %q; want %q", b.Expiration, want)
	}
	if b.RequestID != call.RequestID || b.RequestID == "" {
		t.Errorf("requestId = %q; want STS's %q", b.RequestID, call.RequestID)
	}
	if call.DurationSeconds != duration {
		t.Errorf("DurationSeconds sent = %d; want %d", call.DurationSeconds, duration)
	}
	checkGrantFields(t, b, g)
}

func checkGrantFields(t *testing.T, b grantBody, g grant) {
	t.Helper()
	if b.Bucket != bucket || b.Region != region {
		t.Errorf("bucket, region = %q, %q; want %q, %q", b.Bucket, b.Region, bucket, region)
	}
	if !sameSet(b.Prefixes, g.prefixes) {
		t.Errorf("prefixes = %q; want %q", b.Prefixes, g.prefixes)
	}
	if b.Keys == nil || len(b.Keys) != 0 {
		t.Errorf("keys = %#v; want []", b.Keys)
	}
	if !sameSet(b.Actions, g.actions) {
		t.Errorf("actions = %q; want %q", b.Actions, g.actions)
	}
}
