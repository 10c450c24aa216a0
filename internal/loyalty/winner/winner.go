// Package winner emails the winner of a prize draw (internal/loyalty's Drawing.Notify): what
// they won, and the draw's published record, so that they can check it as anyone can.
package winner

import (
	"context"
	"fmt"
	"time"

	"github.com/a-h/templ"

	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/email"
	"shopmail/internal/links"
	"shopmail/internal/loyalty"
	"shopmail/internal/render"
	"shopmail/internal/send"
)

// Kind is the send kind and SES tag of a winner's email.
const Kind = "draw"

// Config is what the email needs to know about the shop.
type Config struct {
	Brand render.Brand
	From  email.Address
	Links links.Config
	// Prize says what the winner gets, per language ("en" the fallback).
	Prize map[string]string
}

// Contacts reads contacts.
type Contacts interface {
	Contact(ctx context.Context, id string) (*contact.Contact, error)
}

// Notifier tells a draw's winner, once (the send is one per draw), unless their address is
// suppressed.
type Notifier struct {
	Config   Config
	Contacts Contacts
	Sender   *send.Sender
	Gate     *deliverability.Gate
	Now      func() time.Time
}

// Notify implements loyalty.Drawing's Notify.
func (n *Notifier) Notify(ctx context.Context, d loyalty.Draw) error {
	c, err := n.Contacts.Contact(ctx, d.Winner)
	if err != nil {
		return fmt.Errorf("read winner %s: %w", d.Winner, err)
	}
	rec := send.Record{Key: Kind + "#" + d.ID, ContactID: c.ID, Kind: Kind, To: c.Email}
	if reason, err := n.Gate.Check(ctx, c, ""); err != nil || reason != "" {
		if err == nil {
			_, err = n.Sender.Skip(ctx, rec, reason)
		}
		return err
	}
	now := n.Now()
	loc := render.LocaleFor(c.Locale, c.Timezone)
	prize, ok := n.Config.Prize[loc.Lang]
	if !ok {
		prize = n.Config.Prize["en"]
	}
	l := n.Config.Links.For(c.ID, rec.Key, now)
	r := render.Render(Email{FirstName: c.FirstName, Prize: prize, Draw: d}, n.Config.Brand, loc, l.Tracking(""))
	rec.Links, rec.ExpiresAt = l.URLs(), now.Add(n.Config.Links.Tracking)
	name := c.FirstName
	if c.LastName != "" {
		name = (name + " " + c.LastName)
	}
	msg := email.Message{From: n.Config.From, To: email.Address{Name: name, Email: c.Email}, Subject: r.Subject,
		Text: r.Text, HTML: r.HTML, Date: now, Language: loc.Tag}
	_, err = n.Sender.Send(ctx, rec, msg, []send.Tag{{Name: "kind", Value: Kind}, {Name: "contact", Value: send.TagValue(c.ID)}})
	return err
}

// Email is the winner's email. It is a render.Content.
type Email struct {
	FirstName, Prize string
	Draw             loyalty.Draw
}

// last is the last day of the draw's period.
func (v Email) last() time.Time { return v.Draw.To.Add(-time.Second) }

// Subject implements render.Content.
func (v Email) Subject(l render.Locale, b render.Brand) string {
	return l.T("draw.subject", b.ShopName)
}

// Preheader implements render.Content.
func (v Email) Preheader(l render.Locale) string { return l.T("draw.preheader", v.Prize) }

// Why implements render.Content.
func (v Email) Why(l render.Locale, b render.Brand) string { return l.T("footer.why.draw", b.ShopName) }

// Body implements render.Content (winner.templ).
func (v Email) Body(e render.Email) templ.Component { return body(v, e) }

// WriteText implements render.Content.
func (v Email) WriteText(t *render.Text, b render.Brand) {
	l := t.L
	d := v.Draw
	t.Line(l.Hello(v.FirstName)).Line().T("draw.won", v.Prize, l.Date(d.From), l.Date(v.last()), len(d.Eligible)).Line().
		T("draw.claim").Line().T("draw.check").
		Line(l.T("draw.record"), ": ", d.ID).Line("seedHash: ", d.SeedHash).Line("listHash: ", d.ListHash).Line("seed: ", d.Seed).
		Line().T("signoff").T("team", b.ShopName)
}
