// Package cart reminds customers of the carts they leave behind (README, "Abandoned carts"): a
// cart event schedules a reminder some hours after the cart's last update, and optionally a
// second one with a single-use coupon; an order, a newer update, an opt-out or a suppression
// stops what is pending; each reminder goes out at most once per cart, in the customer's
// waking hours, at most one cart's reminders per customer per throttle window; and the carts
// recovered, with their revenue, are counted.
package cart

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"shopmail/internal/calendar"
	"shopmail/internal/contact"
	"shopmail/internal/coupon"
	"shopmail/internal/deliverability"
	"shopmail/internal/email"
	"shopmail/internal/links"
	"shopmail/internal/money"
	"shopmail/internal/order"
	"shopmail/internal/render"
	"shopmail/internal/send"
)

// Kind is the send kind and SES tag of cart reminders.
const Kind = "cart"

// Statuses of a stored cart.
const (
	Open    = "open"    // reminders may be pending
	Ordered = "ordered" // an order was placed from it (or by its customer after it)
	Emptied = "emptied" // the shop reported it without items
)

// Cart is a cart as stored: the shop's last report of it, and what became of it.
type Cart struct {
	order.Cart
	Status string
	// FirstAt is when the cart was first reported (its period in the numbers).
	FirstAt time.Time
	// Abandoned is set when its first reminder came due without an order, sent or not.
	Abandoned bool
	// Reminded is how many reminders were sent (0-2), the last at RemindedAt.
	Reminded   int
	RemindedAt time.Time
	// OrderID, Revenue and Recovered say which order closed the cart, its total (in the
	// order's currency, RevenueCurrency), and whether it counts as recovered by a reminder.
	OrderID         string
	Revenue         money.Decimal
	RevenueCurrency string
	Recovered       bool
}

// SendKey is the send of a cart's reminder step (1 or 2): one per cart and step, whatever
// the cart's updates.
func SendKey(cartID string, step int) string {
	return Kind + "#" + cartID + "#" + strconv.Itoa(step)
}

// Store keeps carts.
type Store interface {
	// SaveCart stores c unless a newer report of the cart is stored, or the cart is closed (the
	// same report again is stored again); it returns the cart as stored before (zero when new)
	// and whether c was stored.
	SaveCart(ctx context.Context, c Cart) (before Cart, saved bool, err error)
	Cart(ctx context.Context, contactID, cartID string) (Cart, bool, error)
	// OpenCarts returns a contact's open carts.
	OpenCarts(ctx context.Context, contactID string) ([]Cart, error)
	// CloseCart marks an open cart ordered (with the order, its revenue and whether it was
	// recovered); false when it was not open.
	CloseCart(ctx context.Context, c Cart) (bool, error)
	// MarkDue records that step came due for the cart as updated at updatedAt (abandoned), and
	// when sent, that a reminder was; false when the cart has changed or closed since.
	MarkDue(ctx context.Context, contactID, cartID string, updatedAt time.Time, step int, sent bool, at time.Time) (bool, error)
	// ClickedAt is the last human click on one of the cart's reminders (zero: none).
	ClickedAt(ctx context.Context, contactID, cartID string) (time.Time, error)
	Contact(ctx context.Context, id string) (*contact.Contact, error)
	UpdateContact(ctx context.Context, id string, fn func(c *contact.Contact) bool) (*contact.Contact, error)
	send.Ledger
	deliverability.Suppressions
	deliverability.States
}

// Scheduler creates and deletes one-time schedules.
type Scheduler interface {
	At(ctx context.Context, name string, at time.Time, input []byte) error
	Delete(ctx context.Context, name string) error
}

// Coupons issues single-use coupons (the second reminder's), one per order id and purpose: a
// retry gets the coupon issued before.
type Coupons interface {
	IssueCoupon(ctx context.Context, c coupon.Coupon) (coupon.Coupon, error)
}

// Config says when to remind and with what.
type Config struct {
	After       time.Duration // first reminder after the last update (4 hours)
	SecondAfter time.Duration // second reminder after the last update (24 hours; 0: none)
	Throttle    time.Duration // at most one cart's reminders per customer per this (7 days)
	// ConsentRequired: reminders only to contacts who consented to marketing (the default);
	// otherwise to every contact who has not opted out of the topic.
	ConsentRequired bool
	Quiet           calendar.QuietHours
	ShopTimezone    string
	// CouponPrefix, when set, puts a single-use coupon (Offer, in the reader's language,
	// valid CouponValid) in the second reminder.
	CouponPrefix string
	CouponOffer  map[string]string
	CouponValid  time.Duration
	// RecoveryWindow: an order from the customer within it of a click on a reminder recovers
	// the cart even without the cart's id (7 days).
	RecoveryWindow time.Duration
	Brand          render.Brand
	From           email.Address
	Links          links.Config
}

// Due is the input of a reminder's schedule.
type Due struct {
	ContactID string    `json:"contactId"`
	CartID    string    `json:"cartId"`
	UpdatedAt time.Time `json:"updatedAt"` // the report it was planned from: a newer one plans its own
	Step      int       `json:"step"`
}

// scheduleName is a reminder's schedule: Scheduler allows 64 characters of [0-9a-zA-Z-_.], so
// the contact, cart and update time are hashed; a replayed report makes the same name (the
// client token), a newer one a new one.
func scheduleName(d Due) string {
	h := sha256.Sum256([]byte(d.ContactID + "\x00" + d.CartID + "\x00" + d.UpdatedAt.UTC().Format(time.RFC3339Nano)))
	return "cart-" + hex.EncodeToString(h[:16]) + "-" + strconv.Itoa(d.Step)
}

// remindAt is when step of a cart updated at updatedAt is due: After (or SecondAfter) later,
// moved out of the quiet hours of the customer's time zone (else the shop's).
func (c Config) remindAt(updatedAt time.Time, step int, timezone string) time.Time {
	at := updatedAt.Add(c.After)
	if step == 2 {
		at = updatedAt.Add(c.SecondAfter)
	}
	return at.Add(c.Quiet.Wait(at, c.location(timezone))).UTC()
}

func (c Config) location(timezone string) *time.Location {
	for _, name := range []string{timezone, c.ShopTimezone} {
		if name == "" {
			continue
		}
		if loc, err := render.Location(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// steps are the reminder steps configured.
func (c Config) steps() []int {
	if c.SecondAfter > 0 {
		return []int{1, 2}
	}
	return []int{1}
}
