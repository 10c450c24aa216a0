package thankyou_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/send"
)

// An order placed within the attribution window after a human click on a campaign's email is
// credited to that campaign, once, with its revenue; a replay counts nothing more, and an order
// after the window is credited to nobody.
func TestAnOrderAfterACampaignClickIsCreditedOnce(t *testing.T) {
	s := settings()
	s.AttributionWindow = 5 * 24 * time.Hour
	f := setup(t, s)
	ctx := context.Background()
	placed := time.Date(2026, 11, 22, 10, 15, 0, 0, time.UTC) // first-order.json's placedAt
	if _, err := f.store.UpdateContact(ctx, "c-42", func(c *contact.Contact) bool {
		c.Email = "sara@example.com"
		c.CampaignClick = contact.CampaignClick{Campaign: "cmp-black-friday", At: placed.Add(-48 * time.Hour)}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	f.mustInvoke(t, "first-order.json")
	f.mustInvoke(t, "first-order.json") // replayed
	stats, err := f.store.Stats(ctx, "cmp-black-friday")
	if err != nil || stats["orders"] != 1 || stats["revenue_USD"] != 12990 {
		t.Errorf("campaign stats = %v, %v; want 1 order and 129.90 USD (12990 cents)", stats, err)
	}
	late := strings.NewReplacer(`"o-1001"`, `"o-1002"`, `"2026-11-22T10:15:00Z"`, `"2026-11-28T10:15:00Z"`).Replace(string(sample(t, "first-order.json")))
	if err := f.invoke([]byte(late)); err != nil {
		t.Fatal(err)
	}
	if stats, _ := f.store.Stats(ctx, "cmp-black-friday"); stats["orders"] != 1 {
		t.Errorf("an order six days after the click was credited: %v", stats)
	}
}

func TestCreditFor(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	c := &contact.Contact{CampaignClick: contact.CampaignClick{Campaign: "cmp-1", At: at.Add(-time.Hour)}}
	for order, want := range map[time.Time]string{
		at:                                   "cmp-1",
		at.Add(-2 * time.Hour):               "", // the order came before the click
		at.Add(5*24*time.Hour - 2*time.Hour): "cmp-1",
		at.Add(5 * 24 * time.Hour):           "", // outside the window
	} {
		if got := c.CreditFor(order, 5*24*time.Hour); got != want {
			t.Errorf("order at %v: credited to %q, want %q", order, got, want)
		}
	}
}

// A customer sent a campaign's email who clicked it and then ordered: the order is credited to
// the campaign (the click) and counted in its recipients' orders (the exposure), both in the
// order's one transaction.
func TestAnOrderAfterAClickedCampaignEmailIsCreditedAndExposed(t *testing.T) {
	s := settings()
	s.AttributionWindow = 5 * 24 * time.Hour
	f := setup(t, s)
	ctx := context.Background()
	placed := time.Date(2026, 11, 22, 10, 15, 0, 0, time.UTC) // first-order.json's placedAt
	rec := send.Record{Key: "campaign#cmp-yalda", ContactID: "c-42", Kind: "campaign", Topic: contact.TopicSales,
		CampaignID: "cmp-yalda", To: "sara@example.com", Status: send.Sending, Direct: true, Token: "t-1", ClaimedAt: placed.Add(-50 * time.Hour)}
	if ok, _, err := f.store.TakeSend(ctx, rec); err != nil || !ok {
		t.Fatalf("take the send: %v %v", ok, err)
	}
	rec.Status, rec.MessageID, rec.SentAt = send.Sent, "m-1", placed.Add(-50*time.Hour)
	if err := f.store.Settle(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.UpdateContact(ctx, "c-42", func(c *contact.Contact) bool {
		c.Email = "sara@example.com"
		c.CampaignClick = contact.CampaignClick{Campaign: "cmp-yalda", At: placed.Add(-48 * time.Hour)}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	f.mustInvoke(t, "first-order.json")
	f.mustInvoke(t, "first-order.json") // replayed
	stats, err := f.store.Stats(ctx, "cmp-yalda")
	if err != nil || stats["orders"] != 1 || stats["revenue_USD"] != 12990 || stats["exposed_orders"] != 1 || stats["exposed_revenue_USD"] != 12990 {
		t.Errorf("campaign stats = %v, %v; want 1 order credited and 1 exposed, 129.90 USD each", stats, err)
	}
}
