// Package render renders the emails customers receive: an HTML part (a responsive, single
// column layout that works in phone and desktop mail clients, right-to-left for Persian) and a
// plain-text part; and the public pages (see Page). The HTML is written with templ
// (layout.templ and the templates next to each view): every piece of data is escaped by
// context, links go through URL, and HTML written at run time enters only as markdown.Safe
// (package render/markdown).
package render

import (
	"context"
	"strings"

	"github.com/a-h/templ"
)

// Brand is the sender as every email shows it.
type Brand struct {
	ShopName      string
	ShopURL       string
	SenderName    string
	PostalAddress string
	// LogoURL, when set (https), is shown in the header instead of the shop's name, which
	// stays as its alt text.
	LogoURL string
	// Color, when set (#rrggbb), is the colour of buttons, and of links when it reads on
	// white; "" keeps DefaultBrandColor. See Roles.
	Color string
}

// Content is one kind of email: what it says inside the common layout.
type Content interface {
	Subject(l Locale, b Brand) string
	// Preheader is the line mail clients show after the subject in the inbox.
	Preheader(l Locale) string
	// Why tells the reader why they received the email (shown in the footer).
	Why(l Locale, b Brand) string
	// Body is the HTML part between the shop's name and the footer.
	Body(e Email) templ.Component
	// WriteText writes the plain-text part between the shop's name and the footer.
	WriteText(t *Text, b Brand)
}

// Tracking is what an email of one send links to besides its content. The zero value adds
// nothing: no tracking, and no unsubscribe links (a transactional email).
type Tracking struct {
	// Link turns a URL the reader may click into its tracked form (see Email.Link).
	Link func(url string) string
	// Pixel is the open-tracking image; Honeypot a link no human can see or click, which
	// tells link scanners apart from readers.
	Pixel, Honeypot string
	// Unsubscribe and Preferences are shown in the footer of marketing email.
	Unsubscribe, Preferences string
}

// Rendered is an email's subject and its two bodies.
type Rendered struct {
	Subject string
	HTML    string
	Text    string
}

// Render lays out c for the locale, with the send's links.
func Render(c Content, b Brand, l Locale, t Tracking) Rendered {
	subject := strings.Join(strings.Fields(c.Subject(l, b)), " ")
	return Rendered{Subject: subject, HTML: layoutHTML(c, b, l, t, subject), Text: layoutText(c, b, l, t)}
}

// layoutHTML renders the email layout (layout.templ) around the content's body.
func layoutHTML(c Content, b Brand, l Locale, t Tracking, subject string) string {
	e := Email{L: l, Brand: b, track: t.Link, styles: b.styles()}
	return toString(emailLayout(c, e, t, subject))
}

// toString renders a component to a string. Rendering into memory cannot fail: the templates
// call nothing that returns an error and the context is never cancelled, so an error is a
// defect in a template.
func toString(c templ.Component) string {
	var sb strings.Builder
	if err := c.Render(context.Background(), &sb); err != nil {
		panic("render: " + err.Error())
	}
	return sb.String()
}

func layoutText(c Content, b Brand, l Locale, tr Tracking) string {
	t := &Text{L: l}
	t.Line(b.ShopName).Line()
	c.WriteText(t, b)
	t.Line().Line("--").Line(c.Why(l, b)).Line(b.SenderName, " · ", b.PostalAddress).Line(l.T("visit", b.ShopName), ": ", b.ShopURL)
	if tr.Unsubscribe != "" {
		t.Line(l.T("footer.unsubscribe"), ": ", tr.Unsubscribe).Line(l.T("footer.preferences"), ": ", tr.Preferences)
	}
	return t.String()
}
