//lint:file-ignore ST1018 Persian writes the zero-width non-joiner (half-space) inside words; escaping it would make the text unreadable.

package campaign_test

import (
	"html"
	"slices"
	"strings"
	"testing"
	"time"

	"shopmail/internal/campaign"
	"shopmail/internal/email/emailtest"
	"shopmail/internal/render"
	"shopmail/internal/render/rendertest"
)

// card is a day's greeting card: a birthday (with a coupon offer) and Nowruz (with a link).
func card() campaign.Campaign {
	return campaign.Campaign{ID: "cmp-greet20270321", Name: "Greetings of 2027-03-21", Topic: "greetings", Card: &campaign.Card{
		Date: "2027-03-21",
		Occasions: []campaign.CardOccasion{
			{ID: "birthday", Kind: campaign.KindBirthday, Design: campaign.DesignBirthday, Name: map[string]string{"en": "Birthday", "fa": "تولد"},
				Offer: &campaign.Offer{Text: map[string]string{"en": "20% off one order", "fa": "۲۰٪ تخفیف یک خرید"},
					Coupon: &campaign.CardCoupon{Prefix: "BDAY", ValidDays: 14}}},
			{ID: "nowruz", Kind: campaign.KindOccasion, Design: campaign.DesignNowruz, Name: map[string]string{"en": "Nowruz", "fa": "نوروز"},
				Offer: &campaign.Offer{Text: map[string]string{"en": "Nowruz baskets"},
					Link: &campaign.CTA{Label: map[string]string{"en": "See the baskets", "fa": "سبدهای نوروزی"}, URL: "https://shop.example/nowruz"}}},
		},
	}}
}

// A card as its reader meets it: the greeting by first name, the day in their calendar
// (Solar Hijri in Persian digits for Persian), the day's further occasion, the coupon issued
// to them with its end, the marketing footer and one-click unsubscribe of greetings.
func TestCardAsReadersSeeIt(t *testing.T) {
	expires := time.Date(2027, 4, 4, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		locale, tz, dir, subject, day, also, line, expires string
	}{
		{"en-US", "America/Los_Angeles", "ltr", "Happy birthday, Sara! And a happy Nowruz!", "21 March 2027", "And a happy Nowruz!",
			"Wishing you a wonderful year ahead.", "Valid for one order until 4 April 2027."},
		// 2027-03-21 is 1 Farvardin 1406; 2027-04-04 is 15 Farvardin.
		{"fa-IR", "Asia/Tehran", "rtl", "سارا عزیز، تولدتان مبارک! و نوروز هم مبارک!", "۱ فروردین ۱۴۰۶", "و نوروز هم مبارک!",
			"سالی سرشار از شادی و تندرستی برایتان آرزو می‌کنیم.", "برای یک خرید تا ۱۵ فروردین ۱۴۰۶ معتبر است."},
	} {
		t.Run(tt.locale, func(t *testing.T) {
			c := card()
			r, send := recipient(t, tt.locale, tt.tz)
			r.Greeting = &campaign.Greeting{Occasions: c.Card.Occasions, Coupon: &campaign.IssuedCoupon{Code: "BDAY-7K2Q9X", ExpiresAt: expires}}
			p := parse(t, c, r)
			if p.Subject != tt.subject {
				t.Errorf("subject %q, want %q", p.Subject, tt.subject)
			}
			unsub, err := emailtest.CheckMarketing(p)
			if err != nil {
				t.Fatal(err)
			}
			if unsub != send.Unsubscribe("greetings") {
				t.Errorf("List-Unsubscribe %q, want the greetings topic's", unsub)
			}
			esc := html.EscapeString
			l := render.LocaleFor(tt.locale, tt.tz)
			offer := map[string]string{"en-US": "20% off one order", "fa-IR": "۲۰٪ تخفیف یک خرید"}[tt.locale]
			for _, want := range []string{
				`dir="` + tt.dir + `"`, "🎂", "#e11d48", // the birthday design: its first occasion's
				esc(strings.TrimSuffix(tt.subject, " "+tt.also)) + "</h1>", esc(tt.day), esc(tt.also), esc(tt.line),
				esc(offer), ">BDAY-7K2Q9X</p>", esc(tt.expires),
				esc(l.T("topic.greetings")), esc(shop.PostalAddress), esc(l.T("footer.unsubscribe")),
			} {
				if !strings.Contains(p.HTML, want) {
					t.Errorf("HTML lacks %s", want)
				}
			}
			for _, want := range []string{tt.day, tt.line, offer, "BDAY-7K2Q9X", tt.expires, l.T("footer.unsubscribe") + ": " + unsub} {
				if !strings.Contains(p.Text, want) {
					t.Errorf("text part lacks %q:\n%s", want, p.Text)
				}
			}
			if problems := rendertest.ColorProblems(p.HTML, shop); len(problems) > 0 {
				t.Errorf("colours: %q", problems)
			}
			// The first offer is the birthday's coupon; the button is the shop's, tracked.
			if !slices.Contains(send.URLs(), "https://shop.example") {
				t.Errorf("the shop is not among the tracked URLs %q", send.URLs())
			}
		})
	}
}

// Each design greets in its own words, by name or without one, and a generic occasion by
// its name; a link offer becomes the button.
func TestCardDesigns(t *testing.T) {
	for _, tt := range []struct {
		design, name, first, locale, title string
	}{
		{campaign.DesignNowruz, "Nowruz", "Sara", "en", "Happy Nowruz, Sara!"},
		{campaign.DesignYalda, "Yalda Night", "", "fa-IR", "یلدایتان مبارک!"},
		{campaign.DesignNewYear, "New Year", "Sam", "en", "Happy New Year, Sam!"},
		{campaign.DesignMothersDay, "Mother's Day", "", "en", "Happy Mother's Day!"},
		{campaign.DesignBlackFriday, "Black Friday", "Sam", "en", "Sam, Black Friday is here"},
		{campaign.DesignGeneric, "Valentine's Day", "Sam", "en", "Happy Valentine's Day, Sam!"},
		{campaign.DesignGeneric, "Valentine's Day", "", "en", "Happy Valentine's Day!"},
		{campaign.DesignGeneric, "عید فطر", "سارا", "fa-IR", "سارا عزیز، عید فطر مبارک!"},
	} {
		t.Run(tt.design+"/"+tt.locale, func(t *testing.T) {
			c := card()
			o := c.Card.Occasions[1]
			o.Design, o.Name = tt.design, map[string]string{"en": tt.name, "fa": tt.name}
			c.Card.Occasions = []campaign.CardOccasion{o}
			r, send := recipient(t, tt.locale, "UTC")
			r.FirstName = tt.first
			r.Greeting = &campaign.Greeting{Occasions: c.Card.Occasions}
			p := parse(t, c, r)
			if p.Subject != tt.title {
				t.Errorf("subject %q, want %q", p.Subject, tt.title)
			}
			if strings.Contains(p.HTML+p.Text, "%!") {
				t.Errorf("a formatting error in the card:\n%s", p.Text)
			}
			if !slices.Contains(send.URLs(), "https://shop.example/nowruz") {
				t.Errorf("the offer's link is not the tracked button: %q", send.URLs())
			}
			if strings.Contains(p.HTML, "BDAY") {
				t.Error("a coupon shown that was not issued")
			}
		})
	}
}

// A card with none of the day's occasions for its reader is not rendered: it would greet
// them for nothing.
func TestCardWithoutOccasionsIsRefused(t *testing.T) {
	r, _ := recipient(t, "en", "UTC")
	if _, err := campaign.Render(card(), r); err == nil {
		t.Error("rendered a card without a greeting")
	}
}
