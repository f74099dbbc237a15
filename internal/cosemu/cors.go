package cosemu

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const actionOptionsObject = "name/cos:OptionsObject"

// corsRule finds the first rule that lets origin use method with the
// request headers headers, as COS evaluates a bucket's CORS rules.
func (s *Server) corsRule(origin, method string, headers []string) (CORSRule, bool) {
	for _, rule := range s.opts.CORS {
		if !slices.ContainsFunc(rule.AllowedOrigins, func(p string) bool { return originMatches(p, origin) }) ||
			!slices.ContainsFunc(rule.AllowedMethods, func(m string) bool { return strings.EqualFold(m, method) }) {
			continue
		}
		allowed := true
		for _, h := range headers {
			allowed = allowed && slices.ContainsFunc(rule.AllowedHeaders, func(p string) bool {
				return p == "*" || strings.EqualFold(p, h)
			})
		}
		if allowed {
			return rule, true
		}
	}
	return CORSRule{}, false
}

// originMatches compares an origin with a rule's pattern: "*", an exact
// origin, or one with a single "*" (http://*.example.com).
func originMatches(pattern, origin string) bool {
	pattern, origin = strings.ToLower(pattern), strings.ToLower(origin)
	if before, after, ok := strings.Cut(pattern, "*"); ok {
		return len(origin) >= len(before)+len(after) && strings.HasPrefix(origin, before) && strings.HasSuffix(origin, after)
	}
	return pattern == origin
}

func allowOrigin(rule CORSRule, origin string) string {
	if slices.Contains(rule.AllowedOrigins, "*") {
		return "*"
	}
	return origin
}

// preflight answers an OPTIONS request as COS's OPTIONS Object does: 200
// with the Access-Control-* headers of the matching rule, or 403
// AccessForbidden when no rule allows the origin, method and headers asked
// about. No signature is needed: browsers send none.
func (s *Server) preflight(c *call) {
	c.rec.Action = actionOptionsObject
	origin := c.r.Header.Get("Origin")
	method := c.r.Header.Get("Access-Control-Request-Method")
	var headers []string
	for _, h := range strings.Split(c.r.Header.Get("Access-Control-Request-Headers"), ",") {
		if h = strings.TrimSpace(h); h != "" {
			headers = append(headers, strings.ToLower(h))
		}
	}
	rule, ok := s.corsRule(origin, method, headers)
	if origin == "" || method == "" || !ok {
		s.fail(c, errCORS)
		return
	}
	h := c.w.Header()
	h.Set("Access-Control-Allow-Origin", allowOrigin(rule, origin))
	h.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ","))
	if len(headers) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(headers, ","))
	}
	if len(rule.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ","))
	}
	if rule.MaxAgeSeconds > 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(rule.MaxAgeSeconds))
	}
	h.Add("Vary", "Origin")
	c.w.WriteHeader(http.StatusOK)
	s.ok(c, http.StatusOK)
}

// corsHeaders adds what a browser needs to read the answer to a
// cross-origin request, errors included, when a rule allows its origin
// and method.
func (s *Server) corsHeaders(c *call) {
	origin := c.r.Header.Get("Origin")
	if origin == "" {
		return
	}
	rule, ok := s.corsRule(origin, c.r.Method, nil)
	if !ok {
		return
	}
	h := c.w.Header()
	h.Set("Access-Control-Allow-Origin", allowOrigin(rule, origin))
	if len(rule.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ","))
	}
	h.Add("Vary", "Origin")
}
