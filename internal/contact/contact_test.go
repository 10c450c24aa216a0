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
			if c.MayMarket(contact.TopicNews) != tt.want {
				t.Errorf("MayMarket = %v, want %v (consent %+v)", c.MayMarket(contact.TopicNews), tt.want, c.Consent)
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

func TestChoicesOutrankTheShopsConsent(t *testing.T) {
	pref := func(on bool, at time.Time) contact.Preference {
		return contact.Preference{On: on, At: at, Source: "test"}
	}
	t3 := t2.Add(time.Hour)
	type choice struct {
		topic string
		p     contact.Preference
	}
	tests := []struct {
		name    string
		consent bool
		choices []choice
		want    map[string]bool // topic -> MayMarket
	}{
		{"shop consent only", true, nil, map[string]bool{"sales": true, "news": true}},
		{"no consent at all", false, nil, map[string]bool{"sales": false}},
		{"one topic off", true, []choice{{"sales", pref(false, t1)}}, map[string]bool{"sales": false, "news": true}},
		{"stop all", true, []choice{{"all", pref(false, t1)}}, map[string]bool{"sales": false, "news": false, "greetings": false, "surveys": false}},
		{"stop all, then one topic back on", true, []choice{{"all", pref(false, t1)}, {"sales", pref(true, t2)}}, map[string]bool{"sales": true, "news": false}},
		{"opt-in without shop consent", false, []choice{{"sales", pref(true, t1)}}, map[string]bool{"sales": true, "news": false}},
		{"an older choice arriving late is ignored", true, []choice{{"sales", pref(false, t3)}, {"sales", pref(true, t2)}}, map[string]bool{"sales": false}},
		{"stop all after a topic opt-in", false, []choice{{"sales", pref(true, t1)}, {"all", pref(false, t2)}}, map[string]bool{"sales": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := contact.New("c", t0)
			c.Apply(obs(t0, "o1", order.Customer{MarketingConsent: &tt.consent}))
			for _, ch := range tt.choices {
				c.Choose(ch.topic, ch.p)
			}
			for topic, want := range tt.want {
				if got := c.MayMarket(topic); got != want {
					t.Errorf("MayMarket(%s) = %v, want %v (prefs %+v)", topic, got, want, c.Prefs)
				}
			}
		})
	}
}

func TestShopConsentCannotUndoAnUnsubscribe(t *testing.T) {
	c := contact.New("c", t0)
	c.Apply(obs(t0, "o1", order.Customer{MarketingConsent: yes()}))
	c.Choose(contact.TopicAll, contact.Preference{On: false, At: t1, Source: "one-click unsubscribe"})
	c.Apply(obs(t2, "o2", order.Customer{MarketingConsent: yes()}))
	for _, topic := range contact.Topics {
		if c.MayMarket(topic) {
			t.Errorf("a later order's consent re-enabled %s after the customer unsubscribed", topic)
		}
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
