package cart

import (
	"time"

	"shopmail/internal/ascii"
	"shopmail/internal/calendar"
	"shopmail/internal/env"
	"shopmail/internal/links"
	"shopmail/internal/render"
)

// Settings are the cart functions' configuration (names as in template.yaml).
type Settings struct {
	Config
	Table, KeysSecret, DeadLetterQueueURL, ConfigurationSet string
	// Scheduling (carts function).
	ScheduleGroup, TargetARN, RoleARN string
}

// LoadConfig reads the settings both cart functions share; sending says whether it is the
// function that sends (its brand, links and coupons), else the one that schedules.
func LoadConfig(lookup func(string) (string, bool), sending bool) (Settings, error) {
	r := env.New(lookup)
	s := Settings{Table: r.String("TABLE_NAME"), DeadLetterQueueURL: r.String("DEAD_LETTER_QUEUE_URL")}
	s.After = time.Duration(r.Int("ABANDONED_CART_AFTER_HOURS", 4, 1, 24*7)) * time.Hour
	s.SecondAfter = time.Duration(r.Int("ABANDONED_CART_SECOND_AFTER_HOURS", 24, 0, 24*14)) * time.Hour
	r.Check(s.SecondAfter == 0 || s.SecondAfter > s.After, "ABANDONED_CART_SECOND_AFTER_HOURS", "must be 0 (no second reminder) or more than ABANDONED_CART_AFTER_HOURS")
	s.Throttle = time.Duration(r.Int("ABANDONED_CART_THROTTLE_DAYS", 7, 0, 365)) * 24 * time.Hour
	s.RecoveryWindow = 7 * 24 * time.Hour
	s.Quiet = calendar.QuietHours{Start: r.Int("QUIET_HOURS_START", 21, 0, 23), End: r.Int("QUIET_HOURS_END", 8, 0, 23)}
	s.ShopTimezone = r.Optional("SHOP_TIMEZONE", "UTC")
	if _, err := render.Location(s.ShopTimezone); err != nil {
		r.Check(false, "SHOP_TIMEZONE", "is not an IANA time zone, e.g. Asia/Tehran")
	}
	consent := r.Optional("ABANDONED_CART_CONSENT_REQUIRED", "true")
	r.Check(consent == "true" || consent == "false", "ABANDONED_CART_CONSENT_REQUIRED", "must be true or false")
	s.ConsentRequired = consent == "true"
	if sending {
		s.ConfigurationSet = r.String("SES_CONFIGURATION_SET")
		s.Brand, s.From = render.LoadBrand(r)
		ls := links.Load(r)
		s.Links, s.KeysSecret = ls.Config, ls.KeysSecret
		s.CouponPrefix = r.Optional("ABANDONED_CART_COUPON_PREFIX", "")
		s.CouponOffer = map[string]string{"en": r.Optional("ABANDONED_CART_COUPON_OFFER", "")}
		if fa := r.Optional("ABANDONED_CART_COUPON_OFFER_FA", ""); fa != "" {
			s.CouponOffer["fa"] = fa
		}
		s.CouponValid = time.Duration(r.Int("COUPON_VALID_DAYS", 60, 1, 3650)) * 24 * time.Hour
		r.Check(s.CouponPrefix == "" || ascii.All(s.CouponPrefix, 1, 20, func(c byte) bool { return ascii.Upper(c) || ascii.Digit(c) }),
			"ABANDONED_CART_COUPON_PREFIX", "must be 1-20 upper-case letters or digits")
		r.Check(s.CouponPrefix == "" || s.CouponOffer["en"] != "", "ABANDONED_CART_COUPON_OFFER", "is required when ABANDONED_CART_COUPON_PREFIX is set")
	} else {
		s.TargetARN, s.RoleARN = r.String("CART_TARGET_ARN"), r.String("SCHEDULER_ROLE_ARN")
		s.ScheduleGroup = r.Optional("SCHEDULE_GROUP", "default")
	}
	return s, r.Err()
}
