package render

import (
	"net/url"

	"github.com/a-h/templ"
)

// URL is u as a link or image address if it is an absolute http(s) or mailto URL, else "#".
// It is the one way a template turns a string into a templ.SafeURL: templ would sanitise a
// plain string too, but this rule is narrower (no relative URLs, no other schemes) and the
// same in every email and page.
func URL(u string) templ.SafeURL {
	p, err := url.Parse(u)
	if err != nil || !(p.Scheme == "https" || p.Scheme == "http" || p.Scheme == "mailto") {
		return "#"
	}
	return templ.SafeURL(p.String())
}

// Email is what the body of an email is rendered with: its locale, the sender, and the send's
// click tracking.
type Email struct {
	L      Locale
	Brand  Brand
	track  func(string) string
	styles map[string]string // Paint's answer per role, worked out once per email (Brand.styles)
}

// Link is the href of a link the reader may click: through the send's click tracking when it
// has one (see Tracking), then as URL.
func (e Email) Link(u string) templ.SafeURL {
	if e.track != nil {
		u = e.track(u)
	}
	return URL(u)
}
