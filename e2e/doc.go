// Package e2e holds no code: its tests drive the real function binary (built
// once per state of the sources by scfrpc.SharedBinary) the way SCF does, over
// net/rpc (internal/scfrpc), with the STS emulator (internal/stsemu) standing
// in for Tencent Cloud. They check the replies against docs/contract.md §1 to
// §6, the policy STS received, and that no secret ever reaches a reply or the
// function's log.
package e2e
