package cosemu

import (
	"encoding/xml"
	"net/http"
	"strconv"
)

// cosError is one of COS's XML errors: its code, its HTTP status and a
// message. Codes and statuses follow Tencent's COS error-code list; where
// that list is silent (the token errors), they follow S3, whose codes COS
// keeps.
type cosError struct {
	status  int
	code    string
	message string
}

func (e *cosError) Error() string { return e.code + ": " + e.message }

func errorf(status int, code, message string) *cosError {
	return &cosError{status: status, code: code, message: message}
}

// The errors the emulator answers with.
var (
	errAccessDenied  = errorf(http.StatusForbidden, "AccessDenied", "Access Denied.")
	errRequestExpiry = errorf(http.StatusForbidden, "AccessDenied", "Request has expired")
	errUnknownKey    = errorf(http.StatusForbidden, "InvalidAccessKeyId", "The SecretId you provided does not exist, or is a temporary one sent without its x-cos-security-token.")
	errBadToken      = errorf(http.StatusBadRequest, "InvalidToken", "The x-cos-security-token does not belong to this SecretId.")
	errExpiredToken  = errorf(http.StatusBadRequest, "ExpiredToken", "The provided token has expired.")
	errSignature     = errorf(http.StatusForbidden, "SignatureDoesNotMatch", "The Signature you specified is invalid.")
	errTimeSkewed    = errorf(http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the server's time is too large.")
	errNoSuchKey     = errorf(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
	errNoSuchUpload  = errorf(http.StatusNotFound, "NoSuchUpload", "The specified multipart upload does not exist.")
	errNoSuchBucket  = errorf(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist.")
	errTooLarge      = errorf(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.")
	errTooSmall      = errorf(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
	errInvalidPart   = errorf(http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found.")
	errPartOrder     = errorf(http.StatusBadRequest, "InvalidPartOrder", "The list of parts was not in ascending order.")
	errMalformedXML  = errorf(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed.")
	errNotSupported  = errorf(http.StatusNotImplemented, "NotImplemented", "The emulator does not implement this API.")
	errCORS          = errorf(http.StatusForbidden, "AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually because the evaluation of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.")
	errStorageFull   = errorf(http.StatusServiceUnavailable, "ServiceUnavailable", "The emulator's storage cap is reached.")
)

func invalidArgument(message string) *cosError {
	return errorf(http.StatusBadRequest, "InvalidArgument", message)
}

// errorBody is COS's error document.
type errorBody struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource"`
	RequestID string   `xml:"RequestId"`
	TraceID   string   `xml:"TraceId"`
}

// writeError answers e as COS does: the XML document (no body for HEAD),
// with the request and trace ids in headers too.
func writeError(w http.ResponseWriter, r *http.Request, e *cosError, requestID, resource string) {
	traceID := newID(24)
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("x-cos-request-id", requestID)
	h.Set("x-cos-trace-id", traceID)
	body, _ := xml.Marshal(errorBody{Code: e.code, Message: e.message, Resource: resource, RequestID: requestID, TraceID: traceID})
	body = append([]byte("<?xml version='1.0' encoding='utf-8' ?>\n"), body...)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead {
		w.Write(body) //nolint:errcheck // the client went away
	}
}
