package contact_test

import (
	"testing"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/order"
)

var (
	t0 = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	t1 = t0.Add(24 * time.Hour)
	t2 = t1.Add(24 * time.Hour)
)

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

func obs(at time.Time, src string, c order.Customer) contact.Observation {
	return contact.Observation{At: at, Source: src, Customer: c}
}

func TestApplyNewestWinsFieldByField(t *testing.T) {
	c := contact.New("c-1", t0)
	c.Apply(obs(t1, "order o-2", order.Customer{Email: "new@example.com", FirstName: "Sara", Locale: "fa-IR"}))
	// An older event arrives late: it must not overwrite newer fields, but fills unknown ones.
	changed := c.Apply(obs(t0, "order o-1", order.Customer{Email: "old@example.com", FirstName: "S.", LastName: "Ahmadi"}))
	if !changed {
		t.Error("late event filled a field but reported no change")
	}
	if c.Email != "new@example.com" || c.FirstName != "Sara" || c.LastName != "Ahmadi" || c.Locale != "fa-IR" {
		t.Errorf("contact = %+v", c)
	}
	// Absent fields never erase.
	c.Apply(obs(t2, "order o-3", order.Customer{Email: "new@example.com"}))
	if c.FirstName != "Sara" || c.Locale != "fa-IR" {
		t.Errorf("absent fields erased data: %+v", c)
	}
}

func TestApplyReportsNoChangeForReplay(t *testing.T) {
	c := contact.New("c-1", t0)
	cu := order.Customer{Email: "a@example.com", FirstName: "A", MarketingConsent: yes()}
	if !c.Apply(obs(t1, "order o-1", cu)) {
		t.Fatal("first observation reported no change")
	}
	if c.Apply(obs(t1, "order o-1", cu)) {
		t.Error("replayed observation reported a change (would cause a needless write)")
	}
}

func TestConsent(t *testing.T) {
	tests := []struct {
		name string
		seq  []contact.Observation
		want bool
	}{
		{"granted", []contact.Observation{obs(t1, "o1", order.Customer{MarketingConsent: yes()})}, true},
		{"never stated", []contact.Observation{obs(t1, "o1", order.Customer{})}, false},
		{"missing later keeps the grant", []contact.Observation{
			obs(t1, "o1", order.Customer{MarketingConsent: yes()}),
			obs(t2, "o2", order.Customer{}),
		}, true},
		{"newer false withdraws", []contact.Observation{
			obs(t1, "o1", order.Customer{MarketingConsent: yes()}),
			obs(t2, "o2", order.Customer{MarketingConsent: no()}),
		}, false},
		{"older false arriving late does not withdraw", []contact.Observation{
			obs(t2, "o2", order.Customer{MarketingConsent: yes()}),
			obs(t1, "o1", order.Customer{MarketingConsent: no()}),
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := contact.New("c", t0)
			for _, o := range tt.seq {
				c.Apply(o)
			}
			if c.MayMarket() != tt.want {
				t.Errorf("MayMarket = %v, want %v (consent %+v)", c.MayMarket(), tt.want, c.Consent)
			}
		})
	}
}

func TestConsentRecordsSource(t *testing.T) {
	c := contact.New("c", t0)
	c.Apply(obs(t1, "order o-9", order.Customer{MarketingConsent: yes()}))
	if c.Consent.Source != "order o-9" || !c.Consent.At.Equal(t1) {
		t.Errorf("consent = %+v", c.Consent)
	}
}

func TestSuppressionStopsMarketingAndEmail(t *testing.T) {
	c := contact.New("c", t0)
	c.Apply(obs(t1, "o1", order.Customer{MarketingConsent: yes()}))
	c.Suppressed = "hard bounce"
	if c.MayMarket() || c.MayEmail() {
		t.Error("suppressed contact may still be emailed")
	}
}

func TestTakeFirstOrder(t *testing.T) {
	c := contact.New("c", t0)
	if first, changed := c.TakeFirstOrder("o-1"); !first || !changed {
		t.Errorf("first order: first=%v changed=%v", first, changed)
	}
	if first, changed := c.TakeFirstOrder("o-1"); !first || changed {
		t.Errorf("replay of first order: first=%v changed=%v", first, changed)
	}
	if first, _ := c.TakeFirstOrder("o-2"); first {
		t.Error("second order judged first")
	}
}
