package e2e_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/cosemu"
	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// postObject uploads data with a POST Object form the way cos-wx-sdk-v5 does (its default for small files): the
// fields key, success_action_status, the token, the object's Content-Type, and a Signature field holding a
// request signature over "POST /", made here by cos-go-sdk-v5's own signer.
func postObject(r *cosRig, g cosGrant, from, key, contentType string, data []byte) error {
	host := cosemu.BucketHost(cosemu.Bucket{Name: g.Bucket, Region: g.Region})
	signing, _ := http.NewRequest(http.MethodPost, "http://"+host+"/", nil)
	cos.AddAuthorizationHeader(g.Credentials.TmpSecretID, g.Credentials.TmpSecretKey, "", signing, cos.NewAuthTime(time.Hour))
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, f := range [][2]string{
		{"key", key}, {"success_action_status", "200"}, {"Signature", signing.Header.Get("Authorization")},
		{"x-cos-security-token", g.Credentials.SessionToken}, {"Content-Type", contentType},
	} {
		w.WriteField(f[0], f[1]) //nolint:errcheck // a bytes.Buffer does not fail
	}
	fw, _ := w.CreateFormFile("file", "upload")
	fw.Write(data) //nolint:errcheck // a bytes.Buffer does not fail
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, "http://"+host+"/", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := r.cos.Client(from).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		e := &cos.ErrorResponse{Response: resp}
		buf := new(bytes.Buffer)
		buf.ReadFrom(resp.Body) //nolint:errcheck // a short error body
		if i, j := bytes.Index(buf.Bytes(), []byte("<Code>")), bytes.Index(buf.Bytes(), []byte("</Code>")); i >= 0 && j > i {
			e.Code = string(buf.Bytes()[i+6 : j])
		}
		return e
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("POST Object: status %d", resp.StatusCode)
	}
	return nil
}
