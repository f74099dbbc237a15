package cosemu

import (
	"crypto/subtle"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// maxSkew is how far in the future a signature may start: COS refuses a
// client whose clock runs ahead with RequestTimeTooSkewed.
const maxSkew = 15 * time.Minute

// call is one request on its way through the emulator.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	id     string
	bucket Bucket
	key    string // the object key, decoded, without the leading "/"
	rec    Request
}

func (c *call) resource() string {
	return BucketHost(c.bucket) + "/" + c.key
}

// fail answers e and records it.
func (s *Server) fail(c *call, e *cosError) {
	c.rec.Status, c.rec.Code = e.status, e.code
	writeError(c.w, c.r, e, c.id, c.resource())
	s.record(c.rec)
}

// ok records a success; the handler has written the answer.
func (s *Server) ok(c *call, status int) {
	c.rec.Status = status
	s.record(c.rec)
}

// ServeHTTP answers one COS request: CORS first (a preflight needs no
// signature), then the signature, the key and its token, then the key's
// policy for the action and resource, then the operation itself.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{w: w, r: r, id: newID(32), key: strings.TrimPrefix(r.URL.Path, "/")}
	c.rec = Request{Key: c.key, Origin: r.Header.Get("Origin")}
	w.Header().Set("x-cos-request-id", c.id)
	w.Header().Set("Server", "tencent-cos")
	b, found := s.bucketOf(r.Host)
	c.bucket, c.rec.Bucket = b, b.Name
	if !found {
		s.fail(c, errNoSuchBucket)
		return
	}
	if r.Method == http.MethodOptions {
		s.preflight(c)
		return
	}
	s.corsHeaders(c)
	action, err := classify(r)
	c.rec.Action = action
	if err != nil {
		s.fail(c, err)
		return
	}
	if action == actionPostObject {
		s.postObject(c)
		return
	}
	key, e := s.authenticate(c)
	if e != nil {
		s.fail(c, e)
		return
	}
	target := c.key
	if action == actionListUploads {
		// Listing is judged on the prefix it lists, so a grant on a folder
		// lets an SDK look for its own unfinished uploads there and nowhere
		// else. (Tencent's upload grants include ListMultipartUploads on a
		// folder resource, and cos-js-sdk-v5 lists with the key as prefix
		// before every multipart upload.)
		target = r.URL.Query().Get("prefix")
	}
	if e := s.authorize(c, key, action, target, requestContext(r)); e != nil {
		s.fail(c, e)
		return
	}
	s.dispatch(c, action)
}

// The CAM names of the APIs the emulator serves.
const (
	actionPutObject       = "name/cos:PutObject"
	actionPostObject      = "name/cos:PostObject"
	actionGetObject       = "name/cos:GetObject"
	actionHeadObject      = "name/cos:HeadObject"
	actionDeleteObject    = "name/cos:DeleteObject"
	actionListUploads     = "name/cos:ListMultipartUploads"
	actionInitiateUpload  = "name/cos:InitiateMultipartUpload"
	actionUploadPart      = "name/cos:UploadPart"
	actionListParts       = "name/cos:ListParts"
	actionCompleteUpload  = "name/cos:CompleteMultipartUpload"
	actionAbortUpload     = "name/cos:AbortMultipartUpload"
	formContentType       = "multipart/form-data"
	defaultObjectMIMEType = "application/octet-stream"
)

// classify names the API a request calls, from its method, path and query,
// as COS's API reference lays them out.
func classify(r *http.Request) (string, *cosError) {
	q := r.URL.Query()
	bucketLevel := r.URL.Path == "/" || r.URL.Path == ""
	switch {
	case r.Method == http.MethodPost && bucketLevel:
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == formContentType {
			return actionPostObject, nil
		}
	case r.Method == http.MethodGet && bucketLevel && q.Has("uploads"):
		return actionListUploads, nil
	case bucketLevel:
		// GET Bucket, PUT Bucket and the rest of the bucket APIs.
	case r.Method == http.MethodPut && q.Has("uploadId"):
		if q.Has("partNumber") {
			return actionUploadPart, nil
		}
	case r.Method == http.MethodPut && r.Header.Get("x-cos-copy-source") == "" && !hasSubresource(q):
		return actionPutObject, nil
	case r.Method == http.MethodPost && q.Has("uploads"):
		return actionInitiateUpload, nil
	case r.Method == http.MethodPost && q.Has("uploadId"):
		return actionCompleteUpload, nil
	case r.Method == http.MethodGet && q.Has("uploadId"):
		return actionListParts, nil
	case r.Method == http.MethodGet && !hasSubresource(q):
		return actionGetObject, nil
	case r.Method == http.MethodHead && !hasSubresource(q):
		return actionHeadObject, nil
	case r.Method == http.MethodDelete && q.Has("uploadId"):
		return actionAbortUpload, nil
	case r.Method == http.MethodDelete && !hasSubresource(q):
		return actionDeleteObject, nil
	}
	return "", errNotSupported
}

// hasSubresource reports a query naming an object sub-resource the emulator
// does not serve (?acl, ?tagging, ?restore…); signatures and response-*
// overrides are not sub-resources.
func hasSubresource(q map[string][]string) bool {
	for k := range q {
		if !strings.HasPrefix(k, "q-") && !strings.HasPrefix(k, "response-") && k != "x-cos-security-token" && k != "versionId" {
			return true
		}
	}
	return false
}

// authenticate checks the request's signature, in the Authorization header
// or the query string, and returns the key that made it.
func (s *Server) authenticate(c *call) (Key, *cosError) {
	r := c.r
	a, inQuery, err := authFromQuery(r.URL.Query())
	if !inQuery {
		header := r.Header.Get("Authorization")
		if header == "" {
			return Key{}, errAccessDenied // anonymous, and buckets here are private
		}
		a, err = parseAuthorization(header)
	}
	if err != nil {
		return Key{}, invalidArgument(err.Error())
	}
	token := r.Header.Get("x-cos-security-token")
	if inQuery && token == "" {
		token = r.URL.Query().Get("x-cos-security-token")
	}
	header := func(name string) []string {
		switch name {
		case "host":
			return []string{r.Host}
		case "content-length":
			if vs := r.Header.Values(name); len(vs) > 0 {
				return vs
			}
			if r.ContentLength >= 0 && r.Method != http.MethodGet && r.Method != http.MethodHead {
				return []string{strconv.FormatInt(r.ContentLength, 10)}
			}
		}
		return r.Header.Values(name)
	}
	return s.verify(c, a, token, r.Method, r.URL.Path, r.URL.Query(), header)
}

// checkKey finds a SecretId's key and checks the token that came with it
// and the key's expiry.
func (s *Server) checkKey(ak, token string) (Key, *cosError) {
	key, found := s.opts.Keys(ak)
	switch {
	case !found:
		return Key{}, errUnknownKey
	case key.Token != "" && token == "":
		return Key{}, errUnknownKey // a temporary SecretId means nothing without its token
	case key.Token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(key.Token)) != 1:
		return Key{}, errBadToken
	case !key.Expires.IsZero() && !s.opts.Now().Before(key.Expires):
		return Key{}, errExpiredToken
	}
	return key, nil
}

// verify checks one request signature: a key the emulator knows, its token,
// its expiry, the signature's time window, then the signature itself over
// the method, path, listed parameters and listed headers.
func (s *Server) verify(c *call, a authorization, token, method, path string, query map[string][]string, header func(string) []string) (Key, *cosError) {
	c.rec.SecretID = a.AK
	key, e := s.checkKey(a.AK, token)
	if e != nil {
		return Key{}, e
	}
	now := s.opts.Now()
	start, end, _ := parseWindow(a.SignTime) // validated by parsing
	switch {
	case now.After(end):
		return Key{}, errRequestExpiry
	case start.After(now.Add(maxSkew)):
		return Key{}, errTimeSkewed
	}
	var headers []pair
	for _, name := range a.HeaderList {
		for _, v := range header(name) {
			headers = append(headers, pair{name, v})
		}
	}
	want := sign(key.SecretKey, a.KeyTime, stringToSign(a.SignTime, method, path,
		canonical(a.ParamList, queryPairs(query)), canonical(a.HeaderList, headers)))
	if !signatureMatches(a.Signature, want) {
		return Key{}, errSignature
	}
	return key, nil
}

// authorize evaluates the key's policy for action on the object key, with
// the request's condition keys.
func (s *Server) authorize(c *call, key Key, action, objectKey string, ctx map[string]string) *cosError {
	if key.Policy == "" {
		return errAccessDenied
	}
	p, err := parsePolicy(key.Policy)
	if err != nil {
		return errAccessDenied
	}
	appID := c.bucket.Name[strings.LastIndex(c.bucket.Name, "-")+1:]
	resource := "qcs::cos:" + c.bucket.Region + ":uid/" + appID + ":" + c.bucket.Name + "/" + objectKey
	if !p.allows(action, resource, ctx) {
		return errAccessDenied
	}
	return nil
}

// requestContext reads the condition keys a request carries: its
// Content-Length and Content-Type headers, when it sends them, and its
// source address.
func requestContext(r *http.Request) map[string]string {
	ctx := map[string]string{}
	if v := r.Header.Get("Content-Length"); v != "" {
		ctx[keyContentLength] = v
	} else if r.ContentLength >= 0 && len(r.TransferEncoding) == 0 && (r.Method == http.MethodPut || r.Method == http.MethodPost) {
		ctx[keyContentLength] = strconv.FormatInt(r.ContentLength, 10)
	}
	if v := r.Header.Get("Content-Type"); v != "" {
		ctx[keyContentType] = v
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		if a, err := netip.ParseAddr(host); err == nil {
			ctx[keySourceIP] = a.Unmap().String()
		}
	}
	return ctx
}

// dispatch runs an authorized request.
func (s *Server) dispatch(c *call, action string) {
	var err *cosError
	switch action {
	case actionPutObject:
		err = s.putObject(c)
	case actionGetObject, actionHeadObject:
		err = s.getObject(c, action == actionHeadObject)
	case actionDeleteObject:
		err = s.deleteObject(c)
	case actionInitiateUpload:
		err = s.initiateUpload(c)
	case actionUploadPart:
		err = s.uploadPart(c)
	case actionListParts:
		err = s.listParts(c)
	case actionCompleteUpload:
		err = s.completeUpload(c)
	case actionAbortUpload:
		err = s.abortUpload(c)
	case actionListUploads:
		err = s.listUploads(c)
	default:
		err = errNotSupported
	}
	if err != nil {
		s.fail(c, err)
	}
}
