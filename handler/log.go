package handler

import (
	"context"
	"log/slog"
	"time"
)

// log writes the invocation's one line. Messages and details are built by this package from codes and
// validated input, never from keys, and every byte passes through the redactor besides.
func (inv *invocation) log(status int, latency time.Duration) {
	// Every field a caller can choose is cut short: a 4 MB scope name must not become a 4 MB log line.
	// Attrs, not key-value pairs: nothing is boxed into an interface on the way.
	attrs := make([]slog.Attr, 0, 12)
	attrs = append(attrs,
		slog.String("requestId", truncate(inv.requestID, maxLogged)),
		slog.String("trigger", string(inv.shape)),
		slog.String("method", truncate(inv.method, 16)),
		slog.String("scope", truncate(inv.scope, maxLogged)),
		slog.Int("status", status),
		slog.Int64("latencyMs", latency.Milliseconds()),
		slog.Int("stsAttempts", inv.attempts),
		slog.String("stsRequestId", inv.stsReqID),
	)
	if inv.cache != "" {
		attrs = append(attrs, slog.String("cache", inv.cache))
	}
	if sub := inv.sub(); sub != "" {
		// Ties the STS request id (and so CloudAudit's record) to the user, GetFederationToken included, whose
		// records show only the federation name.
		attrs = append(attrs, slog.String("sub", truncate(sub, maxLogged)))
	}
	level, msg := slog.LevelInfo, "ok"
	if inv.err != nil {
		msg = inv.err.Code
		attrs = append(attrs, slog.String("error", inv.err.Message))
		if inv.err.Detail != "" {
			attrs = append(attrs, slog.String("detail", inv.err.Detail))
		}
		if status >= 500 {
			level = slog.LevelError
		} else {
			level = slog.LevelWarn
		}
	}
	inv.h.logger.LogAttrs(context.Background(), level, msg, attrs...)
}
