package sesevent_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"shopmail/internal/fault"
	"shopmail/internal/sesevent"
)

var knownTypes = map[sesevent.Type]bool{
	sesevent.Send: true, sesevent.Delivery: true, sesevent.Bounce: true, sesevent.Complaint: true, sesevent.Reject: true,
	sesevent.DeliveryDelay: true, sesevent.RenderingFailure: true, sesevent.Open: true, sesevent.Click: true, sesevent.Subscription: true,
}

// FuzzDecode: Decode never panics, refuses with fault.ErrInvalid, and what it accepts is usable.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "events", "sesevents", "*.json"))
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, err := sesevent.Decode(raw)
		if err != nil {
			if !errors.Is(err, fault.ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			return
		}
		if ev.MessageID == "" || !knownTypes[ev.Type] || ev.At.IsZero() || len(ev.Recipients) > 50 {
			t.Fatalf("accepted %+v", ev)
		}
		if (ev.Type == sesevent.Bounce) != (ev.Bounce != nil) || (ev.Type == sesevent.Complaint) != (ev.Complaint != nil) {
			t.Fatalf("per-type object does not match the type: %+v", ev)
		}
		// The dedup key is the same when the same event is decoded again.
		if again, _ := sesevent.Decode(raw); again.Key() != ev.Key() {
			t.Fatalf("unstable key: %s, %s", ev.Key(), again.Key())
		}
	})
}
