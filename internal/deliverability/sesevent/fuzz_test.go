package sesevent_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"shopmail/internal/deliverability/sesevent"
	"shopmail/internal/fault"
)

var knownTypes = map[sesevent.Type]bool{
	sesevent.Send: true, sesevent.Delivery: true, sesevent.Bounce: true, sesevent.Complaint: true, sesevent.Reject: true,
	sesevent.DeliveryDelay: true, sesevent.RenderingFailure: true, sesevent.Open: true, sesevent.Click: true, sesevent.Subscription: true,
}

// bareAddress reports whether a is one address with its domain in lower case.
func bareAddress(a string) bool {
	local, domain, ok := strings.Cut(a, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(a, " <>\"\r\n") &&
		!strings.Contains(domain, "@") && strings.ToLower(domain) == domain
}

// FuzzDecode: Decode never panics; it refuses with fault.ErrInvalid and a zero Event, and
// what it accepts is usable, with a stable key.
func FuzzDecode(f *testing.F) {
	// Every sample: the testdata events and the sesevents function's sample events.
	for _, pattern := range []string{filepath.Join("testdata", "*.json"), filepath.Join("..", "..", "..", "events", "sesevents", "*.json")} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			raw, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(raw)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, err := sesevent.Decode(raw)
		if err != nil {
			if !errors.Is(err, fault.ErrInvalid) || !strings.HasPrefix(err.Error(), "invalid SES event: ") {
				t.Fatalf("error is not an invalid SES event: %v", err)
			}
			if !reflect.DeepEqual(ev, sesevent.Event{}) {
				t.Fatalf("refused, yet returned %+v", ev)
			}
			return
		}
		if ev.MessageID == "" || !knownTypes[ev.Type] || ev.At.IsZero() || ev.SentAt.IsZero() || ev.Tags == nil {
			t.Fatalf("accepted %+v", ev)
		}
		if len(ev.Recipients) > sesevent.MaxRecipients || !bareAddress(ev.Sender) {
			t.Fatalf("accepted sender %q, %d recipients", ev.Sender, len(ev.Recipients))
		}
		for _, r := range ev.Recipients {
			if !bareAddress(r) {
				t.Fatalf("accepted recipient %q", r)
			}
		}
		if (ev.Type == sesevent.Bounce) != (ev.Bounce != nil) || (ev.Type == sesevent.Complaint) != (ev.Complaint != nil) {
			t.Fatalf("per-type details do not match the type: %+v", ev)
		}
		// The dedup key is made of the message id, the type and the time, and is the same when
		// the same event is decoded again.
		if !strings.HasPrefix(ev.Key(), ev.MessageID+"/"+string(ev.Type)+"/") {
			t.Fatalf("key %q", ev.Key())
		}
		if again, err := sesevent.Decode(raw); err != nil || again.Key() != ev.Key() {
			t.Fatalf("unstable key: %s, %s (%v)", ev.Key(), again.Key(), err)
		}
	})
}
