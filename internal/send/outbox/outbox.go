// Package outbox is a hand-written stand-in for the mail service: it implements send.Mailer by
// keeping every message in memory, and can be told to fail the way SES fails. Unit tests use it
// in place of SES, and so does the local runner.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"shopmail/internal/send"
)

// Message is one message the outbox accepted.
type Message struct {
	ID   string
	Raw  []byte
	Tags []send.Tag
}

// Outbox records messages. The zero value accepts everything.
type Outbox struct {
	mu       sync.Mutex
	messages []Message
	calls    int
	// Fail, when set, is called before each message is accepted; a non-nil error is returned
	// instead of sending (use send.ErrThrottled, send.ErrRejected or any other error).
	Fail func(call int) error
}

// SendRaw implements send.Mailer.
func (o *Outbox) SendRaw(ctx context.Context, raw []byte, tags []send.Tag) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls++
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if o.Fail != nil {
		if err := o.Fail(o.calls); err != nil {
			return "", err
		}
	}
	id := fmt.Sprintf("0100018f-local-%06d", len(o.messages)+1)
	o.messages = append(o.messages, Message{ID: id, Raw: append([]byte(nil), raw...), Tags: append([]send.Tag(nil), tags...)})
	return id, nil
}

// Messages returns the accepted messages, oldest first.
func (o *Outbox) Messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Message(nil), o.messages...)
}

// Calls returns how many times SendRaw was called, failed calls included.
func (o *Outbox) Calls() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.calls
}

// Tag returns the value of the named tag of m.
func (m Message) Tag(name string) (string, error) {
	for _, t := range m.Tags {
		if t.Name == name {
			return t.Value, nil
		}
	}
	return "", errors.New("no tag " + name)
}
