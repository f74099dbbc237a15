package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// audit stops the function, so its log is complete, and runs the leak audit
// over everything the harness saw; each problem fails the test. It runs once,
// at cleanup or when a test calls it.
func (h *harness) audit() {
	h.auditOnce.Do(func() {
		h.fn.Close()
		h.emu.Close()
		h.mu.Lock()
		a := leakAudit{log: h.fn.Output(), replies: slices.Clone(h.replies), secrets: slices.Clone(h.secrets), issued: h.emu.Issued()}
		h.mu.Unlock()
		found := a.problems()
		for _, p := range found {
			h.t.Errorf("leak audit: %s", p)
		}
		h.t.Logf("leak audit: %d replies (%d with credentials), %d credentials issued, %d configured secrets, %d bytes of log: %d problems",
			len(a.replies), a.minted(), len(a.issued), len(a.secrets), len(a.log), len(found))
	})
}

// leakAudit is what the harness's audit reads: the function's whole log,
// every reply a test kept, the configured secrets, and every credential the
// emulator issued (stsemu's Issued record, which Reset does not clear).
type leakAudit struct {
	log     []byte
	replies [][]byte
	secrets []string                  // never in a reply or the log
	issued  []stsemu.IssuedCredential // never in the log; each only in the reply it was issued for
}

// problems lists what the audit found, in words that name no secret. An
// audit that could not have found anything is a problem too: a log that is
// empty, or replies with credentials while no issued credential is known (the
// audit would then check nothing for them).
func (a leakAudit) problems() []string {
	var out []string
	if len(bytes.TrimSpace(a.log)) == 0 {
		out = append(out, "the function logged nothing; the audit would prove nothing")
	}
	issued := newWholeIndex()
	pairs := map[[2]string]bool{} // key, token: issued together
	for _, c := range a.issued {
		issued.add(c.TmpSecretKey, c.Token)
		pairs[[2]string{c.TmpSecretKey, c.Token}] = true
	}
	if n := a.minted(); n > 0 && len(a.issued) == 0 {
		out = append(out, fmt.Sprintf("%d replies carry credentials but the audit knows no issued secret: it would check nothing for them", n))
	}
	if n := len(issued.find(a.log)); n > 0 {
		out = append(out, fmt.Sprintf("the function's log contains %d issued temporary secret keys or tokens", n))
	}
	for _, s := range a.secrets {
		if strings.Contains(string(a.log), s) {
			out = append(out, fmt.Sprintf("the function's log contains a configured secret (%d characters)", len(s)))
		}
	}
	for i, r := range a.replies {
		for _, s := range a.secrets {
			if strings.Contains(string(r), s) {
				out = append(out, fmt.Sprintf("reply %d contains a configured secret (%d characters)", i, len(s)))
			}
		}
		own := ownCredentials(r)
		for s := range issued.find(r) {
			if !own[s] {
				out = append(out, fmt.Sprintf("reply %d contains credentials issued for another request", i))
				break
			}
		}
		if key, token := ownPair(r); key != "" && !pairs[[2]string{key, token}] {
			out = append(out, fmt.Sprintf("reply %d hands out a key and token STS never issued together", i))
		}
	}
	return out
}

// minted counts the replies that hand out credentials.
func (a leakAudit) minted() int {
	n := 0
	for _, r := range a.replies {
		if key, _ := ownPair(r); key != "" {
			n++
		}
	}
	return n
}

// wholeIndex finds any of many secrets, whole, in one pass over a text: each
// secret is filed under its first wholeHead bytes. (canaries finds pieces of
// a few secrets; this finds whole ones among the thousands a soak issues.)
type wholeIndex struct {
	byHead map[string][]string
	short  []string // secrets shorter than wholeHead
}

const wholeHead = 16

func newWholeIndex() *wholeIndex { return &wholeIndex{byHead: map[string][]string{}} }

func (x *wholeIndex) add(secrets ...string) {
	for _, s := range secrets {
		switch {
		case s == "":
		case len(s) < wholeHead:
			x.short = append(x.short, s)
		default:
			x.byHead[s[:wholeHead]] = append(x.byHead[s[:wholeHead]], s)
		}
	}
}

// find returns the secrets that occur whole in text.
func (x *wholeIndex) find(text []byte) map[string]bool {
	found := map[string]bool{}
	for i := 0; i+wholeHead <= len(text); i++ {
		for _, s := range x.byHead[string(text[i:i+wholeHead])] {
			if bytes.HasPrefix(text[i:], []byte(s)) {
				found[s] = true
			}
		}
	}
	for _, s := range x.short {
		if bytes.Contains(text, []byte(s)) {
			found[s] = true
		}
	}
	return found
}

// ownCredentials finds the temporary key and token a reply hands out, in any
// of its shapes: integration response or direct, cam or sts.
func ownCredentials(payload []byte) map[string]bool {
	key, token := ownPair(payload)
	own := map[string]bool{}
	for _, s := range []string{key, token} {
		if s != "" {
			own[s] = true
		}
	}
	return own
}

// ownPair is the temporary key and token a reply hands out, "" when none.
func ownPair(payload []byte) (key, token string) {
	body := payload
	var ir struct {
		StatusCode *int   `json:"statusCode"`
		Body       string `json:"body"`
	}
	if json.Unmarshal(payload, &ir) == nil && ir.StatusCode != nil {
		body = []byte(ir.Body)
	}
	type creds struct {
		Credentials struct {
			TmpSecretKey string `json:"tmpSecretKey"`
			SessionToken string `json:"sessionToken"`
		} `json:"credentials"`
	}
	var b struct {
		creds
		Data creds `json:"data"`
	}
	if json.Unmarshal(body, &b) != nil {
		return "", ""
	}
	for _, c := range []creds{b.creds, b.Data} {
		if c.Credentials.TmpSecretKey != "" || c.Credentials.SessionToken != "" {
			return c.Credentials.TmpSecretKey, c.Credentials.SessionToken
		}
	}
	return "", ""
}

// recordingTB is a testing.TB whose Errorf only records: a test of the audit
// runs it on purpose against planted leaks.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestAuditCatchesPlantedLeaks checks the leak audit itself: clean replies
// and log pass; each kind of leak planted into them is found, without the
// finding printing the secret; and an audit that would check nothing (replies
// with credentials, no issued secret known: what the audit saw when it read
// the emulator's Calls after a test's Reset) fails.
func TestAuditCatchesPlantedLeaks(t *testing.T) {
	rec := &recordingTB{TB: t}
	h := newHarness(rec, nil)
	a := h.invoke(urlEvent("POST", `{"prefixes":["uploads/a/"]}`, nil), "audit-a", nil).Payload
	b := h.invoke(urlEvent("POST", `{"prefixes":["uploads/b/"]}`, nil), "audit-b", nil).Payload
	h.emu.Reset() // as the table tests do between rows
	aKey, aToken := ownPair(a)
	bKey, _ := ownPair(b)
	if aKey == "" || bKey == "" {
		t.Fatalf("replies %s and %s; want two mints", a, b)
	}
	h.fn.Close() // the whole log
	clean := leakAudit{log: h.fn.Output(), replies: [][]byte{a, b}, secrets: slices.Clone(h.secrets), issued: h.emu.Issued()}
	if len(clean.issued) != 2 {
		t.Fatalf("the emulator knows %d issued credentials after Reset; want the 2 it issued", len(clean.issued))
	}
	plant := func(text []byte, s string) []byte { return append(bytes.Clone(text), " "+s...) }
	cases := []struct {
		name  string
		plant func(a *leakAudit)
		want  string // a word of the problem; "" for none
	}{
		{"clean", func(*leakAudit) {}, ""},
		{"a token in another request's reply", func(l *leakAudit) { l.replies[1] = plant(l.replies[1], aToken) }, "issued for another request"},
		{"a temporary key in another request's reply", func(l *leakAudit) { l.replies[1] = plant(l.replies[1], aKey) }, "issued for another request"},
		{"a temporary key in the log", func(l *leakAudit) { l.log = plant(l.log, aKey) }, "log contains 1 issued"},
		{"a token in the log", func(l *leakAudit) { l.log = plant(l.log, aToken) }, "log contains 1 issued"},
		{"the permanent key in a reply", func(l *leakAudit) { l.replies[0] = plant(l.replies[0], l.secrets[0]) }, "reply 0 contains a configured secret"},
		{"the permanent key in the log", func(l *leakAudit) { l.log = plant(l.log, l.secrets[0]) }, "log contains a configured secret"},
		{"no issued secret known", func(l *leakAudit) { l.issued = nil }, "knows no issued secret"},
		{"a reply's credentials never issued", func(l *leakAudit) { l.issued = l.issued[1:] }, "never issued together"},
		{"an empty log", func(l *leakAudit) { l.log = nil }, "logged nothing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := clean
			l.replies = [][]byte{bytes.Clone(a), bytes.Clone(b)}
			tc.plant(&l)
			got := l.problems()
			switch {
			case tc.want == "" && len(got) != 0:
				t.Errorf("problems = %q; want none", got)
			case tc.want != "" && !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, tc.want) }):
				t.Errorf("problems = %q; want one saying %q", got, tc.want)
			}
			for _, p := range got {
				for _, s := range append([]string{aKey, aToken, bKey}, l.secrets...) {
					if strings.Contains(p, s) {
						t.Errorf("the problem %q prints a secret", p)
					}
				}
			}
		})
	}

	// The same through the harness: a reply kept with another's token fails
	// the test that kept it.
	h.keep(plant(b, aToken))
	h.audit()
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "issued for another request") {
		t.Errorf("the harness's audit reported %q; want one leak of another request's credentials", rec.errors)
	}
}
