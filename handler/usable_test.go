package handler_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestLimitsDecideActions: a scope's limits decide which of its presets' actions a grant keeps (README, "Limits and
// upload paths"), the reply's actions say exactly what was kept, and an action a request names itself is never
// quietly dropped.
func TestLimitsDecideActions(t *testing.T) {
	scopes := `{
	 "avatar": {"bucket": "avatars-1250000000", "prefixes": ["avatars/"], "actions": ["upload"],
	            "conditions": {"maxContentLength": 5242880, "contentTypes": ["image/*"]}},
	 "sized":  {"bucket": "avatars-1250000000", "prefixes": ["docs/"], "actions": ["upload"],
	            "conditions": {"maxContentLength": 1048576}},
	 "typed":  {"bucket": "avatars-1250000000", "prefixes": ["pics/"], "actions": ["upload", "download"],
	            "conditions": {"contentTypes": ["image/*"]}}
	}`
	multipart := []string{"InitiateMultipartUpload", "ListMultipartUploads", "ListParts", "UploadPart",
		"CompleteMultipartUpload", "AbortMultipartUpload"}
	tests := []struct {
		name    string
		body    string
		status  int
		actions []string // on 200: the reply's actions, short names
		msg     string   // on an error: part of the message
	}{
		{"avatar keeps PutObject alone", `{"scope":"avatar"}`, 200, []string{"PutObject"}, ""},
		{"a size limit drops multipart", `{"scope":"sized"}`, 200, []string{"PutObject", "PostObject"}, ""},
		{"types drop the form upload", `{"scope":"typed"}`, 200, append(append([]string{"PutObject"}, multipart...), "GetObject", "HeadObject"), ""},
		{"a request adding a size limit drops multipart too", `{"scope":"typed","maxContentLength":1000}`, 200,
			[]string{"PutObject", "GetObject", "HeadObject"}, ""},
		{"naming PostObject under types", `{"scope":"typed","actions":["PostObject"]}`, 403, nil,
			"PostObject cannot be granted with scope \"typed\"'s conditions: COS compares cos:content-type"},
		{"naming UploadPart under a size limit", `{"scope":"sized","actions":["PutObject","UploadPart"]}`, 403, nil,
			"UploadPart cannot be granted"},
		{"the preset under a size limit", `{"scope":"sized","actions":["upload"]}`, 200, []string{"PutObject", "PostObject"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, "STS_SCOPES", scopes, "STS_BUCKET", "", "STS_ALLOW_PREFIXES", "")
			hr := r.http(funcURL("POST", "", tc.body))
			body := hr.json(t)
			if hr.StatusCode != tc.status {
				t.Fatalf("reply %d %s; want %d", hr.StatusCode, hr.Body, tc.status)
			}
			if tc.status != 200 {
				if msg, _ := body["message"].(string); !strings.Contains(msg, tc.msg) {
					t.Errorf("message %q; want it to contain %q", msg, tc.msg)
				}
				return
			}
			data, _ := body["data"].(map[string]any)
			var got []string
			for _, a := range data["actions"].([]any) {
				got = append(got, strings.TrimPrefix(a.(string), "name/cos:"))
			}
			if !slices.Equal(got, tc.actions) {
				t.Errorf("reply actions %q; want %q", got, tc.actions)
			}
			var policyActions []string
			for _, st := range r.lastPolicy().Statement {
				for _, a := range st.Action {
					policyActions = append(policyActions, strings.TrimPrefix(a, "name/cos:"))
				}
			}
			slices.Sort(policyActions)
			want := slices.Sorted(slices.Values(tc.actions))
			if !slices.Equal(policyActions, want) {
				t.Errorf("policy actions %q; want the reply's %q", policyActions, want)
			}
		})
	}
}

// TestDryRunNamesWhatLimitsLeaveOut: the operator reads why a preset's actions are missing.
func TestDryRunNamesWhatLimitsLeaveOut(t *testing.T) {
	r := newRig(t, "STS_SCOPES", `{"avatar": {"bucket": "avatars-1250000000", "prefixes": ["avatars/"], "actions": ["upload"],
	 "conditions": {"maxContentLength": 5242880, "contentTypes": ["image/*"]}}}`, "STS_BUCKET", "", "STS_ALLOW_PREFIXES", "")
	hr := r.http(funcURL("POST", "", `{"scope":"avatar","dryRun":true}`))
	notes, _ := json.Marshal(hr.json(t)["data"].(map[string]any)["notes"])
	for _, want := range []string{"PostObject left out of the grant: COS compares cos:content-type",
		"InitiateMultipartUpload, ListMultipartUploads, ListParts, UploadPart, CompleteMultipartUpload, AbortMultipartUpload left out of the grant: COS sees each part"} {
		if !strings.Contains(string(notes), want) {
			t.Errorf("dry run notes %s; want %q", notes, want)
		}
	}
}

// TestGoClientsDecodeTheToken: the credentials carry the token under "token" too, the member Go clients read.
func TestGoClientsDecodeTheToken(t *testing.T) {
	for _, format := range []string{"cam", "sts"} {
		r := newRig(t)
		hr := r.http(funcURL("POST", "", `{"format":"`+format+`"}`))
		if hr.StatusCode != 200 {
			t.Fatalf("%s: reply %d %s", format, hr.StatusCode, hr.Body)
		}
		// The Go SDKs' shapes: cos-go-sdk-v5 and qcloud-cos-sts-sdk's CredentialResult.Credentials.
		type goCredentials struct {
			TmpSecretID  string `json:"TmpSecretId"`
			TmpSecretKey string `json:"TmpSecretKey"`
			SessionToken string `json:"Token"`
		}
		var reply struct {
			Credentials *goCredentials
			Data        struct{ Credentials *goCredentials }
		}
		if err := json.Unmarshal([]byte(hr.Body), &reply); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		c := reply.Credentials
		if format == "cam" {
			c = reply.Data.Credentials
		}
		issued := r.emu.Calls()[0].Issued
		if c == nil || c.SessionToken != issued.Token || c.TmpSecretID != issued.TmpSecretId || c.TmpSecretKey != issued.TmpSecretKey {
			t.Errorf("%s: decoded as a Go client does: %+v; want the issued id, key and token", format, c)
		}
	}
}

func TestDurationFloor(t *testing.T) {
	r := newRig(t)
	for body, want := range map[string]int{`{"durationSeconds":299}`: 400, `{"durationSeconds":60}`: 400, `{"durationSeconds":300}`: 200} {
		hr := r.http(funcURL("POST", "", body))
		if hr.StatusCode != want {
			t.Errorf("%s: reply %d %s; want %d", body, hr.StatusCode, hr.Body, want)
		}
		if want == 400 && !strings.Contains(hr.Body, "below 300") {
			t.Errorf("%s: message %s; want it to say the floor", body, hr.Body)
		}
	}
}
