package handler

import (
	"crypto/sha256"
	"encoding/json"
	"sync"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/issuer"
)

// maxCacheEntries bounds the cache's memory: a warm instance serving many distinct grants keeps the newest.
const maxCacheEntries = 1024

// credCache keeps credentials minted in this instance for reuse by an identical request (STS_CACHE=on): the same
// signing identity, STS call and policy. It saves STS round trips and quota for apps that ask again and again for
// the same grant. It is safe for concurrent use.
type credCache struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]issuer.Result
}

func newCredCache() *credCache {
	return &credCache{entries: map[[sha256.Size]byte]issuer.Result{}}
}

// cacheKey identifies what a minted credential is: who signed for it, exactly what STS was asked, and who it was
// minted for (sub, the verified caller, "" for nobody), so that two users never share credentials or an audit
// record even where STS is not told who asked (GetFederationToken has no session tags). The secret key, the token
// and the session name are left out: the first two authenticate the same SecretID, and the session name only
// labels the audit record.
func cacheKey(r issuer.Request, sub string) [sha256.Size]byte {
	b, _ := json.Marshal([]any{
		r.Endpoint, r.Region, r.Mode, r.Credentials.SecretID, r.Policy, r.DurationSeconds,
		r.Name, r.RoleARN, r.ExternalID, r.Tags, sub,
	})
	return sha256.Sum256(b)
}

// get returns cached credentials for r that still have at least minRemaining of life left, and never under a
// third of their lifetime: a client must be able to use what it is handed.
func (c *credCache) get(r issuer.Request, sub string, now time.Time, minRemaining time.Duration) (issuer.Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	res, ok := c.entries[cacheKey(r, sub)]
	if !ok {
		return issuer.Result{}, false
	}
	left := time.Unix(res.ExpiredTime, 0).Sub(now)
	third := time.Duration(r.DurationSeconds) * time.Second / 3
	if left < minRemaining || left < third {
		return issuer.Result{}, false
	}
	return res, true
}

// put remembers res for r, dropping expired entries, and the whole map when it is full.
func (c *credCache) put(r issuer.Request, sub string, res issuer.Result, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range c.entries {
		if time.Unix(v.ExpiredTime, 0).Before(now) {
			delete(c.entries, k)
		}
	}
	if len(c.entries) >= maxCacheEntries {
		clear(c.entries)
	}
	c.entries[cacheKey(r, sub)] = res
}
