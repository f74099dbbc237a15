package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/bench/workload"
	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// program is one binary measured, with the variables it runs with and the test every reply must pass.
type program struct {
	name   string
	dir    string // its main package, relative to the module root
	bin    string
	size   int64
	extra  map[string]string // added to the common environment
	minted func([]byte) bool
	mints  bool // it calls STS: it gets an emulator and a connection count
}

// The programs, in the table's column order. The cached function is the same binary with STS_CACHE=on: after
// its first invocation every request is a cache hit, the cost the capacity model charges a hit.
const (
	progFunction = iota
	progCached
	progFloor
	progBare
)

func programs() []*program {
	floorMinted := func(p []byte) bool { return bytes.Contains(p, []byte(`"tmpSecretId":"AKID`)) }
	return []*program{
		progFunction: {name: "function", dir: ".", minted: workload.LooksMinted, mints: true},
		progCached:   {name: "function, cache hit", dir: ".", extra: map[string]string{"STS_CACHE": "on"}, minted: workload.LooksMinted, mints: true},
		progFloor:    {name: "floor", dir: "bench/floor", minted: floorMinted, mints: true},
		progBare:     {name: "bare", dir: "bench/bare", minted: func(p []byte) bool { return string(p) == `{"ok":true}` }},
	}
}

// build gets each program's binary from scfrpc's cache (one build per state of the sources, with the function's
// own flags: CGO_ENABLED=0 -trimpath -tags=nethttpomithttp2 -ldflags='-s -w'), and its size.
func build(ctx context.Context, root string, progs []*program) error {
	for _, p := range progs {
		bin, err := scfrpc.SharedBinary(ctx, filepath.Join(root, p.dir))
		if err != nil {
			return fmt.Errorf("build %s: %w", p.name, err)
		}
		st, err := os.Stat(bin)
		if err != nil {
			return err
		}
		p.bin, p.size = bin, st.Size()
	}
	return nil
}

// rig is what the programs run against: one emulator per minting program, so that each one's connections are
// counted apart, and the one environment every program gets (scf-go-lib sets each variable on every
// invocation, so all pay for the same list).
type rig struct {
	secretKey string
	env       map[string]string // the common environment, FLOOR_* included once probed
}

func newRig() *rig {
	key := rand.Text()
	return &rig{secretKey: key, env: workload.Env("http://127.0.0.1:1", key)}
}

func (r *rig) emulator() (*stsemu.Server, error) {
	emu := stsemu.New(stsemu.Options{Keys: map[string]string{workload.SecretID: r.secretKey}})
	if err := emu.Start(); err != nil {
		return nil, err
	}
	return emu, nil
}

// envFor is p's environment against emu (nil for a program that mints nothing).
func (r *rig) envFor(p *program, emu *stsemu.Server) map[string]string {
	env := maps.Clone(r.env)
	maps.Copy(env, p.extra)
	if emu != nil {
		env["STS_ENDPOINT"] = emu.URL()
	}
	return env
}

func envList(env map[string]string) []string {
	var list []string
	for _, k := range slices.Sorted(maps.Keys(env)) {
		list = append(list, k+"="+env[k])
	}
	return list
}

// probe runs the function once and gives the floor exactly what it sent STS (policy, name, duration), so the two
// make the same call and the emulator does the same work for both.
func (r *rig) probe(ctx context.Context, fn *program) error {
	emu, err := r.emulator()
	if err != nil {
		return err
	}
	defer emu.Close()
	env := r.envFor(fn, emu)
	f, err := scfrpc.Start(ctx, fn.bin, envList(env))
	if err != nil {
		return fmt.Errorf("probe: start the function: %w", err)
	}
	defer f.Close()
	reply, err := invoke(ctx, f, env, 0)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	if err := workload.CheckMinted(reply); err != nil {
		return fmt.Errorf("probe: %w\nthe function's log:\n%s", err, f.Output())
	}
	calls := emu.Calls()
	if len(calls) != 1 || calls[0].Action != "GetFederationToken" || calls[0].Policy == "" {
		return fmt.Errorf("probe: STS got %d calls; want one GetFederationToken with a policy", len(calls))
	}
	c := calls[0]
	r.env["FLOOR_POLICY"] = c.Policy
	r.env["FLOOR_NAME"] = c.Name
	r.env["FLOOR_DURATION_SECONDS"] = strconv.Itoa(c.DurationSeconds)
	return nil
}

// invoke sends the default request as SCF would, with a 10 s deadline (serverless.yml's timeout), and returns the
// reply; a function error is an error.
func invoke(ctx context.Context, f *scfrpc.Function, env map[string]string, n int) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	reply, err := f.Invoke(ctx, scfrpc.Invocation{
		Payload:       event,
		RequestID:     "bench-" + strconv.Itoa(n),
		Deadline:      time.Now().Add(10 * time.Second),
		Environment:   env,
		FunctionName:  "cos-sts-scf",
		Region:        "ap-guangzhou",
		MemoryLimitMB: 64,
	})
	if err != nil {
		return nil, err
	}
	if reply.Error != nil {
		return nil, fmt.Errorf("function error %s: %s", reply.Error.Type, reply.Error.Message)
	}
	return reply.Payload, nil
}

// event is the default request (bench/workload).
var event = workload.Event()
