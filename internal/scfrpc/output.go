package scfrpc

import (
	"bytes"
	"io"
	"sync"
)

// output collects everything the function writes to stdout and stderr. The
// process writes from exec's copying goroutines while tests read, so every
// access holds the lock.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
	tee io.Writer
}

// Write keeps p and passes it on to the tee, if any. A failing tee must not
// stall or kill the function, so its errors are dropped.
func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	if o.tee != nil {
		_, _ = o.tee.Write(p)
	}
	return len(p), nil
}

// bytes returns a copy, so the caller may keep it while the process writes on.
func (o *output) bytes() []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	return bytes.Clone(o.buf.Bytes())
}

// setTee replays what was captured so far to w and sends it every later write,
// under one lock so that nothing is lost or doubled in between.
func (o *output) setTee(w io.Writer) {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, _ = w.Write(o.buf.Bytes())
	o.tee = w
}
