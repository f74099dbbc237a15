// Command cos-sts-scf is the SCF function: it mints temporary COS credentials scoped per invocation.
// It only wires the handler to the SCF runtime; everything else lives in handler/, config/, policy/ and issuer/.
package main

import (
	"os"
	"runtime/debug"

	"github.com/cos-sts-scf/cos-sts-scf/handler"
	"github.com/cos-sts-scf/cos-sts-scf/issuer"
	"github.com/tencentyun/scf-go-lib/cloudfunction"
)

// version is stamped by scripts/build.sh (-ldflags "-X main.version=…": git describe, or $VERSION).
var version string

func main() {
	h := handler.New(handler.Options{
		// SCF sets each invocation's variables with os.Setenv before calling the handler, and rotates the
		// execution role's keys among them, so the environment is read per invocation, not captured here.
		Getenv: os.Getenv,
		// One issuer for the life of the instance: its transport keeps STS connections warm across invocations.
		Minter:  issuer.New(issuer.Options{}),
		Log:     os.Stderr,
		Version: buildVersion(),
	})
	h.Warm()
	cloudfunction.Start(h.Invoke)
}

// buildVersion is the stamped version or, for a plain go build, what the Go toolchain recorded (a pseudo-version
// from the commit, "+dirty" for local changes), else "".
func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return ""
}
