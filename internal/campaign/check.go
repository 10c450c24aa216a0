package campaign

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"shopmail/internal/ascii"
	"shopmail/internal/contact"
	"shopmail/internal/email"
	"shopmail/internal/money"
	"shopmail/internal/render/markdown"
)

// Limits of a campaign.
const (
	MaxProducts     = 20
	MaxSubject      = 200 // characters
	MaxPreheader    = 250 // characters
	MaxName         = 200 // characters, of the campaign's name
	MaxCouponLength = 64
)

// validLang reports whether lang is a key of a text by language: a primary language subtag,
// as ContentFor looks it up ("fa" for a contact of "fa-IR"), `^[a-z]{2,3}$`. (A loop rather
// than a regular expression compiled at every function's start.)
func validLang(lang string) bool { return ascii.All(lang, 2, 3, ascii.Lower) }

// Check reports every reason the campaign may not be scheduled or sent at now, at once, as a
// *FieldError by JSON path: prices that are no sale, a sale that is over, links a reader
// should not be sent to, content missing for the fallback language, subjects that would
// break a header or read as something else. It is run when the campaign is scheduled and
// again when it is sent.
func (c Campaign) Check(now time.Time) error {
	fe := problems()
	switch {
	case strings.TrimSpace(c.Name) == "":
		fe.Add("name", "is required")
	case utf8.RuneCountInString(c.Name) > MaxName:
		fe.Add("name", fmt.Sprintf("must be at most %d characters", MaxName))
	default:
		if err := email.CheckText(c.Name); err != nil {
			fe.Add("name", err.Error())
		}
	}
	if !slices.Contains(contact.CampaignTopics, c.topic()) {
		fe.Add("topic", "must be one of "+strings.Join(contact.CampaignTopics, ", "))
	}
	if c.Card != nil {
		c.Card.check(fe)
		return fe.Err()
	}
	switch {
	case c.Segment.ID == "" && len(c.Segment.Rule) == 0:
		fe.Add("segment", "is required: a segment id or a rule")
	case c.Segment.ID != "" && len(c.Segment.Rule) > 0:
		fe.Add("segment", "give a segment id or a rule, not both")
	}
	c.checkContent(fe)
	c.checkTests(fe)
	if c.Sale != nil {
		c.Sale.check(fe, now)
	}
	if c.CTA != nil {
		checkTexts(fe, "cta.label", c.CTA.Label)
		checkURL(fe, "cta.url", c.CTA.URL, true)
	}
	return fe.Err()
}

// checkTests checks the variants, the holdout and the reminder.
func (c Campaign) checkTests(fe *FieldError) {
	switch n := len(c.Variants); {
	case n == 1:
		fe.Add("variants", "an A/B test needs at least 2 variants")
	case n > MaxVariants:
		fe.Add("variants", fmt.Sprintf("must be at most %d variants", MaxVariants))
	}
	for i, v := range c.Variants {
		p := index("variants", i)
		checkTexts(fe, p+".subject", v.Subject)
		for lang, s := range v.Subject {
			if why := headerText(s, MaxSubject); why != "" && validLang(lang) {
				fe.Add(p+".subject."+lang, why)
			}
		}
		for lang := range v.Content {
			if _, ok := c.Content[lang]; !ok {
				fe.Add(p+".content."+lang, "the campaign has no content in this language to vary")
			}
		}
		(Campaign{Content: v.Content}).checkContentOf(fe, p+".content")
	}
	if t := c.VariantTest; t != nil {
		if len(c.Variants) == 0 {
			fe.Add("variantTest", "needs variants")
		}
		if t.Percent < 0 || t.Percent > 100 {
			fe.Add("variantTest.percent", "must be between 1 and 100")
		}
		if t.WaitHours < 0 || t.WaitHours > 72 {
			fe.Add("variantTest.waitHours", "must be between 1 and 72")
		}
	}
	if c.HoldoutPercent < 0 || c.HoldoutPercent > MaxHoldoutPercent {
		fe.Add("holdoutPercent", fmt.Sprintf("must be between 0 and %d", MaxHoldoutPercent))
	}
	if r := c.Reminder; r != nil {
		if r.When != ReminderAtStart && r.When != ReminderOnLastDay {
			fe.Add("reminder.when", `must be "start" or "lastDay"`)
		}
		if c.Sale == nil {
			fe.Add("reminder", "needs a sale: it is sent at the sale's start or on its last day")
		}
		checkTexts(fe, "reminder.subject", r.Subject)
		for lang, s := range r.Subject {
			if why := headerText(s, MaxSubject); why != "" && validLang(lang) {
				fe.Add("reminder.subject."+lang, why)
			}
		}
	}
}

func (c Campaign) checkContent(fe *FieldError) {
	if _, ok := c.Content[Fallback]; !ok {
		fe.Add("content."+Fallback, "is required: it is what contacts of other languages receive")
	}
	c.checkContentOf(fe, "content")
}

func (c Campaign) checkContentOf(fe *FieldError, path string) {
	for lang, v := range c.Content {
		p := path + "." + lang
		if !validLang(lang) {
			fe.Add(p, "must be a language subtag in lower case, e.g. en or fa")
			continue
		}
		if strings.TrimSpace(v.Subject) == "" {
			fe.Add(p+".subject", "is required")
		} else if why := headerText(v.Subject, MaxSubject); why != "" {
			fe.Add(p+".subject", why)
		}
		if why := headerText(v.Preheader, MaxPreheader); why != "" {
			fe.Add(p+".preheader", why)
		}
		if strings.TrimSpace(v.Headline) == "" {
			fe.Add(p+".headline", "is required")
		}
		for _, u := range markdown.Links(v.Body) {
			if !isHTTPS(u) && !isMailto(u) {
				fe.Add(p+".body", fmt.Sprintf("link %q: must be an absolute https or mailto URL", u))
				break
			}
		}
	}
}

// headerText reports why s cannot be a subject or preheader: one line, shown in the inbox
// beside the sender. Beyond what package email refuses in a header, tabs go too (a mail
// client shows them as wide gaps or not at all), and so does "=?", which mail programs would
// decode as an encoded word.
func headerText(s string, limit int) string {
	if strings.ContainsRune(s, '\t') {
		return "contains the control character U+0009"
	}
	if err := email.CheckDisplayText(s); err != nil {
		return err.Error()
	}
	if n := utf8.RuneCountInString(s); n > limit {
		return fmt.Sprintf("must be at most %d characters, not %d", limit, n)
	}
	return ""
}

func (s *Sale) check(fe *FieldError, now time.Time) {
	if s.Reason != nil {
		checkTexts(fe, "sale.reason", s.Reason)
	}
	switch {
	case s.StartsAt.IsZero():
		fe.Add("sale.startsAt", "is required")
	case s.EndsAt.IsZero():
		fe.Add("sale.endsAt", "is required")
	case !s.EndsAt.After(s.StartsAt):
		fe.Add("sale.endsAt", "must be after startsAt")
	case !s.EndsAt.After(now):
		fe.Add("sale.endsAt", "is past: the sale is over")
	}
	if len(s.Products) > MaxProducts {
		fe.Add("sale.products", fmt.Sprintf("must be at most %d products, not %d", MaxProducts, len(s.Products)))
	}
	for i, p := range s.Products {
		p.check(fe, index("sale.products", i))
	}
	if s.Coupon != nil && !validCoupon(s.Coupon.Code) {
		fe.Add("sale.coupon.code", fmt.Sprintf("must be 1 to %d printable ASCII characters without spaces", MaxCouponLength))
	}
}

// validCoupon reports whether code is a coupon code a customer can type: 1-64 bytes of
// printable ASCII without spaces, `^[!-~]{1,64}$`.
func validCoupon(code string) bool { return ascii.All(code, 1, 64, ascii.Graphic) }

func (p Product) check(fe *FieldError, path string) {
	checkTexts(fe, path+".name", p.Name)
	if p.URL != "" {
		checkURL(fe, path+".url", p.URL, false)
	}
	if p.ImageURL != "" {
		checkURL(fe, path+".imageUrl", p.ImageURL, false)
	}
	if !money.ValidCurrency(p.Currency) {
		fe.Add(path+".currency", "must be an ISO 4217 code, e.g. USD")
		return // the amounts' decimals depend on it
	}
	units := money.MinorUnits(p.Currency)
	checkAmount(fe, path+".regularPrice", p.RegularPrice, units)
	checkAmount(fe, path+".salePrice", p.SalePrice, units)
	switch {
	case p.SalePrice.Sign() < 0:
		fe.Add(path+".salePrice", "must not be negative")
	case p.SalePrice.Cmp(p.RegularPrice) >= 0:
		fe.Add(path+".salePrice", "must be below regularPrice: it is no sale otherwise")
	}
	if g := p.FreeGift; g != nil {
		checkTexts(fe, path+".freeGift.name", g.Name)
		checkAmount(fe, path+".freeGift.value", g.Value, units)
		if g.Value.Sign() <= 0 {
			fe.Add(path+".freeGift.value", "must be above zero")
		}
	}
}

// checkAmount refuses an amount written with more decimals than its currency has (19.999
// dollars, 1000.5 toman): no shop can charge it, and the email would show it rounded.
func checkAmount(fe *FieldError, path string, d money.Decimal, units int) {
	if d.Round(units).String() != d.String() {
		fe.Add(path, fmt.Sprintf("must have at most %d decimals in this currency", units))
	}
}

// checkTexts checks a text by language: the fallback's is required, every one must show as
// one line.
func checkTexts(fe *FieldError, path string, m map[string]string) {
	if strings.TrimSpace(m[Fallback]) == "" {
		fe.Add(join(path, Fallback), "is required")
	}
	for lang, v := range m {
		if !validLang(lang) {
			fe.Add(join(path, lang), "must be a language subtag in lower case, e.g. en or fa")
		} else if err := email.CheckText(v); err != nil {
			fe.Add(join(path, lang), err.Error())
		}
	}
}

// checkURL requires an absolute https URL (required: also a present one).
func checkURL(fe *FieldError, path, u string, required bool) {
	switch {
	case u == "" && required:
		fe.Add(path, "is required")
	case !isHTTPS(u):
		fe.Add(path, "must be an absolute https URL")
	}
}

// isHTTPS: an absolute https URL with a host and no user info (which would make
// "https://shop.example@evil.example" look like the shop's).
func isHTTPS(u string) bool {
	p, err := url.Parse(u)
	return err == nil && p.Scheme == "https" && p.Host != "" && p.User == nil && !strings.ContainsAny(u, " \t\r\n")
}

func isMailto(u string) bool {
	p, err := url.Parse(u)
	return err == nil && p.Scheme == "mailto" && p.Opaque != ""
}
