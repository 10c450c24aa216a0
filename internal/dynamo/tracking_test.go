package dynamo_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/send"
	"shopmail/internal/tracking"
)

// Expired tracking items are ignored by reads before DynamoDB's TTL deletes them.
func TestExpiredTrackingIsIgnored(t *testing.T) {
	client, table := dynamotest.NewTable(t)
	clock := now()
	st := dynamo.New(client, table, func() time.Time { return clock })
	ctx := context.Background()
	rec := send.Record{Key: "thankyou#o-1", ContactID: "c-1", Kind: "thankyou", Status: send.Sending, Token: "t",
		Links: []string{"https://shop.example/a"}, ExpiresAt: clock.Add(24 * time.Hour)}
	if ok, _, err := st.Claim(ctx, rec); !ok || err != nil {
		t.Fatal(ok, err)
	}
	hit := tracking.Hit{Kind: tracking.Click, ContactID: "c-1", SendKey: rec.Key, Stats: "thankyou", Link: "0",
		URL: "https://shop.example/a", At: clock, Class: tracking.Human, Expires: clock.Add(24 * time.Hour)}
	if _, err := st.RecordHit(ctx, hit); err != nil {
		t.Fatal(err)
	}
	check := func(want int) {
		t.Helper()
		sends, err := st.Sends(ctx, "c-1")
		acts, err2 := st.Activities(ctx, "c-1")
		_, found, err3 := st.SendState(ctx, "c-1", rec.Key)
		_, found2, err4 := st.Send(ctx, "c-1", rec.Key)
		if err != nil || err2 != nil || err3 != nil || err4 != nil {
			t.Fatal(err, err2, err3, err4)
		}
		if len(sends) != want || len(acts) != want || found != (want == 1) || found2 != (want == 1) {
			t.Errorf("%d sends, %d activities, state found %v, send found %v; want %d", len(sends), len(acts), found, found2, want)
		}
	}
	check(1)
	clock = clock.Add(25 * time.Hour) // past the TTL, not yet deleted
	check(0)
	// The counters are not tracking rows: they stay.
	if stats, err := st.Stats(ctx, "thankyou"); err != nil || stats["clicks_human"] != 1 || stats["unique_clicks_human"] != 1 {
		t.Errorf("stats = %v, %v", stats, err)
	}
}

// A hit counts on the send, and only the first human one as unique; only human hits mark the
// contact as engaged. (Hits of a class are counted once an hour: these are hours apart.)
func TestHitsCountOnTheSendAndTheCampaign(t *testing.T) {
	st := store(t)
	ctx := context.Background()
	if _, err := st.UpdateContact(ctx, "c-1", func(c *contact.Contact) bool { c.Email = "a@example.com"; return true }); err != nil {
		t.Fatal(err)
	}
	rec := send.Record{Key: "sale#bf", ContactID: "c-1", Kind: "sale", CampaignID: "bf-2026", Status: send.Sending, Token: "t"}
	if ok, _, err := st.Claim(ctx, rec); !ok || err != nil {
		t.Fatal(ok, err)
	}
	at := now()
	for i, class := range []tracking.Class{tracking.Machine, tracking.Human, tracking.Human} {
		h := tracking.Hit{Kind: tracking.Open, ContactID: "c-1", SendKey: rec.Key, Stats: "bf-2026", At: at.Add(time.Duration(i) * time.Hour), Class: class}
		if _, err := st.RecordHit(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	stats, err := st.Stats(ctx, "bf-2026")
	want := map[string]int64{"opens_machine": 1, "unique_opens_machine": 1, "opens_human": 2, "unique_opens_human": 1}
	for k, v := range want {
		if stats[k] != v {
			t.Errorf("stats[%s] = %d, want %d (%v, %v)", k, stats[k], v, stats, err)
		}
	}
	c, _ := st.Contact(ctx, "c-1")
	if !c.EngagedAt.Equal(at.Add(2 * time.Hour)) {
		t.Errorf("engaged at %v", c.EngagedAt)
	}
	// A hit on a send that is not there writes nothing and is no error.
	if _, err := st.RecordHit(ctx, tracking.Hit{Kind: tracking.Open, ContactID: "c-1", SendKey: "gone", Stats: "bf-2026", At: at, Class: tracking.Human}); err != nil {
		t.Fatal(err)
	}
	if acts, _ := st.Activities(ctx, "c-1"); len(acts) != 3 {
		t.Errorf("%d activities, want 3", len(acts))
	}
}

// Of hits of one gate (kind, link, class) that race, one is counted; the next an hour later.
func TestRacingHitsAreCountedOnce(t *testing.T) {
	st := store(t)
	ctx := context.Background()
	rec := send.Record{Key: "sale#bf", ContactID: "c-1", Kind: "sale", CampaignID: "bf-2026", Status: send.Sending, Token: "t"}
	if ok, _, err := st.Claim(ctx, rec); !ok || err != nil {
		t.Fatal(ok, err)
	}
	at := now()
	hit := tracking.Hit{Kind: tracking.Click, ContactID: "c-1", SendKey: rec.Key, Stats: "bf-2026", Link: "0", At: at, Class: tracking.Human}
	counted := make(chan bool, 10)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			ok, err := st.RecordHit(ctx, hit)
			if err != nil {
				t.Error(err)
			}
			counted <- ok
		})
	}
	wg.Wait()
	close(counted)
	n := 0
	for ok := range counted {
		if ok {
			n++
		}
	}
	hit.At = at.Add(tracking.CountEvery)
	if ok, err := st.RecordHit(ctx, hit); !ok || err != nil {
		t.Errorf("an hour later: counted %v, %v", ok, err)
	}
	stats, _ := st.Stats(ctx, "bf-2026")
	if n != 1 || stats["clicks_human"] != 2 {
		t.Errorf("%d of 10 racing hits counted; clicks_human = %d, want 2", n, stats["clicks_human"])
	}
}

// A human click on a campaign's email becomes the contact's latest campaign click, the one an
// order is credited to; a machine's click and an older click do not.
func TestAHumanCampaignClickIsNotedOnTheProfile(t *testing.T) {
	client, table := dynamotest.NewTable(t)
	clock := now()
	st := dynamo.New(client, table, func() time.Time { return clock })
	ctx := context.Background()
	if _, err := st.UpdateContact(ctx, "c-1", func(c *contact.Contact) bool { c.Email = "sara@example.com"; return true }); err != nil {
		t.Fatal(err)
	}
	rec := send.Record{Key: "campaign#cmp-1", ContactID: "c-1", Kind: "campaign", CampaignID: "cmp-1", Status: send.Sending, Token: "t",
		Links: []string{"https://shop.example/a"}, ExpiresAt: clock.Add(24 * time.Hour)}
	if ok, _, err := st.Claim(ctx, rec); !ok || err != nil {
		t.Fatal(ok, err)
	}
	click := func(class tracking.Class, at time.Time) {
		t.Helper()
		hit := tracking.Hit{Kind: tracking.Click, ContactID: "c-1", SendKey: rec.Key, Stats: "cmp-1", Campaign: "cmp-1", Link: "0",
			URL: "https://shop.example/a", At: at, Class: class, Expires: at.Add(24 * time.Hour)}
		if _, err := st.RecordHit(ctx, hit); err != nil {
			t.Fatal(err)
		}
	}
	click(tracking.Machine, clock)
	if c, _ := st.Contact(ctx, "c-1"); c.CampaignClick.Campaign != "" {
		t.Fatalf("a machine's click was noted: %+v", c.CampaignClick)
	}
	click(tracking.Human, clock.Add(2*time.Hour))
	if c, _ := st.Contact(ctx, "c-1"); c.CampaignClick.Campaign != "cmp-1" || !c.CampaignClick.At.Equal(clock.Add(2*time.Hour)) {
		t.Errorf("campaign click = %+v", c.CampaignClick)
	}
}
