package cosemu

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxFieldBytes bounds one POST Object form field other than the file.
const maxFieldBytes = 64 << 10

// form is a POST Object request's fields, the file's name and its content.
type form struct {
	fields   map[string]string // by lower-cased field name
	filename string
	file     []byte
}

func (f form) get(name string) (string, bool) {
	v, ok := f.fields[strings.ToLower(name)]
	return v, ok
}

// readForm reads the fields up to the file, and the file; COS ignores the
// fields after it.
func (s *Server) readForm(r *http.Request) (form, *cosError) {
	f := form{fields: map[string]string{}}
	r.Body = http.MaxBytesReader(nil, r.Body, s.opts.MaxObjectBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return f, invalidArgument("POST Object needs a multipart/form-data body")
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return f, invalidArgument("POST Object needs a file field")
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return f, errTooLarge
			}
			return f, invalidArgument("the form could not be read")
		}
		if p.FormName() == "file" {
			f.filename = p.FileName()
			f.file, err = io.ReadAll(io.LimitReader(p, s.opts.MaxObjectBytes+1))
			switch {
			case err != nil:
				return f, invalidArgument("the file could not be read")
			case int64(len(f.file)) > s.opts.MaxObjectBytes:
				return f, errTooLarge
			}
			return f, nil
		}
		v, err := io.ReadAll(io.LimitReader(p, maxFieldBytes+1))
		if err != nil || len(v) > maxFieldBytes {
			return f, invalidArgument("form field " + p.FormName() + " is too long")
		}
		f.fields[strings.ToLower(p.FormName())] = string(v)
	}
}

// postObject serves POST Object: an HTML form upload. Its signature is in
// the form, either as a Signature field (a request signature over
// "POST /", as cos-wx-sdk-v5 sends) or as a base64 policy with q-* fields,
// as Tencent's POST Object guide describes. What the key's CAM policy sees
// is the HTTP request itself: its Content-Length is the whole form's and its
// Content-Type is multipart/form-data.
func (s *Server) postObject(c *call) {
	f, e := s.readForm(c.r)
	if e != nil {
		s.fail(c, e)
		return
	}
	key, _ := f.get("key")
	key = strings.ReplaceAll(key, "${filename}", f.filename)
	c.key, c.rec.Key = key, key
	if key == "" {
		s.fail(c, invalidArgument("POST Object needs a key field"))
		return
	}
	k, e := s.formAuth(c, f)
	if e == nil {
		e = s.authorize(c, k, actionPostObject, key, requestContext(c.r))
	}
	if e != nil {
		s.fail(c, e)
		return
	}
	ct, _ := f.get("Content-Type")
	if ct == "" {
		ct = defaultObjectMIMEType
	}
	o := newObject(f.file, ct, s.opts.Now())
	s.mu.Lock()
	e = s.store(c.bucket.Name, key, o)
	s.mu.Unlock()
	if e != nil {
		s.fail(c, e)
		return
	}
	objectHeaders(c.w, o)
	location := "http://" + BucketHost(c.bucket) + "/" + key
	c.w.Header().Set("Location", location)
	switch status, _ := f.get("success_action_status"); status {
	case "200":
		c.w.WriteHeader(http.StatusOK)
		s.ok(c, http.StatusOK)
	case "201":
		e = s.writeXMLStatus(c, http.StatusCreated, struct {
			XMLName  xml.Name `xml:"PostResponse"`
			Location string
			Bucket   string
			Key      string
			ETag     string
		}{Location: location, Bucket: c.bucket.Name, Key: key, ETag: o.etag})
		if e != nil {
			s.fail(c, e)
		}
	default:
		c.w.WriteHeader(http.StatusNoContent)
		s.ok(c, http.StatusNoContent)
	}
}

// formAuth checks a form's signature and returns the key that made it.
func (s *Server) formAuth(c *call, f form) (Key, *cosError) {
	token, _ := f.get("x-cos-security-token")
	if token == "" {
		token = c.r.Header.Get("x-cos-security-token")
	}
	if sig, ok := f.get("Signature"); ok {
		a, err := parseAuthorization(sig)
		if err != nil {
			return Key{}, invalidArgument(err.Error())
		}
		// The signed headers are the request's own, or form fields standing
		// in for them (an upload API may send the object's headers as fields).
		header := func(name string) []string {
			if name == "host" {
				return []string{c.r.Host}
			}
			if vs := c.r.Header.Values(name); len(vs) > 0 {
				return vs
			}
			if v, ok := f.get(name); ok {
				return []string{v}
			}
			return nil
		}
		return s.verify(c, a, token, http.MethodPost, "/", c.r.URL.Query(), header)
	}
	policy, ok := f.get("policy")
	if !ok {
		return Key{}, errAccessDenied // an anonymous form, and buckets here are private
	}
	return s.policyAuth(c, f, policy, token)
}

// policyAuth checks the policy form of POST Object's signature:
// q-signature = HMAC-SHA1(SignKey, SHA1(policy)), SignKey =
// HMAC-SHA1(SecretKey, q-key-time), over the policy's JSON text, then the
// policy's own expiration and conditions against the form.
func (s *Server) policyAuth(c *call, f form, policyB64, token string) (Key, *cosError) {
	text, err := base64.StdEncoding.DecodeString(policyB64)
	if err != nil {
		return Key{}, errorf(http.StatusBadRequest, "InvalidPolicyDocument", "policy is not base64")
	}
	alg, _ := f.get("q-sign-algorithm")
	ak, _ := f.get("q-ak")
	keyTime, _ := f.get("q-key-time")
	sig, _ := f.get("q-signature")
	if alg != algorithm || ak == "" || sig == "" {
		return Key{}, invalidArgument("POST Object with a policy needs q-sign-algorithm=sha1, q-ak, q-key-time and q-signature")
	}
	start, end, err := parseWindow(keyTime)
	if err != nil {
		return Key{}, invalidArgument("q-key-time: " + err.Error())
	}
	c.rec.SecretID = ak
	k, e := s.checkKey(ak, token)
	if e != nil {
		return Key{}, e
	}
	now := s.opts.Now()
	switch {
	case now.After(end):
		return Key{}, errRequestExpiry
	case start.After(now.Add(maxSkew)):
		return Key{}, errTimeSkewed
	case !signatureMatches(sig, hmacHex(hmacHex(k.SecretKey, keyTime), sha1Hex(string(text)))):
		return Key{}, errSignature
	}
	if e := checkPostPolicy(text, f, c.bucket.Name, now); e != nil {
		return Key{}, e
	}
	return k, nil
}

// checkPostPolicy applies a POST policy: it must not have expired, and
// every condition must hold. A condition is {"field": "value"} (exact), or
// ["eq"|"starts-with", "$field", "value"], or ["content-length-range", min,
// max] on the file's size.
func checkPostPolicy(text []byte, f form, bucket string, now time.Time) *cosError {
	bad := func(why string) *cosError {
		return errorf(http.StatusBadRequest, "InvalidPolicyDocument", "Invalid Policy: "+why)
	}
	denied := func(why string) *cosError {
		return errorf(http.StatusForbidden, "AccessDenied", "Invalid according to Policy: "+why)
	}
	var doc struct {
		Expiration string            `json:"expiration"`
		Conditions []json.RawMessage `json:"conditions"`
	}
	if err := json.Unmarshal(text, &doc); err != nil {
		return bad("not a JSON object with expiration and conditions")
	}
	exp, err := time.Parse(time.RFC3339, doc.Expiration)
	if err != nil {
		return bad("expiration is not an ISO 8601 time")
	}
	if !now.Before(exp) {
		return denied("Policy expired.")
	}
	field := func(name string) string {
		if strings.EqualFold(name, "bucket") {
			return bucket
		}
		v, _ := f.get(name)
		return v
	}
	for _, raw := range doc.Conditions {
		var exact map[string]string
		if json.Unmarshal(raw, &exact) == nil {
			for name, want := range exact {
				if field(name) != want {
					return denied("Policy Condition failed: [\"eq\", \"$" + name + "\", \"" + want + "\"]")
				}
			}
			continue
		}
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) != nil || len(list) != 3 {
			return bad("a condition is neither an object nor a list of three")
		}
		var op string
		if json.Unmarshal(list[0], &op) != nil {
			return bad("a condition's operator is not a string")
		}
		switch strings.ToLower(op) {
		case "content-length-range":
			var lo, hi int64
			if json.Unmarshal(list[1], &lo) != nil || json.Unmarshal(list[2], &hi) != nil {
				return bad("content-length-range takes two integers")
			}
			if n := int64(len(f.file)); n < lo || n > hi {
				return denied("Your proposed upload size " + strconv.FormatInt(n, 10) + " is outside content-length-range")
			}
		case "eq", "starts-with":
			var name, want string
			if json.Unmarshal(list[1], &name) != nil || json.Unmarshal(list[2], &want) != nil || !strings.HasPrefix(name, "$") {
				return bad(op + " takes \"$field\" and a string")
			}
			got := field(strings.TrimPrefix(name, "$"))
			if op == "eq" && got != want || op == "starts-with" && !strings.HasPrefix(got, want) {
				return denied("Policy Condition failed: [\"" + op + "\", \"" + name + "\", \"" + want + "\"]")
			}
		default:
			return bad("unknown condition " + op)
		}
	}
	return nil
}
