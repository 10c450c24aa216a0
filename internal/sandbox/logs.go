package sandbox

// CloudWatch Logs, as far as the UI needs it: each function's log lines, by request id.

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"time"
)

// logLine is one line a function logged.
type logLine struct {
	Function string
	At       time.Time
	Text     string
}

// logBook keeps the functions' recent log lines for the UI.
type logBook struct {
	mu    sync.Mutex
	lines []logLine
	max   int
}

func (b *logBook) add(l logLine) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, l)
	if len(b.lines) > b.max {
		b.lines = b.lines[len(b.lines)-b.max:]
	}
}

// matching returns the lines containing s (a request id), oldest first.
func (b *logBook) matching(s string) []logLine {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []logLine
	for _, l := range b.lines {
		if strings.Contains(l.Text, s) {
			out = append(out, l)
		}
	}
	return out
}

// logWriter is where a function's logger writes: the sandbox's output, and the log book.
func (s *Sandbox) logWriter(fn string) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		for _, line := range bytes.Split(bytes.TrimRight(p, "\n"), []byte("\n")) {
			s.logs.add(logLine{Function: fn, At: time.Now(), Text: string(line)})
		}
		return s.logOut.Write(p)
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
