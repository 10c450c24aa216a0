package sandbox

import (
	"strings"
	"testing"
	"time"
)

// The journal keeps the latest activities within its limits of count and size, and a huge
// payload is shown cut.
func TestJournalIsBounded(t *testing.T) {
	var j journal
	big := strings.Repeat("x", 1<<20)
	for range 3 * journalItems {
		j.add(Activity{Kind: "invoke", Body: big})
	}
	list := j.list()
	size := 0
	for _, a := range list {
		size += a.size()
		if len(a.Body) > maxBodyShown+len(truncatedMark) {
			t.Fatalf("a body of %d bytes kept whole", len(a.Body))
		}
	}
	if len(list) == 0 || len(list) > journalItems || size > journalBytes || list[0].Seq != 3*journalItems {
		t.Errorf("%d activities of %d bytes, newest %d", len(list), size, list[0].Seq)
	}
	for range 3 * journalItems {
		j.add(Activity{Kind: "clock"})
	}
	if n := len(j.list()); n != journalItems {
		t.Errorf("%d small activities kept, want %d", n, journalItems)
	}
}

// Work may start while someone waits for the sandbox to be idle (the ticker fires while the
// shutdown waits); the wait ends when all of it is done.
func TestWorkAddedWhileWaiting(t *testing.T) {
	var w work
	w.add()
	waited := make(chan struct{})
	go func() { w.wait(); close(waited) }()
	for range 100 {
		w.add()
		go func() { time.Sleep(time.Millisecond); w.done() }()
	}
	w.done()
	select {
	case <-waited:
	case <-time.After(10 * time.Second):
		t.Fatal("wait did not return")
	}
	w.wait() // idle: returns at once
}
