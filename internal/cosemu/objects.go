package cosemu

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash/crc64"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// minPartBytes is COS's smallest part but the last.
const minPartBytes = 1 << 20

// object is one stored object.
type object struct {
	data        []byte
	contentType string
	etag        string // quoted, as COS sends it
	crc         uint64 // CRC-64/ECMA-182 of data, what x-cos-hash-crc64ecma reports
	modified    time.Time
}

// upload is a multipart upload in progress.
type upload struct {
	id, bucket, key, contentType string
	initiated                    time.Time
	parts                        map[int]*object
}

var crcTable = crc64.MakeTable(crc64.ECMA)

func newObject(data []byte, contentType string, now time.Time) *object {
	sum := md5.Sum(data)
	return &object{data: data, contentType: contentType, etag: `"` + hex.EncodeToString(sum[:]) + `"`,
		crc: crc64.Checksum(data, crcTable), modified: now}
}

// readBody reads a request body of at most MaxObjectBytes.
func (s *Server) readBody(r *http.Request) ([]byte, *cosError) {
	if r.ContentLength > s.opts.MaxObjectBytes {
		return nil, errTooLarge
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, s.opts.MaxObjectBytes+1))
	switch {
	case err != nil:
		return nil, invalidArgument("the request body could not be read")
	case int64(len(data)) > s.opts.MaxObjectBytes:
		return nil, errTooLarge
	}
	return data, nil
}

// reserve accounts for n more stored bytes, refusing past MaxStoredBytes;
// the caller holds s.mu.
func (s *Server) reserve(n int64) *cosError {
	if s.stored+n > s.opts.MaxStoredBytes {
		return errStorageFull
	}
	s.stored += n
	return nil
}

// store puts o at bucket/key, replacing what was there; the caller holds s.mu.
func (s *Server) store(bucket, key string, o *object) *cosError {
	old := s.objects[bucket][key]
	if old != nil {
		s.stored -= int64(len(old.data))
	}
	if e := s.reserve(int64(len(o.data))); e != nil {
		if old != nil {
			s.stored += int64(len(old.data))
		}
		return e
	}
	if s.objects[bucket] == nil {
		s.objects[bucket] = map[string]*object{}
	}
	s.objects[bucket][key] = o
	return nil
}

func objectHeaders(w http.ResponseWriter, o *object) {
	h := w.Header()
	h.Set("ETag", o.etag)
	h.Set("x-cos-hash-crc64ecma", strconv.FormatUint(o.crc, 10))
}

func (s *Server) putObject(c *call) *cosError {
	if c.key == "" {
		return invalidArgument("an object key is required")
	}
	data, e := s.readBody(c.r)
	if e != nil {
		return e
	}
	ct := c.r.Header.Get("Content-Type")
	if ct == "" {
		ct = defaultObjectMIMEType
	}
	o := newObject(data, ct, s.opts.Now())
	s.mu.Lock()
	e = s.store(c.bucket.Name, c.key, o)
	s.mu.Unlock()
	return s.putAnswer(c, o, e)
}

// putAnswer answers a PUT of an object or a part: e if storing it failed, else 200 with its ETag.
func (s *Server) putAnswer(c *call, o *object, e *cosError) *cosError {
	if e != nil {
		return e
	}
	objectHeaders(c.w, o)
	c.w.WriteHeader(http.StatusOK)
	s.ok(c, http.StatusOK)
	return nil
}

func (s *Server) getObject(c *call, head bool) *cosError {
	s.mu.Lock()
	o := s.objects[c.bucket.Name][c.key]
	s.mu.Unlock()
	if o == nil {
		return errNoSuchKey
	}
	h := c.w.Header()
	objectHeaders(c.w, o)
	h.Set("Content-Type", o.contentType)
	h.Set("Content-Length", strconv.Itoa(len(o.data)))
	h.Set("Last-Modified", o.modified.UTC().Format(http.TimeFormat))
	if v := c.r.URL.Query().Get("response-content-type"); v != "" {
		h.Set("Content-Type", v)
	}
	c.w.WriteHeader(http.StatusOK)
	if !head {
		c.w.Write(o.data) //nolint:errcheck // the client went away
	}
	s.ok(c, http.StatusOK)
	return nil
}

func (s *Server) deleteObject(c *call) *cosError {
	s.mu.Lock()
	if o := s.objects[c.bucket.Name][c.key]; o != nil {
		s.stored -= int64(len(o.data))
		delete(s.objects[c.bucket.Name], c.key)
	}
	s.mu.Unlock()
	c.w.WriteHeader(http.StatusNoContent)
	s.ok(c, http.StatusNoContent)
	return nil
}

// writeXML answers 200 with an XML document.
func (s *Server) writeXML(c *call, v any) *cosError {
	return s.writeXMLStatus(c, http.StatusOK, v)
}

// writeXMLStatus answers status with an XML document.
func (s *Server) writeXMLStatus(c *call, status int, v any) *cosError {
	body, err := xml.Marshal(v)
	if err != nil {
		return errorf(http.StatusInternalServerError, "InternalError", "encode: "+err.Error())
	}
	c.w.Header().Set("Content-Type", "application/xml")
	c.w.Header().Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
	c.w.WriteHeader(status)
	io.WriteString(c.w, xml.Header) //nolint:errcheck // the client went away
	c.w.Write(body)                 //nolint:errcheck // the client went away
	s.ok(c, status)
	return nil
}

func (s *Server) initiateUpload(c *call) *cosError {
	if c.key == "" {
		return invalidArgument("an object key is required")
	}
	ct := c.r.Header.Get("Content-Type")
	if ct == "" {
		ct = defaultObjectMIMEType
	}
	u := &upload{id: newID(40), bucket: c.bucket.Name, key: c.key, contentType: ct, initiated: s.opts.Now(), parts: map[int]*object{}}
	s.mu.Lock()
	s.uploads[u.id] = u
	s.mu.Unlock()
	return s.writeXML(c, struct {
		XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
		Bucket   string
		Key      string
		UploadID string `xml:"UploadId"`
	}{Bucket: u.bucket, Key: u.key, UploadID: u.id})
}

// findUpload returns the upload a request names, on its own bucket and key;
// the caller holds s.mu.
func (s *Server) findUpload(c *call) *upload {
	u := s.uploads[c.r.URL.Query().Get("uploadId")]
	if u == nil || u.bucket != c.bucket.Name || u.key != c.key {
		return nil
	}
	return u
}

func (s *Server) uploadPart(c *call) *cosError {
	n, err := strconv.Atoi(c.r.URL.Query().Get("partNumber"))
	if err != nil || n < 1 || n > 10000 {
		return invalidArgument("partNumber must be between 1 and 10000")
	}
	s.mu.Lock()
	found := s.findUpload(c) != nil
	s.mu.Unlock()
	if !found {
		return errNoSuchUpload
	}
	data, e := s.readBody(c.r)
	if e != nil {
		return e
	}
	p := newObject(data, "", s.opts.Now())
	s.mu.Lock()
	u := s.findUpload(c)
	switch {
	case u == nil:
		e = errNoSuchUpload
	default:
		if old := u.parts[n]; old != nil {
			s.stored -= int64(len(old.data))
		}
		if e = s.reserve(int64(len(data))); e == nil {
			u.parts[n] = p
		}
	}
	s.mu.Unlock()
	return s.putAnswer(c, p, e)
}

type xmlPart struct {
	PartNumber   int
	LastModified string
	ETag         string
	Size         int
}

func (s *Server) listParts(c *call) *cosError {
	s.mu.Lock()
	u := s.findUpload(c)
	var parts []xmlPart
	if u != nil {
		for _, n := range slices.Sorted(maps.Keys(u.parts)) {
			p := u.parts[n]
			parts = append(parts, xmlPart{PartNumber: n, LastModified: p.modified.UTC().Format(time.RFC3339), ETag: p.etag, Size: len(p.data)})
		}
	}
	s.mu.Unlock()
	if u == nil {
		return errNoSuchUpload
	}
	return s.writeXML(c, struct {
		XMLName          xml.Name `xml:"ListPartsResult"`
		Bucket           string
		Key              string
		UploadID         string `xml:"UploadId"`
		StorageClass     string
		PartNumberMarker int
		MaxParts         int
		IsTruncated      bool
		Part             []xmlPart
	}{Bucket: c.bucket.Name, Key: c.key, UploadID: u.id, StorageClass: "STANDARD", MaxParts: 1000, Part: parts})
}

func (s *Server) completeUpload(c *call) *cosError {
	var req completeRequest
	body, e := s.readBody(c.r)
	if e != nil {
		return e
	}
	if xml.Unmarshal(body, &req) != nil || len(req.Part) == 0 {
		return errMalformedXML
	}
	o, e := s.assemble(c, req)
	if e != nil {
		return e
	}
	objectHeaders(c.w, o)
	return s.writeXML(c, struct {
		XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
		Location string
		Bucket   string
		Key      string
		ETag     string
	}{Location: BucketHost(c.bucket) + "/" + c.key, Bucket: c.bucket.Name, Key: c.key, ETag: o.etag})
}

// completeRequest is CompleteMultipartUpload's body.
type completeRequest struct {
	Part []struct {
		PartNumber int
		ETag       string
	}
}

// assemble joins the listed parts into the object, as COS does: in
// ascending order, each part known with its ETag, every part but the last
// at least 1 MiB. The upload then ends.
func (s *Server) assemble(c *call, req completeRequest) (*object, *cosError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findUpload(c)
	if u == nil {
		return nil, errNoSuchUpload
	}
	var data []byte
	sums := md5.New()
	for i, want := range req.Part {
		if i > 0 && want.PartNumber <= req.Part[i-1].PartNumber {
			return nil, errPartOrder
		}
		p := u.parts[want.PartNumber]
		if p == nil || strings.Trim(want.ETag, `"`) != strings.Trim(p.etag, `"`) {
			return nil, errInvalidPart
		}
		if i < len(req.Part)-1 && len(p.data) < minPartBytes {
			return nil, errTooSmall
		}
		if int64(len(data)+len(p.data)) > s.opts.MaxObjectBytes {
			return nil, errTooLarge
		}
		data = append(data, p.data...)
		raw, _ := hex.DecodeString(strings.Trim(p.etag, `"`))
		sums.Write(raw)
	}
	o := newObject(data, u.contentType, s.opts.Now())
	o.etag = fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(sums.Sum(nil)), len(req.Part))
	for _, p := range u.parts {
		s.stored -= int64(len(p.data))
	}
	delete(s.uploads, u.id)
	if e := s.store(c.bucket.Name, c.key, o); e != nil {
		return nil, e
	}
	return o, nil
}

func (s *Server) abortUpload(c *call) *cosError {
	s.mu.Lock()
	u := s.findUpload(c)
	if u != nil {
		for _, p := range u.parts {
			s.stored -= int64(len(p.data))
		}
		delete(s.uploads, u.id)
	}
	s.mu.Unlock()
	if u == nil {
		return errNoSuchUpload
	}
	c.w.WriteHeader(http.StatusNoContent)
	s.ok(c, http.StatusNoContent)
	return nil
}

func (s *Server) listUploads(c *call) *cosError {
	prefix := c.r.URL.Query().Get("prefix")
	type xmlUpload struct {
		Key          string
		UploadID     string `xml:"UploadId"`
		StorageClass string
		Initiated    string
	}
	var list []xmlUpload
	s.mu.Lock()
	for _, u := range s.uploads {
		if u.bucket == c.bucket.Name && strings.HasPrefix(u.key, prefix) {
			list = append(list, xmlUpload{Key: u.key, UploadID: u.id, StorageClass: "STANDARD", Initiated: u.initiated.UTC().Format(time.RFC3339)})
		}
	}
	s.mu.Unlock()
	slices.SortFunc(list, func(a, b xmlUpload) int {
		return strings.Compare(a.Key+"\x00"+a.UploadID, b.Key+"\x00"+b.UploadID)
	})
	return s.writeXML(c, struct {
		XMLName     xml.Name `xml:"ListMultipartUploadsResult"`
		Bucket      string
		Prefix      string
		MaxUploads  int
		IsTruncated bool
		Upload      []xmlUpload
	}{Bucket: c.bucket.Name, Prefix: prefix, MaxUploads: 1000, Upload: list})
}
