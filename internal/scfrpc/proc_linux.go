package scfrpc

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// killWithParent asks the kernel to kill the function if the process that
// started it dies first, so a crashed test run leaves no listener behind.
func killWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// Stats reads the process's resident memory and open file descriptors from
// /proc, so a soak test can tell a leak from noise across many invocations.
func (f *Function) Stats() (Stats, error) {
	pid := strconv.Itoa(f.Pid())
	status, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return Stats{}, fmt.Errorf("scfrpc: stats: %w", err)
	}
	var st Stats
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		// "VmRSS:	    5436 kB"
		if rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(" kB"))), 10, 64)
			if err != nil {
				return Stats{}, fmt.Errorf("scfrpc: stats: VmRSS %q: %w", rest, err)
			}
			st.RSSBytes = kb * 1024
		}
	}
	fds, err := os.ReadDir("/proc/" + pid + "/fd")
	if err != nil {
		return Stats{}, fmt.Errorf("scfrpc: stats: %w", err)
	}
	st.OpenFDs = len(fds)
	return st, nil
}
