// Package fanout sends a campaign to its segment: a planner pages the audience onto a queue
// (plan.go), senders take recipients off it in batches, each paced, claimed, sent and settled
// exactly once (deliver.go), and the campaign completes only when its sends, recounted from the
// table, say that every recipient the planner queued is settled (finish.go).
//
// The queue carries one message per recipient and the planner's own control messages (a plan
// to continue, a test's winner to pick); the same function consumes both. Pausing holds the
// queued recipients in the table and resuming puts them back; nothing is re-planned, so
// nobody is sent twice or forgotten, whatever the order of pauses, crashes and replays.
package fanout

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"shopmail/internal/bus"
	"shopmail/internal/campaign"
	"shopmail/internal/campaign/stored"
	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/email"
	"shopmail/internal/links"
	"shopmail/internal/occasion"
	"shopmail/internal/pace"
	"shopmail/internal/render"
	"shopmail/internal/send"
)

// Kind is the send kind (and SES tag) of campaign emails.
const Kind = "campaign"

// Steps of control messages and schedules.
const (
	StepStart    = "start"    // the scheduled time: check, start, plan
	StepPlan     = "plan"     // go on planning where the last planner stopped
	StepResume   = "resume"   // put held recipients back in the queue, go on planning
	StepRetry    = "retry"    // put failed sends back in the queue
	StepWinner   = "winner"   // the A/B test's wait is over: pick the winner, plan the rest
	StepReminder = "reminder" // send the reminder to recipients who did not click
	StepFinish   = "finish"   // see whether every recipient is settled
)

// Message is one message of the campaign queue: a recipient (Contact), or a step (Step).
type Message struct {
	Campaign  string    `json:"c"`
	Contact   string    `json:"id,omitempty"`
	Arm       string    `json:"a,omitempty"`
	NotBefore time.Time `json:"nb,omitzero"` // not to be sent (or done) before
	Step      string    `json:"step,omitempty"`
}

// Key is the send key of a campaign's email to a contact: one per campaign and contact,
// whatever the variant; the reminder has its own.
func Key(campaignID string, a campaign.Arm) string {
	if a == campaign.ArmReminder {
		return Kind + "#" + campaignID + "#reminder"
	}
	return Kind + "#" + campaignID
}

// Store is what the fan-out keeps in the table (dynamo.Marketing).
type Store interface {
	Campaign(ctx context.Context, id string) (stored.Campaign, bool, error)
	SetCampaignStatus(ctx context.Context, id string, from []string, to string, ch stored.Change, evs ...bus.Event) (bool, error)
	CampaignRun(ctx context.Context, id string) (stored.Run, bool, error)
	StartRun(ctx context.Context, r stored.Run) error
	AdvancePlan(ctx context.Context, id, phase, from, to string, planned int64, skipped map[string]int64, done bool) (bool, error)
	NextPhase(ctx context.Context, id, from, to, winner, choice string) (bool, error)
	CountRun(ctx context.Context, id string, counts map[string]int64) (stored.Run, error)
	ClaimRecount(ctx context.Context, id string, every time.Duration) (bool, error)
	ScheduleLook(ctx context.Context, id string, at time.Time) (bool, error)
	CancelLook(ctx context.Context, id string, at time.Time) error
	SetRunCounts(ctx context.Context, id string, settled int64, counts map[string]int64) error
	EachCampaignSend(ctx context.Context, id, sendKey string, fn func(r send.Record) error) error
	EachCampaignSendClicked(ctx context.Context, id, sendKey string, fn func(r send.Record, clicked bool) error) error
	QueueSend(ctx context.Context, contactID, sendKey string) (bool, error)
	Hold(ctx context.Context, id string, held map[string]string) (bool, error)
	HeldMessages(ctx context.Context, id string, limit int) ([]stored.Held, error)
	Unhold(ctx context.Context, id string, held []stored.Held) error
	Segment(ctx context.Context, id string) (contact.StoredSegment, bool, error)
	ContactsPage(ctx context.Context, cursor string, limit int) ([]*contact.Contact, string, error)
	Contact(ctx context.Context, id string) (*contact.Contact, error)
	// Contacts reads up to 100 contacts at once.
	Contacts(ctx context.Context, ids []string) (map[string]*contact.Contact, error)
	// SuppressionsOf says why each suppressed address of up to 50 is suppressed, by normalised
	// address (deliverability.Normalize).
	SuppressionsOf(ctx context.Context, addresses []string) (map[string]string, error)
	Stats(ctx context.Context, key string) (map[string]int64, error)
	bus.Pending
}

// Queue is the campaign queue.
type Queue interface {
	// Send puts messages on the queue (all, or an error).
	Send(ctx context.Context, bodies []string) error
	// SendAfter puts messages on the queue, each received no sooner than d from now (at most
	// 15 minutes).
	SendAfter(ctx context.Context, d time.Duration, bodies []string) error
	// Defer makes a received message visible again after d (at most 12 hours).
	Defer(ctx context.Context, receipt string, d time.Duration) error
}

// Rates reads the SES account's sending rate (GetAccount's MaxSendRate).
type Rates interface {
	MaxSendRate(ctx context.Context) (float64, error)
}

// Config is how campaigns are sent.
type Config struct {
	Brand render.Brand
	From  email.Address
	Links links.Config
	// ShopTimezone is the time zone of recipients without one (quiet hours, local send times).
	ShopTimezone string
	// FrequencyCap: no marketing email to a contact within it of the last (0: no cap).
	FrequencyCap time.Duration
	// QuietStart and QuietEnd are the hours (0-23, local) between which nothing is sent;
	// equal: no quiet hours.
	QuietStart, QuietEnd int
	// Keep is the share of SES's rate kept for transactional mail (0.2).
	Keep float64
}

// Service plans and sends campaigns.
type Service struct {
	Config
	Store  Store
	Queue  Queue
	Sender *send.Sender
	Gate   *deliverability.Gate
	Budget *pace.Budget // its Rate is set from Rates, less Keep
	Rates  Rates
	// Calendar says which days are without promotion (nil: none); the greeting cards' sweep
	// reads the occasions from the store.
	Calendar *occasion.Cached
	Publish  bus.Publisher
	Log      *slog.Logger
	Now      func() time.Time

	mu    sync.Mutex
	cache map[string]cached
}

// cached is a campaign read by a sender, trusted for cacheFor (a pause reaches the senders
// within it; the claims make anything sent meanwhile still once).
type cached struct {
	c  campaign.Campaign
	at time.Time
}

const cacheFor = 5 * time.Second

// campaign reads a campaign; fresh reads the table, else a copy read within cacheFor may do.
func (s *Service) campaign(ctx context.Context, id string, fresh bool) (campaign.Campaign, bool, error) {
	now := s.Now()
	s.mu.Lock()
	if c, ok := s.cache[id]; ok && !fresh && now.Sub(c.at) < cacheFor {
		s.mu.Unlock()
		return c.c, true, nil
	}
	s.mu.Unlock()
	rec, found, err := s.Store.Campaign(ctx, id)
	if err != nil || !found {
		return campaign.Campaign{}, found, err
	}
	c, err := campaign.Decode(rec.Doc)
	if err != nil {
		return c, false, fmt.Errorf("read campaign %s: %w", id, err)
	}
	c.ID, c.Status, c.BlockedReason, c.ScheduledAt, c.RecipientLocalTime = rec.ID, rec.Status, rec.BlockedReason, rec.ScheduledAt, rec.LocalTime
	c.StartedAt, c.CreatedAt, c.UpdatedAt = rec.StartedAt, rec.CreatedAt, rec.UpdatedAt
	s.mu.Lock()
	if s.cache == nil {
		s.cache = map[string]cached{}
	}
	s.cache[id] = cached{c: c, at: now}
	s.mu.Unlock()
	return c, true, nil
}

// forget drops a cached campaign (its status was just changed here).
func (s *Service) forget(id string) {
	s.mu.Lock()
	delete(s.cache, id)
	s.mu.Unlock()
}

// setStatus changes a campaign's status with the event it owes (detailType "" for none), and
// publishes the event.
func (s *Service) setStatus(ctx context.Context, id string, from []string, to string, ch stored.Change, detailType string, detail any) (bool, error) {
	var evs []bus.Event
	if detailType != "" {
		ev, err := bus.NewEvent(detailType, detail, s.Now())
		if err != nil {
			return false, err
		}
		evs = append(evs, ev)
	}
	ok, err := s.Store.SetCampaignStatus(ctx, id, from, to, ch, evs...)
	s.forget(id)
	if err != nil || !ok {
		return ok, err
	}
	if s.Publish != nil && len(evs) > 0 {
		if _, err := (&bus.Relay{Publisher: s.Publish, Outbox: s.Store, Now: s.Now}).Deliver(ctx, evs...); err != nil {
			s.Log.Warn("campaign event left in the outbox", "campaign", id, "error", err)
		}
	}
	return true, nil
}

// pick is a number in [0, 100) fixed by the run's salt, the contact and what it picks for:
// random across contacts and campaigns, the same on every replay.
func pick(salt, contactID, what string) int {
	h := fnv.New64a()
	h.Write([]byte(salt + "\x00" + what + "\x00" + contactID))
	return int(h.Sum64() % 100)
}

// Encode is a message as the queue carries it.
func Encode(m Message) string {
	b, _ := json.Marshal(m) // strings and a time: always encodes
	return string(b)
}

// enqueue puts messages on the queue; those not to be done before a time are kept from the
// senders until then, as far as the queue can delay them, instead of received and deferred.
func (s *Service) enqueue(ctx context.Context, msgs []Message) error {
	byDelay := map[time.Duration][]string{}
	var delays []time.Duration
	now := s.Now()
	for _, m := range msgs {
		d := (min(max(m.NotBefore.Sub(now), 0), maxDelay) + time.Second - 1).Truncate(time.Second)
		if _, ok := byDelay[d]; !ok {
			delays = append(delays, d)
		}
		byDelay[d] = append(byDelay[d], Encode(m))
	}
	for _, d := range delays {
		send := s.Queue.Send
		if d > 0 {
			send = func(ctx context.Context, bodies []string) error { return s.Queue.SendAfter(ctx, d, bodies) }
		}
		if err := send(ctx, byDelay[d]); err != nil {
			return err
		}
	}
	return nil
}

// maxDelay is the longest SQS delays a message it is sent (what is left is deferred when it
// is received).
const maxDelay = 15 * time.Minute
