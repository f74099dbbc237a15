package deploy_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// The function as scripts/build.sh packages it, built once per test process into a folder TestMain removes.
var (
	packageOnce sync.Once
	packageDir  string
	packageBin  string
	packageErr  error
	// packageVersion is what the function says it is: stamped by build.sh, unknown when built natively.
	packageVersion = "unknown"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if packageDir != "" {
		os.RemoveAll(packageDir)
	}
	os.Exit(code)
}

// packagedFunction returns dist/package/main as build.sh makes it. On a machine that is not linux/amd64 the
// package cannot run here, so the same sources are built for this machine instead.
func packagedFunction(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the function: skipped with -short")
	}
	packageOnce.Do(func() {
		if packageDir, packageErr = os.MkdirTemp("", "deploy-test-"); packageErr != nil {
			return
		}
		if runtime.GOOS == "linux" && runtime.GOARCH == "amd64" {
			code, out := runScript(t, "build.sh", packageDir, "DIST="+packageDir, "VERSION=v0.0.0-deploytest", "EXTRA_FILES=")
			if code != 0 {
				packageErr = &buildError{out}
				return
			}
			packageBin, packageVersion = filepath.Join(packageDir, "package", "main"), "v0.0.0-deploytest"
			return
		}
		packageBin = filepath.Join(packageDir, "main")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		packageErr = scfrpc.Build(ctx, "..", packageBin)
	})
	if packageErr != nil {
		t.Fatalf("build the function: %v", packageErr)
	}
	if err := scfrpc.WatchSources(".."); err != nil {
		t.Fatalf("watch sources: %v", err)
	}
	return packageBin
}

type buildError struct{ out string }

func (e *buildError) Error() string { return "build.sh failed:\n" + e.out }

// deployedFunction is the packaged function running as SCF runs it, configured as the README's demo (bucket
// examplebucket-1250000000, folder uploads/), with the STS emulator standing in for STS.
type deployedFunction struct {
	fn  *scfrpc.Function
	emu *stsemu.Server
	env map[string]string
}

func startFunction(t *testing.T, bin string) *deployedFunction {
	t.Helper()
	const id, key = "AKIDdeploytest00000000000000000000000", "deploytestsecretkey"
	emu := stsemu.New(stsemu.Options{Keys: map[string]string{id: key}})
	if err := emu.Start(); err != nil {
		t.Fatalf("emulator: %v", err)
	}
	t.Cleanup(emu.Close)
	env := map[string]string{
		"STS_ENDPOINT": emu.URL(), "STS_SECRET_ID": id, "STS_SECRET_KEY": key,
		"STS_BUCKET": "examplebucket-1250000000", "STS_BUCKET_REGION": "ap-guangzhou", "STS_ALLOW_PREFIXES": "uploads/",
	}
	var list []string
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fn, err := scfrpc.Start(ctx, bin, list)
	if err != nil {
		t.Fatalf("start the function: %v", err)
	}
	t.Cleanup(func() { fn.Close() })
	return &deployedFunction{fn: fn, emu: emu, env: env}
}

// invoke sends one event as the SCF console's Test button does and returns the result.
func (d *deployedFunction) invoke(t *testing.T, event []byte) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	reply, err := d.fn.Invoke(ctx, scfrpc.Invocation{Payload: event, RequestID: "console-test", Environment: d.env, FunctionName: "cos-sts-scf"})
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	if reply.Error != nil {
		t.Fatalf("the function failed: %s: %s", reply.Error.Type, reply.Error.Message)
	}
	return reply.Payload
}

// result is what the console shows for an event, decoded: for an HTTP event the integration response and its
// body, for a direct invocation the body alone (status 0).
type result struct {
	status int
	body   map[string]any
}

func decodeResult(t *testing.T, payload []byte) result {
	t.Helper()
	var ir struct {
		StatusCode *int   `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(payload, &ir); err != nil {
		t.Fatalf("result %s: %v", payload, err)
	}
	r := result{}
	raw := payload
	if ir.StatusCode != nil {
		r.status, raw = *ir.StatusCode, []byte(ir.Body)
	}
	if err := json.Unmarshal(raw, &r.body); err != nil {
		t.Fatalf("body %s: %v", raw, err)
	}
	return r
}

// data is a successful reply's payload in either format: cam's data object, or the sts body itself.
func (r result) data() map[string]any {
	if d, ok := r.body["data"].(map[string]any); ok {
		return d
	}
	return r.body
}

// credentials returns the temporary keys of a successful reply, or nil.
func (r result) credentials() map[string]any {
	c, _ := r.data()["credentials"].(map[string]any)
	return c
}

// dryRun reports whether the reply is a dry run's.
func (r result) dryRun() bool { return r.data()["dryRun"] == true }
