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
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// modulePath identifies this repository's go.mod when looking for the
// function's source.
const modulePath = "github.com/cos-sts-scf/cos-sts-scf"

// demoSecretID names the emulator's demo key pair. Its key is random per run:
// it opens nothing but the emulator, and a fixed one would invite copying.
const demoSecretID = "AKIDLOCALDEMO00000000000000000000000"

// session is one running function and, when STS_ENDPOINT is unset, the
// emulator standing in for STS.
type session struct {
	fn  *scfrpc.Function
	emu *stsemu.Server
	// env is the function's environment: set on the process, and sent again
	// with every invocation as SCF does.
	env      map[string]string
	demo     bool   // the developer set no STS_* variable: the demo configuration is in env
	roleKeys bool   // the tool handed the function execution-role keys, as SCF does
	done     func() // removes what functionConfig wrote (a YAML scopes file converted to JSON)
}

// startSession builds the function unless bin names one, starts the emulator
// if needed, and starts the function with its log teed to c.stderr. Each of
// adjust changes the function's environment after functionConfig made it
// (serve -demo adds the page's origin and scope).
func startSession(ctx context.Context, bin string, c cli, adjust ...func(env map[string]string)) (_ *session, err error) {
	s := &session{}
	if s.env, s.demo, s.done, err = functionConfig(c.environ, c.stderr); err != nil {
		return nil, err
	}
	for _, f := range adjust {
		f(s.env)
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if bin == "" {
		if bin, err = s.build(ctx, c.stderr); err != nil {
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

func envList(env map[string]string) []string {
	list := make([]string, 0, len(env))
	for name, value := range env {
		list = append(list, name+"="+value)
	}
	return list
}

// roleKeysTTL is how long the execution-role keys the tool hands the function stay valid at the emulator. SCF
// rotates them; a local session is shorter than this.
const roleKeysTTL = 12 * time.Hour

// startEmulator starts the STS emulator, points the function at it and gives it keys the emulator accepts,
// then says so in one paragraph. It never prints a secret key.
//
//   - the demo configuration: a demo sub-account key pair (GetFederationToken);
//   - the developer's own STS_SECRET_ID/STS_SECRET_KEY: the emulator accepts that pair, so only the endpoint
//     differs from their real configuration;
//   - no keys at all: the tool plays SCF and hands the function execution-role keys (TENCENTCLOUD_SECRETID, …),
//     which, as on SCF, mint only with STS_ROLE_ARN (AssumeRole). Nothing of the function's own configuration is
//     filled in.
func (s *session) startEmulator(stderr io.Writer) error {
	keys := map[string]string{}
	var notes []string
	hasRoleKeys := s.env["TENCENTCLOUD_SECRETID"] != "" || s.env["TENCENTCLOUD_SECRETKEY"] != ""
	switch {
	case s.demo:
		key := rand.Text()
		keys[demoSecretID] = key
		s.env["STS_SECRET_ID"], s.env["STS_SECRET_KEY"] = demoSecretID, key
		notes = append(notes, "Demo keys: STS_SECRET_ID="+demoSecretID+", STS_SECRET_KEY=(random).")
	case s.env["STS_SECRET_ID"] != "":
		keys[s.env["STS_SECRET_ID"]] = s.env["STS_SECRET_KEY"]
		notes = append(notes, "It accepts your STS_SECRET_ID/STS_SECRET_KEY.")
	case s.env["STS_SECRET_KEY"] == "" && !hasRoleKeys:
		s.roleKeys = true
	}
	s.emu = stsemu.New(stsemu.Options{Keys: keys})
	if err := s.emu.Start(); err != nil {
		return err
	}
	if s.roleKeys {
		s.env["TENCENTCLOUD_SECRETID"], s.env["TENCENTCLOUD_SECRETKEY"], s.env["TENCENTCLOUD_SESSIONTOKEN"] = s.emu.NewRoleKeys(roleKeysTTL)
		notes = append(notes, "No keys are set, so as SCF does for an execution role the function gets temporary keys "+
			"(TENCENTCLOUD_SECRETID, TENCENTCLOUD_SECRETKEY, TENCENTCLOUD_SESSIONTOKEN), valid only there: they mint only with STS_ROLE_ARN, as on SCF.")
	}
	s.env["STS_ENDPOINT"] = s.emu.URL()
	msg := fmt.Sprintf("local: STS_ENDPOINT is unset, so an STS emulator serves at %s: the credentials it issues work only there, never against COS.", s.emu.URL())
	for _, n := range notes {
		msg += " " + n
	}
	fmt.Fprintln(stderr, msg+" Set STS_ENDPOINT to use a real STS.")
	return nil
}

// build returns the function built from the module around the working
// directory, saying what it builds and how long that took: the first build on a
// machine compiles the SDK and can take a minute or more. It builds only when
// the sources changed since the last build (scfrpc.SharedBinary).
func (s *session) build(ctx context.Context, stderr io.Writer) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	fmt.Fprintf(stderr, "local: building the function (the module in %s, CGO_ENABLED=0) unless its sources are unchanged since the last build; the first build on a machine takes a minute or more\n", root)
	start := time.Now()
	bin, err := scfrpc.SharedBinary(ctx, root)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(stderr, "local: function ready in %.1fs\n", time.Since(start).Seconds())
	return bin, nil
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
	if s.done != nil {
		s.done()
	}
}
