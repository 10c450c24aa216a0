package loyalty_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/dynamo"
	"shopmail/internal/loyalty"
)

func TestADrawIsReproducedFromItsRecordAndATamperedOneIsCaught(t *testing.T) {
	seed := strings.Repeat("ab", 32)
	ids := []string{"c-1", "c-2", "c-3", "c-4", "c-5", "c-6", "c-7"}
	d := loyalty.Draw{ID: "2026-11", Status: loyalty.DrawDrawn, Seed: seed, SeedHash: loyalty.SeedHash(seed), Eligible: ids, ListHash: loyalty.ListHash(ids)}
	d.Winner = ids[loyalty.WinnerIndex(seed, d.ListHash, len(ids))]
	if w, err := loyalty.VerifyDraw(d); err != nil || w != d.Winner {
		t.Fatalf("VerifyDraw = %q, %v; want %q", w, err, d.Winner)
	}
	for name, tamper := range map[string]func(d *loyalty.Draw){
		"another winner": func(d *loyalty.Draw) { d.Winner = ids[(slices.Index(ids, d.Winner)+1)%len(ids)] },
		"a name added":   func(d *loyalty.Draw) { d.Eligible = append(slices.Clone(ids), "c-8") },
		"a name removed": func(d *loyalty.Draw) { d.Eligible = ids[1:] },
		"another seed":   func(d *loyalty.Draw) { d.Seed = strings.Repeat("cd", 32) },
		"the list unsorted": func(d *loyalty.Draw) {
			d.Eligible = append([]string{"c-7"}, ids[:6]...)
			d.ListHash = loyalty.ListHash(d.Eligible)
		},
		"a name twice": func(d *loyalty.Draw) {
			d.Eligible = append(slices.Clone(ids), "c-7")
			d.ListHash = loyalty.ListHash(d.Eligible)
		},
		"not drawn": func(d *loyalty.Draw) { d.Status = loyalty.DrawCommitted },
	} {
		x := d
		tamper(&x)
		if _, err := loyalty.VerifyDraw(x); err == nil {
			t.Errorf("%s: VerifyDraw found nothing wrong", name)
		}
	}
	// Every one of n is a possible winner, about as often as any other.
	counts := make([]int, 3)
	for i := range 3000 {
		counts[loyalty.WinnerIndex(strings.Repeat("0", 60)+string(rune('a'+i%26))+string(rune('a'+i/26%26))+string(rune('a'+i/676)), "h", 3)]++
	}
	for i, c := range counts {
		if c < 850 || c > 1150 {
			t.Errorf("index %d won %d of 3000 draws", i, c)
		}
	}
}

// The month's draw, over DynamoDB Local and orders through the thank-you flow: opened with the
// month, its list committed when the month is over (those who ordered in it, consenting and not
// suppressed), drawn an hour later, the winner told once, and its record verifiable.
func TestTheMonthlyDrawRunsWhenTheMonthIsOver(t *testing.T) {
	f := setupWith(t, withReferrals)
	var mu sync.Mutex
	var told []string
	drawing := &loyalty.Drawing{Store: f.store, Profiles: &dynamo.Marketing{Store: f.store}, Now: f.Now,
		Notify: func(_ context.Context, d loyalty.Draw) error {
			mu.Lock()
			told = append(told, d.Winner)
			mu.Unlock()
			return nil
		}}
	run := func(at time.Time) loyalty.DrawResult {
		t.Helper()
		f.set(at)
		res, err := drawing.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := run(day(2026, 11, 2)); !slices.Equal(res.Opened, []string{"2026-11"}) {
		t.Fatalf("the first run opened %v", res.Opened)
	}
	opened, _, _ := f.store.Draw(context.Background(), "2026-11")
	if opened.SeedHash == "" || opened.Seed != "" {
		t.Fatalf("an open draw publishes its seed's hash, not the seed: %+v", opened)
	}
	for _, who := range []string{"c-3", "c-1", "c-2", "c-5"} {
		f.buy(t, customer{who, who + "@example.com", "", ""}, "o-"+who, "", day(2026, 11, 10))
	}
	f.buy(t, customer{"c-oct", "oct@example.com", "", ""}, "o-oct", "", day(2026, 10, 30)) // October: not in November's draw
	// c-5 unsubscribes from sales email.
	if _, err := f.store.UpdateContact(context.Background(), "c-5", func(c *contact.Contact) bool {
		return c.Choose(contact.TopicSales, contact.Preference{On: false, At: day(2026, 11, 20), Source: "test"})
	}); err != nil {
		t.Fatal(err)
	}
	if res := run(day(2026, 11, 30).Add(11*time.Hour + 59*time.Minute)); len(res.Committed)+len(res.Drawn) != 0 {
		t.Fatalf("before the month is over: %+v", res)
	}
	res := run(day(2026, 12, 1).Add(-12 * time.Hour)) // December 1, 00:00 UTC
	if !slices.Equal(res.Committed, []string{"2026-11"}) || !slices.Equal(res.Opened, []string{"2026-12"}) {
		t.Fatalf("at the month's end: %+v", res)
	}
	committed, _, _ := f.store.Draw(context.Background(), "2026-11")
	if strings.Join(committed.Eligible, ",") != "c-1,c-2,c-3" || committed.ListHash != loyalty.ListHash(committed.Eligible) || committed.Seed != "" {
		t.Fatalf("committed: %+v", committed)
	}
	if res := run(day(2026, 12, 1).Add(-12*time.Hour + 59*time.Minute)); len(res.Drawn) != 0 {
		t.Fatalf("drawn before the hour: %+v", res)
	}
	if res := run(day(2026, 12, 1).Add(-11 * time.Hour)); !slices.Equal(res.Drawn, []string{"2026-11"}) {
		t.Fatalf("an hour later: %+v", res)
	}
	run(day(2026, 12, 1)) // and again: nothing more
	drawn, _, _ := f.store.Draw(context.Background(), "2026-11")
	if drawn.SeedHash != opened.SeedHash || drawn.Seed == "" || !slices.Contains(committed.Eligible, drawn.Winner) || !drawn.Notified {
		t.Fatalf("drawn: %+v", drawn)
	}
	if !slices.Equal(told, []string{drawn.Winner}) {
		t.Errorf("told %v, want the winner %s once", told, drawn.Winner)
	}
	// The record as the API gives it (JSON) verifies.
	b, _ := json.Marshal(drawn)
	var published loyalty.Draw
	if err := json.Unmarshal(b, &published); err != nil {
		t.Fatal(err)
	}
	if w, err := loyalty.VerifyDraw(published); err != nil || w != drawn.Winner {
		t.Errorf("VerifyDraw of the published record = %q, %v", w, err)
	}
}
