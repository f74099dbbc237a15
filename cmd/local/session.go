package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// modulePath identifies this repository's go.mod when looking for the
// function's source.
const modulePath = "github.com/cos-sts-scf/cos-sts-scf"

// demoSecretID names the emulator's demo key pair. Its key is random per run:
// it opens nothing but the emulator, and a fixed one would invite copying.
const demoSecretID = "AKIDLOCALDEMO00000000000000000000000"

// demoDefaults make the demo work out of the box, and match testdata/events.
var demoDefaults = []struct{ name, value string }{
	{"STS_BUCKET", "examplebucket-1250000000"},
	{"STS_BUCKET_REGION", "ap-guangzhou"},
	{"STS_ALLOW_PREFIXES", "uploads/"},
}

// session is one running function and, when STS_ENDPOINT is unset, the
// emulator standing in for STS.
type session struct {
	fn  *scfrpc.Function
	emu *stsemu.Server
	// env is the function's environment: set on the process, and sent again
	// with every invocation as SCF does.
	env map[string]string
}

// startSession builds the function unless bin names one, starts the emulator
// if needed, and starts the function with its log teed to c.stderr.
func startSession(ctx context.Context, bin string, c cli) (_ *session, err error) {
	s := &session{env: functionEnv(c.environ)}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if bin == "" {
		if bin, err = s.build(ctx); err != nil {
			return nil, err
		}
	}
	if s.env["STS_ENDPOINT"] == "" {
		if err := s.startEmulator(c.stderr); err != nil {
			return nil, err
		}
	}
	if s.fn, err = scfrpc.Start(ctx, bin, envList(s.env)); err != nil {
		return nil, err
	}
	s.fn.Tee(c.stderr)
	return s, nil
}

// functionEnv picks the variables the function reads: STS_* are its own,
// TENCENTCLOUD_* are what SCF injects (execution role keys, region). Nothing
// else of the developer's environment leaks in, as nothing else would in SCF.
func functionEnv(environ []string) map[string]string {
	env := make(map[string]string)
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if ok && (strings.HasPrefix(name, "STS_") || strings.HasPrefix(name, "TENCENTCLOUD_")) {
			env[name] = value
		}
	}
	return env
}

func envList(env map[string]string) []string {
	list := make([]string, 0, len(env))
	for name, value := range env {
		list = append(list, name+"="+value)
	}
	return list
}

// startEmulator starts the STS emulator, points the function at it and fills
// in a demo configuration for whatever the developer left unset, then says so
// in one paragraph. It never prints a secret key.
func (s *session) startEmulator(stderr io.Writer) error {
	keys := map[string]string{}
	var filled []string
	if s.env["STS_SECRET_ID"] == "" && s.env["STS_SECRET_KEY"] == "" {
		key := rand.Text()
		keys[demoSecretID] = key
		s.env["STS_SECRET_ID"], s.env["STS_SECRET_KEY"] = demoSecretID, key
		filled = append(filled, "STS_SECRET_ID="+demoSecretID, "STS_SECRET_KEY=(a random demo key)")
	} else if s.env["STS_SECRET_ID"] != "" {
		// The developer's own pair: let the emulator accept it too, so that
		// only the endpoint differs from their real configuration.
		keys[s.env["STS_SECRET_ID"]] = s.env["STS_SECRET_KEY"]
	}
	if s.env["STS_POLICY"] == "" {
		for _, d := range demoDefaults {
			if s.env[d.name] == "" {
				s.env[d.name] = d.value
				filled = append(filled, d.name+"="+d.value)
			}
		}
	}
	s.emu = stsemu.New(stsemu.Options{Keys: keys})
	if err := s.emu.Start(); err != nil {
		return err
	}
	s.env["STS_ENDPOINT"] = s.emu.URL()
	msg := fmt.Sprintf("local: STS_ENDPOINT is unset, so an STS emulator serves at %s: the credentials it issues work only there, never against COS.", s.emu.URL())
	if len(filled) > 0 {
		msg += " Filled in for the demo: " + strings.Join(filled, ", ") + "."
	}
	fmt.Fprintln(stderr, msg+" Set STS_ENDPOINT to use a real STS.")
	return nil
}

// build returns the function built from the module around the working
// directory, building it only when its sources changed since the last build
// (scfrpc.SharedBinary).
func (s *session) build(ctx context.Context) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	return scfrpc.SharedBinary(ctx, root)
}

// errNoModule is returned when the working directory is not inside this
// repository, so there is no function to build.
var errNoModule = errors.New("local: not inside the " + modulePath + " module (run from the repository, or pass -bin)")

// moduleRoot walks up from the working directory to this module's go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("local: %w", err)
	}
	for {
		mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(mod), []byte("module "+modulePath+"\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errNoModule
		}
		dir = parent
	}
}

// Close stops the function first, so its last log lines are flushed to
// stderr, then the emulator.
func (s *session) Close() {
	if s.fn != nil {
		s.fn.Close()
	}
	if s.emu != nil {
		s.emu.Close()
	}
}
