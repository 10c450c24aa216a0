// Package mail sends the loyalty programme's own emails: to the prize draw's winner (what
// they won, and the draw's published record, so that they can check it as anyone can), and
// the reminder before points expire.
package mail

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

// DrawKind is the send kind and SES tag of a winner's email.
const DrawKind = "draw"

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

// Mailer sends the emails; Notify tells a draw's winner, once (the send is one per draw), unless their address is
// suppressed.
type Mailer struct {
	Config   Config
	Contacts Contacts
	Sender   *send.Sender
	Gate     *deliverability.Gate
	Now      func() time.Time
}

// Notify tells a draw's winner (loyalty.Drawing's Notify).
func (n *Mailer) Notify(ctx context.Context, d loyalty.Draw) error {
	c, err := n.Contacts.Contact(ctx, d.Winner)
	if err != nil {
		return fmt.Errorf("read winner %s: %w", d.Winner, err)
	}
	rec := send.Record{Key: DrawKind + "#" + d.ID, ContactID: c.ID, Kind: DrawKind, To: c.Email}
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
	r := render.Render(WinnerEmail{FirstName: c.FirstName, Prize: prize, Draw: d}, n.Config.Brand, loc, l.Tracking(""))
	rec.Links, rec.ExpiresAt = l.URLs(), now.Add(n.Config.Links.Tracking)
	name := c.FirstName
	if c.LastName != "" {
		name = (name + " " + c.LastName)
	}
	msg := email.Message{From: n.Config.From, To: email.Address{Name: name, Email: c.Email}, Subject: r.Subject,
		Text: r.Text, HTML: r.HTML, Date: now, Language: loc.Tag}
	_, err = n.Sender.Send(ctx, rec, msg, []send.Tag{{Name: "kind", Value: DrawKind}, {Name: "contact", Value: send.TagValue(c.ID)}})
	return err
}

// WinnerEmail is the winner's email. It is a render.Content.
type WinnerEmail struct {
	FirstName, Prize string
	Draw             loyalty.Draw
}

// last is the last day of the draw's period.
func (v WinnerEmail) last() time.Time { return v.Draw.To.Add(-time.Second) }

// Subject implements render.Content.
func (v WinnerEmail) Subject(l render.Locale, b render.Brand) string {
	return l.T("draw.subject", b.ShopName)
}

// Preheader implements render.Content.
func (v WinnerEmail) Preheader(l render.Locale) string { return l.T("draw.preheader", v.Prize) }

// Why implements render.Content.
func (v WinnerEmail) Why(l render.Locale, b render.Brand) string {
	return l.T("footer.why.draw", b.ShopName)
}

// Body implements render.Content (draw.templ).
func (v WinnerEmail) Body(e render.Email) templ.Component { return winnerBody(v, e) }

// WriteText implements render.Content.
func (v WinnerEmail) WriteText(t *render.Text, b render.Brand) {
	l := t.L
	d := v.Draw
	t.Line(l.Hello(v.FirstName)).Line().T("draw.won", v.Prize, l.Date(d.From), l.Date(v.last()), len(d.Eligible)).Line().
		T("draw.claim").Line().T("draw.check").
		Line(l.T("draw.record"), ": ", d.ID).Line("seedHash: ", d.SeedHash).Line("listHash: ", d.ListHash).Line("seed: ", d.Seed).
		Line().T("signoff").T("team", b.ShopName)
}
