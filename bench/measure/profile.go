package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
)

// profileWarm records where the real function process spends its CPU over n warm invocations of the default
// request: Linux perf samples the process (every thread, the runtime's included) with call stacks, from a build of
// the same sources that keeps its symbols (the deployed binary is stripped). It writes perf's data to dataFile
// and a summary to out: self time by package, and the share of the samples under each of the frames that the CPU work
// names (inclusive), the guide for removing costs.
func profileWarm(ctx context.Context, cfg config, dataFile string, n int, out, progress io.Writer) error {
	perf, err := exec.LookPath("perf")
	if err != nil {
		return fmt.Errorf("-profile needs Linux perf (Debian: apt-get install linux-perf): %w", err)
	}
	tmp, err := os.MkdirTemp("", "measure-profile")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "main")
	fmt.Fprintln(progress, "building the function with its symbols")
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags="+scfrpc.BuildTags, "-o", bin, ".")
	build.Dir, build.Env = cfg.root, append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, msg)
	}
	rg := newRig()
	emu, err := rg.emulator()
	if err != nil {
		return err
	}
	defer emu.Close()
	p := &program{name: "function", bin: bin}
	env := rg.envFor(p, emu)
	f, err := scfrpc.Start(ctx, bin, envList(env))
	if err != nil {
		return err
	}
	defer f.Close()
	in := &instance{p: &program{name: "function", minted: programs()[progFunction].minted}, f: f, env: env}
	if _, err := in.run(ctx, 200, false); err != nil {
		return err
	}
	// 2 kHz: a few thousand samples over a typical run, well above perf's default rate limit's floor.
	rec := exec.CommandContext(ctx, perf, "record", "-F", "2000", "-g", "-o", dataFile, "-p", strconv.Itoa(f.Pid()))
	var recOut bytes.Buffer
	rec.Stdout, rec.Stderr = &recOut, &recOut
	if err := rec.Start(); err != nil {
		return fmt.Errorf("perf record: %w", err)
	}
	time.Sleep(300 * time.Millisecond) // perf attaches asynchronously; invocations before it would go unsampled
	cpuBefore, err := f.ThreadCPUTime()
	if err != nil {
		return err
	}
	for done := 0; done < n; done += 500 {
		if _, err := in.run(ctx, min(500, n-done), false); err != nil {
			rec.Process.Kill() //nolint:errcheck // the run failed already
			return err
		}
		fmt.Fprintf(progress, "\rprofiled invocations: %d/%d", min(done+500, n), n)
	}
	fmt.Fprintln(progress)
	cpuAfter, err := f.ThreadCPUTime()
	if err != nil {
		return err
	}
	if err := rec.Process.Signal(syscall.SIGINT); err != nil {
		return err
	}
	if err := rec.Wait(); err != nil && !strings.Contains(err.Error(), "interrupt") {
		return fmt.Errorf("perf record: %w\n%s", err, recOut.Bytes())
	}
	self, err := perfReport(ctx, perf, dataFile, "--no-children")
	if err != nil {
		return err
	}
	incl, err := perfReport(ctx, perf, dataFile, "--children")
	if err != nil {
		return err
	}
	writeProfile(out, n, (cpuAfter-cpuBefore)/time.Duration(n), self, incl)
	return nil
}

// perfReport is perf's per-symbol percentages: self time with --no-children, inclusive with --children.
func perfReport(ctx context.Context, perf, dataFile, mode string) (map[string]float64, error) {
	cmd := exec.CommandContext(ctx, perf, "report", "-i", dataFile, mode, "--sort", "symbol", "--stdio", "-g", "none", "--percent-limit", "0")
	raw, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("perf report: %w", err)
	}
	shares := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		// "    12.34%     1.23%  [.] crypto/sha256.block" (children, self) or "     1.23%  [.] name" (self).
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 || !strings.HasSuffix(fields[0], "%") {
			continue
		}
		i := slices.IndexFunc(fields, func(f string) bool { return f == "[.]" || f == "[k]" })
		if i < 0 || i+1 >= len(fields) {
			continue
		}
		pct, err := strconv.ParseFloat(strings.TrimSuffix(fields[0], "%"), 64)
		if err != nil {
			continue
		}
		sym := fields[i+1] // the columns after it are perf's IPC, "-" without hardware counters
		if fields[i] == "[k]" {
			sym = kernelPrefix + sym
		}
		shares[sym] += pct
	}
	return shares, nil
}

// kernelPrefix marks the kernel's symbols: the process's system calls, page faults and scheduling.
const kernelPrefix = "[kernel] "

// packageOf is the Go package of a symbol ("crypto/sha256.block" → "crypto/sha256"); the kernel's are one group.
func packageOf(sym string) string {
	if strings.HasPrefix(sym, kernelPrefix) {
		return "[kernel]"
	}
	slash := strings.LastIndexByte(sym, '/')
	dot := strings.IndexByte(sym[slash+1:], '.')
	if dot < 0 {
		return "[no package: runtime assembly, vDSO]"
	}
	return sym[:slash+1+dot]
}

// frames the CPU work named, and what they stand for; each is matched as a prefix of the symbol.
var frames = []struct{ prefix, what string }{
	{"github.com/tencentyun/scf-go-lib/cloudfunction.(*Function).Invoke", "scf-go-lib's Invoke, the handler included"},
	{"github.com/cos-sts-scf/cos-sts-scf/handler.(*Handler).Invoke", "the handler, everything under Invoke"},
	{"github.com/cos-sts-scf/cos-sts-scf/handler.(*invocation).serve", "the request: event, scope, policy, mint"},
	{"github.com/cos-sts-scf/cos-sts-scf/handler.readEvent", "reading the event (scanEvent)"},
	{"github.com/cos-sts-scf/cos-sts-scf/handler.(*invocation).read", "reading the request's parameters"},
	{"github.com/cos-sts-scf/cos-sts-scf/handler.(*Handler).config", "the configuration (fingerprint, cached load)"},
	{"github.com/cos-sts-scf/cos-sts-scf/handler.resolve", "scope → policy"},
	{"github.com/cos-sts-scf/cos-sts-scf/policy.BuildJSON", "policy building (a narrowed request's)"},
	{"github.com/cos-sts-scf/cos-sts-scf/handler.(*invocation).mint", "minting: the request to STS, the issuer, the reply's fields"},
	{"github.com/cos-sts-scf/cos-sts-scf/issuer.(*Issuer).Issue", "the issuer: SDK, HTTP, signing"},
	{"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common.(*Client).Send", "the SDK's Send (build, sign, round trip, parse)"},
	{"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/json.Unmarshal", "the SDK's JSON decoding"},
	{"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/json.Marshal", "the SDK's JSON encoding (the request)"},
	{"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common.hmacsha256", "the SDK's signing (HMAC-SHA256)"},
	{"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common.(*Client).Init", "the SDK's client set-up"},
	{"github.com/cos-sts-scf/cos-sts-scf/handler.encode", "the reply's encoding"},
	{"github.com/cos-sts-scf/cos-sts-scf/handler.(*invocation).log", "the invocation's log line"},
	{"github.com/cos-sts-scf/cos-sts-scf/internal/redact.(*Writer).Write", "log redaction and the write to stderr"},
	{"encoding/json.Unmarshal", "encoding/json decoding (all callers: scf-go-lib's event and environment)"},
	{"encoding/json.Marshal", "encoding/json encoding (all callers: scf-go-lib's reply)"},
	{"encoding/json.appendCompact", "encoding/json compacting (scf-go-lib's json.Marshal of the reply)"},
	{"regexp.(*Regexp)", "regular expressions (all callers)"},
	{"os.Setenv", "os.Setenv (scf-go-lib sets every variable per invocation)"},
	{"net/rpc.(*gobServerCodec)", "net/rpc's gob codec (the SCF wire)"},
	{"net/http.(*persistConn)", "net/http connection goroutines"},
	{"runtime.gcBgMarkWorker", "GC, background marking"},
	{"runtime.mallocgc", "allocation"},
	{"runtime.morestack", "stack growth"},
	{"runtime.schedule", "scheduling"},
	{"syscall.Syscall", "system calls"},
}

func writeProfile(out io.Writer, n int, perInvocation time.Duration, self, incl map[string]float64) {
	fmt.Fprintf(out, "## CPU profile of the function over %s warm invocations (perf, every thread)\n\n", count(n))
	fmt.Fprintf(out, "The process spent %s of CPU per invocation while perf sampled it (perf's own overhead included); "+
		"a share of the samples is that share of it.\n\n", dur(perInvocation))
	us := func(pct float64) string { return dur(time.Duration(pct / 100 * float64(perInvocation))) }
	fmt.Fprintln(out, "| frame (inclusive: its callees too) | share of samples | per invocation |")
	fmt.Fprintln(out, "|---|---|---|")
	for _, fr := range frames {
		best := 0.0 // a frame that recurses or appears under several names: the largest share, not their sum
		for sym, pct := range incl {
			if strings.HasPrefix(sym, fr.prefix) {
				best = max(best, pct)
			}
		}
		fmt.Fprintf(out, "| %s (`%s`) | %.1f %% | %s |\n", fr.what, fr.prefix, best, us(best))
	}
	byPkg := map[string]float64{}
	for sym, pct := range self {
		byPkg[packageOf(sym)] += pct
	}
	writeTop(out, "package (self time)", byPkg, func(p string) string { return p }, us)
	writeTop(out, "function (self time)", self, func(sym string) string { return "`" + sym + "`" }, us)
}

// writeTop writes the 25 largest shares of m as a table, largest first and equal shares by name, each row's name
// written by cell and its time by us.
func writeTop(out io.Writer, title string, m map[string]float64, cell func(string) string, us func(float64) string) {
	names := slices.Sorted(maps.Keys(m))
	slices.SortStableFunc(names, func(a, b string) int { return cmp.Compare(m[b], m[a]) })
	fmt.Fprintf(out, "\n| %s | share of samples | per invocation |\n|---|---|---|\n", title)
	for _, n := range names[:min(25, len(names))] {
		fmt.Fprintf(out, "| %s | %.1f %% | %s |\n", cell(n), m[n], us(m[n]))
	}
}
