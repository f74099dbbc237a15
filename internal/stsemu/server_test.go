package stsemu

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func federationBody(t *testing.T) string {
	return jsonBody(t, map[string]any{"Name": "cossts", "Policy": goodPolicy(), "DurationSeconds": 900})
}

func assumeBody(t *testing.T) string {
	return jsonBody(t, map[string]any{
		"RoleArn": "qcs::cam::uin/100000000001:roleName/cos-uploader", "RoleSessionName": "alice",
		"Policy": goodPolicy(), "DurationSeconds": 3600, "ExternalId": "ext-42",
		"Tags": []map[string]string{{"Key": "sub", "Value": "alice"}},
	})
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestSuccessShapes(t *testing.T) {
	tests := []struct {
		name     string
		action   string
		body     func(*testing.T) string
		duration int64
	}{
		{"GetFederationToken", "GetFederationToken", federationBody, 900},
		{"GetFederationToken default duration", "GetFederationToken", func(t *testing.T) string {
			return jsonBody(t, map[string]any{"Name": "cossts", "Policy": goodPolicy()})
		}, 1800},
		{"AssumeRole", "AssumeRole", assumeBody, 3600},
		{"AssumeRole default duration", "AssumeRole", func(t *testing.T) string {
			return jsonBody(t, map[string]any{"RoleArn": "qcs::cam::uin/1:role/4611686018427397919", "RoleSessionName": "s1"})
		}, 7200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t)
			a, rec := serve(t, s, newReq(tc.action, tc.body(t)))
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d; want 200", rec.Code)
			}
			if code := a.errorCode(); code != "" {
				t.Fatalf("error = %s: %s; want success", code, a.Response.Error.Message)
			}
			c := a.Response.Credentials
			if c == nil || !strings.HasPrefix(c.TmpSecretId, "AKID") || len(c.TmpSecretKey) < 32 || len(c.Token) < 32 {
				t.Fatalf("Credentials = %+v; want AKID… id, key and token", c)
			}
			if got, want := a.Response.ExpiredTime, testNow.Unix()+tc.duration; got != want {
				t.Errorf("ExpiredTime = %d; want %d", got, want)
			}
			wantExp := testNow.Add(time.Duration(tc.duration) * time.Second).Format(time.RFC3339)
			if a.Response.Expiration != wantExp {
				t.Errorf("Expiration = %q; want %q", a.Response.Expiration, wantExp)
			}
			if !uuidRe.MatchString(a.Response.RequestId) {
				t.Errorf("RequestId = %q; want a UUID", a.Response.RequestId)
			}
			calls := s.Calls()
			if len(calls) != 1 {
				t.Fatalf("len(Calls) = %d; want 1", len(calls))
			}
			got := calls[0]
			if got.Issued != *c || got.ExpiredTime != a.Response.ExpiredTime || got.RequestID != a.Response.RequestId || got.ErrorCode != "" {
				t.Errorf("Call = %+v; want it to record the answer %+v", got, a.Response)
			}
			if got.Action != tc.action || got.Version != apiVersion || got.Region != "ap-guangzhou" || got.SecretID != testID {
				t.Errorf("Call headers = %s %s %s %s; want %s %s ap-guangzhou %s", got.Action, got.Version, got.Region, got.SecretID, tc.action, apiVersion, testID)
			}
		})
	}
}

func TestCallRecordsParameters(t *testing.T) {
	s := newTestServer(t)
	if a, _ := serve(t, s, newReq("AssumeRole", assumeBody(t))); a.errorCode() != "" {
		t.Fatalf("error = %s; want success", a.errorCode())
	}
	c := s.Calls()[0]
	wantPolicy, _ := url.QueryUnescape(goodPolicy())
	checks := []struct{ name, got, want string }{
		{"RoleArn", c.RoleArn, "qcs::cam::uin/100000000001:roleName/cos-uploader"},
		{"RoleSessionName", c.RoleSessionName, "alice"},
		{"ExternalId", c.ExternalId, "ext-42"},
		{"Policy", c.Policy, wantPolicy},
		{"RawPolicy", c.RawPolicy, goodPolicy()},
		{"Tags[sub]", c.Tags["sub"], "alice"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("Call.%s = %q; want %q", ch.name, ch.got, ch.want)
		}
	}
	if c.DurationSeconds != 3600 {
		t.Errorf("Call.DurationSeconds = %d; want 3600", c.DurationSeconds)
	}
}

func TestErrorCodes(t *testing.T) {
	fed := func(params map[string]any) func(*testing.T) stsReq {
		return func(t *testing.T) stsReq { return newReq("GetFederationToken", jsonBody(t, params)) }
	}
	role := func(params map[string]any) func(*testing.T) stsReq {
		return func(t *testing.T) stsReq { return newReq("AssumeRole", jsonBody(t, params)) }
	}
	withPolicy := func(p string) func(*testing.T) stsReq {
		return fed(map[string]any{"Name": "cossts", "Policy": url.QueryEscape(p)})
	}
	resource := func(r string) func(*testing.T) stsReq {
		return withPolicy(`{"version":"2.0","statement":[{"effect":"allow","action":"name/cos:GetObject","resource":"` + r + `"}]}`)
	}
	arn := "qcs::cam::uin/100000000001:roleName/r"
	tests := []struct {
		name string
		req  func(*testing.T) stsReq
		want string
	}{
		{"unknown SecretId", func(t *testing.T) stsReq {
			r := newReq("GetFederationToken", federationBody(t))
			r.id = "AKIDunknown"
			return r
		}, "AuthFailure.SecretIdNotFound"},
		{"wrong secret key", func(t *testing.T) stsReq {
			r := newReq("GetFederationToken", federationBody(t))
			r.key = "wrong"
			return r
		}, "AuthFailure.SignatureFailure"},
		{"body changed after signing", func(t *testing.T) stsReq {
			r := newReq("GetFederationToken", federationBody(t))
			r.signedBody = ptr(strings.Replace(r.body, "900", "901", 1))
			return r
		}, "AuthFailure.SignatureFailure"},
		{"host changed after signing", func(t *testing.T) stsReq {
			r := newReq("GetFederationToken", federationBody(t))
			r.authorization = ptr(r.httpRequest(t, "http://sts.test/").Header.Get("Authorization"))
			r.host = "other.test"
			return r
		}, "AuthFailure.SignatureFailure"},
		{"scope date not the timestamp's", func(t *testing.T) stsReq {
			r := newReq("GetFederationToken", federationBody(t))
			a := r.httpRequest(t, "http://sts.test/").Header.Get("Authorization")
			r.authorization = ptr(strings.Replace(a, tc3Date(r.ts), "2020-01-01", 1))
			return r
		}, "AuthFailure.SignatureFailure"},
		{"scope service not sts", func(t *testing.T) stsReq {
			r := newReq("GetFederationToken", federationBody(t))
			a := r.httpRequest(t, "http://sts.test/").Header.Get("Authorization")
			r.authorization = ptr(strings.Replace(a, "/sts/", "/cvm/", 1))
			return r
		}, "AuthFailure.SignatureFailure"},
		{"timestamp too old", func(t *testing.T) stsReq {
			r := newReq("GetFederationToken", federationBody(t))
			r.ts -= 301
			return r
		}, "AuthFailure.SignatureExpire"},
		{"timestamp in the future", func(t *testing.T) stsReq {
			r := newReq("GetFederationToken", federationBody(t))
			r.ts += 301
			return r
		}, "AuthFailure.SignatureExpire"},
		{"not TC3", func(t *testing.T) stsReq {
			r := newReq("GetFederationToken", federationBody(t))
			r.authorization = ptr("HMAC-SHA256 Credential=x")
			return r
		}, "AuthFailure.InvalidAuthorization"},
		{"host not signed", func(t *testing.T) stsReq {
			r := newReq("GetFederationToken", federationBody(t))
			a := r.httpRequest(t, "http://sts.test/").Header.Get("Authorization")
			r.authorization = ptr(strings.Replace(a, "SignedHeaders=content-type;host", "SignedHeaders=content-type", 1))
			return r
		}, "AuthFailure.InvalidAuthorization"},
		{"GET", func(t *testing.T) stsReq { r := newReq("GetFederationToken", ""); r.method = http.MethodGet; return r }, "UnsupportedProtocol"},
		{"form body", func(t *testing.T) stsReq {
			r := newReq("GetFederationToken", "Name=x")
			r.contentType = "application/x-www-form-urlencoded"
			return r
		}, "InvalidParameter"},
		{"unknown action", func(t *testing.T) stsReq { return newReq("GetSessionToken", `{}`) }, "InvalidAction"},
		{"missing action", func(t *testing.T) stsReq { return newReq("", `{}`) }, "MissingParameter"},
		{"wrong version", func(t *testing.T) stsReq {
			r := newReq("GetFederationToken", federationBody(t))
			r.version = "2017-03-12"
			return r
		}, "NoSuchVersion"},
		{"missing region", func(t *testing.T) stsReq {
			r := newReq("GetFederationToken", federationBody(t))
			r.region = ""
			return r
		}, "MissingParameter"},
		{"unknown parameter", fed(map[string]any{"Name": "cossts", "Policy": goodPolicy(), "Nmae": "x"}), "UnknownParameter"},
		{"wrong type", fed(map[string]any{"Name": 7, "Policy": goodPolicy()}), "InvalidParameter"},
		{"body not JSON", func(t *testing.T) stsReq { return newReq("GetFederationToken", `{"Name":`) }, "InvalidParameter"},
		{"missing Name", fed(map[string]any{"Policy": goodPolicy()}), "MissingParameter"},
		{"missing Policy", fed(map[string]any{"Name": "cossts"}), "MissingParameter"},
		{"Name with digits", fed(map[string]any{"Name": "cos1", "Policy": goodPolicy()}), "InvalidParameter.ParamError"},
		{"Name too long", fed(map[string]any{"Name": strings.Repeat("a", 33), "Policy": goodPolicy()}), "InvalidParameter.ParamError"},
		{"RoleArn on GetFederationToken", fed(map[string]any{"Name": "cossts", "Policy": goodPolicy(), "RoleArn": arn}), "UnknownParameter"},
		{"federation duration over a sub-account's 129600", fed(map[string]any{"Name": "cossts", "Policy": goodPolicy(), "DurationSeconds": 129601}), "InvalidParameter.OverTimeError"},
		{"fractional duration", fed(map[string]any{"Name": "cossts", "Policy": goodPolicy(), "DurationSeconds": 1.5}), "InvalidParameter.ParamError"},
		{"policy not URL-encoded", fed(map[string]any{"Name": "cossts", "Policy": `{"version":"2.0"}`}), "InvalidParameter.StrategyFormatError"},
		{"policy bad escape", fed(map[string]any{"Name": "cossts", "Policy": "%zz"}), "InvalidParameter.StrategyFormatError"},
		{"policy not an object", withPolicy(`["version"]`), "InvalidParameter.StrategyFormatError"},
		{"policy version 1.0", withPolicy(`{"version":"1.0","statement":[{"effect":"allow","action":"*","resource":"qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*"}]}`), "InvalidParameter.StrategyFormatError"},
		{"policy empty statement", withPolicy(`{"version":"2.0","statement":[]}`), "InvalidParameter.StrategyFormatError"},
		{"policy with principal", withPolicy(`{"version":"2.0","principal":{"qcs":["*"]},"statement":[{"effect":"allow","action":"*","resource":"qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*"}]}`), "InvalidParameter.StrategyFormatError"},
		{"statement with principal", withPolicy(`{"version":"2.0","statement":[{"Principal":{"qcs":["*"]},"effect":"allow","action":"*","resource":"qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*"}]}`), "InvalidParameter.StrategyFormatError"},
		{"statement bad effect", withPolicy(`{"version":"2.0","statement":[{"effect":"maybe","action":"*","resource":"qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*"}]}`), "InvalidParameter.StrategyFormatError"},
		{"statement without action", withPolicy(`{"version":"2.0","statement":[{"effect":"allow","resource":"qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*"}]}`), "InvalidParameter.StrategyFormatError"},
		{"resource star", resource("*"), "InvalidParameter.GrantOtherResource"},
		{"resource other APPID", resource("qcs::cos:ap-guangzhou:uid/1250000001:b-1250000001/*"), "InvalidParameter.GrantOtherResource"},
		{"resource other service", resource("qcs::cvm:ap-guangzhou:uid/1250000000:instance/*"), "InvalidParameter.GrantOtherResource"},
		{"resource not six parts", resource("qcs::cos:ap-guangzhou:uid/1250000000"), "InvalidParameter.ResouceError"},
		{"resource without region", resource("qcs::cos::uid/1250000000:b-1250000000/*"), "InvalidParameter.ResouceError"},
		{"missing RoleArn", role(map[string]any{"RoleSessionName": "s1"}), "MissingParameter"},
		{"missing RoleSessionName", role(map[string]any{"RoleArn": arn}), "MissingParameter"},
		{"bad RoleArn", role(map[string]any{"RoleArn": "arn:aws:iam::1:role/x", "RoleSessionName": "s1"}), "InvalidParameter.ParamError"},
		{"RoleSessionName too short", role(map[string]any{"RoleArn": arn, "RoleSessionName": "a"}), "InvalidParameter.ParamError"},
		{"RoleSessionName with space", role(map[string]any{"RoleArn": arn, "RoleSessionName": "a b"}), "InvalidParameter.ParamError"},
		{"bad ExternalId", role(map[string]any{"RoleArn": arn, "RoleSessionName": "s1", "ExternalId": "x"}), "InvalidParameter.ParamError"},
		{"role duration over 43200", role(map[string]any{"RoleArn": arn, "RoleSessionName": "s1", "DurationSeconds": 43201}), "InvalidParameter.OverTimeError"},
		{"role bad policy", role(map[string]any{"RoleArn": arn, "RoleSessionName": "s1", "Policy": url.QueryEscape(`{"version":"2.0","statement":[]}`)}), "InvalidParameter.StrategyFormatError"},
		{"duplicate tag", role(map[string]any{"RoleArn": arn, "RoleSessionName": "s1", "Tags": []map[string]string{{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}}}), "InvalidParameter.ParamError"},
		{"Name on AssumeRole", role(map[string]any{"RoleArn": arn, "RoleSessionName": "s1", "Name": "x"}), "UnknownParameter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t)
			a, rec := serve(t, s, tc.req(t))
			if rec.Code != http.StatusOK {
				t.Errorf("status = %d; want 200 (STS answers errors with 200)", rec.Code)
			}
			if got := a.errorCode(); got != tc.want {
				msg := ""
				if a.Response.Error != nil {
					msg = a.Response.Error.Message
				}
				t.Fatalf("Code = %q (%s); want %q", got, msg, tc.want)
			}
			if a.Response.Error.Message == "" || !uuidRe.MatchString(a.Response.RequestId) {
				t.Errorf("Error = %+v, RequestId = %q; want a message and a UUID", a.Response.Error, a.Response.RequestId)
			}
			if a.Response.Credentials != nil {
				t.Errorf("Credentials = %+v; want none with an error", a.Response.Credentials)
			}
			calls := s.Calls()
			if len(calls) != 1 || calls[0].ErrorCode != tc.want {
				t.Errorf("Calls = %+v; want one call with ErrorCode %s", calls, tc.want)
			}
		})
	}
}

func TestErrorMessagesHoldNoSecret(t *testing.T) {
	s := newTestServer(t)
	id, key, token := s.NewRoleKeys(time.Hour)
	reqs := []stsReq{
		func() stsReq {
			r := newReq("GetFederationToken", `{}`)
			r.id, r.key, r.token = id, key, token
			return r
		}(),
		func() stsReq {
			r := newReq("AssumeRole", `{}`)
			r.id, r.key, r.token = id, key, "wrong"+token
			return r
		}(),
		func() stsReq { r := newReq("AssumeRole", `{}`); r.key = "x"; return r }(),
	}
	for _, r := range reqs {
		_, rec := serve(t, s, r)
		body := rec.Body.String()
		for _, secret := range []string{key, token, testKey} {
			if strings.Contains(body, secret) {
				t.Errorf("answer %s contains a secret", body)
			}
		}
	}
}
