package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"shopmail/internal/bus"
	"shopmail/internal/campaign"
	"shopmail/internal/campaign/stored"
	"shopmail/internal/email"
	"shopmail/internal/fanout"
	"shopmail/internal/fault"
	"shopmail/internal/money"
	"shopmail/internal/send"
)

// Scheduler creates and deletes the one-time schedules that start campaigns.
type Scheduler interface {
	At(ctx context.Context, name string, at time.Time, input []byte) error
	Delete(ctx context.Context, name string) error
}

// Queue is the campaign queue (the API puts steps on it: resume, retry).
type Queue interface {
	Send(ctx context.Context, bodies []string) error
}

// Sending is what the API needs beside the store to send campaigns: the schedules, the queue,
// and the mail service for test sends.
type Sending struct {
	Scheduler Scheduler
	Queue     Queue
	Mailer    send.Mailer
}

// Runs reads campaigns' runs and counters, and changes their status.
type Runs interface {
	SetCampaignStatus(ctx context.Context, id string, from []string, to string, ch stored.Change, evs ...bus.Event) (bool, error)
	CampaignRun(ctx context.Context, id string) (stored.Run, bool, error)
	Stats(ctx context.Context, key string) (map[string]int64, error)
}

// maxAhead is how far ahead a campaign may be scheduled.
const maxAhead = 366 * 24 * time.Hour

// startNow is how close to now a start is put on the queue at once rather than scheduled
// (Scheduler's precision is a minute).
const startNow = time.Minute

// ScheduleInput is POST /campaigns/{id}/schedule's body.
type ScheduleInput struct {
	At                 time.Time `json:"at"`
	RecipientLocalTime bool      `json:"recipientLocalTime"`
}

// Schedule schedules a draft (or moves a scheduled campaign) to be sent at in.At, after
// checking it as it would be checked then.
func (s *Service) Schedule(ctx context.Context, id string, in ScheduleInput) (campaign.Campaign, error) {
	c, _, err := s.get(ctx, id)
	if err != nil {
		return c, err
	}
	now := s.Now()
	switch {
	case in.At.IsZero():
		return c, &campaign.FieldError{What: "schedule", Fields: map[string]string{"at": "is required: an RFC 3339 time"}}
	case in.At.Before(now.Add(-startNow)):
		return c, &campaign.FieldError{What: "schedule", Fields: map[string]string{"at": "is past"}}
	case in.At.After(now.Add(maxAhead)):
		return c, &campaign.FieldError{What: "schedule", Fields: map[string]string{"at": "is more than a year ahead"}}
	}
	if c.Status != campaign.StatusDraft && c.Status != campaign.StatusScheduled {
		return c, fmt.Errorf("%w: campaign %s is %s; only a draft or a scheduled campaign can be scheduled", fault.ErrConflict, id, c.Status)
	}
	if err := c.Check(in.At); err != nil {
		return c, err
	}
	if s.DaysOff != nil {
		if err := s.DaysOff.DayOff(ctx, in.At, in.RecipientLocalTime, slices.Sorted(maps.Keys(c.Content))); err != nil {
			return c, err
		}
	}
	if c.Status == campaign.StatusScheduled {
		if err := s.unschedule(ctx, c); err != nil {
			return c, err
		}
	}
	local := in.RecipientLocalTime
	ok, err := s.Runs.SetCampaignStatus(ctx, id, []string{campaign.StatusDraft, campaign.StatusScheduled}, campaign.StatusScheduled,
		stored.Change{ScheduledAt: in.At, LocalTime: &local})
	if err != nil {
		return c, err
	}
	if !ok {
		return c, fmt.Errorf("%w: campaign %s changed meanwhile; read it again", fault.ErrConflict, id)
	}
	c.Status, c.ScheduledAt, c.RecipientLocalTime = campaign.StatusScheduled, in.At, local
	start := in.At
	if local {
		start = fanout.LocalStart(in.At)
	}
	if err := s.startAt(ctx, c, start); err != nil {
		return c, err
	}
	if at := c.ReminderAt(); !at.IsZero() && at.After(start) {
		if err := s.Sending.Scheduler.At(ctx, scheduleName(c.ID, "reminder", at), at, stepInput(c.ID, fanout.StepReminder)); err != nil {
			return c, err
		}
	}
	return c, nil
}

// startAt has the campaign started at `at`: by a schedule, or through the queue when that is now.
func (s *Service) startAt(ctx context.Context, c campaign.Campaign, at time.Time) error {
	if at.Sub(s.Now()) < startNow {
		return s.Sending.Queue.Send(ctx, []string{fanout.Encode(fanout.Message{Campaign: c.ID, Step: fanout.StepStart, NotBefore: at})})
	}
	return s.Sending.Scheduler.At(ctx, scheduleName(c.ID, "start", at), at, stepInput(c.ID, fanout.StepStart))
}

// unschedule deletes a scheduled campaign's schedules.
func (s *Service) unschedule(ctx context.Context, c campaign.Campaign) error {
	start := c.ScheduledAt
	if c.RecipientLocalTime {
		start = fanout.LocalStart(start)
	}
	if err := s.Sending.Scheduler.Delete(ctx, scheduleName(c.ID, "start", start)); err != nil {
		return err
	}
	if at := c.ReminderAt(); !at.IsZero() {
		return s.Sending.Scheduler.Delete(ctx, scheduleName(c.ID, "reminder", at))
	}
	return nil
}

// scheduleName names a campaign's schedule of a step at a time (a rescheduled campaign's
// schedule is another; Scheduler names are at most 64 characters).
func scheduleName(id, step string, at time.Time) string {
	return fmt.Sprintf("campaign-%s-%s-%d", strings.TrimPrefix(id, "cmp-"), step, at.Unix())
}

func stepInput(id, step string) []byte {
	b, _ := json.Marshal(map[string]string{"campaign": id, "step": step})
	return b
}

// step puts a step of the campaign on the queue.
func (s *Service) step(ctx context.Context, id, step string) error {
	return s.Sending.Queue.Send(ctx, []string{fanout.Encode(fanout.Message{Campaign: id, Step: step})})
}

// Pause stops a sending campaign; what is queued is held until it resumes.
func (s *Service) Pause(ctx context.Context, id string) (campaign.Campaign, error) {
	return s.move(ctx, id, []string{campaign.StatusSending}, campaign.StatusPaused, "", "paused")
}

// Resume goes on sending a paused campaign from where it stopped.
func (s *Service) Resume(ctx context.Context, id string) (campaign.Campaign, error) {
	return s.move(ctx, id, []string{campaign.StatusPaused}, campaign.StatusSending, fanout.StepResume, "resumed")
}

// Cancel stops a campaign for good: what is queued is dropped; what was sent stays sent.
func (s *Service) Cancel(ctx context.Context, id string) (campaign.Campaign, error) {
	c, err := s.move(ctx, id, []string{campaign.StatusScheduled, campaign.StatusSending, campaign.StatusPaused}, campaign.StatusCancelled, "", "cancelled")
	if err == nil && !c.ScheduledAt.IsZero() {
		// A start schedule left in place would find the campaign cancelled and do nothing.
		err = s.unschedule(ctx, c)
	}
	return c, err
}

// RetryFailed sends again the sends that failed (and only those).
func (s *Service) RetryFailed(ctx context.Context, id string) (campaign.Campaign, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return c, err
	}
	if c.Status != campaign.StatusCompleted && c.Status != campaign.StatusSending {
		return c, fmt.Errorf("%w: campaign %s is %s; failed sends are retried in a sending or completed campaign", fault.ErrConflict, id, c.Status)
	}
	return c, s.step(ctx, id, fanout.StepRetry)
}

// move changes a campaign's status, then puts the step (if any) on the queue.
func (s *Service) move(ctx context.Context, id string, from []string, to, step, done string) (campaign.Campaign, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return c, err
	}
	ok, err := s.Runs.SetCampaignStatus(ctx, id, from, to, stored.Change{})
	if err != nil {
		return c, err
	}
	if !ok {
		return c, fmt.Errorf("%w: campaign %s is %s; it cannot be %s", fault.ErrConflict, id, c.Status, done)
	}
	c.Status = to
	if step != "" {
		err = s.step(ctx, id, step)
	}
	return c, err
}

// MaxTestAddresses is how many addresses one test send may go to.
const MaxTestAddresses = 10

// TestResult is what a test send did.
type TestResult struct {
	Sent []TestSent `json:"sent"`
}

// TestSent is one test email.
type TestSent struct {
	Address   string `json:"address"`
	Locale    string `json:"locale"`
	MessageID string `json:"messageId"`
}

// Test sends the campaign, subject marked [TEST], to the given addresses only: no claim, no
// count, links untracked. locale picks the content ("" for English).
func (s *Service) Test(ctx context.Context, id string, addresses []string, locale string) (TestResult, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return TestResult{}, err
	}
	fe := &campaign.FieldError{What: "test"}
	switch {
	case len(addresses) == 0:
		fe.Add("addresses", "is required: at least one address")
	case len(addresses) > MaxTestAddresses:
		fe.Add("addresses", fmt.Sprintf("must be at most %d addresses", MaxTestAddresses))
	}
	for i, a := range addresses {
		if _, err := email.ParseAddress(a); err != nil {
			fe.Add(fmt.Sprintf("addresses[%d]", i), "is not an email address")
		}
	}
	if err := fe.Err(); err != nil {
		return TestResult{}, err
	}
	if locale == "" {
		locale = campaign.Fallback
	}
	out := TestResult{Sent: []TestSent{}}
	for _, a := range addresses {
		msg, err := campaign.Render(c, campaign.Recipient{Email: a, Locale: locale, Links: previewLinks{shop: s.Shop.ShopURL}, Shop: s.Shop, From: s.From})
		if err != nil {
			return out, err
		}
		msg.Subject, msg.Date = "[TEST] "+msg.Subject, s.Now()
		raw, err := msg.Bytes()
		if err != nil {
			return out, fmt.Errorf("%w: test email: %w", fault.ErrInvalid, err)
		}
		mid, err := s.Sending.Mailer.SendRaw(ctx, raw, []send.Tag{{Name: "kind", Value: "campaign_test"}, {Name: "campaign_test", Value: send.TagValue(c.ID)}})
		if err != nil {
			if errors.Is(err, send.ErrRejected) {
				return out, fmt.Errorf("%w: SES refused the test email to %s: %v", fault.ErrInvalid, a, err)
			}
			return out, fmt.Errorf("test email to %s: %w", a, err)
		}
		_, lang := c.ContentFor(locale)
		out.Sent = append(out.Sent, TestSent{Address: a, Locale: lang, MessageID: mid})
	}
	return out, nil
}

// Stats are a campaign's numbers: GET /campaigns/{id}/stats.
type Stats struct {
	Status       string            `json:"status"`
	Targeted     int64             `json:"targeted"`
	Skipped      map[string]int64  `json:"skipped"`
	Queued       int64             `json:"queued"`
	Sent         int64             `json:"sent"`
	Failed       int64             `json:"failed"`
	Unknown      int64             `json:"unknown"`
	Delivered    int64             `json:"delivered"`
	Bounced      int64             `json:"bounced"`
	Complained   int64             `json:"complained"`
	Opened       Classes           `json:"opened"`
	Clicked      Classes           `json:"clicked"`
	Unsubscribed int64             `json:"unsubscribed"`
	Orders       int64             `json:"orders"`
	Revenue      map[string]string `json:"revenue"`
	Variants     map[string]Arm    `json:"variants"`
	Test         json.RawMessage   `json:"test,omitempty"` // the A/B test's choice, once made
	Holdout      *Holdout          `json:"holdout,omitempty"`
	Reminder     *Arm              `json:"reminder,omitempty"`
}

// Classes counts human and machine opens or clicks (unique per send).
type Classes struct {
	Human   int64 `json:"human"`
	Machine int64 `json:"machine"`
}

// Arm is one variant's (or the reminder's) numbers.
type Arm struct {
	Sent      int64             `json:"sent"`
	Delivered int64             `json:"delivered"`
	Opened    Classes           `json:"opened"`
	Clicked   Classes           `json:"clicked"`
	Orders    int64             `json:"orders"`
	Revenue   map[string]string `json:"revenue"`
}

// Holdout compares the holdout's orders with the recipients' (the campaign's lift): the orders
// each group placed within the attribution window after the email (or after being held out of
// it), click or no click, per contact.
type Holdout struct {
	Group
	Recipients Group `json:"recipients"`
	// Lift is the recipients' orders per contact over the holdout's, less one (0.25: a quarter
	// more); null while the holdout has no orders.
	Lift *float64 `json:"lift"`
}

// Group is the orders of a group of contacts.
type Group struct {
	Contacts          int64             `json:"contacts"`
	Orders            int64             `json:"orders"`
	Revenue           map[string]string `json:"revenue"`
	OrdersPerContact  float64           `json:"ordersPerContact"`
	RevenuePerContact map[string]string `json:"revenuePerContact"`
}

// group reads a group's exposure counters (exposed_orders, exposed_revenue_<currency>).
func group(contacts int64, counters map[string]int64) Group {
	g := Group{Contacts: contacts, Orders: counters["exposed_orders"], Revenue: map[string]string{}, RevenuePerContact: map[string]string{}}
	for k, v := range counters {
		if cur, ok := strings.CutPrefix(k, "exposed_revenue_"); ok {
			g.Revenue[cur] = money.FromMinor(v, cur).String()
			if contacts > 0 {
				g.RevenuePerContact[cur] = money.FromMinor(v/contacts, cur).String()
			}
		}
	}
	if contacts > 0 {
		g.OrdersPerContact = float64(g.Orders) / float64(contacts)
	}
	return g
}

// Stats returns a campaign's numbers.
func (s *Service) Stats(ctx context.Context, id string) (Stats, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Status: c.Status, Skipped: map[string]int64{}, Revenue: map[string]string{}, Variants: map[string]Arm{}}
	run, _, err := s.Runs.CampaignRun(ctx, id)
	if err != nil {
		return st, err
	}
	var holdout int64
	for k, v := range run.Counts {
		switch reason, skipped := strings.CutPrefix(k, "skipped:"); {
		case skipped && reason == fanout.ReasonHoldout:
			holdout += v
		case skipped:
			st.Skipped[reason] += v
		case k == "sent":
			st.Sent = v
		case k == "failed":
			st.Failed = v
		case k == "unknown":
			st.Unknown = v
		}
	}
	for reason, v := range run.Skipped {
		st.Skipped[reason] += v
	}
	st.Queued = max(0, run.Planned-run.Settled-run.Uncertain)
	for _, v := range st.Skipped {
		st.Targeted += v
	}
	st.Targeted += st.Sent + st.Failed + st.Unknown + st.Queued
	if run.Choice != "" {
		st.Test = json.RawMessage(run.Choice)
	}
	revenue := map[string]int64{}
	exposed := map[string]int64{}
	arms := []campaign.Arm{campaign.ArmMain}
	for i := range c.Variants {
		arms = append(arms, campaign.VariantArm(i))
	}
	for _, a := range arms {
		counters, err := s.Runs.Stats(ctx, campaign.StatsKey(id, a))
		if err != nil {
			return st, err
		}
		arm := armStats(counters)
		st.Delivered += arm.Delivered
		st.Bounced += counters["bounced"]
		st.Complained += counters["complained"]
		st.Opened.Human += arm.Opened.Human
		st.Opened.Machine += arm.Opened.Machine
		st.Clicked.Human += arm.Clicked.Human
		st.Clicked.Machine += arm.Clicked.Machine
		st.Unsubscribed += counters["unsubscribed"]
		st.Orders += arm.Orders
		for k, v := range counters {
			if cur, ok := strings.CutPrefix(k, "revenue_"); ok {
				revenue[cur] += v
			}
			if strings.HasPrefix(k, "exposed_") {
				exposed[k] += v
			}
		}
		if a != campaign.ArmMain {
			if n, ok := run.Counts["sent:"+string(a)]; ok {
				arm.Sent = n // counted by the senders; SES's Send counted it before (counters["sent"])
			}
			st.Variants[string(a)] = arm
		}
	}
	st.Revenue = amounts(revenue)
	if c.HoldoutPercent > 0 {
		counters, err := s.Runs.Stats(ctx, campaign.StatsKey(id, campaign.ArmHoldout))
		if err != nil {
			return st, err
		}
		h := &Holdout{Group: group(holdout, counters), Recipients: group(st.Sent, exposed)}
		if h.OrdersPerContact > 0 {
			lift := h.Recipients.OrdersPerContact/h.OrdersPerContact - 1
			h.Lift = &lift
		}
		st.Holdout = h
	}
	if c.Reminder != nil {
		counters, err := s.Runs.Stats(ctx, campaign.StatsKey(id, campaign.ArmReminder))
		if err != nil {
			return st, err
		}
		r := armStats(counters)
		r.Sent = run.Counts["reminder:sent"]
		st.Reminder = &r
	}
	return st, nil
}

// armStats reads one arm's counters (unique opens and clicks: a reader opening twice is one).
func armStats(c map[string]int64) Arm {
	rev := map[string]int64{}
	for k, v := range c {
		if cur, ok := strings.CutPrefix(k, "revenue_"); ok {
			rev[cur] += v
		}
	}
	return Arm{Sent: c["sent"], Delivered: c["delivered"],
		Opened:  Classes{Human: c["unique_opens_human"], Machine: c["unique_opens_machine"]},
		Clicked: Classes{Human: c["unique_clicks_human"], Machine: c["unique_clicks_machine"]},
		Orders:  c["orders"], Revenue: amounts(rev)}
}

// amounts are minor units by currency as decimal strings.
func amounts(minor map[string]int64) map[string]string {
	out := map[string]string{}
	for cur, v := range minor {
		out[cur] = money.FromMinor(v, cur).String()
	}
	return out
}
