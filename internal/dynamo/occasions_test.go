package dynamo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/coupon"
	"shopmail/internal/dynamo"
	"shopmail/internal/occasion/stored"
)

// The birthday index finds the contacts born on a day, whatever the year and with none, in
// pages; a birthday changed moves the contact to its new day at once.
func TestBirthdaysAreFoundByDayThroughTheIndex(t *testing.T) {
	m := &dynamo.Marketing{Store: store(t)}
	ctx := context.Background()
	set := func(id, birthday string) {
		t.Helper()
		if _, err := m.UpdateContact(ctx, id, func(c *contact.Contact) bool {
			c.Email, c.Birthday = id+"@example.com", birthday
			return true
		}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 7 {
		set(fmt.Sprintf("c-%d", i), fmt.Sprintf("19%d0-03-21", i+3))
	}
	set("c-noyear", "--03-21")
	set("c-other", "1990-03-22")
	set("c-none", "")
	set("c-leap", "2000-02-29")
	read := func(month time.Month, day int) []string {
		t.Helper()
		var ids []string
		for cursor, pages := "", 0; ; pages++ {
			page, next, err := m.BirthdaysPage(ctx, month, day, cursor, 3)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range page {
				ids = append(ids, c.ID)
			}
			if next == "" {
				break
			}
			if pages > 10 {
				t.Fatal("the pages never end")
			}
			cursor = next
		}
		slices.Sort(ids)
		return ids
	}
	want := []string{"c-0", "c-1", "c-2", "c-3", "c-4", "c-5", "c-6", "c-noyear"}
	if got := read(time.March, 21); !slices.Equal(got, want) {
		t.Errorf("born on 03-21: %v, want %v", got, want)
	}
	if got := read(time.February, 29); !slices.Equal(got, []string{"c-leap"}) {
		t.Errorf("born on 02-29: %v", got)
	}
	set("c-3", "1960-03-22")
	if got := read(time.March, 22); !slices.Equal(got, []string{"c-3", "c-other"}) {
		t.Errorf("born on 03-22 after an edit: %v", got)
	}
	if got := read(time.March, 21); slices.Contains(got, "c-3") {
		t.Errorf("the edited birthday is still found on its old day: %v", got)
	}
}

// One birthday card per contact within the guard's time, even when the birthday is edited to
// another day; the same send claims again (a redelivered message).
func TestABirthdayCardIsClaimedOncePerYear(t *testing.T) {
	m := &dynamo.Marketing{Store: store(t)}
	ctx := context.Background()
	t0 := time.Date(2027, 3, 21, 9, 0, 0, 0, time.UTC)
	const year = 364 * 24 * time.Hour
	for _, step := range []struct {
		key  string
		at   time.Time
		want bool
	}{
		{"campaign#cmp-greet20270321", t0, true},
		{"campaign#cmp-greet20270321", t0.Add(time.Minute), true},
		{"campaign#cmp-greet20270601", t0.AddDate(0, 2, 0), false},
		{"campaign#cmp-greet20280319", t0.Add(year - time.Hour), false},
		{"campaign#cmp-greet20280320", t0.Add(year + time.Hour), true},
	} {
		ok, last, err := m.ClaimBirthdayCard(ctx, "c-1", step.key, step.at, year)
		if err != nil {
			t.Fatal(err)
		}
		if ok != step.want {
			t.Errorf("%s at %s: claimed %v, want %v", step.key, step.at.Format(time.DateOnly), ok, step.want)
		}
		if !ok && !last.Equal(t0) {
			t.Errorf("%s: the card before was sent %s, want %s", step.key, last, t0)
		}
	}
}

// A send's coupon is issued once: the same send asking again gets the same code, which the
// shop can redeem once.
func TestASendsCouponIsIssuedOnceAndRedeemable(t *testing.T) {
	m := &dynamo.Marketing{Store: store(t)}
	ctx := context.Background()
	now := time.Date(2027, 3, 21, 9, 0, 0, 0, time.UTC)
	issue := func() coupon.Coupon {
		t.Helper()
		c, err := m.IssueSendCoupon(ctx, coupon.Coupon{Code: coupon.NewCode("NOWRUZ"), Purpose: "greeting", ContactID: "c-1",
			Offer: "15% off", IssuedAt: now, ExpiresAt: now.AddDate(0, 0, 14)}, "campaign#cmp-greet20270321")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	first, again := issue(), issue()
	if first.Code != again.Code || !again.ExpiresAt.Equal(now.AddDate(0, 0, 14)) {
		t.Fatalf("issued %+v, then %+v", first, again)
	}
	c, found, err := m.RedeemCoupon(ctx, first.Code, "o-9", now.Add(time.Hour))
	if err != nil || !found || c.RedeemedBy != "o-9" {
		t.Fatalf("redeem: %+v %v %v", c, found, err)
	}
}

// Occasions are kept whole, with optimistic locking; the lunar table in its own item.
func TestOccasionsAreStoredWithTheirVersion(t *testing.T) {
	m := &dynamo.Marketing{Store: store(t)}
	ctx := context.Background()
	if ok, err := m.PutOccasionDoc(ctx, stored.Occasion{ID: "nowruz", Doc: []byte(`{"id":"nowruz","enabled":true}`)}); !ok || err != nil {
		t.Fatalf("first put: %v %v", ok, err)
	}
	if ok, err := m.PutOccasionDoc(ctx, stored.Occasion{ID: "nowruz", Doc: []byte(`{}`)}); ok || err != nil {
		t.Fatalf("a second create must be refused: %v %v", ok, err)
	}
	docs, err := m.OccasionDocs(ctx)
	if err != nil || len(docs) != 1 || docs[0].Version != 1 || string(docs[0].Doc) != `{"id":"nowruz","enabled":true}` {
		t.Fatalf("docs %+v %v", docs, err)
	}
	if ok, err := m.PutOccasionDoc(ctx, stored.Occasion{ID: "nowruz", Doc: []byte(`{"id":"nowruz"}`), Version: 1}); !ok || err != nil {
		t.Fatalf("update at version 1: %v %v", ok, err)
	}
	if ok, _ := m.PutOccasionDoc(ctx, stored.Occasion{ID: "nowruz", Doc: []byte(`{}`), Version: 1}); ok {
		t.Fatal("a stale version must be refused")
	}
	if err := m.DeleteOccasionDoc(ctx, "nowruz"); err != nil {
		t.Fatal(err)
	}
	if docs, _ := m.OccasionDocs(ctx); len(docs) != 0 {
		t.Fatalf("after delete: %+v", docs)
	}
	if doc, err := m.LunarTableDoc(ctx); doc != nil || err != nil {
		t.Fatalf("no table stored: %q %v", doc, err)
	}
	if err := m.PutLunarTableDoc(ctx, []byte(`{"source":"x","months":[]}`)); err != nil {
		t.Fatal(err)
	}
	if doc, _ := m.LunarTableDoc(ctx); string(doc) != `{"source":"x","months":[]}` {
		t.Fatalf("table %q", doc)
	}
}
