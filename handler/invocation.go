package handler

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/cos-sts-scf/cos-sts-scf/auth"
	"github.com/cos-sts-scf/cos-sts-scf/config"
	"github.com/cos-sts-scf/cos-sts-scf/issuer"
)

// invocation carries one request through the handler; nothing in it outlives the call.
type invocation struct {
	h         *Handler
	shape     Shape
	method    string
	format    string // decided once, in serve, before anything else can fail
	requestID string
	scope     string
	err       *Error
	attempts  int
	stsReqID  string
	cors      map[string]string
	caller    caller
	cache     string          // "hit" or "miss" with STS_CACHE=on
	limiter   *issuer.Limiter // the configuration's STS_MAX_CALLS_PER_SECOND bucket
	headers   map[string]string
	claims    auth.Claims // the verified caller, with STS_AUTH=jwt
	// forceDryRun makes every request a dry run: Explain's way in. The dry run answered is kept in explained.
	forceDryRun bool
	explained   *DryRun
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
			inv.h.logger.error("panic", str("type", fmt.Sprintf("%T", v)), str("stack", string(debug.Stack())))
			r = inv.fail(&Error{Code: CodeInternalError, Message: "internal error"})
		}
	}()
	return inv.serve(ctx, raw)
}

// serve is the pipeline: the event is read once (its shape, then the request), the reply format decided once,
// then CORS, the configuration, the caller, the scope and the grant; every failure becomes an error reply, never
// a function error.
func (inv *invocation) serve(ctx context.Context, raw []byte) reply {
	getenv := inv.h.opts.Getenv
	inv.secret(config.Secrets(getenv)...)
	lc, cfgErr := inv.h.config()
	if len(raw) > MaxEventBytes {
		// Nothing more is read from it than its shape: not its format, headers or request id (see limits.go).
		inv.shape = skimShape(raw)
		inv.caller = caller{direct: inv.shape == ShapeDirect}
		inv.format = lc.format
		return inv.fail(invalidParameter("the request is %d bytes; at most %d are read", len(raw), MaxEventBytes))
	}
	var ev *httpEvent
	var evErr error
	inv.shape, ev, evErr = readEvent(raw)
	inv.caller = caller{direct: inv.shape == ShapeDirect}
	req := inv.read(raw, ev, evErr)
	inv.format = cmp.Or(req.format, lc.format)
	if allow, ok := lc.origins.Allow(inv.headers["origin"]); ok {
		inv.cors = map[string]string{"Access-Control-Allow-Origin": allow, "Vary": "Origin"}
	}
	if inv.method == http.MethodOptions {
		// Even with a broken configuration: a failed preflight would hide the ConfigError behind a CORS error.
		return inv.preflight()
	}
	if cfgErr != nil {
		return inv.fail(configError(cfgErr))
	}
	if req.err != nil {
		return inv.fail(asError(req.err))
	}
	cfg, p := lc.cfg, req.params
	inv.limiter = lc.limiter
	inv.scope = cmp.Or(p.Scope, config.DefaultScope)

	scope, err := lookupScope(cfg, p)
	if err != nil {
		if lc.verifier != nil && inv.shape != ShapeDirect {
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
	res, err := resolve(cfg, filled, p, inv.caller)
	if err != nil {
		return inv.fail(asError(err))
	}
	if inv.forceDryRun {
		inv.explained = explain(res, string(cfg.Mode()), inv.h.opts.Version)
		return inv.ok(successBody(inv.format, inv.explained))
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

func (inv *invocation) ok(body any) reply {
	return reply{status: http.StatusOK, headers: inv.cors, body: body}
}

// fail answers e: its status and headers from the error table (errors.go), the CORS headers, and the body in the
// invocation's format.
func (inv *invocation) fail(e *Error) reply {
	inv.err = e
	h := e.headers()
	for k, v := range inv.cors {
		h[k] = v
	}
	return reply{status: e.Status(), headers: h, body: errorBody(inv.format, e, inv.requestID)}
}
