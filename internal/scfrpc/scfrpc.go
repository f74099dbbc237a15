// Package scfrpc plays SCF's side of the Go1 runtime protocol. SCF starts a
// function binary with _LAMBDA_SERVER_PORT set and drives it over Go net/rpc
// (gob): Function.Ping until it answers, then one Function.Invoke per event.
// Doing the same here lets the end-to-end tests and cmd/local exercise the very
// binary that would be uploaded, without Tencent Cloud.
package scfrpc

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrExited is returned by Start and Invoke when the function process is gone:
// it crashed during start-up, died mid-invocation, or was closed.
var ErrExited = errors.New("scfrpc: function process exited")

// ErrNotReady is returned by Start when the process runs but never answers
// Function.Ping within the start-up bound, e.g. a binary that is not an SCF
// function at all.
var ErrNotReady = errors.New("scfrpc: function did not answer Ping")

// buildFlags are scripts/build.sh's, so that what runs locally is what would be
// deployed, and so that the compiled packages in Go's build cache serve both
// builds: on linux/amd64 the script then only links. nethttpomithttp2 leaves
// HTTP/2 out of net/http: the function's STS and JWKS calls are one request at
// a time on a kept-alive HTTP/1.1 connection, and the binary is 385 KB smaller.
var buildFlags = []string{"-trimpath", "-tags=" + BuildTags, "-ldflags=-s -w"}

// BuildTags are the build tags of every build of the function (scripts/build.sh's), for a build that needs other
// flags, such as one that keeps its symbols for a profiler.
const BuildTags = "nethttpomithttp2"

// Build compiles the main package in moduleDir into out with CGO_ENABLED=0,
// the static binary SCF's Go1 runtime needs, and scripts/build.sh's flags
// (for the host, not cross-compiled). The compiler's messages are part of
// the error. SharedBinary builds once for many callers.
func Build(ctx context.Context, moduleDir, out string) error {
	if err := WatchSources(moduleDir); err != nil {
		return err
	}
	// go build resolves -o against its own working directory (moduleDir);
	// callers mean their own.
	abs, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("scfrpc: build output %q: %w", out, err)
	}
	args := append([]string{"build"}, buildFlags...)
	cmd := exec.CommandContext(ctx, "go", append(args, "-o", abs, ".")...)
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("scfrpc: go build in %s: %w\n%s", moduleDir, err, strings.TrimSpace(string(msg)))
	}
	return nil
}

// WatchSources stats every file a build of moduleDir reads (.go files, go.mod, go.sum). go test caches a passing
// result by the files the test binary itself consulted; a build run in a child process is invisible to it, so
// without this a test of the built function would keep reporting a pass after the function's code changed.
func WatchSources(moduleDir string) error {
	return filepath.WalkDir(moduleDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "testdata", "dist":
				return filepath.SkipDir
			}
			return nil
		}
		if name := d.Name(); strings.HasSuffix(name, ".go") || name == "go.mod" || name == "go.sum" {
			_, err = os.Stat(path)
		}
		return err
	})
}
