// Command bare is an SCF function that does nothing: it answers every invocation with the same small JSON. Measured
// beside the floor and the function (bench/measure), it is what scf-go-lib, net/rpc and the Go runtime cost by
// themselves, so that what the floor adds (one signed STS call) and what the function adds can be told apart.
package main

import (
	"context"
	"encoding/json"

	"github.com/tencentyun/scf-go-lib/cloudfunction"
)

// reply is returned as is; scf-go-lib still encodes it, as it encodes every handler's result.
var reply = json.RawMessage(`{"ok":true}`)

func handle(context.Context, json.RawMessage) (json.RawMessage, error) { return reply, nil }

func main() { cloudfunction.Start(handle) }
