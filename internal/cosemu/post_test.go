package cosemu

import (
	"bytes"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// postForm builds a POST Object request: fields in order, then the file.
func postForm(fields [][2]string, file []byte) *http.Request {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		w.WriteField(f[0], f[1]) //nolint:errcheck // a bytes.Buffer does not fail
	}
	fw, _ := w.CreateFormFile("file", "photo.png")
	fw.Write(file) //nolint:errcheck // a bytes.Buffer does not fail
	w.Close()
	r := request("POST", "/", b.Bytes(), map[string]string{"Content-Type": w.FormDataContentType()})
	return r
}

// policyFields signs a POST policy the way Tencent's POST Object guide describes.
func policyFields(policy, secret string) [][2]string {
	keyTime := strconv.FormatInt(testNow.Add(-time.Minute).Unix(), 10) + ";" + strconv.FormatInt(testNow.Add(time.Hour).Unix(), 10)
	return [][2]string{
		{"policy", base64.StdEncoding.EncodeToString([]byte(policy))},
		{"q-sign-algorithm", "sha1"}, {"q-ak", testID}, {"q-key-time", keyTime},
		{"q-signature", hmacHex(hmacHex(secret, keyTime), sha1Hex(policy))},
		{"x-cos-security-token", testToken},
	}
}

// signatureField signs "POST /" over host, as cos-wx-sdk-v5 puts it in its Signature field.
func signatureField() [2]string {
	r := signAs(request("POST", "/", nil, nil), testID, testSecret, "", testNow.Add(-time.Minute), testNow.Add(time.Hour))
	return [2]string{"Signature", r.Header.Get("Authorization")}
}

func TestPostObject(t *testing.T) {
	postPolicy := `{"expiration":"2026-03-01T13:00:00.000Z","conditions":[{"bucket":"` + testBucket + `"},` +
		`["starts-with","$key","uploads/"],["content-length-range",1,100]]}`
	typed := `{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:PostObject"],"resource":["` + testRes + `uploads/*"],` +
		`"condition":{"string_like":{"cos:content-type":["image/*"]}}}]}`
	sized := `{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:PostObject"],"resource":["` + testRes + `uploads/*"],` +
		`"condition":{"numeric_less_than_equal":{"cos:content-length":1000}}}]}`
	png := []byte("\x89PNG fake")
	tests := []struct {
		name   string
		policy string
		fields [][2]string
		file   []byte
		status int
		code   string
	}{
		{"policy form", uploadsPolicy, append(policyFields(postPolicy, testSecret), [2]string{"key", "uploads/${filename}"}, [2]string{"Content-Type", "image/png"}), png, 204, ""},
		{"policy form, 201", uploadsPolicy, append(policyFields(postPolicy, testSecret), [2]string{"key", "uploads/a.png"}, [2]string{"success_action_status", "201"}), png, 201, ""},
		{"policy form, wrong secret", uploadsPolicy, append(policyFields(postPolicy, "nope"), [2]string{"key", "uploads/a.png"}), png, 403, "SignatureDoesNotMatch"},
		{"policy condition fails", uploadsPolicy, append(policyFields(postPolicy, testSecret), [2]string{"key", "private/a.png"}), png, 403, "AccessDenied"},
		{"content-length-range", uploadsPolicy, append(policyFields(postPolicy, testSecret), [2]string{"key", "uploads/a.png"}), bytes.Repeat([]byte("x"), 101), 403, "AccessDenied"},
		{"Signature field", uploadsPolicy, [][2]string{{"key", "uploads/b.png"}, signatureField(), {"x-cos-security-token", testToken}, {"success_action_status", "200"}}, png, 200, ""},
		{"Signature field without token", uploadsPolicy, [][2]string{{"key", "uploads/b.png"}, signatureField()}, png, 403, "InvalidAccessKeyId"},
		{"anonymous", uploadsPolicy, [][2]string{{"key", "uploads/b.png"}}, png, 403, "AccessDenied"},
		// COS reads cos:content-type from the request's own header, multipart/form-data:
		// a type condition refuses every form, whatever type its file has.
		{"type condition on a form", typed, [][2]string{{"key", "uploads/c.png"}, {"Content-Type", "image/png"}, signatureField(), {"x-cos-security-token", testToken}}, png, 403, "AccessDenied"},
		// cos:content-length is the whole form's length, above the file's.
		{"size condition, small form", sized, [][2]string{{"key", "uploads/d.png"}, signatureField(), {"x-cos-security-token", testToken}}, png, 204, ""},
		{"size condition, form above it", sized, [][2]string{{"key", "uploads/d.png"}, signatureField(), {"x-cos-security-token", testToken}}, bytes.Repeat([]byte("x"), 900), 403, "AccessDenied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.policy)
			rec := f.do(postForm(tc.fields, tc.file))
			if rec.Code != tc.status || errorCode(t, rec) != tc.code {
				t.Fatalf("status %d %q; want %d %q: %s", rec.Code, errorCode(t, rec), tc.status, tc.code, rec.Body)
			}
			if tc.status < 300 {
				keys := f.s.Keys(testBucket)
				if len(keys) != 1 || !strings.HasPrefix(keys[0], "uploads/") {
					t.Fatalf("stored %q; want one object in uploads/", keys)
				}
				if got, _, _ := f.s.Object(testBucket, keys[0]); !bytes.Equal(got, tc.file) {
					t.Errorf("stored %q; want the file", got)
				}
			}
		})
	}
	f := newFixture(t, uploadsPolicy)
	f.do(postForm(append(policyFields(postPolicy, testSecret), [2]string{"key", "uploads/${filename}"}, [2]string{"Content-Type", "image/png"}), png))
	if _, ct, ok := f.s.Object(testBucket, "uploads/photo.png"); !ok || ct != "image/png" {
		t.Errorf("${filename} and Content-Type field: object %t with type %q; want uploads/photo.png as image/png", ok, ct)
	}
}
