//go:build !linux

package scfrpc

import (
	"errors"
	"os/exec"
	"time"
)

// killWithParent has no portable equivalent of Linux's parent-death signal;
// Close remains the way to stop the function.
func killWithParent(*exec.Cmd) {}

// Stats needs Linux's /proc; elsewhere it reports that it cannot measure.
func (f *Function) Stats() (Stats, error) {
	return Stats{}, errors.New("scfrpc: stats: needs /proc (Linux)")
}

// ThreadCPUTime needs Linux's /proc; elsewhere it reports that it cannot measure.
func (f *Function) ThreadCPUTime() (time.Duration, error) {
	return 0, errors.New("scfrpc: thread CPU time: needs /proc (Linux)")
}
