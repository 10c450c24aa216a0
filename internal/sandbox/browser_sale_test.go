package sandbox_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shopmail/internal/contact"
)

// The sale announcement as customers read it, in English and Persian, at a phone's and a
// desktop's width, light and dark: the headline, the product with its regular price struck
// through beside the sale price, the free gift, the coupon and the call to action (tracked);
// then the footer's unsubscribe, clicked and confirmed, withdraws the campaign's topic.
func TestBrowserSaleEmail(t *testing.T) {
	every(t, func(tr *tour) {
		r := tr.r
		from := map[string]int{"fa": 0, "en": 1}[tr.lang] // importContacts: every third contact reads Persian
		importContacts(t, r, "sale", "browser", from, 1, zoneAt(time.Now(), 12), true)
		sendNow(t, r, saleBody(t, "browser"))
		if n := len(r.sb.Messages()); n != 1 {
			t.Fatalf("%d emails in the inbox, want the sale", n)
		}
		tr.open(0)
		want := map[string][]string{
			"en": {"The longest night, the warmest tea", "Green tea", "Tea strainer", "YALDA30", "Shop the sale", "Yalda night"},
			"fa": {"بلندترین شب، گرم\u200cترین چای", "چای سبز", "صافی چای", "YALDA30", "خرید از حراج", "شب یلدا"},
		}[tr.lang]
		for _, w := range want {
			tr.wants(w)
		}
		// The regular price is shown struck through, and the sale price beside it is not.
		struck := get(t, tr.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('body *')]
			.filter(e => getComputedStyle(e).textDecorationLine.includes('line-through'))
			.map(e => e.textContent.trim())`))
		if len(struck) != 1 || !strings.ContainsAny(struck[0], "3۳") {
			t.Errorf("struck through: %q, want the regular price (30.00) alone", struck)
		}
		cta := get(t, tr.ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('a')].find(a => a.textContent.trim() === `+
			`'`+want[4]+`')?.href ?? ''`))
		if !strings.HasPrefix(cta, r.appURL+"/") {
			t.Errorf("the call to action links to %q, want a tracked link of %s", cta, r.appURL)
		}
		tr.check("email-sale")
		tr.click(linkTo(tr.T("footer.unsubscribe")))
		tr.submit(button(tr.T("unsub.button")))
		tr.wants(tr.T("unsub.done.title"))
		if tr.contact("c-sale-" + map[string]string{"fa": "0", "en": "1"}[tr.lang]).MayMarket(contact.TopicSales) {
			t.Error("the sale's unsubscribe left the customer consenting to sales")
		}
	})
}
