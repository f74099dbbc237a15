package scfrpc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeModule writes a module with a main package into a temporary directory.
func fakeModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/fake\n\ngo 1.26\n")
	writeFile(t, filepath.Join(dir, "main.go"), "package main\n\nfunc main() {}\n")
	return dir
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// countingBuild stands in for Build: it writes a file naming the build and
// counts the builds.
type countingBuild struct {
	mu    sync.Mutex
	n     int
	fail  error
	delay time.Duration
}

func (b *countingBuild) build(_ context.Context, dir, out string) error {
	b.mu.Lock()
	b.n++
	n, fail := b.n, b.fail
	b.mu.Unlock()
	time.Sleep(b.delay)
	if fail != nil {
		return fail
	}
	return os.WriteFile(out, []byte(fmt.Sprintf("build %d of %s", n, dir)), 0o755)
}

func (b *countingBuild) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

func mustBinary(t *testing.T, c *Cache, dir string) string {
	t.Helper()
	bin, err := c.Binary(context.Background(), dir)
	if err != nil {
		t.Fatalf("Binary: %v", err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("Binary returned %s, which does not exist: %v", bin, err)
	}
	return bin
}

// TestCacheBuildsOncePerSourceState checks what makes a new build: a change
// to a source file does, a test file, testdata or a second caller do not.
func TestCacheBuildsOncePerSourceState(t *testing.T) {
	mod := fakeModule(t)
	b := &countingBuild{}
	c := &Cache{Dir: t.TempDir(), build: b.build}

	first := mustBinary(t, c, mod)
	if again := mustBinary(t, c, mod); again != first || b.count() != 1 {
		t.Fatalf("second call: %s after %d builds; want %s from 1 build", again, b.count(), first)
	}

	writeFile(t, filepath.Join(mod, "main_test.go"), "package main\n")
	writeFile(t, filepath.Join(mod, "testdata", "x.go"), "package x\n")
	writeFile(t, filepath.Join(mod, "README.md"), "hello\n")
	if again := mustBinary(t, c, mod); again != first || b.count() != 1 {
		t.Errorf("after adding a test file, testdata and a README: %s after %d builds; want the cached %s", again, b.count(), first)
	}

	for i, change := range []struct{ file, text string }{
		{"main.go", "package main\n\nfunc main() { println() }\n"},
		{"lib/lib.go", "package lib\n"},
		{"go.sum", "example.com/x v1.0.0 h1:abc=\n"},
		{"go.mod", "module example.com/fake\n\ngo 1.26.1\n"},
	} {
		writeFile(t, filepath.Join(mod, change.file), change.text)
		bin := mustBinary(t, c, mod)
		if bin == first || b.count() != i+2 {
			t.Errorf("after changing %s: %s after %d builds; want a new binary from build %d", change.file, bin, b.count(), i+2)
		}
	}
}

// TestCacheSharedByConcurrentCallers checks that callers racing for a binary
// that is not built yet get one build between them.
func TestCacheSharedByConcurrentCallers(t *testing.T) {
	mod := fakeModule(t)
	b := &countingBuild{delay: 100 * time.Millisecond}
	dir := t.TempDir()
	var wg sync.WaitGroup
	paths := make([]string, 8)
	for i := range paths {
		wg.Go(func() {
			c := &Cache{Dir: dir, build: b.build} // a Cache each, as each test process has
			bin, err := c.Binary(context.Background(), mod)
			if err != nil {
				t.Errorf("Binary: %v", err)
			}
			paths[i] = bin
		})
	}
	wg.Wait()
	if b.count() != 1 {
		t.Errorf("%d callers made %d builds; want 1", len(paths), b.count())
	}
	for _, p := range paths {
		if p != paths[0] {
			t.Errorf("callers got %q; want one path", paths)
			break
		}
	}
}

// TestCacheSharedAcrossProcesses runs two processes that want the same binary
// at once, as go test runs two packages: the lock lets one build, and the
// other uses its binary.
func TestCacheSharedAcrossProcesses(t *testing.T) {
	if os.Getenv("SCFRPC_CACHE_HELPER") != "" {
		t.Skip("the helper process runs TestCacheHelperProcess only")
	}
	mod := fakeModule(t)
	dir := t.TempDir()
	builds := filepath.Join(t.TempDir(), "builds")
	cmds := make([]*exec.Cmd, 2)
	outs := make([]strings.Builder, 2)
	for i := range cmds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCacheHelperProcess$", "-test.v")
		cmd.Env = append(os.Environ(), "SCFRPC_CACHE_HELPER="+strings.Join([]string{dir, mod, builds}, string(os.PathListSeparator)))
		cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatalf("start helper: %v", err)
		}
		cmds[i] = cmd
	}
	var got []string
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper %d: %v\n%s", i, err, outs[i].String())
		}
		_, after, ok := strings.Cut(outs[i].String(), "binary: ")
		if !ok {
			t.Fatalf("helper %d printed no binary:\n%s", i, outs[i].String())
		}
		got = append(got, strings.Fields(after)[0])
	}
	log, err := os.ReadFile(builds)
	if err != nil {
		t.Fatalf("no build happened: %v", err)
	}
	if n := strings.Count(string(log), "\n"); n != 1 {
		t.Errorf("two processes made %d builds; want 1:\n%s", n, log)
	}
	if got[0] != got[1] {
		t.Errorf("the processes got %q and %q; want the same binary", got[0], got[1])
	}
}

// TestCacheHelperProcess is one of TestCacheSharedAcrossProcesses's
// processes; it does nothing in a normal run.
func TestCacheHelperProcess(t *testing.T) {
	arg := os.Getenv("SCFRPC_CACHE_HELPER")
	if arg == "" {
		t.Skip("run by TestCacheSharedAcrossProcesses")
	}
	parts := strings.Split(arg, string(os.PathListSeparator))
	dir, mod, builds := parts[0], parts[1], parts[2]
	c := &Cache{Dir: dir, build: func(_ context.Context, _, out string) error {
		f, err := os.OpenFile(builds, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		fmt.Fprintf(f, "built by %d\n", os.Getpid())
		f.Close()
		time.Sleep(300 * time.Millisecond) // the other process arrives while this one builds
		return os.WriteFile(out, []byte("binary"), 0o755)
	}}
	bin, err := c.Binary(context.Background(), mod)
	if err != nil {
		t.Fatalf("Binary: %v", err)
	}
	fmt.Printf("binary: %s\n", bin)
}

// TestCacheFailedBuild checks that a failed build is reported and not kept:
// the next caller tries again.
func TestCacheFailedBuild(t *testing.T) {
	mod := fakeModule(t)
	b := &countingBuild{fail: errors.New("compile error")}
	c := &Cache{Dir: t.TempDir(), build: b.build}
	if _, err := c.Binary(context.Background(), mod); err == nil || !strings.Contains(err.Error(), "compile error") {
		t.Fatalf("Binary = %v; want the build's error", err)
	}
	b.mu.Lock()
	b.fail = nil
	b.mu.Unlock()
	mustBinary(t, c, mod)
	if b.count() != 2 {
		t.Errorf("builds = %d; want 2: a failure is not cached", b.count())
	}
	des, _ := os.ReadDir(c.Dir)
	for _, de := range des {
		if strings.HasPrefix(de.Name(), "build-") {
			t.Errorf("the failed build left %s behind", de.Name())
		}
	}
}

// TestCachePrunes checks that a build removes entries unused for an hour
// beyond the most recent few, and keeps recent ones.
func TestCachePrunes(t *testing.T) {
	mod := fakeModule(t)
	c := &Cache{Dir: t.TempDir(), build: (&countingBuild{}).build}
	old := time.Now().Add(-2 * keepUnused)
	var stale []string
	for i := range keepRecent + 3 {
		entry := filepath.Join(c.Dir, fmt.Sprintf("%032x", i))
		writeFile(t, filepath.Join(entry, "main"), "old")
		used := old.Add(-time.Duration(i) * time.Minute) // entry 0 the most recently used
		if err := os.Chtimes(entry, used, used); err != nil {
			t.Fatal(err)
		}
		stale = append(stale, entry)
	}
	recent := filepath.Join(c.Dir, "recent")
	writeFile(t, filepath.Join(recent, "main"), "recent")
	abandoned := filepath.Join(c.Dir, "build-123")
	writeFile(t, filepath.Join(abandoned, "main"), "half")
	if err := os.Chtimes(abandoned, old, old); err != nil {
		t.Fatal(err)
	}

	bin := mustBinary(t, c, mod)
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	if !exists(bin) || !exists(recent) {
		t.Errorf("prune removed the new binary (%v) or an entry used just now (%v)", exists(bin), exists(recent))
	}
	if exists(abandoned) {
		t.Errorf("an abandoned build directory from two hours ago is still there")
	}
	// Kept: the new entry, recent, and the most recent old ones up to keepRecent.
	for i, entry := range stale {
		if want := i < keepRecent-2; exists(entry) != want {
			t.Errorf("old entry %d (by last use) exists = %v; want %v", i, exists(entry), want)
		}
	}
}

// TestSourceKeyNamesThePackage checks that two main packages of one module
// get two binaries.
func TestSourceKeyNamesThePackage(t *testing.T) {
	mod := fakeModule(t)
	writeFile(t, filepath.Join(mod, "cmd", "other", "main.go"), "package main\n\nfunc main() {}\n")
	a, err := SourceKey(mod)
	if err != nil {
		t.Fatal(err)
	}
	b, err := SourceKey(filepath.Join(mod, "cmd", "other"))
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("SourceKey is %s for both main packages; want one each", a)
	}
	if _, err := SourceKey(t.TempDir()); err == nil {
		t.Errorf("SourceKey outside any module: no error")
	}
}
