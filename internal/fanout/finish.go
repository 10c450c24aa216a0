package fanout

import (
	"context"
	"maps"
	"time"

	"shopmail/internal/campaign"
	"shopmail/internal/campaign/stored"
	"shopmail/internal/send"
)

// recountEvery bounds how often a campaign's sends are recounted while it nears its end.
const recountEvery = 10 * time.Second

// finish completes a campaign whose every queued recipient is settled. The run's counters only
// say when to look: the sends themselves, recounted from the table, say whether it is done
// (a counter may be short after a crash, or over after a message delivered twice). The
// recount's exact numbers replace the counters, and Campaign Completed carries them.
//
// A recount is made when the counters first say everyone is settled, and at most once every
// recountEvery after: a finish that may not recount yet leaves a step to look again then, so
// that the last batch of a campaign is never left uncounted.
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
		return s.enqueue(ctx, []Message{{Campaign: id, Step: StepFinish, NotBefore: s.Now().Add(recountEvery)}})
	}
	settled, counts, err := s.recount(ctx, id)
	if err != nil {
		return err
	}
	if err := s.Store.SetRunCounts(ctx, id, settled, maps.Clone(counts)); err != nil {
		return err
	}
	if settled < run.Planned {
		return nil
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

// recount counts a campaign's settled sends by what became of them.
func (s *Service) recount(ctx context.Context, id string) (int64, map[string]int64, error) {
	var settled int64
	counts := map[string]int64{}
	err := s.Store.EachCampaignSend(ctx, id, Key(id, campaign.ArmMain), func(r send.Record, _ bool) error {
		if final(r.Status) {
			settled++
			counts[countName(r)]++
		}
		return nil
	})
	return settled, counts, err
}
