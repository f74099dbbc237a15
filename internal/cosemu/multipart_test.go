package cosemu

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func initiate(t *testing.T, f *fixture, key string) string {
	t.Helper()
	rec := f.do(signed(request("POST", "/"+key+"?uploads", nil, map[string]string{"Content-Type": "image/png"})))
	var res struct{ UploadId string }
	if rec.Code != 200 || xml.Unmarshal(rec.Body.Bytes(), &res) != nil || res.UploadId == "" {
		t.Fatalf("InitiateMultipartUpload: %d %s", rec.Code, rec.Body)
	}
	return res.UploadId
}

func part(t *testing.T, f *fixture, key, id string, n int, data []byte) string {
	t.Helper()
	rec := f.do(signed(request("PUT", fmt.Sprintf("/%s?partNumber=%d&uploadId=%s", key, n, id), data, nil)))
	if rec.Code != 200 || rec.Header().Get("ETag") == "" {
		t.Fatalf("UploadPart %d: %d %s", n, rec.Code, rec.Body)
	}
	return rec.Header().Get("ETag")
}

func completeBody(etags ...string) []byte {
	var b strings.Builder
	b.WriteString("<CompleteMultipartUpload>")
	for i, e := range etags {
		fmt.Fprintf(&b, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i+1, e)
	}
	b.WriteString("</CompleteMultipartUpload>")
	return []byte(b.String())
}

func TestMultipartUpload(t *testing.T) {
	f := newFixture(t, uploadsPolicy)
	key := "uploads/big.png"
	id := initiate(t, f, key)
	p1, p2 := bytes.Repeat([]byte("a"), 1<<20), []byte("tail")
	e1, e2 := part(t, f, key, id, 1, p1), part(t, f, key, id, 2, p2)

	rec := f.do(signed(request("GET", "/"+key+"?uploadId="+id, nil, nil)))
	if rec.Code != 200 || strings.Count(rec.Body.String(), "<Part>") != 2 {
		t.Errorf("ListParts: %d %s; want both parts", rec.Code, rec.Body)
	}
	rec = f.do(signed(request("GET", "/?uploads&prefix=uploads/big", nil, nil)))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), id) {
		t.Errorf("ListMultipartUploads on uploads/: %d %s; want the upload", rec.Code, rec.Body)
	}
	if rec := f.do(signed(request("GET", "/?uploads&prefix=private/", nil, nil))); rec.Code != 403 {
		t.Errorf("ListMultipartUploads on private/: %d; want 403, the grant is on uploads/", rec.Code)
	}
	if rec := f.do(signed(request("POST", "/"+key+"?uploadId="+id, completeBody(e2, e1), nil))); errorCode(t, rec) != "InvalidPart" {
		t.Errorf("Complete with swapped ETags: %s; want InvalidPart", rec.Body)
	}
	rec = f.do(signed(request("POST", "/"+key+"?uploadId="+id, completeBody(e1, e2), nil)))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "CompleteMultipartUploadResult") {
		t.Fatalf("Complete: %d %s", rec.Code, rec.Body)
	}
	got, ct, _ := f.s.Object(testBucket, key)
	if !bytes.Equal(got, append(p1, p2...)) || ct != "image/png" {
		t.Errorf("object = %d bytes %q; want the parts joined, typed as initiated", len(got), ct)
	}
	if rec := f.do(signed(request("PUT", fmt.Sprintf("/%s?partNumber=3&uploadId=%s", key, id), []byte("x"), nil))); errorCode(t, rec) != "NoSuchUpload" {
		t.Errorf("UploadPart after Complete: %s; want NoSuchUpload", rec.Body)
	}
}

func TestMultipartRules(t *testing.T) {
	f := newFixture(t, uploadsPolicy)
	key := "uploads/small.bin"
	id := initiate(t, f, key)
	e1, e2 := part(t, f, key, id, 1, []byte("small")), part(t, f, key, id, 2, []byte("tail"))
	if rec := f.do(signed(request("POST", "/"+key+"?uploadId="+id, completeBody(e1, e2), nil))); errorCode(t, rec) != "EntityTooSmall" {
		t.Errorf("Complete with a small first part: %s; want EntityTooSmall", rec.Body)
	}
	if rec := f.do(signed(request("POST", "/"+key+"?uploadId="+id, []byte("<nope"), nil))); errorCode(t, rec) != "MalformedXML" {
		t.Errorf("Complete with bad XML: %s; want MalformedXML", rec.Body)
	}
	if rec := f.do(signed(request("DELETE", "/"+key+"?uploadId="+id, nil, nil))); rec.Code != 204 {
		t.Errorf("Abort: %d; want 204", rec.Code)
	}
	if rec := f.do(signed(request("DELETE", "/"+key+"?uploadId="+id, nil, nil))); rec.Code != http.StatusNotFound {
		t.Errorf("Abort again: %d; want 404 NoSuchUpload", rec.Code)
	}
	if f.s.stored != 0 {
		t.Errorf("stored = %d bytes after Abort; want 0", f.s.stored)
	}
}
