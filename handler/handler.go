// Package handler is the function: it takes every SCF event as raw JSON, tells API Gateway, Function URL and
// direct invocations apart, resolves what the caller may be granted, mints scoped temporary keys through STS and
// answers in the shapes of docs/contract.md §3. Errors map to statuses and headers in one table (errors.go), the
// issuer's and the token verifier's failures included, and reach the caller through one function (errorBody);
// the log gets the detail an operator needs, never a secret.
//
// One event's way through (invocation.go's serve): limits.go bounds it, event.go tells its shape, request.go
// reads the request once and decides the reply format, preflight.go answers CORS preflights, authenticate.go
// names the caller, grant.go narrows the scope to the request, mint.go calls the issuer (cache.go with
// STS_CACHE=on), response.go shapes the reply and log.go writes the one log line.
package handler

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/auth"
	"github.com/cos-sts-scf/cos-sts-scf/config"
	"github.com/cos-sts-scf/cos-sts-scf/internal/redact"
	"github.com/cos-sts-scf/cos-sts-scf/issuer"
	"github.com/tencentyun/scf-go-lib/functioncontext"
)

// Minter mints temporary keys; *issuer.Issuer is the production one, tests may pass a fake.
type Minter interface {
	Issue(ctx context.Context, r issuer.Request) (issuer.Result, error)
}

// Options are the handler's seams. Zero values are filled with production defaults except Minter and Getenv.
type Options struct {
	Getenv func(string) string // os.Getenv in production; SCF sets each invocation's variables before calling
	Minter Minter
	Now    func() time.Time
	Log    io.Writer // where the JSON log lines go; default io.Discard
	// ReplyMargin is kept free before SCF's deadline so that a clean error can still be returned.
	ReplyMargin time.Duration
	// DefaultBudget bounds an invocation whose context has no deadline (tests, local runs).
	DefaultBudget time.Duration
	// JWKSClient fetches STS_JWKS_URL; nil is auth's default (HTTPS, 5 s timeout).
	JWKSClient *http.Client
	// Version names the build (scripts/build.sh stamps it): logged at cold start and sent with every dry run, so
	// an operator can tell which code answered. "" is "unknown".
	Version string
}

// Handler serves invocations. It is safe for concurrent use: SCF may run several invocations in one instance.
type Handler struct {
	opts   Options
	logger *logger
	redact *redact.Writer // every log byte passes through it
	cache  *credCache     // STS_CACHE=on

	mu     sync.Mutex
	cached *loadedConfig
}

// loadedConfig is one parse of the configuration, kept while the variables keep their text (config.Fingerprint).
type loadedConfig struct {
	fingerprint string
	cfg         *config.Config
	verifier    *auth.Verifier  // with STS_AUTH=jwt
	limiter     *issuer.Limiter // STS_MAX_CALLS_PER_SECOND; nil lets every call through
	err         error
	// What replies are shaped with: the configuration's, or config.LoadFallback's when it does not load.
	format  string
	origins config.Origins
}

// New returns a Handler with opts' seams.
func New(opts Options) *Handler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.ReplyMargin <= 0 {
		opts.ReplyMargin = 500 * time.Millisecond
	}
	if opts.DefaultBudget <= 0 {
		opts.DefaultBudget = 10 * time.Second
	}
	if opts.Version == "" {
		opts.Version = "unknown"
	}
	rw := redact.NewWriter(opts.Log)
	return &Handler{
		opts:   opts,
		redact: rw,
		cache:  newCredCache(),
		logger: newLogger(rw),
	}
}

// config returns the configuration for this invocation, parsing again only when a variable changed. The token
// verifier lives with the configuration it was built from, so its JWKS cache survives warm invocations.
func (h *Handler) config() (*loadedConfig, error) {
	fp := config.Fingerprint(h.opts.Getenv)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cached == nil || h.cached.fingerprint != fp {
		lc := &loadedConfig{fingerprint: fp}
		lc.cfg, lc.err = config.Load(h.opts.Getenv)
		if lc.err == nil && lc.cfg.Auth != nil {
			lc.verifier, lc.err = auth.NewVerifier(*lc.cfg.Auth, auth.Options{Now: h.opts.Now, HTTPClient: h.opts.JWKSClient})
		}
		if lc.err == nil {
			// One bucket per loaded configuration, of one token: an event function's instance serves one request at
			// a time, so a burst of one is its rate, and a bucket that refilled while idle holds no more than one.
			lc.limiter = issuer.NewLimiter(lc.cfg.MaxCallsPerSecond, 1, h.opts.Now)
			lc.format, lc.origins = lc.cfg.Format, lc.cfg.AllowOrigins
			h.logger.setLevel(lc.cfg.LogLevel)
		} else {
			fb := config.LoadFallback(h.opts.Getenv)
			lc.format, lc.origins = fb.Format, fb.AllowOrigins
			h.logger.error("configuration is invalid", str("problems", lc.err.Error()))
		}
		h.cached = lc
	}
	return h.cached, h.cached.err
}

// Warm loads the configuration at cold start, so that its problems and risky settings are in the log before the
// first request (SCF sets the function's variables in the process environment when it starts it).
func (h *Handler) Warm() {
	// First, and at info whatever STS_LOG_LEVEL says (the level is set by the load below): which build this is.
	h.logger.info("cold start", str("version", h.opts.Version), str("go", runtime.Version()))
	lc, err := h.config()
	if err != nil {
		return // config() logged every problem
	}
	for _, w := range lc.cfg.Warnings() {
		h.logger.warn("risky configuration", str("warning", w))
	}
}

// Invoke is the SCF entry point: cloudfunction.Start(h.Invoke).
func (h *Handler) Invoke(ctx context.Context, event json.RawMessage) (json.RawMessage, error) {
	inv, r, start := h.run(ctx, event, false)
	defer inv.releaseSecrets()
	out, err := encode(inv.shape, r)
	if err != nil {
		return nil, err
	}
	inv.log(r.status, h.opts.Now().Sub(start))
	return out, nil
}

// Explain answers event as a dry run whatever it asks, without reading keys or calling STS: the policy that would
// be sent, its resources, conditions and warnings, as a dry run's reply holds them. cmd/local's explain command
// prints it for a person. When there is no dry run to show, the error is an *Error: the code and message the
// reply would carry (the log, as always, says more).
func (h *Handler) Explain(ctx context.Context, event json.RawMessage) (*DryRun, error) {
	inv, r, start := h.run(ctx, event, true)
	defer inv.releaseSecrets()
	inv.log(r.status, h.opts.Now().Sub(start))
	if inv.err != nil {
		return nil, inv.err
	}
	if inv.explained == nil {
		return nil, &Error{Code: CodeInvalidParameter, Message: "the event asks for no dry run (a CORS preflight)"}
	}
	return inv.explained, nil
}

// run serves one event; the caller releases the invocation's secrets once it has logged.
func (h *Handler) run(ctx context.Context, event json.RawMessage, explainOnly bool) (*invocation, reply, time.Time) {
	start := h.opts.Now()
	inv := &invocation{h: h, shape: ShapeDirect, format: config.FormatCAM, forceDryRun: explainOnly}
	if lc, ok := functioncontext.FromContext(ctx); ok {
		inv.requestID = lc.RequestID
	}
	return inv, inv.serveSafely(ctx, event), start
}
