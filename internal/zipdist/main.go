// Command zipdist packages the function for SCF: a zip with each file at its
// root, executables marked 0755, fixed timestamps. SCF's Go1 runtime runs the
// file named by the handler ("main") from the root of the code package, and
// the zip tool is not on every machine that has Go, so scripts/build.sh uses
// this instead:
//
//	go run ./internal/zipdist dist/main [more files...] dist/cos-sts-scf.zip
package main

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: zipdist FILE... OUT.zip")
		os.Exit(2)
	}
	files, out := os.Args[1:len(os.Args)-1], os.Args[len(os.Args)-1]
	if err := write(out, files); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// write creates out beside itself and renames it into place, so a failed run
// never leaves a half-written package that looks deployable.
func write(out string, files []string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(out), ".zipdist-*")
	if err != nil {
		return fmt.Errorf("zipdist: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	zw := zip.NewWriter(tmp)
	seen := map[string]bool{}
	for _, f := range files {
		name := filepath.Base(f)
		if seen[name] {
			return fmt.Errorf("zipdist: two files named %q: entries sit at the zip's root, so names must differ", name)
		}
		seen[name] = true
		if err := add(zw, f, name); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("zipdist: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("zipdist: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("zipdist: %w", err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("zipdist: %w", err)
	}
	return nil
}

// add stores one file at the root. Any execute bit makes it 0755: SCF must be
// able to execute the handler whatever the builder's umask was.
func add(zw *zip.Writer, path, name string) error {
	src, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("zipdist: %w", err)
	}
	defer src.Close()
	info, err := src.Stat()
	if err != nil {
		return fmt.Errorf("zipdist: %w", err)
	}
	if !info.Mode().IsRegular() {
		return errors.New("zipdist: " + path + " is not a regular file")
	}
	// A fixed timestamp (zip's epoch): the same binary always gives the same
	// zip, so a redeploy of an unchanged build changes nothing.
	h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)}
	if info.Mode().Perm()&0o111 != 0 {
		h.SetMode(0o755)
	} else {
		h.SetMode(0o644)
	}
	w, err := zw.CreateHeader(h)
	if err != nil {
		return fmt.Errorf("zipdist: %s: %w", path, err)
	}
	if _, err := io.Copy(w, src); err != nil {
		return fmt.Errorf("zipdist: %s: %w", path, err)
	}
	return nil
}
