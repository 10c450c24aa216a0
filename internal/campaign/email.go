package campaign

import (
	"fmt"
	"math/big"

	"github.com/a-h/templ"

	"shopmail/internal/calendar"
	"shopmail/internal/email"
	"shopmail/internal/money"
	"shopmail/internal/render"
	"shopmail/internal/render/markdown"
)

// Links are the links of one send to one contact: its click tracking, open pixel,
// unsubscribe and preference-centre links (render.Tracking), and the List-Unsubscribe
// headers. *links.Send is one.
type Links interface {
	Tracking(topic string) render.Tracking
	Headers(topic string) []email.Header
}

// Recipient is who one email goes to, and from whom.
type Recipient struct {
	Email     string
	FirstName string
	Locale    string // BCP 47, e.g. "fa-IR"; picks the content (ContentFor) and the calendar
	Timezone  string // IANA, e.g. "Asia/Tehran"; the sale's window is shown in it
	// Links are the send's links, bound to the contact and the send.
	Links Links
	// Greeting is what a card campaign's email says to this recipient (nil for a sale).
	Greeting *Greeting
	// Shop is the sender as the email shows it (its postal address in the footer); From
	// the address it is sent from.
	Shop render.Brand
	From email.Address
}

// Render builds the campaign's email to r: the content of r's language (English when the
// campaign has none), with the sale's products, prices, savings and gifts, the coupon, the
// button and the marketer's Markdown, every link tracked, the marketing footer and the
// one-click unsubscribe headers of the campaign's topic. Render does not Check the campaign;
// it fails only when the message cannot be sent as it is (a subject with a line break).
func Render(c Campaign, r Recipient) (email.Message, error) {
	topic := c.topic()
	var content render.Content
	var loc render.Locale
	if c.Card != nil {
		if r.Greeting == nil || len(r.Greeting.Occasions) == 0 {
			return email.Message{}, fmt.Errorf("render campaign %s: a card greets at least one occasion of the recipient's", c.ID)
		}
		day, err := calendar.ParseDate(c.Card.Date)
		if err != nil {
			return email.Message{}, fmt.Errorf("render campaign %s: card date: %w", c.ID, err)
		}
		loc = render.LocaleFor(r.Locale, r.Timezone) // a card is written in every language the catalog has
		content = cardView{day: day, greeting: *r.Greeting, lang: loc.Lang, firstName: r.FirstName, topic: topic, shop: r.Shop.ShopName}
	} else {
		written, lang := c.ContentFor(r.Locale)
		tag := r.Locale
		if money.Language(tag) != lang {
			tag = lang // English content is written in English, whatever the contact's language
		}
		loc = render.LocaleFor(tag, r.Timezone)
		content = view{c: c, content: written, lang: lang, firstName: r.FirstName, topic: topic}
	}
	out := render.Render(content, r.Shop, loc, r.Links.Tracking(topic))
	msg := email.Message{
		From:     r.From,
		To:       email.Address{Name: r.FirstName, Email: r.Email},
		Subject:  out.Subject,
		Headers:  r.Links.Headers(topic),
		Text:     out.Text,
		HTML:     out.HTML,
		Language: loc.Tag,
	}
	if err := msg.Validate(); err != nil {
		return email.Message{}, fmt.Errorf("render campaign %s: %w", c.ID, err)
	}
	return msg, nil
}

// view is the campaign as one contact reads it. It is a render.Content.
type view struct {
	c         Campaign
	content   Content
	lang      string // of the content: texts by language are picked in it
	firstName string
	topic     string
}

// Subject implements render.Content.
func (v view) Subject(render.Locale, render.Brand) string { return v.content.Subject }

// Preheader implements render.Content. Without one the headline is shown, not the first
// words of the email (the shop's name).
func (v view) Preheader(render.Locale) string {
	if v.content.Preheader == "" {
		return v.content.Headline
	}
	return v.content.Preheader
}

// Why implements render.Content.
func (v view) Why(l render.Locale, b render.Brand) string {
	return l.T("campaign.why", l.T("topic."+v.topic), b.ShopName)
}

// Body implements render.Content (email.templ).
func (v view) Body(e render.Email) templ.Component { return body(v, e) }

// markdown is the marketer's body, sanitised, with its https links tracked like every other.
func (v view) markdown(e render.Email) markdown.Safe {
	return markdown.TrackedHTML(v.content.Body, func(u string) string { return string(e.Link(u)) })
}

func (v view) reason() string {
	if v.c.Sale == nil {
		return ""
	}
	return text(v.c.Sale.Reason, v.lang)
}

// products are the sale's products as the email lists them.
func (v view) products() []item {
	if v.c.Sale == nil {
		return nil
	}
	out := make([]item, len(v.c.Sale.Products))
	for i, p := range v.c.Sale.Products {
		out[i] = item{Product: p, name: text(p.Name, v.lang)}
		out[i].saving, out[i].percent, out[i].saves = p.saving()
		if p.FreeGift != nil {
			out[i].gift = text(p.FreeGift.Name, v.lang)
		}
	}
	return out
}

// item is a product with its texts in the reader's language and its saving.
type item struct {
	Product
	name, gift string
	saving     money.Decimal
	percent    int64
	saves      bool // the sale price is below the regular one (Check requires it)
}

// saving is how much the sale takes off the regular price, and that as a whole percentage
// rounded down (a sale of 33.4% is "33%": never promise more than it is).
func (p Product) saving() (money.Decimal, int64, bool) {
	if p.SalePrice.Cmp(p.RegularPrice) >= 0 || p.RegularPrice.Sign() <= 0 {
		return money.Decimal{}, 0, false
	}
	neg, err := p.SalePrice.Mul(-1)
	if err != nil {
		return money.Decimal{}, 0, false
	}
	off, err := p.RegularPrice.Add(neg)
	if err != nil {
		return money.Decimal{}, 0, false
	}
	// Exact: both amounts as rationals, from their decimal text.
	o, ok1 := new(big.Rat).SetString(off.String())
	r, ok2 := new(big.Rat).SetString(p.RegularPrice.String())
	if !ok1 || !ok2 {
		return off, 0, true
	}
	q := new(big.Rat).Quo(new(big.Rat).Mul(o, big.NewRat(100, 1)), r)
	return off, new(big.Int).Quo(q.Num(), q.Denom()).Int64(), true // both positive: Quo rounds down
}

func (v view) cta() (label, url string) {
	if v.c.CTA != nil {
		return text(v.c.CTA.Label, v.lang), v.c.CTA.URL
	}
	return "", ""
}

// WriteText implements render.Content: the same content as the HTML part, the Markdown as
// written (it is meant to read as plain text), and links as their destinations.
func (v view) WriteText(t *render.Text, b render.Brand) {
	l := t.L
	t.Line(l.Hello(v.firstName)).Line().Line(v.content.Headline)
	if r := v.reason(); r != "" {
		t.Line(r)
	}
	if s := v.c.Sale; s != nil {
		t.T("sale.window", l.DateTime(s.StartsAt), l.DateTime(s.EndsAt))
	}
	if v.content.Body != "" {
		t.Line().Line(v.content.Body)
	}
	for _, p := range v.products() {
		t.Line()
		price := l.Money(p.SalePrice, p.Currency)
		if p.saves {
			price += " (" + l.T("order.was", l.Money(p.RegularPrice, p.Currency)) + ")"
		}
		t.Line("- ", p.name, ": ", price)
		if p.saves {
			t.Line("  ", l.T("sale.save", l.Money(p.saving, p.Currency), l.Percent(p.percent)))
		}
		if p.FreeGift != nil {
			t.Line("  ", l.T("sale.gift", l.Money(p.FreeGift.Value, p.Currency), p.gift))
		}
		if p.URL != "" {
			t.Line("  ", p.URL)
		}
	}
	if s := v.c.Sale; s != nil && s.Coupon != nil {
		t.Line().Line(l.T("sale.coupon"), " ", s.Coupon.Code)
	}
	if label, url := v.cta(); url != "" {
		t.Line().Line(label, ": ", url)
	} else {
		t.Line().Line(l.T("shop.now"), ": ", b.ShopURL)
	}
}

// pad is the rest of a product's details cell padding after its top ("12px "): a gap on
// the side of the image, which is the start side of the reading direction.
func pad(image bool, l render.Locale) string {
	switch {
	case !image:
		return "0"
	case l.Dir == "rtl":
		return "16px 12px 0"
	}
	return "0 12px 16px"
}
