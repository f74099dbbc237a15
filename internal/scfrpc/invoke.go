package scfrpc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/rpc"
	"time"

	"github.com/tencentyun/scf-go-lib/cloudfunction/messages"
)

// DefaultTimeout is the invocation time limit used when neither the
// Invocation nor the context sets a deadline: SCF's own default function
// timeout. A zero deadline must never be sent, since scf-go-lib turns it into
// a context that expired in 1970.
const DefaultTimeout = 3 * time.Second

// Invocation is one event as SCF hands it to the function.
type Invocation struct {
	Payload   []byte // the event JSON
	RequestID string
	// Deadline is when SCF gives up on the invocation; the function sees it as
	// its context's deadline. Zero means the context's deadline, else
	// DefaultTimeout from now.
	Deadline time.Time
	// Environment is what SCF sends with every invocation; scf-go-lib
	// os.Setenv's each entry before calling the handler. This is how the
	// execution role's rotating keys reach a warm instance.
	Environment map[string]string

	FunctionName    string
	FunctionVersion string // "$LATEST" when empty
	Namespace       string // "default" when empty
	Region          string // TencentcloudRegion
	AppID           string
	Uin             string
	MemoryLimitMB   int32
}

// Reply is what the function answered. Error is set when the handler
// returned an error or panicked (then Error.ShouldExit is true); otherwise
// Payload holds the handler's JSON result.
type Reply struct {
	Payload []byte
	Error   *messages.InvokeResponse_Error
}

// Invoke sends inv over Function.Invoke and waits for the reply or for ctx.
// Concurrent invocations share the one connection, as net/rpc allows. An error
// means the protocol failed, not the handler: see Reply.Error for that.
func (f *Function) Invoke(ctx context.Context, inv Invocation) (Reply, error) {
	req, err := inv.request(ctx, time.Now())
	if err != nil {
		return Reply{}, err
	}
	var resp messages.InvokeResponse
	call := f.client.Go("Function.Invoke", req, &resp, make(chan *rpc.Call, 1))
	select {
	case <-call.Done:
	case <-ctx.Done():
		// The call may still complete; net/rpc then drops its reply.
		return Reply{}, fmt.Errorf("scfrpc: invoke %s: %w", inv.RequestID, ctx.Err())
	}
	if call.Error != nil {
		select {
		case <-f.exited:
			return Reply{}, fmt.Errorf("%w: invoke %s: %w (%v)", ErrExited, inv.RequestID, call.Error, f.waitErr)
		default:
			return Reply{}, fmt.Errorf("scfrpc: invoke %s: %w", inv.RequestID, call.Error)
		}
	}
	return Reply{Payload: resp.Payload, Error: resp.Error}, nil
}

// request builds the wire message, filling in what SCF always sends.
func (inv Invocation) request(ctx context.Context, now time.Time) (*messages.InvokeRequest, error) {
	deadline := inv.Deadline
	if deadline.IsZero() {
		var ok bool
		if deadline, ok = ctx.Deadline(); !ok {
			deadline = now.Add(DefaultTimeout)
		}
	}
	var env string
	if len(inv.Environment) > 0 {
		b, err := json.Marshal(inv.Environment)
		if err != nil {
			return nil, fmt.Errorf("scfrpc: encode environment: %w", err)
		}
		env = string(b)
	}
	return &messages.InvokeRequest{
		Payload:   inv.Payload,
		RequestId: inv.RequestID,
		Deadline: messages.InvokeRequest_Timestamp{
			Seconds: deadline.Unix(),
			Nanos:   int64(deadline.Nanosecond()),
		},
		Namespace:          orDefault(inv.Namespace, "default"),
		FunctionName:       inv.FunctionName,
		FunctionVersion:    orDefault(inv.FunctionVersion, "$LATEST"),
		MemoryLimitInMb:    inv.MemoryLimitMB,
		TimeLimitInMs:      int32(max(deadline.Sub(now).Milliseconds(), 0)),
		Environment:        env,
		TencentcloudRegion: inv.Region,
		TencentcloudAppID:  inv.AppID,
		TencentcloudUin:    inv.Uin,
	}, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
