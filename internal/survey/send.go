package survey

import (
	"context"
	"fmt"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/email"
	"shopmail/internal/fault"
	"shopmail/internal/render"
	"shopmail/internal/send"
)

// Sending sends an order's survey when its schedule fires (the surveysend function).
type Sending struct {
	Config Config
	Store  Store
	Sender *send.Sender
	Gate   *deliverability.Gate
	Now    func() time.Time
}

// Send sends an order's survey when its schedule fires, unless it was cancelled, already sent,
// the customer had a survey within the throttle window, the address is suppressed, or the
// customer turned surveys off. What it decided is recorded on the survey.
func (p *Sending) Send(ctx context.Context, d Due) (send.Outcome, error) {
	s, found, err := p.Store.Survey(ctx, d.OrderID)
	switch {
	case err != nil:
		return send.Outcome{}, err
	case !found:
		return send.Outcome{}, fmt.Errorf("%w survey: order %s has no survey", fault.ErrInvalid, d.OrderID)
	case s.Status != Pending:
		return send.Outcome{Duplicate: true}, nil // cancelled, sent or skipped already
	case d.After == "placed" && !s.DeliveredAt.IsZero():
		return send.Outcome{Duplicate: true}, nil // the delivery schedule sends it
	case d.After == "delivery" && d.DeliveredAt != "" && !sameTime(d.DeliveredAt, s.DeliveredAt):
		return send.Outcome{Duplicate: true}, nil // the delivery time was corrected: its new schedule sends it
	}
	now := p.Now().UTC()
	rec := send.Record{Key: SendKey(s.OrderID), ContactID: s.ContactID, Kind: Kind, OrderID: s.OrderID, Topic: contact.TopicSurveys}
	// Suppression first (a marketing opt-out does not stop a survey about an order), so that a
	// survey not sent does not use up the customer's throttle window.
	c, err := p.Store.Contact(ctx, s.ContactID)
	if err != nil {
		return send.Outcome{}, err
	}
	if c.Email == "" {
		c.Email = s.Email
	}
	reason, err := p.Gate.Check(ctx, c, "")
	if err != nil {
		return send.Outcome{}, err
	}
	if pref, ok := c.Prefs[contact.TopicSurveys]; reason == "" && ok && !pref.On {
		reason = "no consent to surveys email"
	}
	if reason == "" {
		c, err = p.Store.UpdateContact(ctx, s.ContactID, func(c *contact.Contact) bool {
			reason = ""
			if c.Email == "" {
				c.Email = s.Email
			}
			if c.LastSurveyOrder == s.OrderID {
				return false // a retry of this survey
			}
			if !c.LastSurveyAt.IsZero() && now.Sub(c.LastSurveyAt) < p.Config.Throttle {
				reason = fmt.Sprintf("survey throttle: one per %d days; the last was on %s", int(p.Config.Throttle.Hours()/24), c.LastSurveyAt.Format(time.DateOnly))
				return false
			}
			c.LastSurveyAt, c.LastSurveyOrder = now, s.OrderID
			return true
		})
		if err != nil {
			return send.Outcome{}, fmt.Errorf("survey of order %s: %w", s.OrderID, err)
		}
	}
	var out send.Outcome
	mail := gated{gate: p.Gate, sender: p.Sender}
	if reason != "" {
		out, err = mail.skip(ctx, rec, c.Email, reason)
		s.Status, s.Reason = Skipped, reason
	} else {
		out, err = mail.send(ctx, c, "", rec, p.compose(c, s, &rec), []send.Tag{
			{Name: "kind", Value: Kind}, {Name: "contact", Value: send.TagValue(c.ID)}, {Name: "order", Value: send.TagValue(s.OrderID)},
		})
		s.Status, s.SentAt = Sent, now
	}
	if err != nil {
		return out, err
	}
	if out.Record.Status == send.Failed { // refused by SES: not a survey sent, for the response rate
		s.Status, s.Reason = Skipped, out.Record.Reason
	}
	return out, p.Store.FinishSurvey(ctx, s)
}

func (p *Sending) compose(c *contact.Contact, s Survey, rec *send.Record) email.Message {
	now := p.Now()
	locale, tz := c.Locale, c.Timezone
	if locale == "" {
		locale, tz = s.Locale, s.Timezone
	}
	loc := render.LocaleFor(locale, tz)
	l := p.Config.Links.For(c.ID, rec.Key, now)
	v := View{FirstName: c.FirstName, OrderID: s.OrderID, Questions: p.Config.Questions, Link: l.Answer}
	if p.Config.AskNext {
		v.NextLink = l.FreeText(Next)
	}
	r := render.Render(v, p.Config.Brand, loc, l.Tracking(rec.Topic))
	rec.Links, rec.ExpiresAt = l.URLs(), now.Add(p.Config.Links.Tracking)
	return email.Message{
		From: p.Config.From, To: email.Address{Name: c.FirstName, Email: c.Email}, Subject: r.Subject,
		Text: r.Text, HTML: r.HTML, Date: now, Language: loc.Tag, Headers: l.Headers(rec.Topic),
	}
}

// sameTime reports whether the RFC 3339 time v is t.
func sameTime(v string, t time.Time) bool {
	at, err := time.Parse(time.RFC3339Nano, v)
	return err == nil && at.Equal(t)
}
