package loyalty

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"shopmail/internal/money"
	"shopmail/internal/order"
)

// Reward is a rule that gives an order a coupon for the next one: "spend more than 100 USD in
// one order, get 10% off next time", "buy more than 5 items, get a gift". Each order gets the
// coupon of every rule it meets, once (the coupon store keeps one per order and purpose).
type Reward struct {
	// ID names the rule (lower-case letters, digits, hyphens); the coupons it issues have
	// the purpose "reward:<ID>".
	ID string
	// The order must spend more than Over in Currency (Spend), or buy more than Items items
	// (quantities added up): one of the two.
	Currency string
	Over     money.Decimal
	Items    int64
	// Prefix starts the coupon's code; Offer says what it gives, per language ("en" is
	// required and the fallback); the coupon is valid for ValidDays.
	Prefix    string
	Offer     map[string]string
	ValidDays int
}

// Purpose is the coupon purpose of the rule's coupons.
func (r Reward) Purpose() string { return "reward:" + r.ID }

// Valid is how long the rule's coupons are valid.
func (r Reward) Valid() time.Duration { return time.Duration(r.ValidDays) * 24 * time.Hour }

// Meets reports whether the order earns the reward.
func (r Reward) Meets(o order.Order) bool {
	if r.Items > 0 {
		var n int64
		for _, it := range o.Items {
			n += it.Quantity
		}
		return n > r.Items
	}
	return o.Currency == r.Currency && o.Total.Cmp(r.Over) > 0
}

// rewardJSON is a rule as LOYALTY_REWARDS gives it.
type rewardJSON struct {
	ID    string `json:"id"`
	Spend *struct {
		Currency string        `json:"currency"`
		Over     money.Decimal `json:"over"`
	} `json:"spend"`
	Items *struct {
		Over int64 `json:"over"`
	} `json:"items"`
	Prefix    string            `json:"prefix"`
	Offer     map[string]string `json:"offer"`
	ValidDays *int              `json:"validDays"`
}

// maxRewards bounds the rules: each is a coupon an order may get.
const maxRewards = 10

// ParseRewards reads the rules from JSON, e.g.
//
//	[{"id": "big-basket", "spend": {"currency": "USD", "over": 100}, "prefix": "BIG",
//	  "offer": {"en": "10% off your next order", "fa": "۱۰٪ تخفیف خرید بعدی"}, "validDays": 60},
//	 {"id": "five-items", "items": {"over": 5}, "prefix": "GIFT", "offer": {"en": "A gift with your next order"}}]
//
// Unknown fields, a rule with both or neither of spend and items, and ids given twice are errors.
func ParseRewards(s string) ([]Reward, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	var in []rewardJSON
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("not a JSON list of rules: %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("not a JSON list of rules: data after the list")
	}
	if len(in) > maxRewards {
		return nil, fmt.Errorf("at most %d rules", maxRewards)
	}
	seen := map[string]bool{}
	out := make([]Reward, 0, len(in))
	for i, w := range in {
		at := fmt.Sprintf("rule %d", i+1)
		r := Reward{ID: w.ID, Prefix: w.Prefix, Offer: w.Offer, ValidDays: 60}
		switch {
		case !validName(w.ID):
			return nil, fmt.Errorf("%s: id must be 1-20 lower-case letters, digits or hyphens", at)
		case seen[w.ID]:
			return nil, fmt.Errorf("%s: id %s is given twice", at, w.ID)
		case (w.Spend == nil) == (w.Items == nil):
			return nil, fmt.Errorf("%s (%s): give spend or items, one of the two", at, w.ID)
		case !validPrefix(w.Prefix):
			return nil, fmt.Errorf("%s (%s): prefix must be 1-20 upper-case letters or digits", at, w.ID)
		case strings.TrimSpace(w.Offer["en"]) == "":
			return nil, fmt.Errorf("%s (%s): offer needs an \"en\" text", at, w.ID)
		}
		for lang, text := range w.Offer {
			if (lang != "en" && lang != "fa") || len(text) > 200 || strings.ContainsAny(text, "\r\n\x00") {
				return nil, fmt.Errorf("%s (%s): offer texts are \"en\" and \"fa\", one line of up to 200 bytes each", at, w.ID)
			}
		}
		if w.ValidDays != nil {
			if *w.ValidDays < 1 || *w.ValidDays > 3650 {
				return nil, fmt.Errorf("%s (%s): validDays must be 1 to 3650", at, w.ID)
			}
			r.ValidDays = *w.ValidDays
		}
		if w.Spend != nil {
			if !money.ValidCurrency(w.Spend.Currency) || w.Spend.Over.Sign() < 0 {
				return nil, fmt.Errorf("%s (%s): spend needs an ISO 4217 currency and an amount over, 0 or more", at, w.ID)
			}
			r.Currency, r.Over = w.Spend.Currency, w.Spend.Over
		} else {
			if w.Items.Over < 1 {
				return nil, fmt.Errorf("%s (%s): items.over must be 1 or more", at, w.ID)
			}
			r.Items = w.Items.Over
		}
		seen[w.ID] = true
		out = append(out, r)
	}
	return out, nil
}
