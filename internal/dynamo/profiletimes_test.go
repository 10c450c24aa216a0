package dynamo_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/contact"
)

// aYearOfHistory is a regular customer's profile: every time set, a delivery a day for most
// of a year and 200 categories and SKUs bought.
func aYearOfHistory(id string, now time.Time) *contact.Contact {
	c := contact.New(id, now.Add(-400*24*time.Hour))
	c.Email, c.FirstName, c.Locale, c.Timezone = id+"@example.com", "Sara", "fa-IR", "Asia/Tehran"
	c.Consent = contact.Consent{Marketing: true, At: now.Add(-300 * time.Hour), Source: "order o-1"}
	c.EngagedAt, c.LastSurveyAt, c.MarketingPausedUntil = now.Add(-time.Hour), now.Add(-48*time.Hour), now.Add(72*time.Hour)
	c.LastCartReminderAt, c.LastCart = now.Add(-5*time.Hour), "cart-1"
	c.CampaignClick = contact.CampaignClick{Campaign: "cmp-1", At: now.Add(-2 * time.Hour)}
	c.Prefs = map[string]contact.Preference{"sales": {On: false, At: now.Add(-7 * time.Hour), Source: "unsubscribe"}}
	c.TopicConsent = map[string]contact.Consent{"news": {Marketing: true, At: now.Add(-9 * time.Hour), Source: "import"}}
	c.Observed = map[string]time.Time{"email": now.Add(-400 * 24 * time.Hour), "locale": now.Add(-3 * time.Hour)}
	s := &c.Summary
	s.Orders, s.FirstOrderAt, s.SecondOrderAt, s.LastOrderAt = 40, now.Add(-390*24*time.Hour), now.Add(-380*24*time.Hour), now.Add(-24*time.Hour)
	s.AnsweredAt, s.MarketedAt = now.Add(-30*time.Hour), now.Add(-20*time.Hour)
	s.Bought = map[string]time.Time{}
	for i := range 200 {
		s.Bought[fmt.Sprintf("sku:TEA-%03d", i)] = now.Add(-time.Duration(i) * 24 * time.Hour).Truncate(time.Millisecond)
	}
	for i := range 200 {
		s.Received = append(s.Received, now.Add(-time.Duration(200-i)*24*time.Hour).Truncate(time.Millisecond))
	}
	return c
}

// A profile's times are numbers, not stamps: a year of history costs half the write units
// on every write of the profile (each order, delivery and click), and a profile written before,
// with stamps, is read the same and still takes a later engagement.
func TestProfileTimesAreCompactAndStampedProfilesStillRead(t *testing.T) {
	st := store(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 10, 15, 0, 123456789, time.UTC)
	c := aYearOfHistory("c-year", now)

	compact, err := st.ProfileWriteUnits(ctx, c, false)
	if err != nil {
		t.Fatal(err)
	}
	stampedUnits, err := st.ProfileWriteUnits(ctx, c, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("a profile with a year of history: %.0f write units a write, %.0f with stamps", compact, stampedUnits)
	if compact > 7 || compact*2 > stampedUnits {
		t.Errorf("a year of history costs %.0f write units a write (stamped: %.0f); want at most 7 and half", compact, stampedUnits)
	}
	first := contact.New("c-first", now)
	first.Email, first.FirstName, first.LastName, first.Locale, first.Timezone, first.Birthday = "o-2@example.com", "Sara", "Ahmadi", "en-US", "America/New_York", "1990-03-21"
	first.Consent = contact.Consent{Marketing: true, At: now, Source: "order o-2"}
	first.Observed = map[string]time.Time{}
	for _, f := range []string{"email", "firstName", "lastName", "locale", "timezone", "birthday", "marketingConsent"} {
		first.Observed[f] = now
	}
	first.FirstOrderID, first.ReferralCode = "o-2", "REF-Y64B-TNJ6"
	first.Summary.Orders, first.Summary.FirstOrderAt, first.Summary.LastOrderAt = 1, now, now
	first.Summary.Bought = map[string]time.Time{"category:tea": now, "sku:TEA-01": now, "category:teaware": now, "sku:POT-02": now}
	first.Summary.Received = []time.Time{now.Add(time.Minute)}
	if u, err := st.ProfileWriteUnits(ctx, first, false); err != nil || u != 1 {
		t.Errorf("a first order's profile, delivered: %v write units, %v; want 1 (under 1 KB)", u, err)
	}

	// Stamped, as written before: read back the same.
	old := aYearOfHistory("c-stamped", now)
	if err := st.BatchWrite(ctx, []types.WriteRequest{st.SeedStampedProfile(old)}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Contact(ctx, "c-stamped")
	if err != nil {
		t.Fatal(err)
	}
	want := *old
	want.Version, want.UpdatedAt = 1, got.UpdatedAt
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("stamped profile read as\n%+v\nwant\n%+v", *got, want)
	}
	// A later engagement is taken over a stamped one, and written as a number.
	later := now.Add(time.Minute)
	if err := st.TouchEngagement(ctx, "c-stamped", later, "cmp-2"); err != nil {
		t.Fatal(err)
	}
	if got, _ = st.Contact(ctx, "c-stamped"); !got.EngagedAt.Equal(later) || got.CampaignClick.Campaign != "cmp-2" {
		t.Errorf("after a click on a stamped profile: engaged %v, click %+v; want %v and cmp-2", got.EngagedAt, got.CampaignClick, later)
	}
	// And an earlier one is not, now that it is a number.
	if err := st.TouchEngagement(ctx, "c-stamped", now, "cmp-3"); err != nil {
		t.Fatal(err)
	}
	if got, _ = st.Contact(ctx, "c-stamped"); !got.EngagedAt.Equal(later) || got.CampaignClick.Campaign != "cmp-2" {
		t.Errorf("after an earlier click: engaged %v, click %+v; want %v and cmp-2 kept", got.EngagedAt, got.CampaignClick, later)
	}
}
