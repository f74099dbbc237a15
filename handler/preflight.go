package handler

import "net/http"

// preflight answers a CORS preflight (docs/contract.md §5); an origin that is not allowed just gets no CORS headers.
func (inv *invocation) preflight() reply {
	h := map[string]string{}
	if inv.cors != nil {
		for k, v := range inv.cors {
			h[k] = v
		}
		h["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
		h["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
		h["Access-Control-Max-Age"] = "600"
	}
	return reply{status: http.StatusNoContent, headers: h}
}
