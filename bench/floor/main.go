// Command floor is the least an SCF function that mints COS credentials can do, and the yardstick the bench measures
// the real function against: on each invocation it signs one fixed GetFederationToken with the standard library
// (TC3-HMAC-SHA256, sign.go), sends it over a kept-alive connection, decodes the keys and returns them. It reads no
// request, builds no policy, checks nothing and logs nothing; whatever the function spends beyond it is the
// function's own cost. It imports nothing of the project, so its binary is the floor's too.
//
// Like the function it reads STS_ENDPOINT (host, host:port or a URL; default sts.tencentcloudapi.com over HTTPS),
// STS_SECRET_ID, STS_SECRET_KEY and STS_REGION (default ap-guangzhou). FLOOR_POLICY is the CAM policy to send (its
// JSON; bench/measure passes the exact policy the function sent for the same request), FLOOR_NAME the federation
// name (default cossts) and FLOOR_DURATION_SECONDS the duration (default 1800). All are read once, at start: the
// request is fixed.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tencentyun/scf-go-lib/cloudfunction"
)

// defaultPolicy is the default scope's policy for the demo configuration (examplebucket-1250000000, uploads/,
// upload and download), used when FLOOR_POLICY is unset.
const defaultPolicy = `{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:PutObject","name/cos:PostObject",` +
	`"name/cos:InitiateMultipartUpload","name/cos:ListMultipartUploads","name/cos:ListParts","name/cos:UploadPart",` +
	`"name/cos:CompleteMultipartUpload","name/cos:AbortMultipartUpload","name/cos:GetObject","name/cos:HeadObject"],` +
	`"resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/uploads/*"]}]}`

// minter holds the fixed request and the client whose transport keeps the connection to STS.
type minter struct {
	client              *http.Client
	url, host           string
	secretID, secretKey string
	region              string
	body                []byte
	now                 func() time.Time
}

// keys is the reply: the temporary keys, as the COS SDKs name them.
type keys struct {
	TmpSecretID  string `json:"tmpSecretId"`
	TmpSecretKey string `json:"tmpSecretKey"`
	SessionToken string `json:"sessionToken"`
	ExpiredTime  int64  `json:"expiredTime"`
	RequestID    string `json:"requestId"`
}

// newMinter reads the environment once.
func newMinter(getenv func(string) string) (*minter, error) {
	m := &minter{
		client:    &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()},
		secretID:  getenv("STS_SECRET_ID"),
		secretKey: getenv("STS_SECRET_KEY"),
		region:    or(getenv("STS_REGION"), "ap-guangzhou"),
		now:       time.Now,
	}
	if m.secretID == "" || m.secretKey == "" {
		return nil, errors.New("floor: STS_SECRET_ID and STS_SECRET_KEY are required")
	}
	endpoint := or(getenv("STS_ENDPOINT"), "sts.tencentcloudapi.com")
	if !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("floor: STS_ENDPOINT %q is not a host or URL", endpoint)
	}
	m.url, m.host = u.Scheme+"://"+u.Host+"/", u.Host
	duration, err := strconv.Atoi(or(getenv("FLOOR_DURATION_SECONDS"), "1800"))
	if err != nil {
		return nil, fmt.Errorf("floor: FLOOR_DURATION_SECONDS: %w", err)
	}
	// STS takes the policy URL-encoded, as the function sends it.
	m.body, err = json.Marshal(struct {
		Name            string
		Policy          string
		DurationSeconds int
	}{or(getenv("FLOOR_NAME"), "cossts"), url.QueryEscape(or(getenv("FLOOR_POLICY"), defaultPolicy)), duration})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// mint makes the one call.
func (m *minter) mint(ctx context.Context) (keys, error) {
	sig := tc3{
		SecretID: m.secretID, SecretKey: m.secretKey, Service: "sts", Host: m.host,
		Action: "GetFederationToken", Timestamp: m.now().Unix(), Body: m.body,
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.url, bytes.NewReader(m.body))
	if err != nil {
		return keys{}, err
	}
	h := req.Header
	h.Set("Content-Type", contentType)
	h.Set("X-TC-Action", sig.Action)
	h.Set("X-TC-Version", "2018-08-13")
	h.Set("X-TC-Timestamp", strconv.FormatInt(sig.Timestamp, 10))
	h.Set("X-TC-Region", m.region)
	h.Set("Authorization", sig.authorization())
	resp, err := m.client.Do(req)
	if err != nil {
		return keys{}, err
	}
	defer resp.Body.Close()
	var out struct {
		Response struct {
			Credentials struct{ Token, TmpSecretId, TmpSecretKey string } //nolint:revive // STS's spelling.
			ExpiredTime int64
			RequestId   string //nolint:revive // STS's spelling.
			Error       *struct{ Code, Message string }
		}
	}
	// Read to the end, so that the connection goes back to the pool.
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return keys{}, err
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return keys{}, fmt.Errorf("floor: STS answered HTTP %d, not JSON", resp.StatusCode)
	}
	r := out.Response
	if r.Error != nil {
		return keys{}, fmt.Errorf("floor: STS %s: %s", r.Error.Code, r.Error.Message)
	}
	if r.Credentials.TmpSecretId == "" {
		return keys{}, fmt.Errorf("floor: STS answered HTTP %d without credentials", resp.StatusCode)
	}
	return keys{r.Credentials.TmpSecretId, r.Credentials.TmpSecretKey, r.Credentials.Token, r.ExpiredTime, r.RequestId}, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func main() {
	m, err := newMinter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	cloudfunction.Start(func(ctx context.Context, _ json.RawMessage) (keys, error) { return m.mint(ctx) })
}
