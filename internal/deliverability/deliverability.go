// Package deliverability keeps email deliverable and lawful: it decides before every send
// whether the address may get email at all (suppression after hard bounces, complaints,
// repeated soft bounces, SES's own suppression list), whether the contact wants marketing of
// the topic, and whether marketing is paused because bounce or complaint rates approach SES's
// review thresholds (DESIGN.md section 7). It also ingests SES's events (ingest.go).
package deliverability

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/email"
)

// Suppression says why no email may go to an address.
type Suppression struct {
	Address string
	Reason  string // ReasonBounce, ReasonComplaint, ReasonSoftBounces, ReasonSESList
	Detail  string // the SES diagnostic, feedback type...
	At      time.Time
	Source  string // the SES message id that caused it
}

// Suppression reasons.
const (
	ReasonBounce      = "hard bounce"
	ReasonComplaint   = "complaint"
	ReasonSoftBounces = "repeated soft bounces"
	ReasonSESList     = "on the SES account suppression list"
)

// Suppressions reads suppressions by address (compared case-insensitively).
type Suppressions interface {
	Suppression(ctx context.Context, address string) (Suppression, bool, error)
}

// State is whether marketing from a sender is paused, and why.
type State struct {
	Paused bool
	Reason string
	Since  time.Time
}

// States reads the reputation state of a sender.
type States interface {
	ReputationState(ctx context.Context, sender string) (State, error)
}

// Gate is the check that runs before every send.
type Gate struct {
	Suppressions Suppressions
	States       States
	Sender       string // the From address whose reputation is guarded
	Now          func() time.Time
	// StateTTL is how long a read reputation state is trusted (default one minute), so that a
	// campaign does not read it once per recipient.
	StateTTL time.Duration

	mu     sync.Mutex
	state  State
	readAt time.Time
}

// Check returns why nothing of the topic may go to the contact now, or "" when it may: never
// to an address SES cannot send to (email.Sendable). An empty topic is transactional email: only suppression stops it. A marketing topic also needs
// the contact's consent and marketing not to be paused.
func (g *Gate) Check(ctx context.Context, c *contact.Contact, topic string) (string, error) {
	if err := email.Sendable(c.Email); err != nil {
		return "address not sendable: a non-ASCII local part needs SMTPUTF8, which SES does not support", nil
	}
	suppressed, err := g.Suppressed(ctx, c)
	if err != nil {
		return "", err
	}
	return g.CheckRead(ctx, c, topic, suppressed)
}

// Suppressed reads why the contact's address is suppressed ("" when it is not), for CheckRead:
// a send that checks more than one topic (a thank-you's transactional part, then its marketing
// parts) reads the address's suppression once.
func (g *Gate) Suppressed(ctx context.Context, c *contact.Contact) (string, error) {
	sup, found, err := g.Suppressions.Suppression(ctx, c.Email)
	if err != nil {
		return "", fmt.Errorf("check suppression of contact %s: %w", c.ID, err)
	}
	if !found {
		return "", nil
	}
	return sup.Reason, nil
}

// CheckRead is Check with the address's suppression already read (its reason, "" when the
// address is not suppressed): a sender reads a batch's suppressions in one request.
func (g *Gate) CheckRead(ctx context.Context, c *contact.Contact, topic, suppressed string) (string, error) {
	if err := email.Sendable(c.Email); err != nil {
		return "address not sendable: a non-ASCII local part needs SMTPUTF8, which SES does not support", nil
	}
	if suppressed != "" {
		return "address suppressed: " + suppressed, nil
	}
	if topic == "" {
		return "", nil
	}
	if !c.MayMarket(topic) {
		return "no consent to " + topic + " email", nil
	}
	if c.MarketingPausedUntil.After(g.Now()) {
		return "marketing to this customer paused until " + c.MarketingPausedUntil.Format(time.RFC3339) + " (unhappy answer)", nil
	}
	st, err := g.reputation(ctx)
	if err != nil {
		return "", err
	}
	if st.Paused {
		return "marketing paused: " + st.Reason, nil
	}
	return "", nil
}

func (g *Gate) reputation(ctx context.Context) (State, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	ttl := g.StateTTL
	if ttl == 0 {
		ttl = time.Minute
	}
	if now := g.Now(); g.readAt.IsZero() || now.Sub(g.readAt) >= ttl {
		st, err := g.States.ReputationState(ctx, g.Sender)
		if err != nil {
			return State{}, fmt.Errorf("read reputation of %s: %w", g.Sender, err)
		}
		g.state, g.readAt = st, now
	}
	return g.state, nil
}

// Rates are a sender's counts over the reputation window.
type Rates struct {
	Sends, Bounces, Complaints int64
}

// Policy says when marketing pauses and resumes. SES reviews an account at a 5% bounce rate or
// a 0.1% complaint rate; marketing pauses before that and resumes only well below it, so that
// it does not flap.
type Policy struct {
	PauseBounce, ResumeBounce       float64
	PauseComplaint, ResumeComplaint float64
	// MinSends is the volume below which rates are not judged (one bounce in ten sends says
	// little, and SES judges on a representative volume too).
	MinSends int64
	Window   time.Duration
}

// DefaultPolicy pauses at 4% bounces or 0.08% complaints over 7 days and resumes below 2.5%
// and 0.05%.
var DefaultPolicy = Policy{
	PauseBounce: 0.04, ResumeBounce: 0.025, PauseComplaint: 0.0008, ResumeComplaint: 0.0005,
	MinSends: 200, Window: 7 * 24 * time.Hour,
}

// Judge returns the state the rates call for, given whether marketing is paused now.
func (p Policy) Judge(r Rates, paused bool) (pause bool, reason string) {
	if r.Sends < p.MinSends {
		return paused, ""
	}
	bounce, complaint := float64(r.Bounces)/float64(r.Sends), float64(r.Complaints)/float64(r.Sends)
	why := fmt.Sprintf("bounce rate %.2f%%, complaint rate %.3f%% over the last %d sends (%s)",
		100*bounce, 100*complaint, r.Sends, days(p.Window))
	switch {
	case bounce >= p.PauseBounce || complaint >= p.PauseComplaint:
		return true, why
	case paused && (bounce >= p.ResumeBounce || complaint >= p.ResumeComplaint):
		return true, why
	}
	return false, why
}

func days(d time.Duration) string { return fmt.Sprintf("%d days", int(d.Hours()/24)) }

// Normalize returns the form of an address suppressions are kept under: lower-cased.
func Normalize(address string) string { return strings.ToLower(strings.TrimSpace(address)) }

// KindConfirm is the send kind of subscription confirmations (double opt-in).
const KindConfirm = "confirm"

// ReputationOf is the name a send's reputation counts are kept under. Confirmations go to
// addresses anyone can type into a form, so their bounces and complaints are counted apart
// (under "confirmations/<sender>") and pause confirmations only (Gate.ConfirmationsPaused),
// never the shop's marketing.
func ReputationOf(sender, kind string) string {
	if kind == KindConfirm && sender != "" {
		return "confirmations/" + sender
	}
	return sender
}

// ConfirmationsPaused returns why no subscription confirmation may go out now ("" when they
// may): their own bounce or complaint rates crossed the policy's lines.
func (g *Gate) ConfirmationsPaused(ctx context.Context) (string, error) {
	st, err := g.States.ReputationState(ctx, ReputationOf(g.Sender, KindConfirm))
	if err != nil {
		return "", fmt.Errorf("read reputation of confirmations from %s: %w", g.Sender, err)
	}
	if st.Paused {
		return "confirmations paused: " + st.Reason, nil
	}
	return "", nil
}
