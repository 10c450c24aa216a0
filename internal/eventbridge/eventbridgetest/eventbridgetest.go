// Package eventbridgetest is a hand-written stand-in for the event bus in unit tests: it keeps
// what was published.
package eventbridgetest

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
)

// Bus records published events as "<detail-type> <detail JSON>".
type Bus struct {
	mu     sync.Mutex
	events []string
	// Fail, when set, is asked before each event is taken; an error it returns is the bus
	// refusing the event, which is then not recorded.
	Fail func(detailType string) error
}

// Publish records the event.
func (b *Bus) Publish(_ context.Context, detailType string, detail any) error {
	if b.Fail != nil {
		if err := b.Fail(detailType); err != nil {
			return err
		}
	}
	d, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.events = append(b.events, detailType+" "+string(d))
	return nil
}

// Events returns what was published, oldest first.
func (b *Bus) Events() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.events...)
}

// Count returns how many events of the detail-type were published.
func (b *Bus) Count(detailType string) int {
	n := 0
	for _, e := range b.Events() {
		if strings.HasPrefix(e, detailType+" ") {
			n++
		}
	}
	return n
}
