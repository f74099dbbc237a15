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
	"syscall"
	"time"

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
	case `"spin"`:
		spin(200 * time.Millisecond)
	case `"grow"`:
		grow(32 << 20)
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

// spin burns d of this process's own CPU time, however busy the machine is, so that a test of Stats.CPUTime
// does not depend on wall-clock time.
func spin(d time.Duration) {
	start := cpu()
	for x := 0; cpu()-start < d; x++ {
		for i := 0; i < 1e5; i++ {
			x ^= i
		}
	}
}

func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sink keeps grow's memory reachable until the process ends.
var sink []byte

// grow makes n bytes resident, so that a test of Stats.PeakRSSBytes sees the peak rise.
func grow(n int) {
	sink = make([]byte, n)
	for i := range sink {
		sink[i] = byte(i)
	}
}

func main() {
	fmt.Println("fakefn: listening on", os.Getenv("_LAMBDA_SERVER_PORT"))
	cloudfunction.Start(handle)
}
