package campaign

import (
	"strings"

	"github.com/a-h/templ"

	"shopmail/internal/calendar"
	"shopmail/internal/render"
)

// cardView is a greeting card as one contact reads it: the day's first occasion that applies
// to them sets the design (their birthday before any other), further ones are greeted in a
// line each, then the message, the offer and the button. It is a render.Content.
type cardView struct {
	day       calendar.Date
	greeting  Greeting
	lang      string
	firstName string
	topic     string
	shop      string // the shop's name, for the generic design's line
}

// design is how each card design looks: a decorative colour stripe (no text is set on it, so
// it needs no dark-scheme pair) and a symbol, hidden from screen readers.
var designs = map[string]struct{ accent, symbol string }{
	DesignBirthday:    {"#e11d48", "🎂"},
	DesignNowruz:      {"#16a34a", "🌱"},
	DesignYalda:       {"#b91c1c", "🍉"},
	DesignNewYear:     {"#7c3aed", "🎆"},
	DesignMothersDay:  {"#db2777", "💐"},
	DesignBlackFriday: {"#f59e0b", "🛍️"},
	DesignGeneric:     {"#0d9488", "✨"},
}

func (v cardView) first() CardOccasion { return v.greeting.Occasions[0] }

func (v cardView) design() string {
	if _, ok := designs[v.first().Design]; ok {
		return v.first().Design
	}
	return DesignGeneric
}

func (v cardView) accent() string { return designs[v.design()].accent }
func (v cardView) symbol() string { return designs[v.design()].symbol }

// title is the card's heading: the design's greeting, by first name when there is one.
func (v cardView) title(l render.Locale) string {
	key := "card." + v.design() + ".title"
	var args []any
	if v.firstName == "" {
		key += ".anon"
	} else {
		args = append(args, v.firstName)
	}
	if v.design() == DesignGeneric {
		args = append(args, text(v.first().Name, v.lang)) // "Happy Valentine's Day"
	}
	return l.T(key, args...)
}

// also are the lines greeting the day's further occasions.
func (v cardView) also(l render.Locale) []string {
	var out []string
	for _, o := range v.greeting.Occasions[1:] {
		out = append(out, l.T("card.also", text(o.Name, v.lang)))
	}
	return out
}

// line is the marketer's message of the first occasion, else the design's own line.
func (v cardView) line(l render.Locale) string {
	if m := text(v.first().Message, v.lang); m != "" {
		return m
	}
	if v.design() == DesignGeneric {
		return l.T("card.generic.line", v.shop)
	}
	return l.T("card." + v.design() + ".line")
}

// offer is the first offer of the greeted occasions (the coupon issued is that offer's).
func (v cardView) offer() *Offer {
	for _, o := range v.greeting.Occasions {
		if o.Offer != nil {
			return o.Offer
		}
	}
	return nil
}

func (v cardView) offerText() string {
	if of := v.offer(); of != nil {
		return text(of.Text, v.lang)
	}
	return ""
}

// cta is the card's button: the offer's link, else the shop.
func (v cardView) cta(b render.Brand, l render.Locale) (label, url string) {
	if of := v.offer(); of != nil && of.Link != nil {
		return text(of.Link.Label, v.lang), of.Link.URL
	}
	return l.T("shop.now"), b.ShopURL
}

// Subject implements render.Content: the card's title, and its further occasions.
func (v cardView) Subject(l render.Locale, _ render.Brand) string {
	return strings.Join(append([]string{v.title(l)}, v.also(l)...), " ")
}

// Preheader implements render.Content: the offer, else the card's line.
func (v cardView) Preheader(l render.Locale) string {
	if t := v.offerText(); t != "" {
		return t
	}
	return v.line(l)
}

// Why implements render.Content.
func (v cardView) Why(l render.Locale, b render.Brand) string {
	return l.T("campaign.why", l.T("topic."+v.topic), b.ShopName)
}

// Body implements render.Content (card.templ).
func (v cardView) Body(e render.Email) templ.Component { return cardBody(v, e) }

// WriteText implements render.Content: the card's words, the offer and the link.
func (v cardView) WriteText(t *render.Text, b render.Brand) {
	l := t.L
	t.Line(v.title(l)).Line(l.Day(v.day))
	for _, a := range v.also(l) {
		t.Line(a)
	}
	t.Line().Line(v.line(l))
	if s := v.offerText(); s != "" {
		t.Line().Line(l.T("card.offer"), ": ", s)
	}
	if c := v.greeting.Coupon; c != nil {
		t.Line(l.T("sale.coupon"), " ", c.Code)
		t.Line(l.T("card.coupon.expires", l.Date(c.ExpiresAt)))
	}
	label, url := v.cta(b, l)
	t.Line().Line(label, ": ", url)
}

// expires is when the coupon issued runs out, in the reader's calendar.
func (v cardView) expires(l render.Locale) string {
	if c := v.greeting.Coupon; c != nil {
		return l.T("card.coupon.expires", l.Date(c.ExpiresAt))
	}
	return ""
}
