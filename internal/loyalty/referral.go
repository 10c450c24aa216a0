package loyalty

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"shopmail/internal/ascii"
	"shopmail/internal/contact"
	"shopmail/internal/env"
	"shopmail/internal/order"
)

// Referrals is the referral programme: every customer gets a code and a link; a friend's first
// order with the code counts for them, and every Needed counted referrals earn them a coupon.
type Referrals struct {
	// Needed is how many counted referrals earn a reward (0: no programme).
	Needed int
	// WeeklyLimit is how many referrals one referrer may collect in 7 days; those beyond it
	// are flagged for review rather than counted.
	WeeklyLimit int
	// Prefix starts the reward coupon's code; Offer says what it gives per language ("en" the
	// fallback); Valid is how long it is good for.
	Prefix string
	Offer  map[string]string
	Valid  time.Duration
}

// Enabled reports whether there is a referral programme.
func (r Referrals) Enabled() bool { return r.Needed > 0 }

// LoadReferrals reads the referral programme from the environment (names as in template.yaml).
func LoadReferrals(r *env.Reader) Referrals {
	c := Referrals{
		Needed: r.Int("REFERRALS_NEEDED", 0, 0, 100), WeeklyLimit: r.Int("REFERRALS_WEEKLY_LIMIT", 10, 1, 1000),
		Prefix: r.Optional("REFERRAL_COUPON_PREFIX", "FRIENDS"),
		Offer:  map[string]string{"en": r.Optional("REFERRAL_COUPON_OFFER", "20% off your next order")},
		Valid:  time.Duration(r.Int("COUPON_VALID_DAYS", 60, 1, 3650)) * 24 * time.Hour,
	}
	if fa := r.Optional("REFERRAL_COUPON_OFFER_FA", ""); fa != "" {
		c.Offer["fa"] = fa
	}
	r.Check(validPrefix(c.Prefix), "REFERRAL_COUPON_PREFIX", "must be 1-20 upper-case letters or digits")
	r.Check(!strings.ContainsAny(c.Offer["en"]+c.Offer["fa"], "\r\n\x00"), "REFERRAL_COUPON_OFFER", "must be one line")
	return c
}

// Statuses of a referral.
const (
	Counted  = "counted"  // it counts towards the referrer's reward
	Rejected = "rejected" // it does not: Reason says why
	Flagged  = "flagged"  // held for review: Reason says why
)

// Referral is a referred customer's order that named a referrer's code.
type Referral struct {
	ReferrerID string
	ReferredID string
	OrderID    string
	At         time.Time // the order's time
	Status     string
	Reason     string
}

// Party is what the fraud rules compare of the referrer and the referred customer.
type Party struct {
	ID, Email, LastName string
	// AddressHash is AddressHash of the last shipping address the shop sent ("" unknown).
	AddressHash string
}

// Judge applies the fraud rules (those Smile.io applies) to a referral: the referred customer
// must be new (first is this their first order), someone else (not the referrer, nor the
// referrer's address after dropping +tags and dots, nor the same last name at the same
// address), and the referrer must not have collected WeeklyLimit referrals in the 7 days
// before (then the referral is flagged for review).
func (r Referrals) Judge(referrer, referred Party, first bool, lastWeek int) (status, reason string) {
	switch {
	case referrer.ID == referred.ID:
		return Rejected, "the referrer's own order"
	case !first:
		return Rejected, "not a new customer"
	case NormalEmail(referrer.Email) != "" && NormalEmail(referrer.Email) == NormalEmail(referred.Email):
		return Rejected, "the referrer's email address"
	case referrer.AddressHash != "" && referrer.AddressHash == referred.AddressHash &&
		strings.EqualFold(strings.TrimSpace(referrer.LastName), strings.TrimSpace(referred.LastName)):
		return Rejected, "the referrer's last name and address"
	case lastWeek >= r.WeeklyLimit:
		return Flagged, "more referrals in 7 days than the weekly limit"
	}
	return Counted, ""
}

// NormalEmail is an address as one mailbox: lower case, without a "+tag" or dots in the local
// part (Gmail ignores both, and a referrer can make endless variants of their own address).
func NormalEmail(addr string) string {
	addr = strings.ToLower(strings.TrimSpace(addr))
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return addr
	}
	local, _, _ = strings.Cut(local, "+")
	return strings.ReplaceAll(local, ".", "") + "@" + domain
}

// AddressHash is a shipping address reduced for comparison (lower case, letters and digits
// only) and hashed: the profile keeps this, not the address.
func AddressHash(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		for _, c := range strings.ToLower(p) {
			if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c > 0x7f {
				b.WriteRune(c)
			}
		}
		b.WriteByte('|')
	}
	if strings.Trim(b.String(), "|") == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:12])
}

// validPrefix is the coupon prefixes' rule: 1-20 upper-case letters or digits.
func validPrefix(p string) bool {
	return ascii.All(p, 1, 20, func(c byte) bool { return ascii.Upper(c) || ascii.Digit(c) })
}

// ReferralStore keeps referral codes and referrals.
type ReferralStore interface {
	PutReferralCode(ctx context.Context, code, contactID string) error
	ReferrerByCode(ctx context.Context, code string) (contactID string, found bool, err error)
	// PutReferral writes r unless the order's referral is stored, and returns the one stored.
	PutReferral(ctx context.Context, r Referral) (Referral, error)
	ReferralsSince(ctx context.Context, referrerID string, from time.Time) ([]Referral, error)
}

// Referred is what an order's referral code came to.
type Referred struct {
	Referral Referral
	// Referrer is the referrer's contact after the referral counted (nil unless it did), and
	// Batch how many rewards their counted referrals have earned (Referrals / Needed).
	Referrer *contact.Contact
	Batch    int
}

// Refer judges and records the referral of an order that names a referral code (once per
// order: a replay finds the referral stored and its status kept), and counts it for the
// referrer when it counts. A code that is nobody's is ignored (found == false).
func (s *Service) Refer(ctx context.Context, o order.Order, referred *contact.Contact, first bool) (Referred, bool, error) {
	if o.ReferralCode == "" || !s.Referrals.Enabled() {
		return Referred{}, false, nil
	}
	id, found, err := s.ReferralStore.ReferrerByCode(ctx, o.ReferralCode)
	if err != nil || !found {
		return Referred{}, false, err
	}
	referrer, err := s.Contacts.Contact(ctx, id)
	if err != nil {
		return Referred{}, true, fmt.Errorf("read referrer %s: %w", id, err)
	}
	recent, err := s.ReferralStore.ReferralsSince(ctx, id, o.PlacedAt.Add(-7*24*time.Hour))
	if err != nil {
		return Referred{}, true, err
	}
	lastWeek := 0
	for _, r := range recent {
		if r.Status == Counted && r.OrderID != o.ID && r.At.Before(o.PlacedAt) {
			lastWeek++
		}
	}
	status, reason := s.Referrals.Judge(
		Party{ID: referrer.ID, Email: referrer.Email, LastName: referrer.LastName, AddressHash: referrer.AddressHash},
		Party{ID: referred.ID, Email: referred.Email, LastName: referred.LastName, AddressHash: referred.AddressHash},
		first, lastWeek)
	r, err := s.ReferralStore.PutReferral(ctx, Referral{ReferrerID: id, ReferredID: referred.ID, OrderID: o.ID, At: o.PlacedAt,
		Status: status, Reason: reason})
	if err != nil || r.Status != Counted {
		return Referred{Referral: r}, true, err
	}
	c, err := s.Contacts.UpdateContact(ctx, id, func(c *contact.Contact) bool {
		if !c.Once("referral#" + o.ID) {
			return false
		}
		c.Summary.Referrals++
		return true
	})
	if err != nil {
		return Referred{Referral: r}, true, fmt.Errorf("count referral for %s: %w", id, err)
	}
	return Referred{Referral: r, Referrer: c, Batch: c.Summary.Referrals / s.Referrals.Needed}, true, nil
}

// InviteLink is the shop's address with the referral code as its ref parameter, which the
// shop's checkout is to pass on as the order's referralCode.
func InviteLink(shop, code string) string {
	u, err := url.Parse(shop)
	if err != nil {
		return shop
	}
	q := u.Query()
	q.Set("ref", code)
	u.RawQuery = q.Encode()
	return u.String()
}
