package dynamo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/dynamo"
	"shopmail/internal/send"
)

// A campaign's sends are listed from GSI5, and those a table wrote before GSI5 existed from
// GSI2: a campaign sending when the index was added is recounted, retried and charted whole.
func TestACampaignsSendsAreListedFromBothIndexes(t *testing.T) {
	st := store(t)
	m := &dynamo.Marketing{Store: st}
	ctx := context.Background()
	at := time.Date(2026, 11, 30, 10, 15, 0, 0, time.UTC)
	rec := func(contact, campaignID string, status send.Status) send.Record {
		return send.Record{Key: "campaign#cmp-1", ContactID: contact, Kind: "campaign", CampaignID: campaignID,
			To: contact + "@example.com", Subject: "Winter sale", Status: status, Token: "t-" + contact,
			ClaimedAt: at, SentAt: at, Links: []string{"https://shop.example/tea"}}
	}
	if err := st.BatchWrite(ctx, []types.WriteRequest{
		st.SeedLegacyCampaignSend(rec("c-old", "cmp-1", send.Sent)),
		st.SeedLegacyCampaignSend(rec("c-other", "cmp-2", send.Sent)),
	}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []send.Record{rec("c-new", "cmp-1_b", send.Failed), rec("c-newer", "cmp-1", send.Sent)} {
		if ok, _, err := st.Claim(ctx, r); err != nil || !ok {
			t.Fatalf("claim %s: %v, %v", r.ContactID, ok, err)
		}
	}
	var got []string
	if err := m.EachCampaignSend(ctx, "cmp-1", "campaign#cmp-1", func(r send.Record, _ bool) error {
		got = append(got, r.ContactID+" "+r.CampaignID+" "+string(r.Status))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if want := []string{"c-new cmp-1_b failed", "c-newer cmp-1 sent", "c-old cmp-1 sent"}; !slices.Equal(got, want) {
		t.Errorf("the sends of cmp-1: %q, want %q", got, want)
	}
	hours, read, err := m.CampaignHours(ctx, "cmp-1", 10)
	if err != nil {
		t.Fatal(err)
	}
	if read != 3 || len(hours) != 1 || hours[0].Sent != 3 || !hours[0].At.Equal(at.Truncate(time.Hour)) {
		t.Errorf("the hours of cmp-1: %d rows read, %+v; want 3 sent at 10:00", read, hours)
	}
	if _, read, _ := m.CampaignHours(ctx, "cmp-1", 2); read != 2 {
		t.Errorf("a sample of 2 read %d rows", read)
	}
}
