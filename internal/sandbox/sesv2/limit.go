package sesv2

import (
	"crypto/rand"
	"fmt"
	"time"
)

// bucket is a token bucket for the sending rate. It runs on wall time, not on the sandbox
// clock, so that moving the clock forward does not refill it and a burst of sends is
// throttled as SES would throttle it.
type bucket struct {
	rate   float64 // tokens per second
	tokens float64 // may be negative: a send to more recipients than the burst borrows ahead
	last   time.Time
}

// newBucket returns a full bucket: SES lets a sender exceed its rate for a short burst, here
// of one second's worth of recipients.
func newBucket(rate float64) bucket {
	return bucket{rate: rate, tokens: max(rate, 1), last: time.Now()}
}

// take takes n tokens at time now if the bucket has them (or, for n above the burst, is full).
func (b *bucket) take(n float64, now time.Time) bool {
	burst := max(b.rate, 1)
	b.tokens = min(burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < min(n, burst) {
		return false
	}
	b.tokens -= n
	return true
}

// newMessageID returns an id shaped like SES's: "0100" and the time in milliseconds as 12 hex
// digits, a random UUID, and "-000000".
func newMessageID(t time.Time) string {
	return fmt.Sprintf("0100%012x-%s-000000", t.UnixMilli(), newUUID())
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
