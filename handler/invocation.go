package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/auth"
	"github.com/cos-sts-scf/cos-sts-scf/config"
	"github.com/cos-sts-scf/cos-sts-scf/issuer"
)

// invocation carries one request through the handler; nothing in it outlives the call.
type invocation struct {
	h         *Handler
	shape     Shape
	method    string
	format    string
	requestID string
	scope     string
	err       *Error
	attempts  int
	stsReqID  string
	cors      map[string]string
	caller    caller
	cache     string // "hit" or "miss" with STS_CACHE=on
	headers   map[string]string
	claims    auth.Claims // the verified caller, with STS_AUTH=jwt
	// forceDryRun makes every request a dry run: Explain's way in.
	forceDryRun bool
	releases    []func() // unregister this invocation's secrets from the log redactor
}

// secret registers values that must never reach the log while this invocation runs.
func (inv *invocation) secret(values ...string) {
	inv.releases = append(inv.releases, inv.h.redact.Register(values...))
}

func (inv *invocation) releaseSecrets() {
	for _, release := range inv.releases {
		release()
	}
}

// serveSafely turns a panic into a 500 reply: an SCF function error would show the caller a stack trace and make
// the runtime recycle the instance. The stack goes to the log; it holds code locations, not values.
func (inv *invocation) serveSafely(ctx context.Context, raw []byte) (r reply) {
	defer func() {
		if v := recover(); v != nil {
			inv.h.logger.Error("panic", "type", fmt.Sprintf("%T", v), "stack", string(debug.Stack()))
			r = inv.fail(&Error{Code: CodeInternalError, Message: "internal error"})
		}
	}()
	return inv.serve(ctx, raw)
}

// serve does the work and returns the reply; every failure becomes an error reply, never a function error.
func (inv *invocation) serve(ctx context.Context, raw []byte) reply {
	getenv := inv.h.opts.Getenv
	inv.secret(getenv("STS_SECRET_KEY"), getenv("TENCENTCLOUD_SECRETKEY"), getenv("TENCENTCLOUD_SESSIONTOKEN"), getenv("STS_JWT_SECRET"))
	if len(raw) > MaxEventBytes {
		// Nothing more is read from it than its shape: not its format, headers or request id (see limits.go).
		inv.shape = skimShape(raw)
		inv.caller = caller{direct: inv.shape == ShapeDirect}
		if getenv("STS_RESPONSE_FORMAT") == config.FormatSTS {
			inv.format = config.FormatSTS
		}
		return inv.fail(invalidParameter("the request is %d bytes; at most %d are read", len(raw), MaxEventBytes))
	}
	shape := classify(raw)
	inv.shape = shape
	inv.caller = caller{direct: shape == ShapeDirect}

	lc, err := inv.h.config()
	if err != nil {
		if f := getenv("STS_RESPONSE_FORMAT"); f == config.FormatSTS {
			inv.format = f
		}
		if shape != ShapeDirect {
			// A browser app must be able to read the ConfigError: the preflight succeeds (a failed one would hide
			// everything behind a CORS error), and the request's error carries the CORS headers.
			_, _ = inv.httpParams(config.CORSOnly(getenv), raw)
			if inv.method == http.MethodOptions {
				return inv.preflight()
			}
		}
		return inv.fail(configError(err))
	}
	cfg := lc.cfg
	inv.format = cfg.Format

	var p params
	if shape == ShapeDirect {
		if p, err = parseJSONParams(raw); err != nil {
			inv.useFormat(formatHint(raw, nil, false))
		}
	} else {
		p, err = inv.httpParams(cfg, raw)
	}
	if err != nil {
		return inv.fail(asError(err))
	}
	if inv.method == http.MethodOptions {
		return inv.preflight()
	}
	switch p.Format {
	case "":
	case config.FormatCAM, config.FormatSTS:
		inv.useFormat(p.Format)
	default:
		return inv.fail(invalidParameter("format %q must be cam or sts", truncate(p.Format, 32)))
	}
	inv.scope = p.Scope
	if inv.scope == "" {
		inv.scope = config.DefaultScope
	}

	scope, err := lookupScope(cfg, p)
	if err != nil {
		if lc.verifier != nil && shape != ShapeDirect {
			// Under STS_AUTH=jwt a caller without a valid token must not learn which scopes exist: an unknown
			// scope answers it as a scope that needs a token would.
			if _, aerr := inv.authenticate(ctx, lc.verifier, &config.Scope{}, p); aerr != nil {
				return inv.fail(asError(aerr))
			}
		}
		return inv.fail(asError(err))
	}
	if inv.claims, err = inv.authenticate(ctx, lc.verifier, scope, p); err != nil {
		return inv.fail(asError(err))
	}
	filled, err := scope.Substitute(inv.claims)
	if err != nil {
		return inv.fail(accessDenied("scope %q cannot be filled from your token: %s", scope.Name, strings.TrimPrefix(err.Error(), "auth: ")))
	}
	res, err := resolve(filled, p, inv.caller)
	if err != nil {
		return inv.fail(asError(err))
	}
	if inv.forceDryRun {
		return inv.ok(successBody(inv.format, explain(res, string(cfg.Mode()), inv.h.opts.Version)))
	}
	// A caller's dry run checks the keys too, so that it answers what the real call would.
	creds, err := config.LoadCredentials(getenv, cfg.RoleARN)
	if err != nil {
		return inv.fail(configError(err))
	}
	if p.DryRun {
		return inv.ok(successBody(inv.format, explain(res, string(cfg.Mode()), inv.h.opts.Version)))
	}
	return inv.mint(ctx, cfg, res, creds)
}

// useFormat answers in format f from now on; "" keeps the current one.
func (inv *invocation) useFormat(f string) {
	if f != "" {
		inv.format = f
	}
}

// httpParams reads the method, CORS and parameters of an HTTP-shaped event.
func (inv *invocation) httpParams(cfg *config.Config, raw []byte) (params, error) {
	ev, err := decodeHTTPEvent(raw, inv.shape)
	if err != nil {
		return params{}, err
	}
	inv.method = ev.Method
	inv.headers = ev.Headers
	inv.caller = caller{ip: ev.SourceIP}
	if ev.RequestID != "" {
		inv.requestID = truncate(ev.RequestID, maxLogged) // it is echoed in every reply and log line
	}
	if allow, ok := cfg.OriginAllowed(ev.Headers["origin"]); ok {
		inv.cors = map[string]string{"Access-Control-Allow-Origin": allow, "Vary": "Origin"}
	}
	switch ev.Method {
	case http.MethodOptions:
		return params{}, nil
	case http.MethodGet:
		if len(bytes.TrimSpace(ev.Body)) > 0 {
			// Ignoring it would grant the default scope to a request that meant to ask for something else.
			inv.useFormat(formatHint(nil, ev.Query, true))
			return params{}, invalidParameter("a GET takes its parameters in the query string; send a JSON body with POST")
		}
		p, err := parseQueryParams(ev.Query)
		if err != nil {
			inv.useFormat(formatHint(nil, ev.Query, true))
		}
		return p, err
	case http.MethodPost:
		if len(ev.Query) > 0 {
			inv.useFormat(formatHint(ev.Body, nil, false))
			return params{}, invalidParameter("a POST takes its parameters in the JSON body, and this one also has a query string (%s): "+
				"move them into the body, or send a GET; in an SCF console test event, set \"queryString\": {}", queryNames(ev.Query))
		}
		p, err := parseJSONParams(ev.Body)
		if err != nil {
			inv.useFormat(formatHint(ev.Body, nil, false))
		}
		return p, err
	}
	return params{}, &Error{Code: CodeMethodNotAllowed, Message: "method " + truncate(ev.Method, 16) + " is not allowed; use GET, POST or OPTIONS"}
}

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
		RoleSessionName: auth.SessionName("cossts-" + inv.requestID),
		ExternalID:      cfg.ExternalID,
	}
	if sub := inv.sub(); sub != "" {
		// The caller's identity goes where CloudAudit shows it: the session name and a session tag, each held
		// to STS's limits (a sub that does not fit is cut and given a hash of the whole).
		req.RoleSessionName = auth.SessionName(sub)
		req.Tags = map[string]string{"sub": auth.SessionTag(sub)}
	}
	out, err := inv.issue(ctx, cfg, req)
	if err != nil {
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
// identical request while enough of their life is left.
func (inv *invocation) issue(ctx context.Context, cfg *config.Config, req issuer.Request) (issuer.Result, error) {
	if !cfg.Cache {
		out, err := inv.h.opts.Minter.Issue(ctx, req)
		inv.attempts = out.Attempts
		return out, err
	}
	now := inv.h.opts.Now()
	if out, ok := inv.h.cache.get(req, inv.sub(), now, cfg.CacheMinRemaining); ok {
		inv.cache = "hit"
		return out, nil
	}
	inv.cache = "miss"
	out, err := inv.h.opts.Minter.Issue(ctx, req)
	inv.attempts = out.Attempts
	if err == nil {
		inv.h.cache.put(req, inv.sub(), out, now)
	}
	return out, err
}

// authenticate names the caller under STS_AUTH=jwt: an HTTP caller by a verified bearer token (none needed for an
// anonymous scope), a direct invocation by the claims the operator passes. Without STS_AUTH=jwt nobody is named
// and claims are refused, so that they cannot look like they did something.
func (inv *invocation) authenticate(ctx context.Context, v *auth.Verifier, scope *config.Scope, p params) (auth.Claims, error) {
	if v == nil {
		if p.HasClaims {
			return nil, invalidParameter("claims are only read with STS_AUTH=jwt")
		}
		return nil, nil
	}
	if inv.shape == ShapeDirect {
		switch {
		case p.HasClaims:
			if sub, _ := auth.Claims(p.Claims).String("sub"); sub == "" {
				return nil, invalidParameter("claims must name the user with sub, a non-empty string, as a token must")
			}
			return auth.Claims(p.Claims), nil // the operator's own test of a scope as that user
		case scope.Anonymous:
			return nil, nil
		}
		return nil, unauthorized("a direct invocation names its user with claims, e.g. {\"claims\":{\"sub\":\"alice\"}}")
	}
	if p.HasClaims {
		return nil, invalidParameter("claims are refused over HTTP; callers are named by their bearer token")
	}
	header := inv.headers["authorization"]
	inv.secret(header)
	if header == "" {
		if scope.Anonymous {
			return nil, nil
		}
		return nil, unauthorized("a bearer token is required (Authorization: Bearer <JWT>)")
	}
	token, err := auth.BearerToken(header)
	if err != nil {
		return nil, unauthorized("%s", strings.TrimPrefix(err.Error(), "auth: "))
	}
	inv.secret(token)
	if dl, ok := ctx.Deadline(); ok {
		// Waiting for STS_JWKS_URL must leave the time a clean 504 needs, as the call to STS does.
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-inv.h.opts.ReplyMargin))
		defer cancel()
	}
	claims, err := v.Verify(ctx, token)
	switch {
	case errors.Is(err, auth.ErrJWKSUnavailable) && errors.Is(err, context.DeadlineExceeded):
		return nil, &Error{Code: CodeUpstreamTimeout, Message: "the keys that verify tokens (STS_JWKS_URL) did not arrive in time", Detail: err.Error()}
	case errors.Is(err, auth.ErrJWKSUnavailable):
		return nil, &Error{Code: CodeUpstreamError, Message: "the keys that verify tokens (STS_JWKS_URL) could not be fetched", Detail: err.Error()}
	case err != nil:
		return nil, unauthorized("%s", strings.TrimPrefix(err.Error(), "auth: "))
	}
	if sub, _ := claims.String("sub"); sub == "" {
		// Credentials, their cache entry and their CloudAudit record belong to a user; a token that names none
		// (no sub, or a number, a list, "") would share them with every other such token.
		return nil, unauthorized("the token has no sub claim naming its user (a non-empty string)")
	}
	return claims, nil
}

// sub is the verified caller's sub claim, "" when nobody is named (STS_AUTH=none, an anonymous scope).
func (inv *invocation) sub() string {
	sub, _ := inv.claims.String("sub")
	return sub
}

// upstreamError maps an issuer failure to the reply docs/contract.md §3 gives it.
func upstreamError(err error) *Error {
	var ie *issuer.Error
	if !errors.As(err, &ie) {
		// The issuer refused the request before sending it: a bug here, not STS's answer.
		return &Error{Code: CodeInternalError, Message: "internal error", Detail: err.Error()}
	}
	switch ie.Kind {
	case issuer.KindThrottled:
		return &Error{Code: CodeRequestLimitExceeded, Message: "STS is throttling requests; retry later", Detail: ie.Error(), RetryAfter: 1}
	case issuer.KindTimeout:
		return &Error{Code: CodeUpstreamTimeout, Message: "STS did not answer in time", Detail: ie.Error()}
	}
	msg := "STS refused the request: " + ie.Code
	if ie.RequestID != "" {
		msg += " (STS request id " + ie.RequestID + ")"
	}
	return &Error{Code: CodeUpstreamError, Message: msg, Detail: ie.Error()}
}

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

func (inv *invocation) ok(body any) reply {
	return reply{status: http.StatusOK, headers: inv.cors, body: body}
}

func (inv *invocation) fail(e *Error) reply {
	inv.err = e
	h := map[string]string{}
	for k, v := range inv.cors {
		h[k] = v
	}
	switch e.Code {
	case CodeMethodNotAllowed:
		h["Allow"] = "GET, POST, OPTIONS"
	case CodeRequestLimitExceeded:
		h["Retry-After"] = retryAfter(e.RetryAfter)
	case CodeUnauthorized:
		h["WWW-Authenticate"] = "Bearer"
	}
	return reply{status: e.Status(), headers: h, body: errorBody(inv.format, e, inv.requestID)}
}

// log writes the invocation's one line. Messages and details are built by this package from codes and
// validated input, never from keys, so nothing secret can reach it.
func (inv *invocation) log(status int, latency time.Duration) {
	// Every field a caller can choose is cut short: a 4 MB scope name must not become a 4 MB log line.
	attrs := []any{
		slog.String("requestId", truncate(inv.requestID, maxLogged)),
		slog.String("trigger", string(inv.shape)),
		slog.String("method", truncate(inv.method, 16)),
		slog.String("scope", truncate(inv.scope, maxLogged)),
		slog.Int("status", status),
		slog.Int64("latencyMs", latency.Milliseconds()),
		slog.Int("stsAttempts", inv.attempts),
		slog.String("stsRequestId", inv.stsReqID),
	}
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
	inv.h.logger.Log(context.Background(), level, msg, attrs...)
}

// queryNames lists a query string's parameter names for an error message: sorted, quoted, at most three.
func queryNames(q map[string]json.RawMessage) string {
	names := slices.Sorted(maps.Keys(q))
	var b strings.Builder
	for i, n := range names {
		if i == 3 {
			fmt.Fprintf(&b, " and %d more", len(names)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", truncate(n, 32))
	}
	return b.String()
}
