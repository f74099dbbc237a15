// Package e2e holds no code: its tests build the real function binary once
// and drive it the way SCF does, over net/rpc (internal/scfrpc), with the STS
// emulator (internal/stsemu) standing in for Tencent Cloud. They check the
// replies against docs/contract.md §1, §3 and §5, the policy STS received, and that no
// secret ever reaches a reply or the function's log.
package e2e
