// Command cos-sts-scf is the SCF function: it mints temporary COS credentials scoped per invocation.
// It only wires the handler to the SCF runtime; everything else lives in handler/, config/, policy/ and issuer/.
package main

import (
	"os"

	"github.com/cos-sts-scf/cos-sts-scf/handler"
	"github.com/cos-sts-scf/cos-sts-scf/issuer"
	"github.com/tencentyun/scf-go-lib/cloudfunction"
)

func main() {
	h := handler.New(handler.Options{
		// SCF sets each invocation's variables with os.Setenv before calling the handler, and rotates the
		// execution role's keys among them, so the environment is read per invocation, not captured here.
		Getenv: os.Getenv,
		// One issuer for the life of the instance: its transport keeps STS connections warm across invocations.
		Minter: issuer.New(issuer.Options{}),
		Log:    os.Stderr,
	})
	h.Warm()
	cloudfunction.Start(h.Invoke)
}
