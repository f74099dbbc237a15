package e2e_test

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

const (
	miB = 1 << 20
	// from and elsewhere are loopback addresses: an app's, and another machine's.
	from      = "127.0.0.1"
	elsewhere = "127.0.0.2"
)

// TestCOSAvatarScope runs the README's avatar scope ("images of at most 5 MiB into one folder, from the caller's
// IP only") through the real binary and cos-go-sdk-v5: a 5 MiB PNG goes up by every path the grant allows and
// comes back byte for byte; a 6 MiB file and a text/html file are refused by every path the SDK has; so are
// actions outside the grant, requests from another IP, and requests after the keys expire.
func TestCOSAvatarScope(t *testing.T) {
	r := newCOSRig(t, map[string]string{"STS_SCOPES_FILE": readmeScopes(t, false)})
	g := r.mint(t, `{"scope":"avatar","prefixes":["avatars/alice/"],"format":"sts"}`, from, nil)
	if g.Bucket != "avatars-1250000000" || len(g.Credentials.TmpSecretID) == 0 {
		t.Fatalf("minted %+v; want keys for avatars-1250000000", g)
	}
	c := r.client(g, from)
	png5 := payload(5*miB, 1)
	stored := func(key string, want []byte) {
		t.Helper()
		got, ct, ok := r.cos.Object("avatars-1250000000", key)
		if !ok || !bytes.Equal(got, want) || ct != "image/png" {
			t.Errorf("%s: stored %t, %d bytes, %q; want the %d bytes sent, image/png", key, ok, len(got), ct, len(want))
		}
	}

	t.Run("accepted", func(t *testing.T) {
		// PutObject with the SDK's Put.
		if _, err := c.Object.Put(testCtx(t), "avatars/alice/put.png", bytes.NewReader(png5), putOpt("image/png")); err != nil {
			t.Fatalf("Put 5 MiB PNG: %s", cosCode(err))
		}
		stored("avatars/alice/put.png", png5)
		// Object.Upload with a part size at the limit: one part, so the SDK uploads it with PutObject.
		if _, _, err := c.Object.Upload(testCtx(t), "avatars/alice/upload.png", file(t, "a.png", png5), uploadOpt("image/png", 5)); err != nil {
			t.Fatalf("Upload 5 MiB PNG with PartSize 5: %s", cosCode(err))
		}
		stored("avatars/alice/upload.png", png5)
		// A presigned PUT URL, the token in its query as the SDK's documentation says.
		q := url.Values{"x-cos-security-token": {g.Credentials.SessionToken}}
		h := http.Header{"Content-Type": {"image/png"}}
		u, err := c.Object.GetPresignedURL(testCtx(t), http.MethodPut, "avatars/alice/presigned.png",
			g.Credentials.TmpSecretID, g.Credentials.TmpSecretKey, time.Hour, &cos.PresignedURLOptions{Query: &q, Header: &h})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPut, u.String(), bytes.NewReader(png5))
		req.Header.Set("Content-Type", "image/png")
		resp, err := r.cos.Client(from).Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("presigned PUT of 5 MiB PNG: %v %v", err, resp)
		}
		resp.Body.Close()
		stored("avatars/alice/presigned.png", png5)
	})

	// Each way the SDK can send a file, with a file the grant refuses: none may store anything.
	refused := []struct {
		name   string
		key    string
		send   func(t *testing.T, key string) error
		reason string // the API COS refuses, and the code
	}{
		{"6 MiB PNG by Put", "avatars/alice/big-put.png", func(t *testing.T, key string) error {
			_, err := c.Object.Put(testCtx(t), key, bytes.NewReader(payload(6*miB, 2)), putOpt("image/png"))
			return err
		}, "PutObject 403 AccessDenied"},
		// At its default part size the SDK sends a 6 MiB file in one PutObject.
		{"6 MiB PNG by Upload at the default part size", "avatars/alice/big-upload.png", func(t *testing.T, key string) error {
			_, _, err := c.Object.Upload(testCtx(t), key, file(t, "b.png", payload(6*miB, 3)), uploadOpt("image/png", 0))
			return err
		}, "PutObject 403 AccessDenied"},
		{"6 MiB PNG by Upload in 1 MiB parts", "avatars/alice/big-parts.png", func(t *testing.T, key string) error {
			_, _, err := c.Object.Upload(testCtx(t), key, file(t, "b2.png", payload(6*miB, 10)), uploadOpt("image/png", 1))
			return err
		}, "InitiateMultipartUpload 403 AccessDenied"},
		{"6 MiB PNG by Upload with a 6 MiB part", "avatars/alice/big-onepart.png", func(t *testing.T, key string) error {
			_, _, err := c.Object.Upload(testCtx(t), key, file(t, "c.png", payload(6*miB, 4)), uploadOpt("image/png", 6))
			return err
		}, "PutObject 403 AccessDenied"},
		{"text/html by Put", "avatars/alice/page.html", func(t *testing.T, key string) error {
			_, err := c.Object.Put(testCtx(t), key, strings.NewReader("<script>alert(1)</script>"), putOpt("text/html"))
			return err
		}, "PutObject 403 AccessDenied"},
		{"text/html by Upload in parts", "avatars/alice/page2.html", func(t *testing.T, key string) error {
			_, _, err := c.Object.Upload(testCtx(t), key, file(t, "p.html", payload(3*miB, 5)), uploadOpt("text/html", 1))
			return err
		}, "InitiateMultipartUpload 403 AccessDenied"},
		{"PNG without a type", "avatars/alice/untyped.png", func(t *testing.T, key string) error {
			_, err := c.Object.Put(testCtx(t), key, bytes.NewReader(payload(miB, 6)), nil)
			return err
		}, "PutObject 403 AccessDenied"},
		{"5 MiB PNG by a POST Object form", "avatars/alice/form.png", func(t *testing.T, key string) error {
			return postObject(r, g, from, key, "image/png", png5)
		}, "PostObject 403 AccessDenied"},
		{"reading it back", "avatars/alice/put.png", func(t *testing.T, key string) error {
			_, err := c.Object.Get(testCtx(t), key, nil)
			return err
		}, "GetObject 403 AccessDenied"},
		{"another user's folder", "avatars/bob/x.png", func(t *testing.T, key string) error {
			_, err := c.Object.Put(testCtx(t), key, bytes.NewReader(payload(miB, 7)), putOpt("image/png"))
			return err
		}, "PutObject 403 AccessDenied"},
		{"from another IP", "avatars/alice/stolen.png", func(t *testing.T, key string) error {
			_, err := r.client(g, elsewhere).Object.Put(testCtx(t), key, bytes.NewReader(payload(miB, 8)), putOpt("image/png"))
			return err
		}, "PutObject 403 AccessDenied"},
	}
	for _, tc := range refused {
		t.Run("refused/"+tc.name, func(t *testing.T) {
			_, _, existed := r.cos.Object("avatars-1250000000", tc.key)
			before := len(r.cos.Requests())
			err := tc.send(t, tc.key)
			if err == nil {
				t.Fatalf("%s succeeded; want it refused", tc.name)
			}
			api, code, _ := strings.Cut(tc.reason, " ")
			seen := r.actions(tc.key, before)
			if !slices.Contains(seen, api+" "+strings.Fields(code)[0]) || !strings.Contains(cosCode(err), code) {
				t.Errorf("%s: SDK error %q after %q; want %s refused with %s", tc.name, cosCode(err), seen, api, code)
			}
			if _, _, ok := r.cos.Object("avatars-1250000000", tc.key); ok && !existed {
				t.Errorf("%s stored %s", tc.name, tc.key)
			}
		})
	}

	t.Run("refused/after expiry", func(t *testing.T) {
		r.clock.advance(901 * time.Second) // the scope's durationSeconds is 900
		_, err := c.Object.Put(testCtx(t), "avatars/alice/late.png", bytes.NewReader(payload(miB, 9)), putOpt("image/png"))
		if cosCode(err) != "400 ExpiredToken" {
			t.Errorf("Put after expiry: %q; want 400 ExpiredToken", cosCode(err))
		}
	})
}
