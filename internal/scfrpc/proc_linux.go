package scfrpc

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// killWithParent asks the kernel to kill the function if the process that
// started it dies first, so a crashed test run leaves no listener behind.
func killWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// clockTick is the unit of /proc/<pid>/stat's CPU times (USER_HZ). Linux fixes it at 100 on every architecture Go
// supports, whatever the kernel's own tick rate, because user space depends on it.
const clockTick = 10 * time.Millisecond

// Stats reads the process's memory, CPU time and open file descriptors from
// /proc, so a soak test can tell a leak from noise across many invocations and
// a bound test can charge each invocation the CPU it cost.
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
		for _, field := range []struct {
			name string
			dst  *int64
		}{{"VmRSS:", &st.RSSBytes}, {"VmHWM:", &st.PeakRSSBytes}} {
			if rest, ok := bytes.CutPrefix(sc.Bytes(), []byte(field.name)); ok {
				kb, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(" kB"))), 10, 64)
				if err != nil {
					return Stats{}, fmt.Errorf("scfrpc: stats: %s %q: %w", field.name, rest, err)
				}
				*field.dst = kb * 1024
			}
		}
	}
	if st.CPUTime, err = cpuTime(pid); err != nil {
		return Stats{}, err
	}
	fds, err := os.ReadDir("/proc/" + pid + "/fd")
	if err != nil {
		return Stats{}, fmt.Errorf("scfrpc: stats: %w", err)
	}
	st.OpenFDs = len(fds)
	return st, nil
}

// cpuTime reads utime and stime (fields 14 and 15) of /proc/<pid>/stat. The command name in field 2 may hold
// spaces and parentheses, so the fields are counted from its closing parenthesis.
func cpuTime(pid string) (time.Duration, error) {
	raw, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, fmt.Errorf("scfrpc: stats: %w", err)
	}
	end := bytes.LastIndexByte(raw, ')')
	if end < 0 {
		return 0, fmt.Errorf("scfrpc: stats: /proc/%s/stat has no command name", pid)
	}
	fields := bytes.Fields(raw[end+1:]) // fields[0] is field 3, the state
	if len(fields) < 13 {
		return 0, fmt.Errorf("scfrpc: stats: /proc/%s/stat has %d fields", pid, len(fields)+2)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("scfrpc: stats: /proc/%s/stat CPU time %q: %w", pid, f, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}

// ThreadCPUTime is the CPU time of the function's threads that are alive now, to the nanosecond: the sum of the
// first field of /proc/<pid>/task/<tid>/schedstat. Stats.CPUTime comes in 10 ms ticks, too coarse to charge a
// block of a hundred sub-millisecond invocations; this is fine enough, but leaves out threads that have exited
// (a Go program rarely ends one), so compare it over a run with Stats.CPUTime.
func (f *Function) ThreadCPUTime() (time.Duration, error) {
	dir := "/proc/" + strconv.Itoa(f.Pid()) + "/task"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("scfrpc: thread CPU time: %w", err)
	}
	var total int64
	for _, task := range tasks {
		raw, err := os.ReadFile(dir + "/" + task.Name() + "/schedstat")
		if errors.Is(err, fs.ErrNotExist) {
			continue // the thread ended between the listing and the read
		}
		if err != nil {
			return 0, fmt.Errorf("scfrpc: thread CPU time: %w", err)
		}
		// "<ns on CPU> <ns waiting> <timeslices>"
		field, _, _ := bytes.Cut(bytes.TrimSpace(raw), []byte(" "))
		ns, err := strconv.ParseInt(string(field), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("scfrpc: thread CPU time: %s/%s/schedstat %q: %w", dir, task.Name(), raw, err)
		}
		total += ns
	}
	return time.Duration(total), nil
}
