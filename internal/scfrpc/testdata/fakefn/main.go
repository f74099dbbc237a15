// Command fakefn is a stand-in SCF function for scfrpc's tests. It echoes what
// the protocol delivered (payload, request id, deadline, one environment
// variable) so that a test can see each arrived intact.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/tencentyun/scf-go-lib/cloudfunction"
	"github.com/tencentyun/scf-go-lib/functioncontext"
)

// echo is the handler's reply.
type echo struct {
	Payload          json.RawMessage `json:"payload"`
	RequestID        string          `json:"requestId"`
	FunctionName     string          `json:"functionName"`
	Env              string          `json:"env"`
	DeadlineUnixNano int64           `json:"deadlineUnixNano"`
}

func handle(ctx context.Context, payload json.RawMessage) (echo, error) {
	lc, _ := functioncontext.FromContext(ctx)
	fmt.Fprintf(os.Stderr, "fakefn: invoked %s\n", lc.RequestID)
	switch string(payload) {
	case `"fail"`:
		return echo{}, errors.New("fakefn: asked to fail")
	case `"panic"`:
		panic("fakefn: asked to panic")
	}
	d, _ := ctx.Deadline()
	return echo{
		Payload:          payload,
		RequestID:        lc.RequestID,
		FunctionName:     lc.FunctionName,
		Env:              os.Getenv("FAKEFN_VAR"),
		DeadlineUnixNano: d.UnixNano(),
	}, nil
}

func main() {
	fmt.Println("fakefn: listening on", os.Getenv("_LAMBDA_SERVER_PORT"))
	cloudfunction.Start(handle)
}
