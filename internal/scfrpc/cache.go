package scfrpc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Cache keeps function binaries built by Build, one per state of their
// sources, so that the packages of one `go test ./...` (which go test runs as
// separate processes, side by side) build the function once between them, and
// a second run with unchanged sources builds it not at all. A lock file in Dir
// makes the first caller build while the others wait for its result.
type Cache struct {
	Dir string
	// build compiles dir's main package into out; nil means Build. Tests
	// count builds with it.
	build func(ctx context.Context, dir, out string) error
}

// Entries not used for this long are removed, beyond the keepRecent most
// recently used: each change to the sources makes a new entry, and the
// binaries are megabytes each.
const (
	keepUnused = time.Hour
	keepRecent = 8
)

// SharedBinary returns the function binary built from the main package in
// dir, from the cache in DefaultCacheDir. It reads every source file to find
// the binary for their present state, so a test that calls it is also
// re-run by go test when a source changes (see WatchSources).
func SharedBinary(ctx context.Context, dir string) (string, error) {
	root, err := DefaultCacheDir()
	if err != nil {
		return "", err
	}
	c := Cache{Dir: root}
	return c.Binary(ctx, dir)
}

// DefaultCacheDir is cos-sts-scf/function under the user's cache directory
// (where Go keeps its build cache), or under the temporary directory when
// there is none.
func DefaultCacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Abs(filepath.Join(base, "cos-sts-scf", "function"))
}

// Binary returns the path of dir's main package built for the present state
// of its sources, building it only when the cache has no such binary. The
// path stays valid while it is among the most recently used entries or was
// used within the last hour.
func (c *Cache) Binary(ctx context.Context, dir string) (string, error) {
	key, err := SourceKey(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return "", fmt.Errorf("scfrpc: binary cache: %w", err)
	}
	unlock, err := lockDir(ctx, c.Dir)
	if err != nil {
		return "", fmt.Errorf("scfrpc: binary cache: %w", err)
	}
	defer unlock()

	entry := filepath.Join(c.Dir, key)
	bin := filepath.Join(entry, "main")
	now := time.Now()
	if _, err := os.Stat(bin); err == nil {
		_ = os.Chtimes(entry, now, now) // marks it used, for prune; an old time only makes it go sooner
		return bin, nil
	}
	// Built into a directory of its own and renamed into place whole, so that
	// an entry either has its binary or does not exist, even if this process
	// is killed mid-build.
	tmp, err := os.MkdirTemp(c.Dir, "build-")
	if err != nil {
		return "", fmt.Errorf("scfrpc: binary cache: %w", err)
	}
	build := c.build
	if build == nil {
		build = Build
	}
	if err := build(ctx, dir, filepath.Join(tmp, "main")); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if _, err := os.Stat(bin); err == nil {
		os.RemoveAll(tmp) // built meanwhile by a process that did not wait (no flock on this system)
		return bin, nil
	}
	os.RemoveAll(entry) // a leftover without its binary
	if err := os.Rename(tmp, entry); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("scfrpc: binary cache: %w", err)
	}
	c.prune(entry, now)
	return bin, nil
}

// prune removes entries (and abandoned build directories) unused for
// keepUnused, keeping the keepRecent most recently used and current. The
// caller holds the lock.
func (c *Cache) prune(current string, now time.Time) {
	des, err := os.ReadDir(c.Dir)
	if err != nil {
		return
	}
	type entry struct {
		path string
		used time.Time
	}
	var entries []entry
	for _, de := range des {
		if !de.IsDir() {
			continue
		}
		info, err := de.Info()
		if err != nil {
			continue
		}
		entries = append(entries, entry{filepath.Join(c.Dir, de.Name()), info.ModTime()})
	}
	slices.SortFunc(entries, func(a, b entry) int { return b.used.Compare(a.used) })
	kept := 0
	for _, e := range entries {
		building := strings.HasPrefix(filepath.Base(e.path), "build-")
		if !building && kept < keepRecent || e.path == current || now.Sub(e.used) < keepUnused {
			if !building {
				kept++
			}
			continue
		}
		os.RemoveAll(e.path)
	}
}

// SourceKey names a state of the sources a build of dir's main package reads:
// a hash of the Go toolchain, the target, the build flags and the go
// environment that changes a build, dir's place in its module, and the path
// and contents of go.mod, go.sum and every non-test .go file of the module
// (testdata, dist and .git left out) and of dir itself.
func SourceKey(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("scfrpc: source key: %w", err)
	}
	root, err := moduleRoot(abs)
	if err != nil {
		return "", err
	}
	files := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if buildInput(d.Name()) {
			files[path] = true
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("scfrpc: source key: %w", err)
	}
	// dir may lie where the walk does not go (a test's testdata/fakefn).
	des, err := os.ReadDir(abs)
	if err != nil {
		return "", fmt.Errorf("scfrpc: source key: %w", err)
	}
	for _, de := range des {
		if !de.IsDir() && buildInput(de.Name()) {
			files[filepath.Join(abs, de.Name())] = true
		}
	}

	h := sha256.New()
	fmt.Fprintf(h, "%s %s/%s %q", runtime.Version(), runtime.GOOS, runtime.GOARCH, buildFlags)
	for _, v := range []string{"GOFLAGS", "GOEXPERIMENT", "GOAMD64", "GOARM64"} {
		fmt.Fprintf(h, " %s=%q", v, os.Getenv(v))
	}
	rel, _ := filepath.Rel(root, abs)
	fmt.Fprintf(h, "\npackage %s\n", filepath.ToSlash(rel))
	for _, path := range slices.Sorted(maps.Keys(files)) {
		if err := hashFile(h, root, path); err != nil {
			return "", fmt.Errorf("scfrpc: source key: %w", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

func hashFile(h io.Writer, root, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fh := sha256.New()
	if _, err := io.Copy(fh, f); err != nil {
		return err
	}
	rel, _ := filepath.Rel(root, path)
	_, err = fmt.Fprintf(h, "%s %x\n", filepath.ToSlash(rel), fh.Sum(nil))
	return err
}

// buildInput reports whether a file of this name can change a build of a main package.
func buildInput(name string) bool {
	return name == "go.mod" || name == "go.sum" || strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
}

// skipDir reports whether a directory of this name holds nothing a build of
// the module reads: go ignores testdata, and dist holds build output.
func skipDir(name string) bool {
	return name == "testdata" || name == "dist" || strings.HasPrefix(name, ".")
}

// moduleRoot is the directory of the go.mod that dir belongs to.
func moduleRoot(dir string) (string, error) {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("scfrpc: %s is not inside a Go module", dir)
		}
		d = parent
	}
}
