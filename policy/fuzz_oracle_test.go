package policy

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// base1250 is the resource prefix of the fuzzed grants' bucket.
const base1250 = "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/"

// fuzzActionMenu is what FuzzBuild grants and probes: the uploads that carry
// content conditions, the multipart and read actions that do not, and one
// the grant never asks for unless chosen.
func fuzzActionMenu() []string {
	return []string{"PutObject", "PostObject", "AppendObject", "GetObject", "HeadObject",
		"UploadPart", "InitiateMultipartUpload", "ListParts", "DeleteObject"}
}

// fuzzActions picks actions from the menu by bit; none picked is "download".
func fuzzActions(bits uint16) []string {
	var out []string
	for i, a := range fuzzActionMenu() {
		if bits&(1<<i) != 0 {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return []string{"GetObject", "HeadObject"}
	}
	return out
}

// grantedOracle restates, without UsableActions, which of the asked menu
// actions a grant keeps: contentTypes leave out PostObject (its form's
// Content-Type is never the file's), maxContentLength the multipart APIs
// (parts never show the object's size).
func grantedOracle(asked []string, c Conditions) []string {
	var out []string
	for _, a := range asked {
		multipart := a == "UploadPart" || a == "InitiateMultipartUpload" || a == "ListParts"
		if len(c.ContentTypes) > 0 && a == "PostObject" || c.MaxContentLength > 0 && multipart {
			continue
		}
		out = append(out, a)
	}
	return out
}

// conditionedOracle reports whether an action granted under c carries one of
// its size or type conditions.
func conditionedOracle(action string, c Conditions) bool {
	size := action == "PutObject" || action == "PostObject" || action == "AppendObject"
	typ := action == "PutObject" || action == "AppendObject" || action == "InitiateMultipartUpload"
	return size && c.MaxContentLength > 0 || typ && len(c.ContentTypes) > 0
}

// outsideGrant restates what a grant allows without the policy package's
// own code: it returns why an allowed request lies outside the grant, or ""
// when it lies inside. inside says the action was asked for and the key lies
// in the grant.
func outsideGrant(action string, inside bool, c Conditions, req RequestContext) string {
	if !inside {
		return "the action was not asked for or the key lies outside the grant"
	}
	if c.SourceIP != "" && !ipInside(c.SourceIP, req[KeySourceIP]) {
		return "the request's IP is not " + c.SourceIP
	}
	carriesSize := action == "PutObject" || action == "PostObject" || action == "AppendObject"
	carriesType := action == "PutObject" || action == "AppendObject" || action == "InitiateMultipartUpload"
	if carriesSize && c.MaxContentLength > 0 && !atMost(req[KeyContentLength], c.MaxContentLength) {
		return "the Content-Length is not at most " + strconv.FormatInt(c.MaxContentLength, 10)
	}
	if carriesType && len(c.ContentTypes) > 0 && !typeMatches(c.ContentTypes, req[KeyContentType]) {
		return "the Content-Type matches none of " + strings.Join(c.ContentTypes, ", ")
	}
	return ""
}

func ipInside(allowed, got string) bool {
	addr, err := netip.ParseAddr(got)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	if p, err := netip.ParsePrefix(allowed); err == nil {
		return p.Masked().Contains(addr)
	}
	a, err := netip.ParseAddr(allowed)
	return err == nil && a.Unmap() == addr
}

// atMost accepts a number no larger than limit: exactly for integers, and
// for other decimals by the float comparison an exact one implies.
func atMost(v string, limit int64) bool {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n <= limit
	}
	f, err := strconv.ParseFloat(v, 64)
	return err == nil && !math.IsNaN(f) && f <= float64(limit)
}

func typeMatches(patterns []string, t string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "/*"); ok && strings.HasPrefix(t, prefix+"/") || p == t {
			return true
		}
	}
	return false
}

// goodRequest builds a request that meets every condition in c.
func goodRequest(c Conditions) RequestContext {
	req := RequestContext{KeyContentLength: "1", KeyContentType: "application/octet-stream", KeySourceIP: "192.0.2.1"}
	if c.MaxContentLength > 0 {
		req[KeyContentLength] = strconv.FormatInt(c.MaxContentLength, 10)
	}
	if len(c.ContentTypes) > 0 {
		req[KeyContentType] = strings.Replace(c.ContentTypes[0], "*", "x", 1)
	}
	if p, err := netip.ParsePrefix(c.SourceIP); err == nil {
		req[KeySourceIP] = p.Masked().Addr().String()
	} else if a, err := netip.ParseAddr(c.SourceIP); err == nil {
		req[KeySourceIP] = a.String()
	}
	return req
}
