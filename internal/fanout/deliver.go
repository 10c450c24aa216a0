package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"shopmail/internal/calendar"
	"shopmail/internal/campaign"
	"shopmail/internal/campaign/stored"
	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/pace"
	"shopmail/internal/send"
)

// Reasons a recipient is skipped (the stats' "skipped" keys).
const (
	ReasonSuppressed   = "suppressed"
	ReasonUnsubscribed = "unsubscribed"
	ReasonNoConsent    = "no_consent"
	ReasonFrequencyCap = "frequency_cap"
	ReasonHoldout      = "holdout"
	ReasonUnsendable   = "unsendable"
	ReasonPaused       = "customer_paused" // marketing to the customer paused after an unhappy answer
	ReasonErased       = "erased"
)

// Received is one message as the queue delivered it.
type Received struct {
	ID      string // the queue's message id: the claim's token, the same on every redelivery
	Receipt string // for Defer
	Body    string
}

// workers is how many recipients of a batch are handled at once.
const workers = 10

// Deliver handles a batch from the queue and returns the ids of the messages to be delivered
// again (deferred to their time, throttled, or failed for now); the others are done.
func (s *Service) Deliver(ctx context.Context, batch []Received) []string {
	var again []string
	byCampaign := map[string][]job{}
	var order []string
	for _, r := range batch {
		var m Message
		if err := json.Unmarshal([]byte(r.Body), &m); err != nil || m.Campaign == "" {
			s.Log.Error("campaign message dropped: not one of ours", "message", r.ID, "error", err)
			continue
		}
		if m.Step != "" {
			if wait := m.NotBefore.Sub(s.Now()); wait > 0 {
				again = append(again, s.later(ctx, r, wait))
				continue
			}
			if err := s.Step(ctx, m); err != nil {
				s.Log.Error("campaign step failed", "campaign", m.Campaign, "step", m.Step, "error", err)
				again = append(again, r.ID)
			}
			continue
		}
		if _, ok := byCampaign[m.Campaign]; !ok {
			order = append(order, m.Campaign)
		}
		byCampaign[m.Campaign] = append(byCampaign[m.Campaign], job{r: r, m: m})
	}
	for _, id := range order {
		again = append(again, s.deliverCampaign(ctx, id, byCampaign[id])...)
	}
	return again
}

// job is one recipient's message and what became of it.
type job struct {
	r       Received
	m       Message
	c       *contact.Contact
	skip    string        // a reason to skip
	wait    time.Duration // deferred by this much
	out     send.Outcome
	err     error
	retried bool   // throttled or unavailable: tried again soon
	dayOff  string // deferred for this day without promotion
}

// later defers a message by wait (at most what the queue allows) and names it to be delivered
// again.
func (s *Service) later(ctx context.Context, r Received, wait time.Duration) string {
	if r.Receipt != "" {
		if err := s.Queue.Defer(ctx, r.Receipt, min(wait, 12*time.Hour)); err != nil {
			s.Log.Warn("campaign message not deferred; it comes back after the visibility timeout", "message", r.ID, "error", err)
		}
	}
	return r.ID
}

// deliverCampaign sends one campaign's recipients of a batch.
func (s *Service) deliverCampaign(ctx context.Context, id string, jobs []job) []string {
	fail := func(err error) []string {
		s.Log.Error("campaign batch failed", "campaign", id, "error", err)
		out := make([]string, len(jobs))
		for i, j := range jobs {
			out[i] = j.r.ID
		}
		return out
	}
	c, found, err := s.campaign(ctx, id, false)
	if err != nil {
		return fail(err)
	}
	status := c.Status
	reminderOnly := true
	for _, j := range jobs {
		reminderOnly = reminderOnly && j.m.Arm == string(campaign.ArmReminder)
	}
	switch {
	case !found:
		return nil // deleted: nothing to send
	case status == campaign.StatusPaused:
		return s.hold(ctx, id, jobs, fail)
	case status == campaign.StatusSending, status == campaign.StatusCompleted && reminderOnly:
	default:
		return nil // cancelled, blocked, or done: these messages are not to be sent
	}
	now := s.Now()
	if err := c.Check(now); err != nil {
		if err := s.block(ctx, c, err); err != nil {
			return fail(err)
		}
		return nil
	}
	s.prepare(ctx, c, jobs)
	if paused := s.reputationPaused(jobs); paused != "" {
		// The sender's reputation nears SES's thresholds: the campaign pauses (the marketer
		// resumes it) instead of skipping everyone left.
		if _, err := s.setStatus(ctx, id, []string{campaign.StatusSending}, campaign.StatusPaused, stored.Change{BlockedReason: paused}, "", nil); err != nil {
			return fail(err)
		}
		return s.hold(ctx, id, jobs, fail)
	}
	s.sendPaced(ctx, c, jobs)
	return s.settle(ctx, id, jobs)
}

// hold keeps a paused campaign's messages in the table until it resumes. A campaign resumed
// meanwhile holds nothing: its messages are delivered again, to be sent.
func (s *Service) hold(ctx context.Context, id string, jobs []job, fail func(error) []string) []string {
	held := make(map[string]string, len(jobs))
	for _, j := range jobs {
		held[j.m.Contact+"#"+j.m.Arm] = j.r.Body
	}
	ok, err := s.Store.Hold(ctx, id, held)
	if err != nil {
		return fail(err)
	}
	if !ok {
		s.forget(id)
		again := make([]string, len(jobs))
		for i, j := range jobs {
			again[i] = s.later(ctx, j.r, time.Second)
		}
		return again
	}
	return nil
}

// prepare reads the batch's recipients and their suppressions (a request each for the batch)
// and decides for each: skip (with the reason), wait, or send.
func (s *Service) prepare(ctx context.Context, c campaign.Campaign, jobs []job) {
	now := s.Now()
	var ids []string
	for i := range jobs {
		j := &jobs[i]
		if wait := j.m.NotBefore.Sub(now); wait > 0 {
			j.wait = wait
		} else if j.m.Arm == string(campaign.ArmHoldout) {
			j.skip = ReasonHoldout
		} else {
			ids = append(ids, j.m.Contact)
		}
	}
	if len(ids) == 0 {
		return
	}
	slices.Sort(ids)
	contacts, err := s.Store.Contacts(ctx, slices.Compact(ids)) // a message delivered twice in a batch: one key
	var addresses []string
	for _, ct := range contacts {
		if ct.Version > 0 && ct.Email != "" {
			addresses = append(addresses, ct.Email)
		}
	}
	var suppressed map[string]string
	if err == nil && len(addresses) > 0 {
		suppressed, err = s.Store.SuppressionsOf(ctx, addresses)
	}
	for i := range jobs {
		j := &jobs[i]
		if j.wait > 0 || j.skip != "" {
			continue
		}
		if err != nil {
			j.err = err
			continue
		}
		ct := contacts[j.m.Contact]
		j.c = ct
		if ct.Version == 0 || ct.Email == "" {
			j.skip = ReasonErased
			continue
		}
		reason, err := s.Gate.CheckRead(ctx, ct, c.Topic, suppressed[deliverability.Normalize(ct.Email)])
		if err != nil {
			j.err = err
			continue
		}
		if reason != "" {
			j.skip = gateReason(ct, c.Topic, reason)
			continue
		}
		if s.FrequencyCap > 0 && !ct.Summary.MarketedAt.IsZero() && now.Sub(ct.Summary.MarketedAt) < s.FrequencyCap &&
			j.m.Arm != string(campaign.ArmReminder) {
			j.skip = ReasonFrequencyCap + ": a marketing email was delivered " + ct.Summary.MarketedAt.UTC().Format(time.RFC3339)
			continue
		}
		if j.wait, j.dayOff, j.err = s.noPromotion(ctx, now, ct); j.wait > 0 && c.Card != nil {
			// A card greets its own day: a day later it would greet the wrong one.
			j.wait, j.skip = 0, ReasonNoPromotion+": "+j.dayOff+" is a day without promotion for the contact"
			continue
		}
		if j.wait == 0 && j.err == nil {
			j.wait = s.quiet(now, ct)
		}
	}
}

// gateReason turns the gate's reason into the stats' reason, with the gate's words after it.
func gateReason(c *contact.Contact, topic, why string) string {
	code := ReasonNoConsent
	switch {
	case strings.HasPrefix(why, "address suppressed"):
		code = ReasonSuppressed
	case strings.HasPrefix(why, "address not sendable"):
		code = ReasonUnsendable
	case strings.HasPrefix(why, "marketing to this customer paused"):
		code = ReasonPaused
	case strings.HasPrefix(why, "marketing paused"):
		return why // the sender's reputation: the campaign pauses (reputationPaused)
	case strings.HasPrefix(why, "no consent"):
		code = consentReason(c, topic)
	}
	return code + ": " + why
}

// reputationPaused is the gate's reason when marketing is paused for the sender's reputation.
func (s *Service) reputationPaused(jobs []job) string {
	for _, j := range jobs {
		if strings.HasPrefix(j.skip, "marketing paused") {
			return j.skip
		}
	}
	return ""
}

// quiet is how long a send to c must wait for the end of the quiet hours in c's time zone (0
// outside them).
func (s *Service) quiet(now time.Time, c *contact.Contact) time.Duration {
	return calendar.QuietHours{Start: s.QuietStart, End: s.QuietEnd}.Wait(now, s.timezone(c))
}

// sendPaced sends the batch: the skips at once, the sends as the shared budget lets them go,
// each part as soon as it is given (a part kept back for the rest of the batch would go out
// after its booking, crowding the bookings after it). Sends the budget could not wait for are
// left to be delivered again.
func (s *Service) sendPaced(ctx context.Context, c campaign.Campaign, jobs []job) {
	slices.SortStableFunc(jobs, func(a, b job) int {
		if a.sends() == b.sends() {
			return 0
		}
		if a.sends() {
			return 1
		}
		return -1
	})
	first := slices.IndexFunc(jobs, func(j job) bool { return j.sends() })
	if first < 0 {
		first = len(jobs)
	}
	s.send(ctx, c, jobs[:first])
	rest := jobs[first:]
	if len(rest) == 0 || s.Budget == nil {
		s.send(ctx, c, rest)
		return
	}
	rate, err := s.Rates.MaxSendRate(ctx)
	b := *s.Budget
	b.Rate = pace.Share(rate, s.Keep)
	for err == nil && len(rest) > 0 {
		var n int
		n, err = b.Take(ctx, len(rest))
		s.send(ctx, c, rest[:n])
		rest = rest[n:]
	}
	for i := range rest {
		rest[i].err = err
	}
}

func (j *job) sends() bool { return j.err == nil && j.skip == "" && j.wait == 0 }

// send renders and sends each recipient's email, or records why it is skipped.
func (s *Service) send(ctx context.Context, c campaign.Campaign, jobs []job) {
	now := s.Now()
	parallel(jobs, func(j *job) {
		if j.err != nil || j.wait > 0 {
			return
		}
		arm := campaign.Arm(j.m.Arm)
		key := Key(c.ID, arm)
		rec := send.Record{Key: key, ContactID: j.m.Contact, Kind: Kind, Topic: c.Topic,
			CampaignID: campaign.StatsKey(c.ID, arm), Direct: true}
		if j.skip != "" {
			if j.c != nil {
				rec.To = j.c.Email
			}
			rec.ExpiresAt = now.Add(s.Links.Tracking)
			j.out, j.err = s.Sender.Skip(withToken(ctx, j.r.ID), rec, j.skip)
			return
		}
		var greeting *campaign.Greeting
		if c.Card != nil {
			var skip string
			if greeting, skip, j.err = s.greet(ctx, c, j.c, key, now); j.err != nil {
				return
			}
			if skip != "" {
				j.skip = skip
				rec.To, rec.ExpiresAt = j.c.Email, now.Add(s.Links.Tracking)
				j.out, j.err = s.Sender.Skip(withToken(ctx, j.r.ID), rec, j.skip)
				return
			}
		}
		l := s.Links.For(j.c.ID, key, now)
		msg, err := campaign.Render(c.ForArm(arm), campaign.Recipient{Email: j.c.Email, FirstName: j.c.FirstName,
			Locale: j.c.Locale, Timezone: s.timezone(j.c).String(), Links: l, Shop: s.Brand, From: s.From, Greeting: greeting})
		if err != nil {
			j.skip = "unrenderable: " + err.Error()
			j.out, j.err = s.Sender.Skip(withToken(ctx, j.r.ID), rec, j.skip)
			return
		}
		msg.Date = now
		rec.Links, rec.ExpiresAt = l.URLs(), now.Add(s.Links.Tracking)
		j.out, j.err = s.Sender.Send(withToken(ctx, j.r.ID), rec, msg, []send.Tag{
			{Name: "kind", Value: Kind},
			{Name: "contact", Value: send.TagValue(j.c.ID)},
			{Name: "campaign", Value: send.TagValue(rec.CampaignID)},
			{Name: "topic", Value: send.TagValue(c.Topic)},
		})
		if errors.Is(j.err, send.ErrThrottled) || errors.Is(j.err, send.ErrUnavailable) {
			j.retried = true
		}
	})
}

// withToken makes the queue's message id the claim's token: a redelivery of the message is the
// same attempt.
func withToken(ctx context.Context, messageID string) context.Context {
	if messageID == "" {
		return ctx
	}
	return send.WithAttempt(ctx, "sqs-"+messageID)
}

// settle counts what the batch did, names the messages to deliver again, and completes the
// campaign when it may be done.
func (s *Service) settle(ctx context.Context, id string, jobs []job) []string {
	var again, counted []string
	counts := map[string]int64{}
	for _, j := range jobs {
		before := len(again)
		switch {
		case j.wait > 0:
			if j.dayOff != "" {
				s.Log.Info("campaign email deferred: a day without promotion for the contact", "campaign", id, "contact", j.m.Contact, "day", j.dayOff)
			}
			again = append(again, s.later(ctx, j.r, j.wait))
		case j.retried:
			// SES refused for its rate or the account: soon again, never dropped.
			again = append(again, s.later(ctx, j.r, time.Second+time.Duration(len(again)%5)*time.Second))
		case j.err != nil:
			s.Log.Error("campaign send failed for now", "campaign", id, "contact", j.m.Contact, "error", j.err)
			again = append(again, j.r.ID)
		case j.out.Duplicate:
			if final(j.out.Record.Status) {
				counts["uncertain"]++
			}
		case j.m.Arm == string(campaign.ArmReminder):
			counts["reminder:"+string(j.out.Record.Status)]++
		default:
			counts["settled"]++
			counts[countName(j.out.Record)]++
			if j.m.Arm != string(campaign.ArmMain) && j.out.Record.Status == send.Sent {
				counts["sent:"+j.m.Arm]++ // a variant's sends, for its stats
			}
		}
		if len(again) == before {
			counted = append(counted, j.r.ID)
		}
	}
	if len(counts) == 0 {
		return again
	}
	run, err := s.Store.CountRun(ctx, id, counts)
	if err != nil {
		// Delivered again, these messages find their sends settled and count as uncertain,
		// which has the campaign recounted at the end: none is left uncounted.
		s.Log.Warn("campaign counters not updated", "campaign", id, "error", err)
		return append(again, counted...)
	}
	if run.PlanDone && run.Settled+run.Uncertain >= run.Planned {
		if err := s.finish(ctx, id); err != nil {
			// Its last sends are settled: a batch delivered again counts as uncertain and finishes.
			s.Log.Warn("campaign not completed yet", "campaign", id, "error", err)
			return append(again, counted...)
		}
	}
	return again
}

// final: a send that will not change any more (unknown ones are settled by SES's event or the
// sweep, never by a sender).
func final(st send.Status) bool {
	switch st {
	case send.Sent, send.Failed, send.Skipped, send.Unknown:
		return true
	}
	return false
}

// countName is the counter a settled send counts in: its status, or "skipped:<reason>".
func countName(r send.Record) string {
	if r.Status == send.Skipped {
		code, _, _ := strings.Cut(r.Reason, ":")
		return "skipped:" + code
	}
	return string(r.Status)
}

// parallel runs fn on every job, workers at a time.
func parallel(jobs []job, fn func(j *job)) {
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(&jobs[i])
		}()
	}
	wg.Wait()
}
