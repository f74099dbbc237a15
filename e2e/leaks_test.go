package e2e_test

import (
	"bytes"
	"fmt"
)

// leakWindow is the shortest piece of a secret that counts as a leak: long
// enough that random text never matches it, short enough that a secret cut
// short, quoted in part or split across two fields is still caught.
const leakWindow = 16

// canaries indexes secrets by every window of them, so that one pass over a
// log finds any of thousands of secrets, whole or in part. The labels say
// which secret leaked without printing it.
type canaries struct {
	byLen map[int]map[string]string // window length → window → label
}

func newCanaries() *canaries {
	return &canaries{byLen: map[int]map[string]string{}}
}

// add indexes secrets under label. A secret shorter than leakWindow is
// indexed whole; an empty one is ignored.
func (c *canaries) add(label string, secrets ...string) {
	for _, s := range secrets {
		if s == "" {
			continue
		}
		w := min(len(s), leakWindow)
		m := c.byLen[w]
		if m == nil {
			m = map[string]string{}
			c.byLen[w] = m
		}
		for i := 0; i+w <= len(s); i++ {
			m[s[i:i+w]] = label
		}
	}
}

// find returns the labels of every secret with a piece in text, after
// removing allowed: the exact values text may carry (a success reply's own
// credentials).
func (c *canaries) find(text []byte, allowed ...string) []string {
	for _, a := range allowed {
		if a != "" {
			text = bytes.ReplaceAll(text, []byte(a), nil)
		}
	}
	seen := map[string]bool{}
	var found []string
	for w, m := range c.byLen {
		for i := 0; i+w <= len(text); i++ {
			if label, ok := m[string(text[i:i+w])]; ok && !seen[label] {
				seen[label] = true
				found = append(found, fmt.Sprintf("%s (at byte %d)", label, i))
			}
		}
	}
	return found
}

// ownSecrets lists the temporary key and token a reply hands out, the only
// secrets it may carry.
func ownSecrets(payload []byte) []string {
	var out []string
	for s, ok := range ownCredentials(payload) {
		if ok {
			out = append(out, s)
		}
	}
	return out
}
