package order

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"shopmail/internal/ascii"
	"shopmail/internal/email"
	"shopmail/internal/fault"
	"shopmail/internal/money"
)

// Limits on what an order event may carry. EventBridge caps an event at 256 KB, so these only
// bound what a single field can do to an email.
const (
	maxIDLen   = 128
	maxNameLen = 100
	maxTextLen = 300
	maxURLLen  = 2048
	maxItems   = 5000
	maxQty     = 1_000_000
)

// wire is the JSON shape of the `Order Placed` detail. Pointers tell "absent" from "empty".
// Unknown fields are ignored, as the contract says.
type wire struct {
	OrderID      *string        `json:"orderId"`
	PlacedAt     *string        `json:"placedAt"`
	Currency     *string        `json:"currency"`
	Total        *money.Decimal `json:"total"`
	Customer     *wireCustomer  `json:"customer"`
	Items        []wireItem     `json:"items"`
	CouponCode   *string        `json:"couponCode"`
	ReferralCode *string        `json:"referralCode"`
	OrderURL     *string        `json:"orderUrl"`
	Subtotal     *money.Decimal `json:"subtotal"`
	Shipping     *money.Decimal `json:"shipping"`
	Discount     *money.Decimal `json:"discount"`
	Tax          *money.Decimal `json:"tax"`
	Address      *wireAddress   `json:"shippingAddress"`
	CartID       *string        `json:"cartId"`
}

type wireAddress struct {
	Line1      *string `json:"line1"`
	Line2      *string `json:"line2"`
	City       *string `json:"city"`
	PostalCode *string `json:"postalCode"`
	Country    *string `json:"country"`
}

type wireCustomer struct {
	ID               *string `json:"id"`
	Email            *string `json:"email"`
	FirstName        *string `json:"firstName"`
	LastName         *string `json:"lastName"`
	Locale           *string `json:"locale"`
	Timezone         *string `json:"timezone"`
	Birthday         *string `json:"birthday"`
	MarketingConsent *bool   `json:"marketingConsent"`
}

type wireItem struct {
	SKU          *string        `json:"sku"`
	Name         *string        `json:"name"`
	Category     *string        `json:"category"`
	Quantity     *int64         `json:"quantity"`
	UnitPrice    *money.Decimal `json:"unitPrice"`
	RegularPrice *money.Decimal `json:"regularPrice"`
	URL          *string        `json:"url"`
	ImageURL     *string        `json:"imageUrl"`
}

// The shapes of a customer's locale, time zone and coupon codes are checked byte by byte: they
// were regular expressions, compiled at every function's start.

// validLocale is `^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$`: "fa-IR", "fa_IR".
func validLocale(s string) bool { return localeTag.Match(s) }

var localeTag = ascii.Tag{Seps: "-_", First: ascii.Part{Min: 2, Max: 3, Class: ascii.Letter},
	Rest: ascii.Part{Min: 2, Max: 8, Class: ascii.Alnum}, MaxRest: -1}

// validTimezone is `^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$`: "Asia/Tehran",
// "America/Argentina/Buenos_Aires", "Etc/GMT+3".
func validTimezone(s string) bool { return s != "" && ascii.Letter(s[0]) && zoneTag.Match(s) }

var zoneTag = ascii.Tag{Seps: "/", First: ascii.Part{Min: 1, Max: math.MaxInt, Class: zoneByte},
	Rest: ascii.Part{Min: 1, Max: math.MaxInt, Class: zoneByte}, MaxRest: -1}

func zoneByte(c byte) bool { return ascii.Word(c) || c == '+' }

// validCoupon is `^[A-Za-z0-9_\-]{1,64}$`.
func validCoupon(s string) bool { return ascii.All(s, 1, 64, ascii.Word) }

// DecodePlaced decodes and validates the detail of an `Order Placed` event. Every problem
// found is reported in one error of kind fault.ErrInvalid.
func DecodePlaced(detail []byte) (Order, error) {
	var w wire
	if err := json.Unmarshal(detail, &w); err != nil {
		return Order{}, fmt.Errorf("%w order event: malformed JSON: %s", fault.ErrInvalid, jsonProblem(err))
	}
	p := fault.NewProblems("order event")
	o := Order{
		ID:           requiredID(p, "orderId", w.OrderID),
		Currency:     currency(p, w.Currency),
		CouponCode:   code(p, "couponCode", w.CouponCode),
		ReferralCode: code(p, "referralCode", w.ReferralCode),
		URL:          link(w.OrderURL, "https"),
		CartID:       optionalID(p, "cartId", w.CartID),
	}
	o.Subtotal = amount(p, "subtotal", w.Subtotal, o.Currency)
	o.Shipping = amount(p, "shipping", w.Shipping, o.Currency)
	o.Discount = amount(p, "discount", w.Discount, o.Currency)
	o.Tax = amount(p, "tax", w.Tax, o.Currency)
	o.PlacedAt = placedAt(p, w.PlacedAt)
	o.Customer = customer(p, w.Customer)
	o.Items = items(p, w.Items)
	o.Total = total(p, w.Total, o.Items)
	if a := w.Address; a != nil {
		o.Address = Address{Line1: text(p, "shippingAddress.line1", a.Line1), Line2: text(p, "shippingAddress.line2", a.Line2),
			City: text(p, "shippingAddress.city", a.City), PostalCode: text(p, "shippingAddress.postalCode", a.PostalCode),
			Country: text(p, "shippingAddress.country", a.Country)}
	}
	return o, p.Err()
}

func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("%s at byte %d", syn.Error(), syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %s must be %s, not %s", typ.Field, typ.Type, typ.Value)
	}
	return err.Error()
}

func requiredID(p *fault.Problems, field string, v *string) string {
	if v == nil || strings.TrimSpace(*v) == "" {
		p.Add(field, "is required")
		return ""
	}
	s := strings.TrimSpace(*v)
	if len(s) > maxIDLen {
		p.Add(field, "is longer than %d bytes", maxIDLen)
	} else if err := email.CheckText(s); err != nil {
		p.Add(field, "%v", err)
	}
	return s
}

func optionalID(p *fault.Problems, field string, v *string) string {
	if v == nil || *v == "" {
		return ""
	}
	return requiredID(p, field, v)
}

func currency(p *fault.Problems, v *string) string {
	if v == nil || *v == "" {
		p.Add("currency", "is required (ISO 4217 code, e.g. USD)")
		return ""
	}
	c := strings.ToUpper(*v)
	if !money.ValidCurrency(c) {
		p.Add("currency", "%q is not an ISO 4217 code", clip(*v))
	}
	return c
}

func placedAt(p *fault.Problems, v *string) time.Time { return timestamp(p, "placedAt", v) }

func timestamp(p *fault.Problems, field string, v *string) time.Time {
	if v == nil || *v == "" {
		p.Add(field, "is required (RFC 3339 time)")
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, *v)
	if err != nil {
		p.Add(field, "%q is not an RFC 3339 time", clip(*v))
	}
	return t.UTC()
}

func code(p *fault.Problems, field string, v *string) string {
	if v == nil || *v == "" {
		return ""
	}
	if !validCoupon(*v) {
		p.Add(field, "%q must be 1-64 letters, digits, '-' or '_'", clip(*v))
		return ""
	}
	return *v
}

func customer(p *fault.Problems, w *wireCustomer) Customer {
	if w == nil {
		p.Add("customer", "is required")
		return Customer{}
	}
	c := Customer{
		ID:               requiredID(p, "customer.id", w.ID),
		FirstName:        name(p, "customer.firstName", w.FirstName),
		LastName:         name(p, "customer.lastName", w.LastName),
		MarketingConsent: w.MarketingConsent,
	}
	if w.Email == nil || *w.Email == "" {
		p.Add("customer.email", "is required")
	} else if addr, err := email.ParseRecipient(strings.TrimSpace(*w.Email)); err != nil { // kept even when SES cannot send to it: the gate says why
		p.Add("customer.email", "%q is not usable: %v", clip(*w.Email), err)
	} else {
		c.Email = addr
	}
	c.Locale = matching(p, "customer.locale", w.Locale, validLocale, "a BCP 47 language tag such as fa-IR")
	c.Timezone = matching(p, "customer.timezone", w.Timezone, validTimezone, "an IANA time zone such as Asia/Tehran")
	c.Birthday = birthday(p, w.Birthday)
	return c
}

func name(p *fault.Problems, field string, v *string) string {
	if v == nil {
		return ""
	}
	s := strings.TrimSpace(*v)
	if utf8.RuneCountInString(s) > maxNameLen {
		p.Add(field, "is longer than %d characters", maxNameLen)
		return ""
	}
	// Names go into the To header and the subject.
	if err := email.CheckDisplayText(s); err != nil {
		p.Add(field, "%v", err)
		return ""
	}
	return s
}

func matching(p *fault.Problems, field string, v *string, valid func(string) bool, want string) string {
	if v == nil || *v == "" {
		return ""
	}
	if len(*v) > 64 || !valid(*v) {
		p.Add(field, "%q is not %s", clip(*v), want)
		return ""
	}
	return *v
}

func birthday(p *fault.Problems, v *string) string {
	if v == nil || *v == "" {
		return ""
	}
	// Without the year, ISO 8601 writes "--MM-DD" (2000 is a leap year: 29 February is a day).
	v2, noYear := strings.CutPrefix(*v, "--")
	if noYear {
		v2 = "2000-" + v2
	}
	if _, err := time.Parse(time.DateOnly, v2); err != nil || len(v2) != 10 {
		p.Add("customer.birthday", "%q is not a date (YYYY-MM-DD, or --MM-DD without the year)", clip(*v))
		return ""
	}
	return *v
}

func items(p *fault.Problems, ws []wireItem) []Item {
	if len(ws) > maxItems {
		p.Add("items", "has %d items; at most %d are accepted", len(ws), maxItems)
		return nil
	}
	out := make([]Item, 0, len(ws))
	for i, w := range ws {
		out = append(out, item(p, fmt.Sprintf("items[%d]", i), w))
	}
	return out
}

func item(p *fault.Problems, at string, w wireItem) Item {
	it := Item{
		SKU:      requiredID(p, at+".sku", w.SKU),
		Name:     text(p, at+".name", w.Name),
		Category: text(p, at+".category", w.Category),
		URL:      link(w.URL, "http", "https"),
		ImageURL: link(w.ImageURL, "https"),
	}
	if it.Name == "" {
		it.Name = it.SKU
	}
	switch {
	case w.Quantity == nil:
		p.Add(at+".quantity", "is required")
	case *w.Quantity < 1 || *w.Quantity > maxQty:
		p.Add(at+".quantity", "must be between 1 and %d, not %d", maxQty, *w.Quantity)
	default:
		it.Quantity = *w.Quantity
	}
	if w.UnitPrice == nil {
		p.Add(at+".unitPrice", "is required")
	} else if w.UnitPrice.Sign() < 0 {
		p.Add(at+".unitPrice", "must not be negative")
	} else {
		it.UnitPrice = *w.UnitPrice
	}
	if w.RegularPrice != nil && w.RegularPrice.Cmp(it.UnitPrice) > 0 {
		it.RegularPrice = w.RegularPrice
	}
	if _, err := it.LineTotal(); err != nil {
		p.Add(at, "%v", err)
	}
	return it
}

// total is the shop's total when given (it includes shipping, tax and discounts), else the sum
// of the lines.
func total(p *fault.Problems, given *money.Decimal, items []Item) money.Decimal {
	if given != nil {
		if given.Sign() < 0 {
			p.Add("total", "must not be negative")
		}
		return *given
	}
	sum := money.NewFromInt(0)
	for _, it := range items {
		line, err := it.LineTotal()
		if err == nil {
			sum, err = sum.Add(line)
		}
		if err != nil {
			p.Add("total", "the items do not add up: %v", err)
			return money.Decimal{}
		}
	}
	return sum
}

// amount is an optional part of the total (subtotal, shipping, discount, tax), in the order's
// currency: not negative (a discount is the amount taken off), and with no more decimals than
// the currency shows (2 for USD), since the email shows it rounded to them.
func amount(p *fault.Problems, field string, v *money.Decimal, currency string) *money.Decimal {
	if v == nil {
		return nil
	}
	if v.Sign() < 0 {
		p.Add(field, "must not be negative")
		return nil
	}
	if n := money.MinorUnits(currency); v.Round(n).Cmp(*v) != 0 {
		p.Add(field, "has more than %d decimal places", n)
		return nil
	}
	return v
}

func text(p *fault.Problems, field string, v *string) string {
	if v == nil {
		return ""
	}
	s := strings.TrimSpace(*v)
	if utf8.RuneCountInString(s) > maxTextLen {
		p.Add(field, "is longer than %d characters", maxTextLen)
		return ""
	}
	if err := email.CheckText(s); err != nil {
		p.Add(field, "%v", err)
		return ""
	}
	return s
}

// link keeps an absolute URL with one of the allowed schemes; anything else is dropped (the
// item is then shown without a link or image), since a bad link should not lose the order.
func link(v *string, schemes ...string) string {
	if v == nil || *v == "" || len(*v) > maxURLLen || email.CheckText(*v) != nil {
		return ""
	}
	u, err := url.Parse(*v)
	if err != nil || u.Host == "" || u.User != nil {
		return ""
	}
	for _, s := range schemes {
		if strings.EqualFold(u.Scheme, s) {
			return u.String()
		}
	}
	return ""
}

func clip(s string) string {
	const n = 40
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
