package thankyou

import (
	"log/slog"
	"net/url"
	"regexp"
	"time"

	"shopmail/internal/email"
	"shopmail/internal/env"
	"shopmail/internal/message"
	"shopmail/internal/send"
)

// Settings is the function's configuration: the flow's Config and where its resources are.
type Settings struct {
	Config
	Table              string
	ConfigurationSet   string
	DeadLetterQueueURL string
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
	s.Brand = message.Brand{
		ShopName:      r.String("SHOP_NAME"),
		ShopURL:       r.String("SHOP_URL"),
		SenderName:    r.String("SENDER_NAME"),
		PostalAddress: r.String("POSTAL_ADDRESS"),
	}
	s.From = email.Address{Name: s.Brand.SenderName, Email: r.String("SENDER_ADDRESS")}
	if s.From.Email != "" {
		addr, err := email.ParseAddress(s.From.Email)
		r.Check(err == nil, "SENDER_ADDRESS", "is not a valid email address")
		s.From.Email = addr
	}
	for name, v := range map[string]string{"SENDER_NAME": s.From.Name, "SHOP_NAME": s.Brand.ShopName} {
		if err := email.CheckDisplayText(v); err != nil {
			r.Check(false, name, err.Error())
		}
	}
	if err := email.CheckText(s.Brand.PostalAddress); err != nil {
		r.Check(false, "POSTAL_ADDRESS", err.Error())
	}
	if u, err := url.Parse(s.Brand.ShopURL); s.Brand.ShopURL != "" {
		r.Check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "", "SHOP_URL", "must be an absolute http(s) URL")
	}
	s.CouponPrefix = r.Optional("COUPON_PREFIX", "")
	s.CouponOffer = map[string]string{"en": r.Optional("COUPON_OFFER", "")}
	if fa := r.Optional("COUPON_OFFER_FA", ""); fa != "" {
		s.CouponOffer["fa"] = fa
	}
	s.CouponValid = time.Duration(r.Int("COUPON_VALID_DAYS", 60, 1, 3650)) * 24 * time.Hour
	r.Check(s.CouponPrefix == "" || couponPrefix.MatchString(s.CouponPrefix), "COUPON_PREFIX", "must be 1-20 upper-case letters or digits")
	r.Check(s.CouponPrefix == "" || s.CouponOffer["en"] != "", "COUPON_OFFER", "is required when COUPON_PREFIX is set")
	return s, r.Err()
}

var couponPrefix = regexp.MustCompile(`^[A-Z0-9]{1,20}$`)

// Store is everything the flow keeps in the table.
type Store interface {
	Contacts
	Orders
	Catalog
	Coupons
	send.Ledger
}

// Deps are the adapters the flow runs on.
type Deps struct {
	Store       Store
	Mailer      send.Mailer
	DeadLetters DeadLetters
	Now         func() time.Time
	Log         *slog.Logger
}

// New wires the flow's handler.
func New(s Settings, d Deps) (*Handler, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	svc := &Service{
		Config: s.Config, Contacts: d.Store, Orders: d.Store, Catalog: d.Store, Coupons: d.Store,
		Sender: &send.Sender{Ledger: d.Store, Mailer: d.Mailer, Now: d.Now},
		Now:    d.Now,
	}
	return &Handler{Service: svc, DeadLetters: d.DeadLetters, Log: d.Log}, nil
}
