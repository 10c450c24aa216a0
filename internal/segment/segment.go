// Package segment is the rule language marketers use to pick an audience, its strict parser
// and its evaluator. It knows nothing of storage or transport: a rule is parsed from JSON once
// and matched against the profiles the caller loads.
//
// A rule is one JSON object with exactly one key. Three keys combine rules:
//
//	{"all": [rule, ...]}   every rule matches (1 to 100 rules)
//	{"any": [rule, ...]}   at least one rule matches (1 to 100 rules)
//	{"not": rule}          the rule does not match
//
// Every other key is a condition on one contact:
//
//	{"consent": "sales"}            consent to a topic: sales, greetings, news or surveys
//	{"suppressed": false}           the address is (not) suppressed
//	{"locale": "fa"}                a language (fa, fa-IR, fa-AF...) or, as "fa-IR", one locale
//	{"country": "IR"}               ISO 3166-1 alpha-2, in any case
//	{"timezone": "Asia/Tehran"}     IANA time zone, exactly
//	{"tag": "vip"}                  the contact has the tag, in any case
//	{"attribute": {"name": "plan", "equals": "pro"}}  or "exists": true / false
//	{"orders": {"min": 2, "max": 10}}                 number of orders
//	{"spent": {"currency": "USD", "min": "100.00"}}   total spent in one currency (and "max")
//	{"firstOrder": {"withinDays": 30}}                first order in the last 30 days, or
//	{"firstOrder": {"after": "2026-01-01", "before": "2026-07-01"}}  from after (inclusive)
//	                                                  to before (exclusive), days in UTC
//	{"lastOrder": ...}                                the same for the last order
//	{"ordered": {"category": "tea", "withinDays": 90}}  bought from a category, or a "sku";
//	                                                  without withinDays, ever
//	{"engaged": {"withinDays": 30}} last human open or click; {} for ever
//	{"received": {"withinDays": 7, "min": 1, "max": 3}}  emails delivered in the window
//	{"nps": "promoter"}             last NPS class: promoter, passive or detractor
//	{"csat": {"min": 4, "max": 5}}  last CSAT score, 1 to 5
//	{"answered": {"withinDays": 60}}  last survey answer; {} for ever
//	{"tier": "gold"}                loyalty tier, by name
//	{"points": {"min": 500}}        loyalty balance (and "max")
//	{"atRisk": {}}                  no order for twice the usual gap, or 90 days after a single
//	                                order ({"gapFactor": 3, "oneOrderDays": 120} for others)
//
// "withinDays": N (1 to 3650) means at or after now minus N×24 hours. Bounds (min, max) are
// inclusive and at least one is needed, except for received (which needs withinDays), whose
// min is 1 without either.
// Amounts are decimal strings with no more decimals than the currency has. A contact who lacks
// what a condition asks about (no order, no answer, no CSAT score) does not match it; a
// currency never paid in counts as 0 spent, no points as 0 points.
//
// The parser is strict because a rule decides who receives marketing: a misspelt key that was
// ignored would silently widen the audience. So unknown keys, duplicate keys, wrong types, null,
// trailing data and out-of-range values are all errors that say where they are (*Error).
// Hostile input is bounded: at most MaxSize bytes, MaxDepth levels and MaxConditions conditions,
// checked while reading, so no input makes the parser recurse deeper than MaxDepth.
package segment

import (
	"errors"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/fault"
	"shopmail/internal/money"
)

// Limits on a rule. They keep evaluation over a whole contact list cheap and the parser safe.
const (
	// MaxDepth is the deepest nesting: a single condition is depth 1, {"all": [condition]} 2.
	MaxDepth = 8
	// MaxConditions is the most leaf conditions one rule may have.
	MaxConditions = 100
	// MaxSize is the largest rule, in bytes of JSON.
	MaxSize = 64 << 10
)

// Profile is what a rule can see of one contact: kept on the contact's profile item.
type Profile struct {
	ContactID  string
	Email      string
	Locale     string   // BCP 47, e.g. "fa-IR" or "fa" ("" unknown)
	Country    string   // ISO 3166-1 alpha-2, upper case ("" unknown)
	Timezone   string   // IANA, e.g. "Asia/Tehran"
	Tags       []string // lower case
	Attributes map[string]string
	Consent    map[string]bool // effective consent per topic (the caller has already applied "the customer's own choice outranks the shop's")
	Suppressed bool

	Orders       int
	Spent        map[string]money.Decimal // total spent per ISO 4217 currency code (upper case)
	FirstOrderAt time.Time                // zero: no order
	LastOrderAt  time.Time
	Bought       map[string]time.Time // "category:<lower-case category>" and "sku:<sku>" -> last time bought
	EngagedAt    time.Time            // last human-confirmed open or click (zero: never)
	Received     []time.Time          // times of emails delivered to the contact recently (any order)
	NPS          string               // last NPS class: "promoter", "passive", "detractor", or ""
	CSAT         int                  // last CSAT score 1..5, 0 none
	AnsweredAt   time.Time            // last survey answer (zero: never)
	Points       int64                // loyalty balance
	Tier         string               // loyalty tier ("" none)
}

// Rule is a parsed segment rule. The zero Rule has never been parsed and matches nobody.
type Rule struct {
	root       expr
	conditions int
}

// expr is one node of a rule: a combination or a condition.
type expr interface {
	match(p Profile, now time.Time) bool
	// appendJSON appends the node's canonical JSON.
	appendJSON(b []byte) []byte
}

// Match reports whether p is in the segment at time now. The zero Rule matches nobody, so that
// a rule that was never set cannot send to everyone.
func (r Rule) Match(p Profile, now time.Time) bool {
	return r.root != nil && r.root.match(p, now)
}

// Conditions returns how many leaf conditions the rule has.
func (r Rule) Conditions() int { return r.conditions }

// IsZero reports whether r is the zero Rule (never parsed). It also lets a struct field of
// type Rule be left out of JSON with the omitzero option.
func (r Rule) IsZero() bool { return r.root == nil }

// errZeroRule: a zero Rule has no JSON form; writing "null" would only fail later, when read.
var errZeroRule = errors.New("segment: marshal of a zero Rule")

// MarshalJSON writes the rule in canonical form: keys in a fixed order, normalised values
// (locales, countries and tags in the case they are compared in, received's default min
// written out). Parse of the result gives back an equal rule.
func (r Rule) MarshalJSON() ([]byte, error) {
	if r.root == nil {
		return nil, errZeroRule
	}
	return r.root.appendJSON(nil), nil
}

// UnmarshalJSON parses data with Parse.
func (r *Rule) UnmarshalJSON(data []byte) error {
	v, err := Parse(data)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Error is a rule that cannot be used: Path says where, as a JSON path relative to the rule (""
// for the whole rule, e.g. "all[2].orders.min"), Problem what is wrong.
type Error struct {
	Path, Problem string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return "invalid rule: " + e.Problem
	}
	return "invalid rule: " + e.Path + ": " + e.Problem
}

// Unwrap returns fault.ErrInvalid: the same rule can never succeed.
func (e *Error) Unwrap() error { return fault.ErrInvalid }

// ProfileOf is what a segment rule sees of c: consent is the customer's own choice where they
// made one, else the shop's (contact.MayMarket).
func ProfileOf(c *contact.Contact) Profile {
	p := Profile{
		ContactID: c.ID, Email: c.Email, Locale: c.Locale, Country: c.Country, Timezone: c.Timezone,
		Tags: c.Tags, Attributes: c.Attributes, Consent: make(map[string]bool, len(contact.Topics)),
		Suppressed: c.Summary.Suppressed != "", Orders: c.Summary.Orders, Spent: c.Summary.Spent,
		FirstOrderAt: c.Summary.FirstOrderAt, LastOrderAt: c.Summary.LastOrderAt, Bought: c.Summary.Bought,
		EngagedAt: c.EngagedAt, Received: c.Summary.Received, NPS: c.Summary.NPS, CSAT: c.Summary.CSAT,
		AnsweredAt: c.Summary.AnsweredAt, Points: c.Summary.Points, Tier: c.Summary.Tier,
	}
	for _, t := range contact.Topics {
		p.Consent[t] = c.MayMarket(t)
	}
	return p
}
