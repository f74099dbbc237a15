package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/config"
	"github.com/cos-sts-scf/cos-sts-scf/internal/cosemu"
	"github.com/cos-sts-scf/cos-sts-scf/internal/scopesyaml"
	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// The buckets of the README's scopes, as the COS emulator serves them.
var readmeBuckets = []cosemu.Bucket{
	{Name: bucket, Region: region},
	{Name: "avatars-1250000000", Region: "ap-guangzhou"},
	{Name: "assets-1250000000", Region: "ap-shanghai"},
	{Name: "assets-1250000000", Region: "ap-guangzhou"}, // the README's public scope names no region
	{Name: "exports-1250000000", Region: "ap-guangzhou"},
}

// operatorID is a permanent key the COS emulator accepts with every right, standing for the bucket's owner who
// puts the objects that download scopes then serve. The function never sees it.
const operatorID = "AKIDOPERATOR00000000000000000000000"

// clock is the one time the STS and COS emulators share, so a test moves both past a key's expiry at once. It
// starts at the real time: the SDK signs with the machine's clock.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// cosRig is the real function binary over net/rpc, the STS emulator it mints from, and the COS emulator that
// judges the keys, sharing one clock.
type cosRig struct {
	*harness
	cos      *cosemu.Server
	clock    *clock
	operator string // the operator key's secret
}

func newCOSRig(t *testing.T, env map[string]string) *cosRig {
	t.Helper()
	clk := &clock{}
	h := newHarnessWith(t, harnessOptions{env: env, emuNow: clk.Now})
	operator := "operator-secret-" + fmt.Sprint(time.Now().UnixNano())
	fromSTS := cosemu.FromSTS(h.emu)
	c := cosemu.New(cosemu.Options{
		Buckets: readmeBuckets,
		Keys: func(id string) (cosemu.Key, bool) {
			if id == operatorID {
				return cosemu.Key{SecretKey: operator, Policy: `{"version":"2.0","statement":[{"effect":"allow","action":"name/cos:*","resource":"*"}]}`}, true
			}
			return fromSTS(id)
		},
		Now:            clk.Now,
		MaxObjectBytes: 16 << 20,
	})
	if err := c.Start(""); err != nil {
		t.Fatalf("start COS emulator: %v", err)
	}
	t.Cleanup(c.Close)
	return &cosRig{harness: h, cos: c, clock: clk, operator: operator}
}

// readmeScopes writes the README's scopes.yaml examples (the yaml blocks of its Scopes section, all of them when
// withJWT) to a file as scripts/build.sh packs it (converted to JSON, config.ConvertYAML) and returns its path for
// STS_SCOPES_FILE: the tests run what the README shows, as the function receives it.
func readmeScopes(t *testing.T, withJWT bool) string {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatalf("read README: %v", err)
	}
	section := string(readme)
	if i := strings.Index(section, "\n## Scopes"); i >= 0 {
		section = section[i:]
	}
	if i := strings.Index(section[1:], "\n## "); i >= 0 {
		section = section[:i+1]
	}
	var blocks []string
	for _, part := range strings.Split(section, "```yaml\n")[1:] {
		blocks = append(blocks, part[:strings.Index(part, "```")])
	}
	if len(blocks) < 2 || !strings.Contains(blocks[0], "avatar:") || !strings.Contains(blocks[1], "mine:") {
		t.Fatalf("the README's Scopes section no longer has the avatar and mine yaml examples this test runs")
	}
	doc := blocks[0]
	if withJWT {
		doc += blocks[1]
	}
	packed, err := config.ConvertYAML([]byte(doc), scopesyaml.Decode)
	if err != nil {
		t.Fatalf("the README's scopes do not convert: %v", err)
	}
	path := filepath.Join(t.TempDir(), "scopes.yaml")
	if err := os.WriteFile(path, packed, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// cosGrant is what the function handed out, decoded the way the README tells Go clients to: into cos-go-sdk-v5's
// own CredentialResult (format=sts), whose Credentials read the token from "token".
type cosGrant struct {
	cos.CredentialResult
	Bucket string `json:"bucket"`
	Region string `json:"region"`
}

// mint asks the function for credentials as an app would, over a Function URL from the address from, and fails
// the test unless it gets them.
func (r *cosRig) mint(t *testing.T, body string, from string, headers map[string]string) cosGrant {
	t.Helper()
	hs := map[string]string{"x-scf-remote-addr": from}
	for k, v := range headers {
		hs[k] = v
	}
	reply := r.invoke(urlEvent("POST", body, hs), fmt.Sprintf("mint-%d", time.Now().UnixNano()), nil)
	var ir struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(reply.Payload, &ir); err != nil || ir.StatusCode != 200 {
		t.Fatalf("mint %s: %d %s", body, ir.StatusCode, ir.Body)
	}
	var g cosGrant
	if err := json.Unmarshal([]byte(ir.Body), &g); err != nil || g.Credentials == nil {
		t.Fatalf("decode the reply into cos.CredentialResult: %v: %s", err, ir.Body)
	}
	if g.Credentials.SessionToken == "" {
		t.Fatalf("cos.CredentialResult has no token: Go clients would sign without x-cos-security-token: %s", ir.Body)
	}
	return g
}

// client is cos-go-sdk-v5 configured as its README shows for temporary keys: the bucket URL and an
// AuthorizationTransport with the key, the secret and the token. Its connections go to the COS emulator, from
// the loopback address from.
func (r *cosRig) client(g cosGrant, from string) *cos.Client {
	u, _ := url.Parse("https://" + cosemu.BucketHost(cosemu.Bucket{Name: g.Bucket, Region: g.Region}))
	u.Scheme = "http" // the emulator speaks plain HTTP on loopback
	return cos.NewClient(&cos.BaseURL{BucketURL: u}, &http.Client{Transport: &cos.AuthorizationTransport{
		SecretID:     g.Credentials.TmpSecretID,
		SecretKey:    g.Credentials.TmpSecretKey,
		SessionToken: g.Credentials.SessionToken,
		Transport:    r.cos.Client(from).Transport,
	}})
}

// operatorClient is the bucket owner, putting objects the download scopes serve.
func (r *cosRig) operatorClient(b cosemu.Bucket) *cos.Client {
	u, _ := url.Parse("http://" + cosemu.BucketHost(b))
	return cos.NewClient(&cos.BaseURL{BucketURL: u}, &http.Client{Transport: &cos.AuthorizationTransport{
		SecretID: operatorID, SecretKey: r.operator, Transport: r.cos.Client("").Transport,
	}})
}

// cosCode is the COS error code of an SDK error with its HTTP status, "" for none.
func cosCode(err error) string {
	var e *cos.ErrorResponse
	if errors.As(err, &e) {
		status := 0
		if e.Response != nil {
			status = e.Response.StatusCode
		}
		return fmt.Sprintf("%d %s", status, e.Code)
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return ""
}

// payload is n bytes that start like a PNG, different for each seed.
func payload(n int, seed byte) []byte {
	b := bytes.Repeat([]byte{seed, seed + 1, seed + 2, seed + 3}, n/4+1)[:n]
	copy(b, "\x89PNG\r\n\x1a\n")
	return b
}

// file writes data to a temporary file for the SDK's file uploads.
func file(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// putOpt sets an upload's Content-Type, as an app uploading a typed file does.
func putOpt(contentType string) *cos.ObjectPutOptions {
	return &cos.ObjectPutOptions{ObjectPutHeaderOptions: &cos.ObjectPutHeaderOptions{ContentType: contentType}}
}

// uploadOpt is Object.Upload's options with a Content-Type and a part size in MiB (0: the SDK's default).
func uploadOpt(contentType string, partMiB int64) *cos.MultiUploadOptions {
	return &cos.MultiUploadOptions{PartSize: partMiB,
		OptIni: &cos.InitiateMultipartUploadOptions{ObjectPutHeaderOptions: &cos.ObjectPutHeaderOptions{ContentType: contentType}}}
}

func testCtx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// actions lists the CAM actions the emulator saw for key since index from, in order.
func (r *cosRig) actions(key string, from int) []string {
	var out []string
	for _, q := range r.cos.Requests()[from:] {
		if q.Key == key || q.Action == "name/cos:ListMultipartUploads" {
			out = append(out, strings.TrimPrefix(q.Action, "name/cos:")+" "+fmt.Sprint(q.Status))
		}
	}
	return out
}
