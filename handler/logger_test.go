package handler

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/config"
)

// slogLine is the line log/slog's JSONHandler writes for the same record.
func slogLine(t *testing.T, at time.Time, level config.Level, msg string, fields []field) string {
	t.Helper()
	var buf bytes.Buffer
	h := slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})
	r := slog.NewRecord(at, slog.Level(level), msg, 0)
	for _, f := range fields {
		if f.isInt {
			r.AddAttrs(slog.Int64(f.key, f.num))
		} else {
			r.AddAttrs(slog.String(f.key, f.str))
		}
	}
	if err := h.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func checkLogger(t *testing.T, at time.Time, level config.Level, msg string, fields []field) {
	t.Helper()
	var buf bytes.Buffer
	l := newLogger(&buf)
	l.now = func() time.Time { return at }
	l.setLevel(config.LevelDebug)
	l.log(level, msg, fields...)
	if want := slogLine(t, at, level, msg, fields); buf.String() != want {
		t.Fatalf("logger wrote\n%s\nslog writes\n%s", buf.String(), want)
	}
}

var loggerSeeds = []string{"", "ok", "a \"quoted\" \\ path", "<script>&</script>", "\x00\x01\b\f\n\r\t\x1f\x7f", "é 中文 🙂",
	"\u2028\u2029", "bad \xff\xfe utf-8 \xc3", strings.Repeat("x", 300)}

// TestLoggerWritesWhatSlogWrites: every line is byte for byte the one slog's JSON handler writes, at every level, in
// every time zone, with text that needs escaping in the message, the keys and the values.
func TestLoggerWritesWhatSlogWrites(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	times := []time.Time{time.Date(2026, 11, 29, 11, 55, 36, 123456789, time.UTC), time.Date(2026, 1, 2, 3, 4, 5, 0, shanghai),
		time.Date(2026, 1, 2, 3, 4, 5, 100000000, time.Local), time.Now()}
	for _, at := range times {
		for _, level := range []config.Level{config.LevelDebug, config.LevelInfo, config.LevelWarn, config.LevelError} {
			for _, s := range loggerSeeds {
				checkLogger(t, at, level, s, []field{str("requestId", s), str(s, "v"), num("status", 429), num("latencyMs", -3), str("stsRequestId", "")})
			}
			checkLogger(t, at, level, "no fields", nil)
		}
	}
}

// FuzzLogger: for any text, a line is what slog writes.
func FuzzLogger(f *testing.F) {
	for _, s := range loggerSeeds {
		f.Add(s, s, int64(200))
	}
	f.Fuzz(func(t *testing.T, msg, value string, n int64) {
		checkLogger(t, time.Unix(1795953336, 987654321), config.LevelWarn, msg, []field{str(value, value), num("n", n), str("k", msg)})
	})
}

// TestLoggerLevel: lines below the set level are not written; each line is one Write.
func TestLoggerLevel(t *testing.T) {
	var w countingWriter
	l := newLogger(&w)
	l.setLevel(config.LevelWarn)
	l.info("dropped")
	l.log(config.LevelDebug, "dropped")
	l.warn("kept", str("a", "b"))
	l.error("kept")
	if w.writes != 2 || strings.Count(w.buf.String(), "\n") != 2 || strings.Contains(w.buf.String(), "dropped") {
		t.Errorf("%d writes:\n%s\nwant the two lines at warn and above, one write each", w.writes, w.buf.String())
	}
}

type countingWriter struct {
	buf    bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.buf.Write(p)
}
