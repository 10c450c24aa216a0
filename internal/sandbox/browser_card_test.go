package sandbox_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shopmail/internal/calendar"
)

// A birthday card as its reader opens it, in English and Persian, at a phone's and a
// desktop's width, light and dark: the greeting by first name, the day in their calendar
// (Solar Hijri with Persian digits in Persian), the coupon issued to them, the button
// (tracked) and the marketing footer.
func TestBrowserGreetingCard(t *testing.T) {
	every(t, func(tr *tour) {
		r := tr.r
		withoutDaysOff(t, r) // on a day of mourning the Persian card is not sent
		now := r.sb.Clock().Now()
		zone := zoneAt(now, 9) // where it is now the card's hour, whenever the test runs
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		today := calendar.DateOf(now.In(loc))
		locale, name := map[string]string{"en": "en-US", "fa": "fa-IR"}[tr.lang], map[string]string{"en": "Sara", "fa": "سارا"}[tr.lang]
		csv := "id,email,firstName,locale,timezone,birthday,consent.greetings,consent.greetings.source,consent.greetings.at\n" +
			fmt.Sprintf("c-card,sara@card.example,%s,%s,%s,--%02d-%02d,true,signup form,2026-11-01T08:00:00Z\n", name, locale, zone, int(today.Month), today.Day)
		if status, res := r.api(t, "POST", "/contacts/import", "text/csv", csv); status != 200 || res["imported"] != 1.0 {
			t.Fatalf("import: %d %v", status, res)
		}
		if status, res := r.api(t, "PATCH", "/occasions/birthday", "application/merge-patch+json",
			`{"enabled": true, "offer": {"text": {"en": "20% off one order", "fa": "۲۰٪ تخفیف یک خرید"}, "coupon": {"prefix": "BDAY", "validDays": 14}}}`); status != 200 {
			t.Fatalf("switch birthdays on: %d %v", status, res)
		}
		if _, err := r.sb.Invoke(context.Background(), "CampaignSendFunction", []byte(`{"step": "sweep"}`)); err != nil {
			t.Fatal(err)
		}
		r.sb.Idle()
		if n := len(r.sb.Messages()); n != 1 {
			t.Fatalf("%d emails in the inbox, want the birthday card", n)
		}
		tr.open(0)
		l := map[string]string{"en": "Happy birthday, Sara!", "fa": "سارا عزیز، تولدتان مبارک!"}[tr.lang]
		day := fmt.Sprintf("%d %s %d", today.Day, today.Month, today.Year)
		if tr.lang == "fa" {
			y, m, d := calendar.ToPersian(today)
			day = strings.NewReplacer("0", "۰", "1", "۱", "2", "۲", "3", "۳", "4", "۴", "5", "۵", "6", "۶", "7", "۷", "8", "۸", "9", "۹").
				Replace(fmt.Sprintf("%d %s %d", d, calendar.PersianMonths[m-1], y))
		}
		for _, w := range []string{l, day, map[string]string{"en": "20% off one order", "fa": "۲۰٪ تخفیف یک خرید"}[tr.lang], "BDAY-", tr.T("footer.unsubscribe")} {
			tr.wants(w)
		}
		dir := get(t, tr.ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('h1')).direction`))
		if want := map[string]string{"en": "ltr", "fa": "rtl"}[tr.lang]; dir != want {
			t.Errorf("the card's heading reads %s, want %s", dir, want)
		}
		cta := get(t, tr.ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('a')].find(a => a.textContent.trim() === `+
			`'`+tr.T("shop.now")+`')?.href ?? ''`))
		if !strings.HasPrefix(cta, r.appURL+"/") {
			t.Errorf("the card's button links to %q, want a tracked link of %s", cta, r.appURL)
		}
		tr.check("email-card")
	})
}

// An abandoned cart's reminder as its reader opens it, in English and Persian, at a phone's
// and a desktop's width, light and dark: the items with their images and the regular price
// struck through, the total, the marketing footer, and the button back to the cart, which a
// click follows to the shop's cart page.
func TestBrowserCartReminder(t *testing.T) {
	every(t, func(tr *tour) {
		r := tr.r
		now := r.sb.Clock().Now().Format(time.RFC3339Nano)
		customer := map[string]string{"en": `"locale": "en-US", "timezone": "America/New_York"`, "fa": `"locale": "fa-IR", "timezone": "Asia/Tehran"`}[tr.lang]
		r.putSample(t, "carts/01-checkout-started.json", func(d string) string {
			d = regexp.MustCompile(`"updatedAt": "[^"]+"`).ReplaceAllString(d, `"updatedAt": "`+now+`"`)
			d = regexp.MustCompile(`"locale": "en-US",\s*"timezone": "America/New_York"`).ReplaceAllString(d, customer)
			d = strings.ReplaceAll(d, `"cartUrl": "https://shop.example`, `"cartUrl": "`+tr.shop)
			return strings.ReplaceAll(d, `"url": "https://shop.example`, `"url": "`+tr.shop)
		})
		r.sb.Advance(context.Background(), 16*time.Hour) // 4 hours, and the end of the quiet hours after them
		r.sb.Idle()
		if n := len(r.sb.Messages()); n != 1 {
			t.Fatalf("%d emails in the inbox, want the reminder", n)
		}
		tr.open(0)
		for _, w := range []string{"Green Tea, 100 g", "Ceramic Cup", tr.T("order.total"), tr.T("cart.return"), tr.T("footer.unsubscribe")} {
			tr.wants(w)
		}
		if struck := get(t, tr.ctx, chromedp.Evaluate[int](`document.querySelectorAll('s').length`)); struck != 1 {
			t.Errorf("%d struck-through prices, want the green tea's regular one", struck)
		}
		tr.check("email-cart")
		tr.click(linkTo(tr.T("cart.return")))
		tr.wants("/cart/cart-5001")
		if loc := tr.location(); loc != tr.shop+"/cart/cart-5001" {
			t.Errorf("the button led to %s", loc)
		}
		// The order from the cart: the marketer sees the cart recovered on the dashboard.
		r.putSample(t, "carts/04-order-placed-from-cart.json", nil)
		tr.signIn()
		tr.click(linkTo(tr.D("nav.retention")))
		tr.wants(tr.D("carts.title"))
		tr.check("dashboard-carts")
		got := get(t, tr.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('a.stat[href="#carts"]')].map(a => a.querySelector('.label').textContent + '=' + a.querySelector('.value').textContent)`))
		one := map[string]string{"en": "1", "fa": "۱"}[tr.lang]
		want := []string{tr.D("carts.abandoned") + "=" + one, tr.D("carts.reminded") + "=" + one, tr.D("carts.recovered") + "=" + one}
		if len(got) != 5 || strings.Join(got[:3], "|") != strings.Join(want, "|") || !strings.HasPrefix(got[4], tr.D("carts.revenue")+"=") {
			t.Errorf("the dashboard's carts: %q, want %q, the rate and the revenue", got, want)
		}
	})
}
