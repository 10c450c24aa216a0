package thankyou

import (
	"errors"
	"time"

	"shopmail/internal/ascii"
	"shopmail/internal/deliverability"
	"shopmail/internal/env"
	"shopmail/internal/links"
	"shopmail/internal/loyalty"
	"shopmail/internal/render"
	"shopmail/internal/send"
)

// Settings is the function's configuration: the flow's Config and where its resources are.
type Settings struct {
	Config
	KeysSecret         string // the secret holding the link tokens' keys
	Table              string
	ConfigurationSet   string
	DeadLetterQueueURL string
	Loyalty            loyalty.Config
	Referrals          loyalty.Referrals
}

// LoadConfig reads the settings from the environment (names as in template.yaml) and reports
// every missing or malformed one at once.
func LoadConfig(lookup func(string) (string, bool)) (Settings, error) {
	r := env.New(lookup)
	s := Settings{
		Table:              r.String("TABLE_NAME"),
		ConfigurationSet:   r.String("SES_CONFIGURATION_SET"),
		DeadLetterQueueURL: r.String("DEAD_LETTER_QUEUE_URL"),
	}
	s.Brand, s.From = render.LoadBrand(r)
	ls := links.Load(r)
	s.Links, s.KeysSecret = ls.Config, ls.KeysSecret
	s.CouponPrefix = r.Optional("COUPON_PREFIX", "")
	s.CouponOffer = map[string]string{"en": r.Optional("COUPON_OFFER", "")}
	if fa := r.Optional("COUPON_OFFER_FA", ""); fa != "" {
		s.CouponOffer["fa"] = fa
	}
	s.CouponValid = time.Duration(r.Int("COUPON_VALID_DAYS", 60, 1, 3650)) * 24 * time.Hour
	s.Loyalty = loyalty.Load(r)
	s.Rewards = s.Loyalty.Rewards
	s.Referrals = loyalty.LoadReferrals(r)
	s.AttributionWindow = time.Duration(r.Int("ATTRIBUTION_DAYS", 5, 1, 90)) * 24 * time.Hour
	r.Check(s.CouponPrefix == "" || validPrefix(s.CouponPrefix), "COUPON_PREFIX", "must be 1-20 upper-case letters or digits")
	r.Check(s.CouponPrefix == "" || s.CouponOffer["en"] != "", "COUPON_OFFER", "is required when COUPON_PREFIX is set")
	return s, r.Err()
}

// validPrefix reports whether p may start coupon codes: 1-20 upper-case letters or digits,
// `^[A-Z0-9]{1,20}$` (a loop rather than a regular expression compiled at every function's start).
func validPrefix(p string) bool {
	return ascii.All(p, 1, 20, func(c byte) bool { return ascii.Upper(c) || ascii.Digit(c) })
}

// Store is everything the flow keeps in the table.
type Store interface {
	Contacts
	Orders
	Catalog
	Coupons
	loyalty.Store
	loyalty.ReferralStore
	send.Ledger
	deliverability.Suppressions
	deliverability.States
}

// Deps are the adapters the flow runs on.
type Deps struct {
	Store  Store
	Mailer send.Mailer
	Now    func() time.Time
}

// New builds the flow. s.Links.Keys must be set (from the secret s.KeysSecret names).
func New(s Settings, d Deps) (*Service, error) {
	if s.Links.Keys == nil {
		return nil, errors.New("thank-you: no link token keys")
	}
	var points *loyalty.Service
	if s.Loyalty.Enabled() || s.Referrals.Enabled() {
		points = &loyalty.Service{Config: s.Loyalty, Store: d.Store, Contacts: d.Store, Now: d.Now,
			Referrals: s.Referrals, ReferralStore: d.Store}
	}
	return &Service{
		Config: s.Config, Contacts: d.Store, Orders: d.Store, Catalog: d.Store, Coupons: d.Store, Loyalty: points,
		Sender: &send.Sender{Ledger: d.Store, Mailer: d.Mailer, Now: d.Now},
		Gate:   &deliverability.Gate{Suppressions: d.Store, States: d.Store, Sender: s.From.Email, Now: d.Now},
		Now:    d.Now,
	}, nil
}
