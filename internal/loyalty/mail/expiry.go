package mail

import (
	"context"
	"fmt"
	"time"

	"github.com/a-h/templ"

	"shopmail/internal/contact"
	"shopmail/internal/email"
	"shopmail/internal/render"
	"shopmail/internal/send"
)

// ExpiryKind is the send kind and SES tag of the reminder before points expire.
const ExpiryKind = "points-expiry"

// Remind tells a customer that their points expire at (loyalty.Sweep's Remind): once per
// expiry date, unless their address is suppressed.
func (n *Mailer) Remind(ctx context.Context, c *contact.Contact, points int64, at time.Time) error {
	rec := send.Record{Key: ExpiryKind + "#" + at.UTC().Format("2006-01-02"), ContactID: c.ID, Kind: ExpiryKind, To: c.Email}
	if reason, err := n.Gate.Check(ctx, c, ""); err != nil || reason != "" {
		if err == nil {
			_, err = n.Sender.Skip(ctx, rec, reason)
		}
		return err
	}
	now := n.Now()
	loc := render.LocaleFor(c.Locale, c.Timezone)
	l := n.Config.Links.For(c.ID, rec.Key, now)
	r := render.Render(ExpiryEmail{FirstName: c.FirstName, Points: points, At: at}, n.Config.Brand, loc, l.Tracking(""))
	rec.Links, rec.ExpiresAt = l.URLs(), now.Add(n.Config.Links.Tracking)
	msg := email.Message{From: n.Config.From, To: email.Address{Name: c.FirstName, Email: c.Email}, Subject: r.Subject,
		Text: r.Text, HTML: r.HTML, Date: now, Language: loc.Tag}
	if _, err := n.Sender.Send(ctx, rec, msg, []send.Tag{{Name: "kind", Value: ExpiryKind}, {Name: "contact", Value: send.TagValue(c.ID)}}); err != nil {
		return fmt.Errorf("send %s: %w", rec.Key, err)
	}
	return nil
}

// ExpiryEmail reminds a customer that their points expire. It is a render.Content.
type ExpiryEmail struct {
	FirstName string
	Points    int64
	At        time.Time
}

// Subject implements render.Content.
func (v ExpiryEmail) Subject(l render.Locale, b render.Brand) string {
	return l.T("expiry.subject", v.Points, b.ShopName)
}

// Preheader implements render.Content.
func (v ExpiryEmail) Preheader(l render.Locale) string { return l.T("expiry.preheader", l.Date(v.At)) }

// Why implements render.Content.
func (v ExpiryEmail) Why(l render.Locale, b render.Brand) string {
	return l.T("footer.why.points", b.ShopName)
}

// Body implements render.Content (expiry.templ).
func (v ExpiryEmail) Body(e render.Email) templ.Component { return expiryBody(v, e) }

// WriteText implements render.Content.
func (v ExpiryEmail) WriteText(t *render.Text, b render.Brand) {
	l := t.L
	t.Line(l.Hello(v.FirstName)).Line().T("expiry.body", v.Points, l.Date(v.At)).Line().
		Line(l.T("shop.now"), ": ", b.ShopURL).Line().T("signoff").T("team", b.ShopName)
}
