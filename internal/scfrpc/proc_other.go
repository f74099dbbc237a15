//go:build !linux

package scfrpc

import (
	"errors"
	"os/exec"
)

// killWithParent has no portable equivalent of Linux's parent-death signal;
// Close remains the way to stop the function.
func killWithParent(*exec.Cmd) {}

// Stats needs Linux's /proc; elsewhere it reports that it cannot measure.
func (f *Function) Stats() (Stats, error) {
	return Stats{}, errors.New("scfrpc: stats: needs /proc (Linux)")
}
