package dynamo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/dynamo"
	"shopmail/internal/send"
	"shopmail/internal/tracking"
)

// A campaign's sends are listed from GSI7, and those a table wrote before GSI7 existed from
// GSI5, and before GSI5 from GSI2: a campaign sending when an index was added is recounted,
// retried, reminded and charted whole. GSI7 holds no times; the reminder and the chart read
// them from the rows, so a click recorded after the row was written is seen.
func TestACampaignsSendsAreListedFromEveryIndex(t *testing.T) {
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
		st.SeedGSI5CampaignSend(rec("c-mid", "cmp-1", send.Sent)),
		st.SeedGSI5CampaignSend(rec("c-mid-other", "cmp-2", send.Sent)),
	}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []send.Record{rec("c-new", "cmp-1_b", send.Failed), rec("c-newer", "cmp-1", send.Sent), rec("c-newest", "cmp-2", send.Sent)} {
		if ok, _, err := st.Claim(ctx, r); err != nil || !ok {
			t.Fatalf("claim %s: %v, %v", r.ContactID, ok, err)
		}
	}
	clickAt := at.Add(2 * time.Hour)
	if ok, err := st.RecordHit(ctx, tracking.Hit{Kind: tracking.Click, ContactID: "c-newer", SendKey: "campaign#cmp-1",
		Campaign: "cmp-1", Link: "0", URL: "https://shop.example/tea", At: clickAt, Class: tracking.Human, Expires: at.Add(24 * time.Hour)}); err != nil || !ok {
		t.Fatalf("record a click: %v, %v", ok, err)
	}
	var listed, clicks []string
	if err := m.EachCampaignSend(ctx, "cmp-1", "campaign#cmp-1", func(r send.Record) error {
		listed = append(listed, fmt.Sprintf("%s %s %s", r.ContactID, r.CampaignID, r.Status))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := m.EachCampaignSendClicked(ctx, "cmp-1", "campaign#cmp-1", func(r send.Record, clicked bool) error {
		clicks = append(clicks, fmt.Sprintf("%s %s %s clicked=%v", r.ContactID, r.CampaignID, r.Status, clicked))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(listed)
	slices.Sort(clicks)
	if want := []string{"c-mid cmp-1 sent", "c-new cmp-1_b failed", "c-newer cmp-1 sent", "c-old cmp-1 sent"}; !slices.Equal(listed, want) {
		t.Errorf("the sends of cmp-1: %q, want %q", listed, want)
	}
	want := []string{"c-mid cmp-1 sent clicked=false", "c-new cmp-1_b failed clicked=false",
		"c-newer cmp-1 sent clicked=true", "c-old cmp-1 sent clicked=false"}
	if !slices.Equal(clicks, want) {
		t.Errorf("the sends of cmp-1 with their clicks: %q, want %q", clicks, want)
	}
	hours, read, err := m.CampaignHours(ctx, "cmp-1", 10)
	if err != nil {
		t.Fatal(err)
	}
	if read != 4 || len(hours) != 2 || hours[0].Sent != 4 || !hours[0].At.Equal(at.Truncate(time.Hour)) ||
		hours[1].Clicked != 1 || !hours[1].At.Equal(clickAt.Truncate(time.Hour)) {
		t.Errorf("the hours of cmp-1: %d rows read, %+v; want 4 sent at 10:00 and 1 clicked at 12:00", read, hours)
	}
	if _, read, _ := m.CampaignHours(ctx, "cmp-1", 2); read != 2 {
		t.Errorf("a sample of 2 read %d rows", read)
	}
}
