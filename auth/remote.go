package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Defaults for Options.
const (
	defaultMinRefetch = time.Minute
	defaultTTL        = 10 * time.Minute
	defaultTimeout    = 5 * time.Second
	maxJWKSBytes      = 1 << 20 // a JWKS is a few kilobytes; more is a wrong URL or an attack
	// failureTTL is how long a failed fetch is remembered while no usable keys are held: every caller in that
	// time gets the failure at once, and the identity provider at most one request per failureTTL, however many
	// tokens (forged or not) arrive. It is shorter than MinRefetch because, without keys, nobody gets in.
	failureTTL = 10 * time.Second
)

// remoteSet is the cache of the keys at STS_JWKS_URL. It fetches lazily, refreshes after TTL, refetches on an
// unknown kid at most once per MinRefetch and, holding no usable keys, at most once per failureTTL (so that
// callers, forged tokens included, cannot turn into a flood on the identity provider), and lets only one fetch
// run at a time; callers that need the keys meanwhile wait for that fetch, each as long as its own context
// allows, while the fetch itself runs on its own timeout.
type remoteSet struct {
	url        string // what is fetched
	display    string // the URL without query or user info, for error messages
	client     *http.Client
	now        func() time.Time
	minRefetch time.Duration
	ttl        time.Duration

	mu        sync.Mutex
	keys      []publicKey
	fetchedAt time.Time  // of the keys
	triedAt   time.Time  // of the last fetch, successful or not
	lastErr   error      // of the last fetch, nil when it succeeded
	inflight  *fetchCall // the fetch under way, or nil
}

// fetchCall is one fetch that several callers may wait for; err is written before done is closed.
type fetchCall struct {
	done chan struct{}
	err  error
}

// newRemoteSet applies the defaults of o.
func newRemoteSet(u *url.URL, o Options, now func() time.Time) *remoteSet {
	r := &remoteSet{url: u.String(), display: u.Scheme + "://" + u.Host + u.Path, now: now,
		minRefetch: o.MinRefetch, ttl: o.TTL}
	if r.minRefetch <= 0 {
		r.minRefetch = defaultMinRefetch
	}
	if r.ttl <= 0 {
		r.ttl = defaultTTL
	}
	if o.HTTPClient == nil {
		r.client = &http.Client{Timeout: defaultTimeout, CheckRedirect: httpsOnly}
	} else {
		c := *o.HTTPClient // a copy, so that the caller's client keeps its own redirect policy
		if c.CheckRedirect == nil {
			c.CheckRedirect = httpsOnly
		}
		r.client = &c
	}
	return r
}

// httpsOnly refuses a redirect away from https, which would let anyone on the path replace the keys.
func httpsOnly(req *http.Request, via []*http.Request) error {
	if req.URL.Scheme != "https" {
		return errors.New("redirect to a non-https URL refused")
	}
	if len(via) >= 5 {
		return errors.New("too many redirects")
	}
	return nil
}

// keysFor returns the keys to choose from for a token with header h, fetching first when there are none yet,
// when they are older than TTL, or when h names a kid they lack and the last fetch is at least MinRefetch old.
// When a refresh fails, keys up to 2×TTL old still serve: a short outage of the identity provider should not
// lock every caller out, while a long one should not keep a withdrawn key trusted for ever.
func (r *remoteSet) keysFor(ctx context.Context, h header) ([]publicKey, error) {
	r.mu.Lock()
	now := r.now()
	sinceTry := now.Sub(r.triedAt)
	age := now.Sub(r.fetchedAt)
	usable := r.keys != nil && age < 2*r.ttl
	unknown := h.hasKid && !slices.ContainsFunc(r.keys, func(k publicKey) bool { return k.kid == h.kid })
	var fetch bool
	switch {
	case !usable:
		fetch = r.inflight != nil || sinceTry >= failureTTL
	case age >= r.ttl || unknown:
		fetch = r.inflight != nil || sinceTry >= r.minRefetch
	}
	if !fetch {
		keys, err := r.keys, r.lastErr
		r.mu.Unlock()
		if !usable {
			if err == nil { // cannot happen: a fetch that succeeded left usable keys
				err = fmt.Errorf("%w: %s: no keys", ErrJWKSUnavailable, r.display)
			}
			return nil, fmt.Errorf("%w (last tried %s ago; not tried again within %s)", err, sinceTry.Round(time.Second), failureTTL)
		}
		return keys, nil
	}
	call := r.inflight
	if call == nil {
		call = &fetchCall{done: make(chan struct{})}
		r.inflight = call
		r.triedAt = now
		// The fetch belongs to every caller that will wait for it, not to this one: it keeps this caller's values
		// but not its deadline, so that a caller with 50 ms left cannot cut short the fetch of one with seconds.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), defaultTimeout)
		go func() {
			defer cancel()
			r.run(fctx, call)
		}()
	}
	r.mu.Unlock()
	select {
	case <-call.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: waiting for %s: %w", ErrJWKSUnavailable, r.display, ctx.Err())
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if call.err == nil || r.keys != nil && r.now().Sub(r.fetchedAt) < 2*r.ttl && !unknown {
		return r.keys, nil
	}
	return nil, call.err
}

// run performs one fetch and publishes its outcome to everyone waiting on call.
func (r *remoteSet) run(ctx context.Context, call *fetchCall) {
	keys, err := r.download(ctx)
	r.mu.Lock()
	if err == nil {
		r.keys, r.fetchedAt = keys, r.now()
	}
	r.lastErr = err
	r.inflight = nil
	r.mu.Unlock()
	call.err = err
	close(call.done)
}

// download GETs the JWKS and parses it. Keys that are malformed or for other algorithms are passed over as long
// as one usable key remains, so that one odd key published by the identity provider does not stop every login.
func (r *remoteSet) download(ctx context.Context) ([]publicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrJWKSUnavailable, r.display, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the whole URL, query included
		}
		return nil, fmt.Errorf("%w: GET %s: %w", ErrJWKSUnavailable, r.display, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: GET %s: HTTP status %d", ErrJWKSUnavailable, r.display, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: GET %s: reading the body: %w", ErrJWKSUnavailable, r.display, err)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("%w: GET %s: body larger than %d bytes", ErrJWKSUnavailable, r.display, maxJWKSBytes)
	}
	keys, problems := parseJWKS(body)
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: GET %s: %w", ErrJWKSUnavailable, r.display, errors.Join(problems...))
	}
	return keys, nil
}
