package fanout

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"shopmail/internal/campaign"
	"shopmail/internal/campaign/stored"
	"shopmail/internal/contact"
	"shopmail/internal/render"
	"shopmail/internal/segment"
	"shopmail/internal/send"
)

// pageSize is how many contacts the planner reads at a time.
const pageSize = 500

// planReserve is the time a planner keeps back from its invocation's deadline: with less
// left, it queues a message to go on where it stopped and returns.
const planReserve = 20 * time.Second

// Campaign events (source marketing.automation).
const (
	EventStarted   = "Campaign Started"
	EventCompleted = "Campaign Completed"
	EventBlocked   = "Campaign Blocked"
)

// Step runs one step of a campaign (a schedule's or a control message's).
func (s *Service) Step(ctx context.Context, m Message) error {
	switch m.Step {
	case StepStart:
		return s.start(ctx, m.Campaign)
	case StepPlan:
		return s.plan(ctx, m.Campaign)
	case StepResume:
		return s.resume(ctx, m.Campaign)
	case StepRetry:
		return s.retry(ctx, m.Campaign)
	case StepWinner:
		return s.winner(ctx, m.Campaign)
	case StepReminder:
		return s.reminder(ctx, m.Campaign)
	case StepFinish:
		return s.finish(ctx, m.Campaign)
	}
	return fmt.Errorf("campaign %s: no step %q", m.Campaign, m.Step)
}

// start starts a scheduled campaign: checks it again (time may have made it fail), marks it
// sending with its run, and plans it. A replayed start of a campaign already sending goes on
// planning; one of a campaign cancelled, paused or sent does nothing.
func (s *Service) start(ctx context.Context, id string) error {
	c, found, err := s.campaign(ctx, id, true)
	if err != nil || !found {
		return err
	}
	switch c.Status {
	case campaign.StatusSending:
		return s.plan(ctx, id)
	case campaign.StatusScheduled:
	default:
		return nil
	}
	now := s.Now()
	due := c.ScheduledAt
	if c.RecipientLocalTime {
		due = LocalStart(due)
	}
	if now.Before(due.Add(-time.Minute)) {
		return nil // a schedule left from before the campaign was moved to a later time
	}
	if err := c.Check(now); err != nil {
		return s.block(ctx, c, err)
	}
	phase := stored.PhaseMain
	if len(c.Variants) > 0 {
		phase = stored.PhaseTest
	}
	if err := s.Store.StartRun(ctx, stored.Run{ID: id, Salt: rand.Text(), Phase: phase}); err != nil {
		return err
	}
	if _, err := s.setStatus(ctx, id, []string{campaign.StatusScheduled}, campaign.StatusSending, stored.Change{StartedAt: now},
		EventStarted, map[string]any{"campaignId": id, "name": c.Name, "startedAt": now.UTC()}); err != nil {
		return err
	}
	return s.plan(ctx, id)
}

// block stops a campaign whose checks fail at send time: nothing more goes out.
func (s *Service) block(ctx context.Context, c campaign.Campaign, why error) error {
	reason := why.Error()
	var fe interface{ FieldProblems() map[string]string }
	if errors.As(why, &fe) {
		b, _ := json.Marshal(fe.FieldProblems())
		reason = "the campaign fails its checks: " + string(b)
	}
	_, err := s.setStatus(ctx, c.ID, []string{campaign.StatusScheduled, campaign.StatusSending, campaign.StatusPaused},
		campaign.StatusBlocked, stored.Change{BlockedReason: reason},
		EventBlocked, map[string]any{"campaignId": c.ID, "name": c.Name, "reason": reason})
	return err
}

// rule is the campaign's segment rule, parsed.
func (s *Service) rule(ctx context.Context, c campaign.Campaign) (segment.Rule, error) {
	raw := c.Segment.Rule
	if c.Segment.ID != "" {
		sg, found, err := s.Store.Segment(ctx, c.Segment.ID)
		if err != nil {
			return segment.Rule{}, err
		}
		if !found {
			return segment.Rule{}, fmt.Errorf("campaign %s: segment %s is gone", c.ID, c.Segment.ID)
		}
		raw = sg.Rule
	}
	return segment.Parse(raw)
}

// plan pages the audience from where the run stands onto the queue, a page at a time: the
// page's recipients are queued, then the run's cursor moves past them and counts them, on
// condition that it has not moved meanwhile. A planner that stops between the two leaves a
// page queued twice, which the claims make harmless and the count counts once. It stops when
// the campaign stops sending (a pause: resuming goes on from the cursor) and near its deadline
// (a message goes on).
func (s *Service) plan(ctx context.Context, id string) error {
	c, found, err := s.campaign(ctx, id, true)
	if err != nil || !found || c.Status != campaign.StatusSending {
		return err
	}
	match, err := s.matcher(ctx, c)
	if err != nil {
		return s.block(ctx, c, err)
	}
	for {
		run, found, err := s.Store.CampaignRun(ctx, id)
		if err != nil || !found || run.PlanDone {
			return err
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < planReserve {
			return s.enqueue(ctx, []Message{{Campaign: id, Step: StepPlan}})
		}
		if c, _, err = s.campaign(ctx, id, true); err != nil || c.Status != campaign.StatusSending {
			return err
		}
		page, next, err := s.audiencePage(ctx, c, run.Cursor)
		if err != nil {
			return err
		}
		msgs, skipped := s.recipients(c, run, match, page)
		if err := s.enqueue(ctx, msgs); err != nil {
			return err
		}
		last := next == ""
		if last && run.Phase == stored.PhaseTest {
			wait := time.Duration(c.Test().WaitHours) * time.Hour
			if err := s.enqueue(ctx, []Message{{Campaign: id, Step: StepWinner, NotBefore: c.StartedAt.Add(wait)}}); err != nil {
				return err
			}
		}
		done := last && run.Phase != stored.PhaseTest
		moved, err := s.Store.AdvancePlan(ctx, id, run.Phase, run.Cursor, next, int64(len(msgs)), skipped, done)
		if err != nil || !moved {
			return err
		}
		if done {
			return s.finish(ctx, id)
		}
		if last {
			return nil // the test is planned; the winner's step plans the rest
		}
	}
}

// recipients are the page's contacts that the run's phase queues, and the counts of those it
// leaves out by reason. Consent and suppression are checked again by each sender; checking
// them here keeps contacts who cannot receive the email off the queue.
func (s *Service) recipients(c campaign.Campaign, run stored.Run, match func(*contact.Contact) bool, page []*contact.Contact) ([]Message, map[string]int64) {
	var msgs []Message
	skipped := map[string]int64{}
	topic := c.Topic
	test := c.Test()
	for _, ct := range page {
		if !match(ct) {
			continue
		}
		holdout := c.HoldoutPercent > 0 && pick(run.Salt, ct.ID, "holdout") < c.HoldoutPercent
		inTest := len(c.Variants) > 0 && pick(run.Salt, ct.ID, "test") < test.Percent
		var arm campaign.Arm
		switch {
		case run.Phase == stored.PhaseRest && (holdout || inTest):
			continue // planned with the test
		case run.Phase == stored.PhaseTest && !holdout && !inTest:
			continue // planned with the winner
		case holdout:
			arm = campaign.ArmHoldout
		case run.Phase == stored.PhaseTest:
			arm = campaign.VariantArm(pick(run.Salt, ct.ID, "variant") % len(c.Variants))
		case run.Phase == stored.PhaseRest:
			arm = campaign.Arm(run.Winner)
		}
		if arm != campaign.ArmHoldout {
			if reason := planSkip(ct, topic); reason != "" {
				skipped[reason]++
				continue
			}
		}
		m := Message{Campaign: c.ID, Contact: ct.ID, Arm: string(arm)}
		if c.RecipientLocalTime {
			m.NotBefore = localAt(c.ScheduledAt, s.timezone(ct))
		}
		msgs = append(msgs, m)
	}
	return msgs, skipped
}

// planSkip is why the planner leaves a contact out ("" to queue them).
func planSkip(c *contact.Contact, topic string) string {
	switch {
	case c.Summary.Suppressed != "":
		return ReasonSuppressed
	case !c.MayMarket(topic):
		return consentReason(c, topic)
	}
	return ""
}

// consentReason tells a customer's own unsubscribe from consent never given.
func consentReason(c *contact.Contact, topic string) string {
	for _, t := range []string{topic, contact.TopicAll} {
		if p, ok := c.Prefs[t]; ok && !p.On {
			return ReasonUnsubscribed
		}
	}
	return ReasonNoConsent
}

// timezone is a contact's time zone, else the shop's.
func (s *Service) timezone(c *contact.Contact) *time.Location {
	for _, name := range []string{c.Timezone, s.ShopTimezone} {
		if name == "" {
			continue
		}
		if loc, err := render.Location(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// localAt is at's wall-clock time (as written, in UTC) in loc.
func localAt(at time.Time, loc *time.Location) time.Time {
	at = at.UTC()
	return time.Date(at.Year(), at.Month(), at.Day(), at.Hour(), at.Minute(), at.Second(), 0, loc)
}

// LocalStart is when a planner must start for a campaign sent at at's wall-clock time in every
// recipient's zone: when it is that time in the zone furthest ahead (UTC+14).
func LocalStart(at time.Time) time.Time { return at.UTC().Add(-14 * time.Hour) }

// resume puts back in the queue what a pause held, and goes on planning.
func (s *Service) resume(ctx context.Context, id string) error {
	c, found, err := s.campaign(ctx, id, true)
	if err != nil || !found || c.Status != campaign.StatusSending {
		return err
	}
	for {
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < planReserve {
			return s.enqueue(ctx, []Message{{Campaign: id, Step: StepResume}}) // a resume goes on
		}
		held, err := s.Store.HeldMessages(ctx, id, 100)
		if err != nil {
			return err
		}
		if len(held) == 0 {
			break
		}
		msgs := make([]Message, 0, len(held))
		for _, h := range held {
			var m Message
			if json.Unmarshal([]byte(h.Body), &m) == nil {
				msgs = append(msgs, m)
			}
		}
		if err := s.enqueue(ctx, msgs); err != nil {
			return err
		}
		if err := s.Store.Unhold(ctx, id, held); err != nil {
			return err
		}
	}
	if err := s.plan(ctx, id); err != nil {
		return err
	}
	return s.finish(ctx, id)
}

// retry puts the campaign's failed sends back in the queue (each marked queued first, so that
// the campaign cannot complete before they are settled again), then makes it sending again.
func (s *Service) retry(ctx context.Context, id string) error {
	c, found, err := s.campaign(ctx, id, true)
	if err != nil || !found {
		return err
	}
	if c.Status != campaign.StatusCompleted && c.Status != campaign.StatusSending {
		return nil
	}
	var msgs []Message
	err = s.Store.EachCampaignSend(ctx, id, Key(id, campaign.ArmMain), func(r send.Record) error {
		if r.Status != send.Failed && r.Status != send.Queued {
			return nil
		}
		if _, err := s.Store.QueueSend(ctx, r.ContactID, r.Key); err != nil {
			return err
		}
		msgs = append(msgs, Message{Campaign: id, Contact: r.ContactID, Arm: armOf(r.CampaignID)})
		return nil
	})
	if err != nil {
		return err
	}
	if len(msgs) == 0 {
		return nil
	}
	if c.Status == campaign.StatusCompleted {
		if _, err := s.setStatus(ctx, id, []string{campaign.StatusCompleted}, campaign.StatusSending, stored.Change{}, "", nil); err != nil {
			return err
		}
	}
	return s.enqueue(ctx, msgs)
}

// armOf is the arm of a send's campaign field ("<id>_<arm>").
func armOf(statsKey string) string {
	for i := len(statsKey) - 1; i >= 0; i-- {
		if statsKey[i] == '_' {
			return statsKey[i+1:]
		}
	}
	return ""
}

// Choice is what an A/B test chose, and by what numbers.
type Choice struct {
	Winner string           `json:"winner"`
	By     string           `json:"by"` // "clicks" or "opens": human ones per delivered email
	Arms   map[string]Score `json:"arms"`
}

// Score is one variant's numbers in the test.
type Score struct {
	Delivered int64   `json:"delivered"`
	Clicks    int64   `json:"humanClicks"`
	Opens     int64   `json:"humanOpens"`
	Rate      float64 `json:"rate"`
}

// winner picks the test's winner: the variant with the most human clickers per delivered email
// (human openers when nobody clicked), the first on a tie; then plans everyone else with it.
func (s *Service) winner(ctx context.Context, id string) error {
	c, found, err := s.campaign(ctx, id, true)
	if err != nil || !found {
		return err
	}
	run, found, err := s.Store.CampaignRun(ctx, id)
	if err != nil || !found || run.Phase != stored.PhaseTest {
		return err
	}
	ch := Choice{By: "clicks", Arms: map[string]Score{}}
	anyClick := false
	for i := range c.Variants {
		arm := campaign.VariantArm(i)
		st, err := s.Store.Stats(ctx, campaign.StatsKey(id, arm))
		if err != nil {
			return err
		}
		sc := Score{Delivered: st["delivered"], Clicks: st["unique_clicks_human"], Opens: st["unique_opens_human"]}
		anyClick = anyClick || sc.Clicks > 0
		ch.Arms[string(arm)] = sc
	}
	if !anyClick {
		ch.By = "opens"
	}
	best := -1.0
	for i := range c.Variants {
		arm := string(campaign.VariantArm(i))
		sc := ch.Arms[arm]
		n := sc.Clicks
		if !anyClick {
			n = sc.Opens
		}
		if sc.Delivered > 0 {
			sc.Rate = float64(n) / float64(sc.Delivered)
		}
		ch.Arms[arm] = sc
		if sc.Rate > best {
			best, ch.Winner = sc.Rate, arm
		}
	}
	b, _ := json.Marshal(ch)
	if _, err := s.Store.NextPhase(ctx, id, stored.PhaseTest, stored.PhaseRest, ch.Winner, string(b)); err != nil {
		return err
	}
	return s.plan(ctx, id)
}

// reminder sends the reminder to the campaign's recipients who did not click.
func (s *Service) reminder(ctx context.Context, id string) error {
	c, found, err := s.campaign(ctx, id, true)
	if err != nil || !found || c.Reminder == nil {
		return err
	}
	if c.Status != campaign.StatusSending && c.Status != campaign.StatusCompleted {
		return nil
	}
	var msgs []Message
	err = s.Store.EachCampaignSendClicked(ctx, id, Key(id, campaign.ArmMain), func(r send.Record, clicked bool) error {
		if r.Status == send.Sent && !clicked {
			msgs = append(msgs, Message{Campaign: id, Contact: r.ContactID, Arm: string(campaign.ArmReminder)})
		}
		if len(msgs) >= 500 {
			if err := s.enqueue(ctx, msgs); err != nil {
				return err
			}
			msgs = msgs[:0]
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.enqueue(ctx, msgs)
}
