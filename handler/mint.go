package handler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/config"
	"github.com/cos-sts-scf/cos-sts-scf/issuer"
)

// mint asks STS for the keys inside the invocation's deadline, less the margin a clean reply needs.
func (inv *invocation) mint(ctx context.Context, cfg *config.Config, res *resolved, creds issuer.Credentials) reply {
	budget := inv.h.opts.DefaultBudget
	if dl, ok := ctx.Deadline(); ok {
		budget = dl.Sub(inv.h.opts.Now()) - inv.h.opts.ReplyMargin
	}
	if budget <= 0 {
		return inv.fail(&Error{Code: CodeUpstreamTimeout, Message: "no time was left to call STS before the function's deadline"})
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()

	req := issuer.Request{
		Endpoint:        cfg.Endpoint,
		Region:          cfg.Region,
		Mode:            cfg.Mode(),
		Credentials:     creds,
		Policy:          res.PolicyJSON,
		DurationSeconds: res.DurationSeconds,
		Name:            cfg.FederationName,
		RoleARN:         cfg.RoleARN,
		// The invocation's request id ties CloudAudit records to this function's log line.
		RoleSessionName: issuer.SessionName("cossts-" + inv.requestID),
		ExternalID:      cfg.ExternalID,
	}
	if sub := inv.sub(); sub != "" {
		// The caller's identity goes where CloudAudit shows it: the session name and a session tag, each held
		// to STS's limits (a sub that does not fit is cut and given a hash of the whole).
		req.RoleSessionName = issuer.SessionName(sub)
		req.Tags = map[string]string{"sub": issuer.SessionTag(sub)}
	}
	out, err := inv.issue(ctx, cfg, req)
	if err != nil {
		var lim *limited
		if errors.As(err, &lim) {
			return inv.fail(&Error{Code: CodeRequestLimitExceeded, Message: "too many new credentials are being asked for; retry later",
				Detail:     fmt.Sprintf("STS_MAX_CALLS_PER_SECOND (%g per instance): no call left in this instance's bucket; STS was not called", cfg.MaxCallsPerSecond),
				RetryAfter: issuer.RetryAfterSeconds(lim.wait)})
		}
		var ie *issuer.Error
		if errors.As(err, &ie) {
			inv.attempts, inv.stsReqID = ie.Attempts, ie.RequestID
		}
		return inv.fail(upstreamError(err))
	}
	inv.secret(out.TmpSecretKey, out.SessionToken)
	inv.stsReqID = out.RequestID
	return inv.ok(successBody(inv.format, issued{
		Credentials: credentials{SessionToken: out.SessionToken, TmpSecretID: out.TmpSecretID, TmpSecretKey: out.TmpSecretKey, Token: out.SessionToken},
		ExpiredTime: out.ExpiredTime,
		StartTime:   out.ExpiredTime - int64(res.DurationSeconds),
		Expiration:  expiration(out.ExpiredTime),
		RequestID:   out.RequestID,
		grantFields: fieldsOf(res),
	}))
}

// issue mints through STS, or with STS_CACHE=on hands out credentials minted earlier in this instance for the
// identical request while enough of their life is left. A call to STS is made only when the configuration's
// STS_MAX_CALLS_PER_SECOND bucket holds one (after a cache miss, never for a hit): otherwise the error is a
// *limited and STS is not called.
func (inv *invocation) issue(ctx context.Context, cfg *config.Config, req issuer.Request) (issuer.Result, error) {
	var now time.Time
	if cfg.Cache {
		now = inv.h.opts.Now()
		if out, ok := inv.h.cache.get(req, inv.sub(), now, cfg.CacheMinRemaining); ok {
			inv.cache = "hit"
			return out, nil
		}
		inv.cache = "miss"
	}
	if ok, wait := inv.limiter.Take(); !ok {
		return issuer.Result{}, &limited{wait: wait}
	}
	out, err := inv.h.opts.Minter.Issue(ctx, req)
	inv.attempts = out.Attempts
	if err == nil && cfg.Cache {
		inv.h.cache.put(req, inv.sub(), out, now)
	}
	return out, err
}

// limited is a call to STS that the instance's bucket (STS_MAX_CALLS_PER_SECOND) did not let through: a token will
// be there after wait.
type limited struct{ wait time.Duration }

func (l *limited) Error() string {
	return "STS_MAX_CALLS_PER_SECOND: no call left; retry after " + l.wait.String()
}
