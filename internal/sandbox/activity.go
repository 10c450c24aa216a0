package sandbox

import (
	"sync"
	"time"
)

// Activity is one thing that happened in the sandbox: an event in or out, which rules matched,
// an invocation and what it returned, a dead letter, a schedule firing.
type Activity struct {
	Seq      int
	At       time.Time // wall time
	Kind     string    // "event", "invoke", "dead-letter", "schedule", "clock"
	Summary  string
	Source   string   // event source, function name...
	Matched  []string // functions whose rules matched an event
	Error    string
	Duration time.Duration
	Body     string // the event or payload, pretty JSON
}

// Limits of the journal: the number of activities it keeps, their total size, and the size of
// one activity's body (an HTTP API request may carry 10 MB).
const (
	journalItems   = 2000
	journalBytes   = 32 << 20
	maxBodyShown   = 64 << 10
	truncatedMark  = "\n… (truncated)"
	activityFields = 256 // what an activity costs besides its texts
)

// journal keeps the most recent activities, within journalItems and journalBytes.
type journal struct {
	mu    sync.Mutex
	seq   int
	items []Activity
	bytes int
}

func (a Activity) size() int { return activityFields + len(a.Summary) + len(a.Error) + len(a.Body) }

func (j *journal) add(a Activity) {
	if len(a.Body) > maxBodyShown {
		a.Body = a.Body[:maxBodyShown] + truncatedMark
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	a.Seq, a.At = j.seq, time.Now().UTC()
	j.items = append(j.items, a)
	j.bytes += a.size()
	drop := 0
	for ; len(j.items)-drop > journalItems || j.bytes > journalBytes; drop++ {
		j.bytes -= j.items[drop].size()
	}
	if drop > 0 {
		j.items = append([]Activity(nil), j.items[drop:]...)
	}
}

// list returns the activities, newest first.
func (j *journal) list() []Activity {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Activity, len(j.items))
	for i, a := range j.items {
		out[len(out)-1-i] = a
	}
	return out
}

// work counts the invocations under way, so that Idle can wait for them. Unlike a
// sync.WaitGroup, work may be added while someone waits: the schedule ticker fires while a
// test or the shutdown waits for the sandbox to be idle.
type work struct {
	mu    sync.Mutex
	n     int
	count uint64 // how many were ever added, to tell whether any started meanwhile
	idle  sync.Cond
}

func (w *work) add() {
	w.mu.Lock()
	w.n++
	w.count++
	w.mu.Unlock()
}

// started is how many pieces of work were ever added.
func (w *work) started() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.count
}

// quietSince reports whether none is under way and none started since started returned count.
func (w *work) quietSince(count uint64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n == 0 && w.count == count
}

func (w *work) done() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n--; w.n == 0 {
		w.cond().Broadcast()
	}
}

// wait returns when no work is under way.
func (w *work) wait() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.n > 0 {
		w.cond().Wait()
	}
}

func (w *work) cond() *sync.Cond {
	if w.idle.L == nil {
		w.idle.L = &w.mu
	}
	return &w.idle
}
