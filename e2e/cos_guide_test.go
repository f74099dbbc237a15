package e2e_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/cos-sts-scf/cos-sts-scf/internal/cosemu"
	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// guide:begin — docs/clients.md shows the code from here to guide:end, verbatim; TestClientGuideGo checks it.

// decodeCredentials reads the function's reply (format=sts) into cos-go-sdk-v5's own CredentialResult, whose
// Credentials take the session token from "token".
func decodeCredentials(reply []byte) (*cos.CredentialResult, error) {
	var r cos.CredentialResult
	if err := json.Unmarshal(reply, &r); err != nil {
		return nil, err
	}
	if r.Credentials == nil || r.Credentials.SessionToken == "" {
		return nil, errors.New("the reply holds no credentials")
	}
	return &r, nil
}

// newClient signs every request with the temporary keys and sends their token as x-cos-security-token.
func newClient(bucketURL *url.URL, r *cos.CredentialResult, base http.RoundTripper) *cos.Client {
	return cos.NewClient(&cos.BaseURL{BucketURL: bucketURL}, &http.Client{Transport: &cos.AuthorizationTransport{
		SecretID:     r.Credentials.TmpSecretID,
		SecretKey:    r.Credentials.TmpSecretKey,
		SessionToken: r.Credentials.SessionToken,
		Transport:    base,
	}})
}

// guide:end

// TestClientGuideGo runs docs/clients.md's Go snippet: the reply of a real invocation decodes with the token,
// and the client uploads and reads back with it.
func TestClientGuideGo(t *testing.T) {
	src, err := os.ReadFile("cos_guide_test.go")
	if err != nil {
		t.Fatal(err)
	}
	code := string(src)
	code = code[strings.Index(code, "\n// decodeCredentials"):strings.Index(code, "// guide:end")]
	guide, err := os.ReadFile("../docs/clients.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(guide), "```go"+strings.TrimRight(code, "\n")+"\n```") {
		t.Errorf("docs/clients.md's Go snippet is not the code this test runs (decodeCredentials and newClient in cos_guide_test.go)")
	}

	r := newCOSRig(t, nil)
	reply := r.invoke(urlEvent("POST", `{"prefixes":["uploads/go/"],"actions":["upload","download"],"format":"sts"}`,
		map[string]string{"x-scf-remote-addr": from}), "guide-go", nil)
	var ir struct{ Body string }
	if err := json.Unmarshal(reply.Payload, &ir); err != nil {
		t.Fatal(err)
	}
	creds, err := decodeCredentials([]byte(ir.Body))
	if err != nil {
		t.Fatalf("decodeCredentials: %v", err)
	}
	u, _ := url.Parse("http://" + cosemu.BucketHost(cosemu.Bucket{Name: bucket, Region: region}))
	c := newClient(u, creds, r.cos.Client(from).Transport)
	data := payload(64<<10, 21)
	if _, err := c.Object.Put(testCtx(t), "uploads/go/guide.bin", bytes.NewReader(data), nil); err != nil {
		t.Fatalf("Put: %s", cosCode(err))
	}
	readBack(t, c, "uploads/go/guide.bin", data)
}
