package message

import (
	"html"
	"net/url"
	"strings"
)

// markup is trusted HTML. It is unexported on purpose: another package can only pass an
// untyped string constant where a markup is wanted, never a variable, so data from an event
// cannot reach the page without going through Text, Attr or URL, which escape it. (Emails
// are rendered with this writer rather than html/template because html/template's use of
// reflection keeps every method of the AWS SDK clients in a function's binary: +5 MB.)
type markup string

// HTML writes an email's HTML part.
type HTML struct {
	b     strings.Builder
	L     Locale
	track func(string) string
}

// Tag writes trusted markup: a constant in the caller's source.
func (h *HTML) Tag(m markup) *HTML { h.b.WriteString(string(m)); return h }

// Text writes s as text, escaped.
func (h *HTML) Text(s string) *HTML { h.b.WriteString(html.EscapeString(s)); return h }

// Attr writes s as (part of) a quoted attribute value, escaped.
func (h *HTML) Attr(s string) *HTML { return h.Text(s) }

// URL writes u as an attribute value if it is an absolute http(s) or mailto URL, else "#".
func (h *HTML) URL(u string) *HTML {
	p, err := url.Parse(u)
	if err != nil || !(p.Scheme == "https" || p.Scheme == "http" || p.Scheme == "mailto") {
		return h.Tag("#")
	}
	return h.Text(p.String())
}

// Link writes u as the href of a link the reader may click: through the send's click
// tracking when it has one (see Tracking), then as URL does.
func (h *HTML) Link(u string) *HTML {
	if h.track != nil {
		u = h.track(u)
	}
	return h.URL(u)
}

// Start writes the side text starts on ("left" or "right"), for inline styles.
func (h *HTML) Start() *HTML { return h.Text(h.L.Start()) }

// End writes the side opposite Start.
func (h *HTML) End() *HTML { return h.Text(h.L.End()) }

// Dir writes the text direction, "ltr" or "rtl".
func (h *HTML) Dir() *HTML { return h.Text(h.L.Dir) }

// T writes a translated sentence, escaped.
func (h *HTML) T(key string, args ...any) *HTML { return h.Text(h.L.T(key, args...)) }

// String returns what was written.
func (h *HTML) String() string { return h.b.String() }

// Text writes an email's plain-text part, line by line.
type Text struct {
	b strings.Builder
	L Locale
}

// Line writes the strings and ends the line.
func (t *Text) Line(parts ...string) *Text {
	for _, p := range parts {
		t.b.WriteString(p)
	}
	t.b.WriteByte('\n')
	return t
}

// T writes a translated sentence as a line.
func (t *Text) T(key string, args ...any) *Text { return t.Line(t.L.T(key, args...)) }

// String returns what was written.
func (t *Text) String() string { return t.b.String() }
