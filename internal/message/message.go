// Package message renders the emails customers receive: an HTML part (a responsive, single
// column layout that works in phone and desktop mail clients, right-to-left for Persian) and a
// plain-text part, from templates that escape every piece of data they show.
package message

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

//go:embed templates
var files embed.FS

// Brand is the sender as every email shows it.
type Brand struct {
	ShopName      string
	ShopURL       string
	SenderName    string
	PostalAddress string
}

// Page is what a template executes on: the brand, the locale, and the kind's own data.
type Page struct {
	Brand   Brand
	L       Locale
	Data    any
	Subject string // set by Render from the kind's "subject" template
}

// Rendered is an email's subject and its two bodies.
type Rendered struct {
	Subject string
	HTML    string
	Text    string
}

// Renderer holds the parsed templates of every kind of email. Parsing happens once, at start.
type Renderer struct {
	html map[string]*htmltemplate.Template
	text map[string]*texttemplate.Template
}

// Kinds of email that have templates.
var kinds = []string{"thankyou"}

// NewRenderer parses the templates of every kind.
func NewRenderer() (*Renderer, error) {
	layout, err := htmltemplate.ParseFS(files, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	r := &Renderer{html: map[string]*htmltemplate.Template{}, text: map[string]*texttemplate.Template{}}
	for _, k := range kinds {
		h, err := htmltemplate.Must(layout.Clone()).ParseFS(files, "templates/"+k+".html")
		if err != nil {
			return nil, fmt.Errorf("parse %s html: %w", k, err)
		}
		t, err := texttemplate.ParseFS(files, "templates/layout.txt", "templates/"+k+".txt")
		if err != nil {
			return nil, fmt.Errorf("parse %s text: %w", k, err)
		}
		r.html[k], r.text[k] = h, t
	}
	return r, nil
}

// Render renders an email of the given kind. The kind's templates define "subject",
// "content" (HTML) and "text".
func (r *Renderer) Render(kind string, p Page) (Rendered, error) {
	h, t := r.html[kind], r.text[kind]
	if h == nil || t == nil {
		return Rendered{}, fmt.Errorf("render %s: no such kind of email", kind)
	}
	var subject, html, text bytes.Buffer
	if err := t.ExecuteTemplate(&subject, "subject", p); err != nil {
		return Rendered{}, fmt.Errorf("render %s subject: %w", kind, err)
	}
	p.Subject = strings.Join(strings.Fields(subject.String()), " ")
	if err := h.ExecuteTemplate(&html, "layout", p); err != nil {
		return Rendered{}, fmt.Errorf("render %s html: %w", kind, err)
	}
	if err := t.ExecuteTemplate(&text, "layout", p); err != nil {
		return Rendered{}, fmt.Errorf("render %s text: %w", kind, err)
	}
	return Rendered{
		Subject: p.Subject,
		HTML:    html.String(),
		Text:    tidy(text.String()),
	}, nil
}

// tidy trims trailing spaces and collapses runs of blank lines that template actions leave in
// the plain-text part.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := true
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" && blank {
			continue
		}
		blank = l == ""
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n")) + "\n"
}
