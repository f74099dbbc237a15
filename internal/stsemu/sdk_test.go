package stsemu

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	sts "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/sts/v20180813"
)

// sdkClient is tencentcloud-sdk-go's own STS client aimed at the emulator:
// if the two disagree on signing or on the answer's shape, these tests fail.
func sdkClient(t *testing.T, s *Server, cred *common.Credential) *sts.Client {
	t.Helper()
	p := profile.NewClientProfile()
	p.HttpProfile.Endpoint = s.Addr()
	p.HttpProfile.Scheme = "HTTP"
	c, err := sts.NewClient(cred, "ap-guangzhou", p)
	if err != nil {
		t.Fatalf("sts.NewClient: %v", err)
	}
	return c
}

func TestSDKGetFederationToken(t *testing.T) {
	s := startServer(t)
	c := sdkClient(t, s, common.NewCredential(testID, testKey))
	policy := `{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:PutObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/uploads/*"]}]}`
	req := sts.NewGetFederationTokenRequest()
	req.Name = ptr("cossts")
	req.Policy = ptr(url.QueryEscape(policy))
	req.DurationSeconds = ptr(uint64(900))
	resp, err := c.GetFederationToken(req)
	if err != nil {
		t.Fatalf("GetFederationToken: %v", err)
	}
	r := resp.Response
	if r.Credentials == nil || r.Credentials.TmpSecretId == nil || *r.Credentials.TmpSecretKey == "" || *r.Credentials.Token == "" {
		t.Fatalf("Credentials = %+v; want all three fields", r.Credentials)
	}
	if _, err := time.Parse(time.RFC3339, *r.Expiration); err != nil || *r.ExpiredTime == 0 || *r.RequestId == "" {
		t.Errorf("ExpiredTime, Expiration, RequestId = %d, %q, %q; want all set", *r.ExpiredTime, *r.Expiration, *r.RequestId)
	}
	call := s.Calls()[0]
	if call.Policy != policy || call.DurationSeconds != 900 || call.Name != "cossts" {
		t.Errorf("Call = %+v; want the SDK's parameters back", call)
	}
	// A second call goes over the same kept-alive connection.
	if _, err := c.GetFederationToken(req); err != nil {
		t.Fatalf("second GetFederationToken: %v", err)
	}
	if got := s.Connections(); got != 1 {
		t.Errorf("Connections = %d; want 1", got)
	}
}

func TestSDKAssumeRoleWithRoleKeys(t *testing.T) {
	s := startServer(t)
	id, key, token := s.NewRoleKeys(time.Hour)
	c := sdkClient(t, s, common.NewTokenCredential(id, key, token))
	req := sts.NewAssumeRoleRequest()
	req.RoleArn = ptr("qcs::cam::uin/100000000001:roleName/cos-uploader")
	req.RoleSessionName = ptr("alice")
	req.Tags = []*sts.Tag{{Key: ptr("sub"), Value: ptr("alice")}}
	resp, err := c.AssumeRole(req)
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	if resp.Response.Credentials == nil || *resp.Response.Credentials.Token == "" {
		t.Fatalf("Credentials = %+v; want a token", resp.Response.Credentials)
	}
	if call := s.Calls()[0]; call.Token == "" || call.Tags["sub"] != "alice" {
		t.Errorf("Call token present = %v, Tags = %v; want the token and sub=alice", call.Token != "", call.Tags)
	}
}

func TestSDKSeesSTSErrors(t *testing.T) {
	s := startServer(t)
	c := sdkClient(t, s, common.NewCredential(testID, "not-the-key"))
	req := sts.NewGetFederationTokenRequest()
	req.Name = ptr("cossts")
	req.Policy = ptr(goodPolicy())
	_, err := c.GetFederationToken(req)
	var sdkErr *tcerr.TencentCloudSDKError
	if !errors.As(err, &sdkErr) || sdkErr.Code != "AuthFailure.SignatureFailure" || !uuidRe.MatchString(sdkErr.RequestId) {
		t.Fatalf("err = %v; want AuthFailure.SignatureFailure with a RequestId", err)
	}
}
