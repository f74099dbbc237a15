package issuer

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// BenchmarkIssue measures one GetFederationToken against the emulator over a
// kept-alive connection: the issuer's own cost (client, signing, parsing)
// plus the emulator's.
func BenchmarkIssue(b *testing.B) {
	emu := startEmu(b)
	ep, err := ParseEndpoint(emu.URL())
	if err != nil {
		b.Fatalf("ParseEndpoint: %v", err)
	}
	iss := New(Options{})
	r := federation(ep)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := iss.Issue(context.Background(), r); err != nil {
			b.Fatalf("Issue: %v", err)
		}
	}
	// Reported, not asserted: on a loaded machine an attempt can time out and reconnect. Reuse itself is
	// asserted by TestIssueReusesConnection.
	b.ReportMetric(float64(emu.Connections()), "conns")
}

// cannedSTS answers every request at once with one GetFederationToken success, as STS words it: the issuer's and
// the SDK's own cost, without a network or an emulator in the figure.
type cannedSTS struct{}

const cannedAnswer = `{"Response":{"Credentials":{"Token":"` + cannedToken + `","TmpSecretId":"AKIDcanned0123456789abcdefghijklmnopq",` +
	`"TmpSecretKey":"cannedsecret0123456789abcdefghij"},"ExpiredTime":1795953336,"Expiration":"2026-11-29T11:55:36Z",` +
	`"RequestId":"6a2d1c3e-0f4b-4c5d-8e9f-0a1b2c3d4e5f"}}`

const cannedToken = "cannedtoken0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz"

func (cannedSTS) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(cannedAnswer)),
		ContentLength: int64(len(cannedAnswer)), Request: r,
	}, nil
}

// BenchmarkIssueAlone is one GetFederationToken through the issuer and the SDK, STS answered in process
// (cannedSTS): what the function spends on the call besides the network.
func BenchmarkIssueAlone(b *testing.B) {
	iss := New(Options{Transport: cannedSTS{}})
	r := federation(Endpoint{Host: "sts.example.com", Scheme: SchemeHTTPS})
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if res, err := iss.Issue(ctx, r); err != nil || res.TmpSecretKey == "" {
		b.Fatalf("Issue = %+v, %v", res, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := iss.Issue(ctx, r); err != nil {
			b.Fatalf("Issue: %v", err)
		}
	}
}
