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

// journal keeps the most recent activities.
type journal struct {
	mu    sync.Mutex
	seq   int
	items []Activity
	max   int
}

func (j *journal) add(a Activity) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	a.Seq, a.At = j.seq, time.Now().UTC()
	j.items = append(j.items, a)
	if len(j.items) > j.max {
		j.items = j.items[len(j.items)-j.max:]
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
