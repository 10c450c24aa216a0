// Package coupon issues single-use coupon codes: one per (order, purpose), so that a replayed
// event shows the customer the same code again instead of minting another.
package coupon

import (
	"crypto/rand"
	"time"
)

// Coupon is one issued code. The shop checks a code against the table (by code) and the order
// event that redeems it carries it as couponCode.
type Coupon struct {
	Code      string
	Purpose   string // e.g. "thankyou"
	ContactID string
	OrderID   string
	Offer     string // what it gives, as shown to the customer
	IssuedAt  time.Time
	ExpiresAt time.Time
	// RedeemedBy is the order that used the code, once one has.
	RedeemedBy string
	RedeemedAt time.Time
}

// alphabet has no characters that are easily confused when read or typed (0/O, 1/I/L, U/V).
const alphabet = "23456789ABCDEFGHJKMNPQRSTWXYZ"

// NewCode returns PREFIX-XXXX-XXXX with 8 random characters (about 39 bits), e.g.
// "THANKS-7KQM-X3TD".
func NewCode(prefix string) string {
	out := make([]byte, 0, len(prefix)+10)
	out = append(out, prefix...)
	var b [1]byte
	for n := 0; n < 8; {
		rand.Read(b[:]) // never fails (crypto/rand panics rather than return an error)
		if int(b[0]) >= 256/len(alphabet)*len(alphabet) {
			continue // rejection sampling keeps every character equally likely
		}
		if n%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, alphabet[int(b[0])%len(alphabet)])
		n++
	}
	return string(out)
}
