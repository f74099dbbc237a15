package handler

import (
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/config"
)

// log writes the invocation's one line. Messages and details are built by this package from codes and
// validated input, never from keys, and every byte passes through the redactor besides.
func (inv *invocation) log(status int, latency time.Duration) {
	// Every field a caller can choose is cut short: a 4 MB scope name must not become a 4 MB log line.
	attrs := make([]field, 0, 12)
	attrs = append(attrs,
		str("requestId", truncate(inv.requestID, maxLogged)),
		str("trigger", string(inv.shape)),
		str("method", truncate(inv.method, 16)),
		str("scope", truncate(inv.scope, maxLogged)),
		num("status", int64(status)),
		num("latencyMs", latency.Milliseconds()),
		num("stsAttempts", int64(inv.attempts)),
		str("stsRequestId", inv.stsReqID),
	)
	if inv.cache != "" {
		attrs = append(attrs, str("cache", inv.cache))
	}
	if sub := inv.sub(); sub != "" {
		// Ties the STS request id (and so CloudAudit's record) to the user, GetFederationToken included, whose
		// records show only the federation name.
		attrs = append(attrs, str("sub", truncate(sub, maxLogged)))
	}
	level, msg := config.LevelInfo, "ok"
	if inv.err != nil {
		msg = inv.err.Code
		attrs = append(attrs, str("error", inv.err.Message))
		if inv.err.Detail != "" {
			attrs = append(attrs, str("detail", inv.err.Detail))
		}
		if status >= 500 {
			level = config.LevelError
		} else {
			level = config.LevelWarn
		}
	}
	inv.h.logger.log(level, msg, attrs...)
}
