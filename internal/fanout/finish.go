package fanout

import (
	"context"
	"maps"
	"time"

	"shopmail/internal/campaign"
	"shopmail/internal/campaign/stored"
	"shopmail/internal/send"
)

// recountEvery bounds how often a campaign's sends are recounted while it nears its end; a
// run not done yet is looked at again later each time (lookAfter), up to every lookAtMost.
const (
	recountEvery = 10 * time.Second
	lookAtMost   = 15 * time.Minute
)

// finish completes a campaign whose every queued recipient is settled. The run's counters only
// say when to look: the sends themselves, recounted from the table, say whether it is done
// (a counter may be short after a crash, or over after a message delivered twice). Only a
// recount that finds every recipient settled replaces the counters, with its exact numbers,
// which Campaign Completed carries: a recount made while sends were still settling would
// overwrite their counts and leave the run short for good.
//
// A recount is made when the counters first say everyone is settled, and at most once every
// recountEvery after. A finish that may not recount yet, or whose recount finds sends not
// settled yet, leaves one look for later (one at a time, however many senders ask), so that
// the last sends of a campaign are always counted, and looked for less often the longer they
// take.
func (s *Service) finish(ctx context.Context, id string) error {
	if c, found, err := s.campaign(ctx, id, false); err != nil || !found || c.Status != campaign.StatusSending {
		return err // completed already (a finish step left from before), or stopped
	}
	run, found, err := s.Store.CampaignRun(ctx, id)
	if err != nil || !found || !run.PlanDone || run.Settled+run.Uncertain < run.Planned {
		return err
	}
	ok, err := s.Store.ClaimRecount(ctx, id, recountEvery)
	if err != nil {
		return err
	}
	if !ok {
		return s.lookAgain(ctx, id, recountEvery)
	}
	settled, counts, err := s.recount(ctx, id)
	if err != nil {
		return err
	}
	if settled < run.Planned {
		return s.lookAgain(ctx, id, lookAfter(run.Looks))
	}
	if err := s.Store.SetRunCounts(ctx, id, settled, maps.Clone(counts)); err != nil {
		return err
	}
	c, found, err := s.campaign(ctx, id, true)
	if err != nil || !found || c.Status != campaign.StatusSending {
		return err
	}
	now := s.Now()
	_, err = s.setStatus(ctx, id, []string{campaign.StatusSending}, campaign.StatusCompleted, stored.Change{CompletedAt: now},
		EventCompleted, map[string]any{"campaignId": id, "name": c.Name, "completedAt": now.UTC(), "queued": run.Planned, "counts": counts})
	return err
}

// lookAfter is how long the look after `looks` earlier ones waits: recountEvery for the first
// minute (a send in flight settles within seconds), then twice as long each time, up to
// lookAtMost (a recipient whose message was dead-lettered waits for its redrive).
func lookAfter(looks int64) time.Duration {
	return min(recountEvery<<min(max(looks-5, 0), 7), lookAtMost)
}

// lookAgain leaves a finish step for after d, unless one is pending.
func (s *Service) lookAgain(ctx context.Context, id string, d time.Duration) error {
	at := s.Now().Add(d)
	ok, err := s.Store.ScheduleLook(ctx, id, at)
	if err != nil || !ok {
		return err
	}
	if err := s.enqueue(ctx, []Message{{Campaign: id, Step: StepFinish, NotBefore: at}}); err != nil {
		if err := s.Store.CancelLook(context.WithoutCancel(ctx), id, at); err != nil {
			s.Log.Error("campaign look neither enqueued nor cancelled; the next sender's finish schedules one after it is due", "campaign", id, "error", err)
		}
		return err
	}
	return nil
}

// recount counts a campaign's settled sends by what became of them.
func (s *Service) recount(ctx context.Context, id string) (int64, map[string]int64, error) {
	var settled int64
	counts := map[string]int64{}
	err := s.Store.EachCampaignSend(ctx, id, Key(id, campaign.ArmMain), func(r send.Record) error {
		if final(r.Status) {
			settled++
			counts[countName(r)]++
			if arm := armOf(r.CampaignID); arm != string(campaign.ArmMain) && r.Status == send.Sent {
				counts["sent:"+arm]++ // a variant's sends (deliver.go)
			}
		}
		return nil
	})
	return settled, counts, err
}
