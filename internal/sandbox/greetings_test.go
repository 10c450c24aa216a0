package sandbox_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"shopmail/internal/calendar"
	"shopmail/internal/email/emailtest"
	"shopmail/internal/sandbox"
)

// md is a date's month and day in a birthday without a year (--MM-DD).
func md(d calendar.Date) string { return fmt.Sprintf("--%02d-%02d", int(d.Month), d.Day) }

func gregorian(d calendar.Date) string {
	return fmt.Sprintf(`{"gregorian": {"month": %d, "day": %d}}`, int(d.Month), d.Day)
}

// A fortnight of greeting cards, the clock moved hour by hour and the hourly sweep run as its
// schedule fires: a birthday, an occasion for everyone with a coupon, and a day without
// promotion for Persian speakers and Iran that falls on another occasion. Each contact gets
// exactly the cards they should, at 09:00 in their own time zone (Tehran +03:30, Los Angeles,
// Kiritimati +14), none on the day of mourning, and none twice when the sweep runs again.
func TestGreetingCardsAcrossAFortnight(t *testing.T) {
	r := startWith(t, sandbox.Config{Template: repoTemplate(t), SendRate: 50})
	ctx := context.Background()
	start := r.sb.Clock().Now()
	d0 := calendar.DateOf(start.UTC())
	birthdayTeh, birthdayLA, shopDay, mourning := d0.AddDays(2), d0.AddDays(9), d0.AddDays(4), d0.AddDays(6)

	var csv strings.Builder
	csv.WriteString("id,email,firstName,locale,timezone,country,birthday,consent.greetings,consent.greetings.source,consent.greetings.at\n")
	for _, c := range []struct {
		id, name, locale, tz, country, birthday string
		consent                                 bool
	}{
		// Born in a leap year, so that the birthday is a date whatever day the test runs on.
		{"c-teh", "سارا", "fa-IR", "Asia/Tehran", "IR", "2000" + md(birthdayTeh)[1:], true},
		{"c-la", "Sam", "en-US", "America/Los_Angeles", "US", md(birthdayLA), true},
		{"c-kir", "Tia", "en", "Pacific/Kiritimati", "KI", "", true},
		{"c-ir", "Reza", "en", "Asia/Tehran", "IR", "", true},
		{"c-no", "Noel", "en-US", "America/Los_Angeles", "US", md(birthdayTeh), false},
	} {
		fmt.Fprintf(&csv, "%s,%s@greet.example,%s,%s,%s,%s,%s,%t,signup form,2026-11-01T08:00:00Z\n", c.id, c.id, c.name, c.locale, c.tz, c.country, c.birthday, c.consent)
	}
	if status, res := r.api(t, "POST", "/contacts/import", "text/csv", csv.String()); status != 200 || res["imported"] != 5.0 {
		t.Fatalf("import: %d %v", status, res)
	}
	// The marketer switches birthdays on with a coupon, and adds the shop's day and a day of
	// mourning on which another occasion falls.
	for _, req := range []struct{ method, path, body string }{
		{"PATCH", "/occasions/birthday", `{"enabled": true, "offer": {"text": {"en": "20% off one order", "fa": "۲۰٪ تخفیف"}, "coupon": {"prefix": "BDAY", "validDays": 14}}}`},
		{"POST", "/occasions", `{"id": "shop-day", "kind": "occasion", "name": {"en": "Shop day", "fa": "روز فروشگاه"}, "rule": ` + gregorian(shopDay) + `, "enabled": true}`},
		{"POST", "/occasions", `{"id": "tea-day", "kind": "occasion", "name": {"en": "Tea day", "fa": "روز چای"}, "rule": ` + gregorian(mourning) + `, "enabled": true}`},
		{"POST", "/occasions", `{"id": "mourning", "kind": "no-promotion", "name": {"en": "Day of mourning", "fa": "سوگواری"}, "rule": ` + gregorian(mourning) + `, "enabled": true, "locales": ["fa"], "countries": ["IR"]}`},
	} {
		ct := "application/json"
		if req.method == "PATCH" {
			ct = "application/merge-patch+json"
		}
		if status, res := r.api(t, req.method, req.path, ct, req.body); status >= 300 {
			t.Fatalf("%s %s: %d %v", req.method, req.path, status, res)
		}
	}
	// The preview says who gets which card on the mourning day.
	if status, pv := r.api(t, "GET", "/occasions/preview?date="+mourning.String(), "", ""); status != 200 || !strings.Contains(mustJSON(pv), `"count":2,"id":"mourning"`) {
		t.Errorf("preview of %s: %d %s", mourning, status, mustJSON(pv))
	}
	// A sale in Persian scheduled on the day of mourning is refused, with the reason.
	_, sale := r.api(t, "POST", "/campaigns", "application/json", saleBody(t, "nobody"))
	at := mourning.At(12, time.UTC).Format(time.RFC3339)
	if status, res := r.api(t, "POST", "/campaigns/"+sale["id"].(string)+"/schedule", "application/json", `{"at": "`+at+`"}`); status != 400 ||
		!strings.Contains(mustJSON(res), "day without promotion") {
		t.Errorf("a Persian sale on the day of mourning: %d %v", status, res)
	}

	// The fortnight, hour by hour; c-teh's birthday is moved after their card, to farm a second.
	moved := false
	for now := start; now.Before(d0.AddDays(14).At(0, time.UTC)); now = now.Add(time.Hour) {
		r.sb.Advance(ctx, time.Hour)
		r.sb.Idle()
		if !moved && birthdayTeh.Before(calendar.DateOf(r.sb.Clock().Now().UTC())) {
			moved = true
			edit := "id,birthday\nc-teh,2000" + md(d0.AddDays(11))[1:] + "\n"
			if status, res := r.api(t, "POST", "/contacts/import", "text/csv", edit); status != 200 {
				t.Fatalf("edit birthday: %d %v", status, res)
			}
		}
	}
	// The sweep run again, as a retry would, sends nothing more.
	before := len(r.sb.Messages())
	for range 3 {
		if _, err := r.sb.Invoke(ctx, "CampaignSendFunction", []byte(`{"step": "sweep"}`)); err != nil {
			t.Fatal(err)
		}
	}
	r.sb.Idle()
	if n := len(r.sb.Messages()); n != before {
		t.Errorf("the sweep run again sent %d more emails", n-before)
	}

	want := map[string][]string{
		"c-teh": {birthdayTeh.String(), shopDay.String()},                   // none on the day of mourning, no second birthday
		"c-la":  {shopDay.String(), mourning.String(), birthdayLA.String()}, // Tea day reaches them: the mourning is not theirs
		"c-kir": {shopDay.String(), mourning.String()},                      // +14: their 09:00 is the day before's 19:00 UTC
		"c-ir":  {shopDay.String()},                                         // in Iran: no card on the day of mourning
	}
	zones := map[string]string{"c-teh": "Asia/Tehran", "c-la": "America/Los_Angeles", "c-kir": "Pacific/Kiritimati", "c-ir": "Asia/Tehran"}
	got := map[string][]string{}
	for _, m := range r.sb.Messages() {
		to := address(m.To)
		id, ok := strings.CutSuffix(to, "@greet.example")
		if !ok {
			continue
		}
		loc, err := time.LoadLocation(zones[id])
		if err != nil {
			t.Fatalf("%s: %v", to, err)
		}
		local := m.SentAt.In(loc)
		if local.Hour() != 9 {
			t.Errorf("%s's card %q sent at %s local, want 09:00-09:59", id, m.Subject, local.Format(time.DateTime))
		}
		got[id] = append(got[id], calendar.DateOf(local).String())
		p := emailtest.MustParse(t, m.Raw)
		if _, err := emailtest.CheckMarketing(p); err != nil {
			t.Errorf("%s's card: %v", id, err)
		}
		if strings.Contains(m.Subject, "irthday") || strings.Contains(m.Subject, "تولد") {
			if !strings.Contains(p.Text, "BDAY-") {
				t.Errorf("%s's birthday card has no coupon:\n%s", id, p.Text)
			}
		}
		if id == "c-teh" && !strings.Contains(m.Subject, "سارا") {
			t.Errorf("c-teh's card is not in Persian by first name: %q", m.Subject)
		}
	}
	t.Logf("cards by contact and local day: %v", got)
	for id, days := range want {
		if !slices.Equal(got[id], days) {
			t.Errorf("%s got cards on %v, want %v", id, got[id], days)
		}
	}
	if len(got["c-no"]) > 0 {
		t.Errorf("c-no, who never consented to greetings, got cards on %v", got["c-no"])
	}
}
