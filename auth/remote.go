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
)

// remoteSet is the cache of the keys at STS_JWKS_URL. It fetches lazily, refreshes after TTL, refetches on an
// unknown kid at most once per MinRefetch (so forged kids cannot turn callers into a flood on the identity
// provider), and lets only one fetch run at a time; callers that need the keys meanwhile wait for that fetch.
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
		fetch = true
	case age >= r.ttl || unknown:
		fetch = r.inflight != nil || sinceTry >= r.minRefetch
	}
	if !fetch {
		keys := r.keys
		r.mu.Unlock()
		return keys, nil
	}
	call := r.inflight
	if call == nil {
		call = &fetchCall{done: make(chan struct{})}
		r.inflight = call
		r.triedAt = now
		r.mu.Unlock()
		r.run(ctx, call)
	} else {
		r.mu.Unlock()
	}
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
