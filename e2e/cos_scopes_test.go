package e2e_test

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/cosemu"
	"github.com/golang-jwt/jwt/v5"
	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// readBack downloads key with the SDK and fails unless it is want, byte for byte.
func readBack(t *testing.T, c *cos.Client, key string, want []byte) {
	t.Helper()
	resp, err := c.Object.Get(testCtx(t), key, nil)
	if err != nil {
		t.Fatalf("Get %s: %s", key, cosCode(err))
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("Get %s: %d bytes (%v); want the %d bytes uploaded", key, len(got), err, len(want))
	}
}

func wantRefused(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := cosCode(err); got != code {
		t.Errorf("%s: %q; want %s", what, got, code)
	}
}

// TestCOSDefaultScope is the README's first request: upload and download rights on one user's folder of the
// env-configured default scope, in the cam format an app reads data.data from. Simple and multipart uploads
// (Object.Upload above its part size) both go up and come back byte for byte.
func TestCOSDefaultScope(t *testing.T) {
	r := newCOSRig(t, map[string]string{"STS_ALLOW_ACTIONS": "upload,download"})
	reply := r.invoke(urlEvent("POST", `{"prefixes":["uploads/alice/"],"actions":["upload","download"],"durationSeconds":900}`,
		map[string]string{"x-scf-remote-addr": from}), "default-mint", nil)
	var ir struct{ Body string }
	var cam struct{ Data cosGrant }
	if json.Unmarshal(reply.Payload, &ir) != nil || json.Unmarshal([]byte(ir.Body), &cam) != nil || cam.Data.Credentials == nil {
		t.Fatalf("decode the cam reply's data into cos.CredentialResult: %s", reply.Payload)
	}
	g := cam.Data
	c := r.client(g, from)

	small := payload(100<<10, 11)
	if _, err := c.Object.Put(testCtx(t), "uploads/alice/small.bin", bytes.NewReader(small), nil); err != nil {
		t.Fatalf("Put: %s", cosCode(err))
	}
	readBack(t, c, "uploads/alice/small.bin", small)

	big := payload(3*miB+12345, 12)
	before := len(r.cos.Requests())
	if _, _, err := c.Object.Upload(testCtx(t), "uploads/alice/big.bin", file(t, "big.bin", big), &cos.MultiUploadOptions{PartSize: 1}); err != nil {
		t.Fatalf("Upload in 1 MiB parts: %s", cosCode(err))
	}
	if seen := r.actions("uploads/alice/big.bin", before); !slices.Contains(seen, "InitiateMultipartUpload 200") || !slices.Contains(seen, "CompleteMultipartUpload 200") {
		t.Errorf("Upload of %d bytes in 1 MiB parts went %q; want a multipart upload", len(big), seen)
	}
	readBack(t, c, "uploads/alice/big.bin", big)
	if _, err := c.Object.Head(testCtx(t), "uploads/alice/big.bin", nil); err != nil {
		t.Errorf("Head: %s", cosCode(err))
	}
	uploads, _, err := c.Bucket.ListMultipartUploads(testCtx(t), &cos.ListMultipartUploadsOptions{Prefix: "uploads/alice/"})
	if err != nil || len(uploads.Uploads) != 0 {
		t.Errorf("ListMultipartUploads in the folder: %s, %+v; want none left", cosCode(err), uploads)
	}

	_, err = c.Object.Put(testCtx(t), "uploads/bob/x.bin", bytes.NewReader(small), nil)
	wantRefused(t, "Put into another user's folder", err, "403 AccessDenied")
	_, _, err = c.Object.Upload(testCtx(t), "uploads/bob/big.bin", file(t, "b.bin", big), &cos.MultiUploadOptions{PartSize: 1})
	wantRefused(t, "Upload into another user's folder", err, "403 AccessDenied")
	_, err = c.Object.Delete(testCtx(t), "uploads/alice/small.bin")
	wantRefused(t, "Delete, not granted", err, "403 AccessDenied")
	_, err = c.Object.Get(testCtx(t), "private/report.pdf", nil)
	wantRefused(t, "Get outside the scope", err, "403 AccessDenied")
}

// TestCOSAssetsScope: the README's download scope in another bucket and region.
func TestCOSAssetsScope(t *testing.T) {
	r := newCOSRig(t, map[string]string{"STS_SCOPES_FILE": readmeScopes(t, false)})
	assets := cosemu.Bucket{Name: "assets-1250000000", Region: "ap-shanghai"}
	logo := payload(2048, 13)
	if _, err := r.operatorClient(assets).Object.Put(testCtx(t), "public/icons/logo.png", bytes.NewReader(logo), putOpt("image/png")); err != nil {
		t.Fatalf("operator Put: %s", cosCode(err))
	}
	g := r.mint(t, `{"scope":"assets","prefixes":["public/icons/"],"format":"sts"}`, from, nil)
	if g.Bucket != assets.Name || g.Region != assets.Region {
		t.Fatalf("minted for %s in %s; want %s in %s", g.Bucket, g.Region, assets.Name, assets.Region)
	}
	c := r.client(g, from)
	readBack(t, c, "public/icons/logo.png", logo)
	_, err := c.Object.Put(testCtx(t), "public/icons/new.png", bytes.NewReader(logo), putOpt("image/png"))
	wantRefused(t, "Put with a download scope", err, "403 AccessDenied")
	_, err = c.Object.Get(testCtx(t), "public/other.png", nil)
	wantRefused(t, "Get outside the requested prefix", err, "403 AccessDenied")
}

// TestCOSExportScope: the README's one-key scope, GetObject alone, ten minutes.
func TestCOSExportScope(t *testing.T) {
	r := newCOSRig(t, map[string]string{"STS_SCOPES_FILE": readmeScopes(t, false)})
	exports := cosemu.Bucket{Name: "exports-1250000000", Region: "ap-guangzhou"}
	csv := []byte("id,name\n1,alice\n")
	for _, k := range []string{"exports/latest.csv", "exports/2025.csv"} {
		if _, err := r.operatorClient(exports).Object.Put(testCtx(t), k, bytes.NewReader(csv), putOpt("text/csv")); err != nil {
			t.Fatalf("operator Put %s: %s", k, cosCode(err))
		}
	}
	g := r.mint(t, `{"scope":"export","format":"sts"}`, from, nil)
	c := r.client(g, from)
	readBack(t, c, "exports/latest.csv", csv)
	_, err := c.Object.Get(testCtx(t), "exports/2025.csv", nil)
	wantRefused(t, "Get of another key", err, "403 AccessDenied")
	_, err = c.Object.Head(testCtx(t), "exports/latest.csv", nil)
	if !strings.HasPrefix(cosCode(err), "403") {
		t.Errorf("Head, not granted by GetObject alone: %q; want 403", cosCode(err))
	}
	r.clock.advance(601 * time.Second)
	_, err = c.Object.Get(testCtx(t), "exports/latest.csv", nil)
	wantRefused(t, "Get after the ten minutes", err, "400 ExpiredToken")
}

// TestCOSJWTScopes: the README's per-user scope (users/${jwt:sub}/) and its anonymous public one.
func TestCOSJWTScopes(t *testing.T) {
	const issuer, audience, secret = "https://id.example.com", "cos-sts", "cos-e2e-jwt-shared-secret-0123456789abcdef"
	r := newCOSRig(t, map[string]string{
		"STS_SCOPES_FILE": readmeScopes(t, true), "STS_AUTH": "jwt",
		"STS_JWT_ISSUER": issuer, "STS_JWT_AUDIENCE": audience, "STS_JWT_SECRET": secret,
	})
	r.addSecret(secret)
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": issuer, "aud": audience, "sub": "alice", "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	r.addSecret(token)
	g := r.mint(t, `{"scope":"mine","format":"sts"}`, from, map[string]string{"authorization": "Bearer " + token})
	c := r.client(g, from)
	doc := payload(4096, 14)
	if _, err := c.Object.Put(testCtx(t), "users/alice/notes.txt", bytes.NewReader(doc), putOpt("text/plain")); err != nil {
		t.Fatalf("Put into the caller's own folder: %s", cosCode(err))
	}
	readBack(t, c, "users/alice/notes.txt", doc)
	_, err = c.Object.Put(testCtx(t), "users/bob/notes.txt", bytes.NewReader(doc), putOpt("text/plain"))
	wantRefused(t, "Put into another user's folder", err, "403 AccessDenied")

	// The public scope needs no token. It names no region, so its bucket is in STS_REGION's, ap-guangzhou.
	public := cosemu.Bucket{Name: "assets-1250000000", Region: "ap-guangzhou"}
	if _, err := r.operatorClient(public).Object.Put(testCtx(t), "public/terms.txt", bytes.NewReader(doc), putOpt("text/plain")); err != nil {
		t.Fatalf("operator Put: %s", cosCode(err))
	}
	pg := r.mint(t, `{"scope":"public","format":"sts"}`, from, nil)
	pc := r.client(pg, from)
	readBack(t, pc, "public/terms.txt", doc)
	_, err = pc.Object.Put(testCtx(t), "public/terms.txt", bytes.NewReader(doc), putOpt("text/plain"))
	wantRefused(t, "Put with the public download scope", err, "403 AccessDenied")
}
