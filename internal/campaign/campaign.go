// Package campaign is a sale announcement as the marketer writes it (Campaign, Decode), the
// checks it must pass before it may be scheduled or sent (Check), and the email one contact
// receives (Render). It is pure: the API, the store and the fan-out build on it.
package campaign

import (
	"encoding/json"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/fault"
	"shopmail/internal/money"
)

// Statuses of a campaign. Only the server sets them; the marketer's input never carries one.
const (
	StatusDraft     = "draft"
	StatusScheduled = "scheduled"
	StatusSending   = "sending"
	StatusCompleted = "completed"
	StatusPaused    = "paused"
	StatusCancelled = "cancelled"
	StatusBlocked   = "blocked"
)

// Fallback is the locale every campaign must have content for: the one a contact whose
// language the campaign is not written in receives.
const Fallback = "en"

// Campaign is one sale announcement. Its JSON is the marketer API's.
type Campaign struct {
	ID      string             `json:"id,omitzero"`
	Name    string             `json:"name"`
	Topic   string             `json:"topic"` // one of contact.CampaignTopics; contact.TopicSales when left out
	Segment SegmentRef         `json:"segment"`
	Content map[string]Content `json:"content"` // by language subtag ("en", "fa"); see ContentFor
	Sale    *Sale              `json:"sale,omitempty"`
	CTA     *CTA               `json:"cta,omitempty"`
	// Variants are an A/B test of the subject (and optionally the content): a test share of
	// the audience is split evenly among them, and the winner goes to the rest.
	Variants    []Variant    `json:"variants,omitempty"`
	VariantTest *VariantTest `json:"variantTest,omitempty"`
	// HoldoutPercent of the audience, chosen at random, receives nothing: the campaign's lift
	// is measured against them.
	HoldoutPercent int       `json:"holdoutPercent,omitzero"`
	Reminder       *Reminder `json:"reminder,omitempty"`
	// Card makes the campaign a greeting card (written by the occasion sweep, not the API).
	Card *Card `json:"card,omitempty"`
	// Status and BlockedReason are the server's: the fan-out and the checks set them.
	Status        string    `json:"status,omitzero"`
	BlockedReason string    `json:"blockedReason,omitzero"`
	CreatedAt     time.Time `json:"createdAt,omitzero"`
	UpdatedAt     time.Time `json:"updatedAt,omitzero"`
	// ScheduledAt is when it is sent (POST /campaigns/{id}/schedule); with RecipientLocalTime,
	// at that wall-clock time in each recipient's time zone.
	ScheduledAt        time.Time `json:"scheduledAt,omitzero"`
	RecipientLocalTime bool      `json:"recipientLocalTime,omitzero"`
	StartedAt          time.Time `json:"startedAt,omitzero"`
	CompletedAt        time.Time `json:"completedAt,omitzero"`
}

// SegmentRef is who receives the campaign: a stored segment by id, or a rule written in
// place. The rule is kept as written; the caller parses it with package segment, so that
// this package (and what links it) does not carry the segment engine.
type SegmentRef struct {
	ID   string          `json:"id,omitzero"`
	Rule json.RawMessage `json:"rule,omitzero"`
}

// Content is what the email says in one language. Body is Markdown.
type Content struct {
	Subject   string `json:"subject"`
	Preheader string `json:"preheader,omitzero"`
	Headline  string `json:"headline"`
	Body      string `json:"body,omitzero"`
}

// Sale is what is on sale, when, and why. Texts are by language, like Campaign.Content.
type Sale struct {
	Reason   map[string]string `json:"reason,omitempty"`
	StartsAt time.Time         `json:"startsAt"`
	EndsAt   time.Time         `json:"endsAt"`
	Products []Product         `json:"products,omitempty"`
	Coupon   *Coupon           `json:"coupon,omitempty"`
}

// Product is one product on sale. Both prices are in Currency.
type Product struct {
	SKU          string            `json:"sku,omitzero"`
	Name         map[string]string `json:"name"`
	URL          string            `json:"url,omitzero"`
	ImageURL     string            `json:"imageUrl,omitzero"`
	Currency     string            `json:"currency"`
	RegularPrice money.Decimal     `json:"-"`
	SalePrice    money.Decimal     `json:"-"`
	FreeGift     *FreeGift         `json:"freeGift,omitempty"`
}

// FreeGift comes with the product; Value is in the product's currency.
type FreeGift struct {
	Name  map[string]string `json:"name"`
	Value money.Decimal     `json:"-"`
}

// Coupon is a code every recipient may use (not a single-use coupon of package coupon).
type Coupon struct {
	Code string `json:"code"`
}

// CTA is the email's button.
type CTA struct {
	Label map[string]string `json:"label"`
	URL   string            `json:"url"`
}

// The API writes amounts as decimal strings ("129.90"), which JSON numbers would not keep
// exactly in most clients; money.Decimal marshals as a number, so prices are written here.

// MarshalJSON writes the product with its prices as decimal strings.
func (p Product) MarshalJSON() ([]byte, error) {
	type plain Product // without this method
	return json.Marshal(struct {
		plain
		RegularPrice string `json:"regularPrice"`
		SalePrice    string `json:"salePrice"`
	}{plain(p), p.RegularPrice.String(), p.SalePrice.String()})
}

// MarshalJSON writes the gift with its value as a decimal string.
func (g FreeGift) MarshalJSON() ([]byte, error) {
	type plain FreeGift
	return json.Marshal(struct {
		plain
		Value string `json:"value"`
	}{plain(g), g.Value.String()})
}

// Variant is one arm of an A/B test: its subject by language, and optionally its own content
// (which replaces the campaign's for the languages it has).
type Variant struct {
	Subject map[string]string  `json:"subject"`
	Content map[string]Content `json:"content,omitempty"`
}

// VariantTest is how a test runs: Percent of the audience (default 20) is split evenly among
// the variants; after WaitHours (default 4) the variant with the most human clicks per delivered
// email (human opens when nobody clicked) wins and goes to the rest.
type VariantTest struct {
	Percent   int `json:"percent,omitzero"`
	WaitHours int `json:"waitHours,omitzero"`
}

// Defaults of a variant test.
const (
	DefaultTestPercent = 20
	DefaultWaitHours   = 4
	MaxVariants        = 4
	MaxHoldoutPercent  = 50
)

// Test returns the variant test's settings with their defaults.
func (c Campaign) Test() VariantTest {
	t := VariantTest{Percent: DefaultTestPercent, WaitHours: DefaultWaitHours}
	if c.VariantTest != nil {
		if c.VariantTest.Percent > 0 {
			t.Percent = c.VariantTest.Percent
		}
		if c.VariantTest.WaitHours > 0 {
			t.WaitHours = c.VariantTest.WaitHours
		}
	}
	return t
}

// Reminder is a second email of the campaign to recipients who did not click: "the sale
// starts now" at the sale's start (When "start"), or "last day" a day before its end
// ("lastDay"), with its own subject.
type Reminder struct {
	When    string            `json:"when"`
	Subject map[string]string `json:"subject"`
}

// Reminder times.
const (
	ReminderAtStart   = "start"
	ReminderOnLastDay = "lastDay"
)

// ReminderAt is when the reminder goes out (zero without one).
func (c Campaign) ReminderAt() time.Time {
	if c.Reminder == nil || c.Sale == nil {
		return time.Time{}
	}
	if c.Reminder.When == ReminderOnLastDay {
		return c.Sale.EndsAt.Add(-24 * time.Hour)
	}
	return c.Sale.StartsAt
}

// Arm is one version of the campaign's email: "" for the campaign as written, "a" to "d" for
// its variants, "r" for its reminder.
type Arm string

// Arms of a campaign beside its variants.
const (
	ArmMain     Arm = ""
	ArmReminder Arm = "r"
	ArmHoldout  Arm = "h" // receives nothing; its orders are the baseline of the lift
)

// VariantArm is the arm of variant i (0-based): "a", "b"...
func VariantArm(i int) Arm { return Arm(rune('a' + i)) }

// variantIndex is the variant of an arm, or -1.
func (a Arm) variantIndex() int {
	if len(a) == 1 && a[0] >= 'a' && a[0] < 'a'+MaxVariants {
		return int(a[0] - 'a')
	}
	return -1
}

// StatsKey is the key of the counters of one arm of a campaign: the campaign's id for the
// campaign as written, "<id>_<arm>" for the others (campaign ids have no "_").
func StatsKey(id string, a Arm) string {
	if a == ArmMain {
		return id
	}
	return id + "_" + string(a)
}

// ForArm is the campaign as one arm sends it: a variant's subject and content, or the
// reminder's subject.
func (c Campaign) ForArm(a Arm) Campaign {
	out := c
	var subject map[string]string
	var content map[string]Content
	switch i := a.variantIndex(); {
	case i >= 0 && i < len(c.Variants):
		subject, content = c.Variants[i].Subject, c.Variants[i].Content
	case a == ArmReminder && c.Reminder != nil:
		subject = c.Reminder.Subject
	default:
		return c
	}
	out.Content = make(map[string]Content, len(c.Content))
	for lang, v := range c.Content {
		if alt, ok := content[lang]; ok {
			v = alt
		}
		if s, ok := subject[lang]; ok && s != "" {
			v.Subject = s
		} else if s := subject[Fallback]; s != "" && lang == Fallback {
			v.Subject = s
		}
		out.Content[lang] = v
	}
	return out
}

// ContentFor returns the content for a contact's locale (a BCP 47 tag, e.g. "fa-IR"): the
// content of its language ("fa") when the campaign has one, else the fallback ("en"). It
// also returns the locale of the content it chose.
func (c Campaign) ContentFor(locale string) (Content, string) {
	lang := money.Language(locale)
	if v, ok := c.Content[lang]; ok && lang != "" {
		return v, lang
	}
	return c.Content[Fallback], Fallback
}

// text picks a text in the language, else the fallback's.
func text(m map[string]string, lang string) string {
	if v, ok := m[lang]; ok {
		return v
	}
	return m[Fallback]
}

// topic is the campaign's topic, the default for one written without.
func (c Campaign) topic() string {
	if c.Topic == "" {
		return contact.TopicSales
	}
	return c.Topic
}

// FieldError is a campaign with problems, by JSON path; it wraps fault.ErrInvalid.
type FieldError = fault.FieldError

// problems starts a campaign's list of problems.
func problems() *FieldError { return &FieldError{What: "campaign"} }
