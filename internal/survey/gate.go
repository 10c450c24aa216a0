package survey

import (
	"context"
	"fmt"

	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/email"
	"shopmail/internal/send"
)

// gated sends email only through the gate (DESIGN.md section 7): a suppressed address (or, for
// a marketing topic, a contact without consent) gets no email, and the send row says skipped
// and why. Every email of this package goes through it; there is no way around it here.
type gated struct {
	gate   *deliverability.Gate
	sender *send.Sender
}

// send checks to against the gate for the topic ("" for transactional mail, which only a
// suppression stops; a survey's record has a topic for its unsubscribe link, but a survey about
// an order is transactional), then sends msg or records the skip with its reason.
func (g gated) send(ctx context.Context, to *contact.Contact, topic string, rec send.Record, msg email.Message, tags []send.Tag) (send.Outcome, error) {
	if g.gate == nil || g.sender == nil {
		return send.Outcome{}, fmt.Errorf("send %s: no gate before the mail service", rec.Key)
	}
	reason, err := g.gate.Check(ctx, to, topic)
	if err != nil {
		return send.Outcome{}, err
	}
	if reason != "" {
		return g.skip(ctx, rec, to.Email, reason)
	}
	return g.sender.Send(ctx, rec, msg, tags)
}

// skip records that rec was decided against, with the reason.
func (g gated) skip(ctx context.Context, rec send.Record, to, reason string) (send.Outcome, error) {
	rec.To = to
	return g.sender.Skip(ctx, rec, reason)
}
