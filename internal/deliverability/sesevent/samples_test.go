package sesevent_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shopmail/internal/deliverability/sesevent"
	"shopmail/internal/fault"
)

// Every sample of the sesevents function decodes, except the invalid ones, which are refused.
func TestSamples(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "events", "sesevents", "*.json"))
	if len(files) < 8 {
		t.Fatalf("%d samples", len(files))
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == "flush-outbox.json" {
			continue // the outbox schedule's input, not an SES event
		}
		ev, err := sesevent.Decode(raw)
		if strings.HasPrefix(filepath.Base(f), "invalid-") {
			if !errors.Is(err, fault.ErrInvalid) {
				t.Errorf("%s: err = %v, want invalid", f, err)
			}
			continue
		}
		if err != nil || ev.MessageID == "" || ev.At.IsZero() || ev.Sender != "hello@shop.example" || len(ev.Recipients) != 1 {
			t.Errorf("%s: %+v, %v", f, ev, err)
		}
	}
}
