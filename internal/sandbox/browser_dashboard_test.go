package sandbox_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"shopmail/internal/email/emailtest"
	"shopmail/internal/web/dashboard"
)

// D is a sentence of the dashboard in the tour's language, as the marketer reads it.
func (tr *tour) D(key string, args ...any) string {
	tr.t.Helper()
	s := dashboard.Text(tr.lang, key, args...)
	if s == key {
		tr.t.Fatalf("the dashboard has no sentence %q", key)
	}
	return s
}

// fill types into the form control with the id, as the marketer does.
func (tr *tour) fill(id, text string) {
	tr.t.Helper()
	run(tr.t, tr.ctx, chromedp.WaitVisible(chromedp.CSS("#"+id)))
	get(tr.t, tr.ctx, chromedp.Evaluate[string](`document.getElementById('`+id+`').value = ''`))
	run(tr.t, tr.ctx, chromedp.SendKeys(chromedp.CSS("#"+id), text))
}

// hostile is marketer-written text that would run as script if any page did not escape it.
const hostile = `<img src=x onerror="document.title='pwned'">"'&<script>window.pwned=1</script>`

// signIn goes to the dashboard signed out, lands on the sign-in page, and signs in at the
// sandbox's identity provider with one click; in Persian, it then switches the interface.
func (tr *tour) signIn() {
	tr.t.Helper()
	// The tours share one browser, and cookies do not tell ports apart: start with none.
	run(tr.t, tr.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
	tr.navigate(tr.r.appURL + "/dashboard/campaigns")
	if !strings.Contains(tr.location(), "/dashboard/signin") {
		tr.t.Fatalf("signed out, /dashboard/campaigns led to %s, want the sign-in page", tr.location())
	}
	tr.check("dashboard-signin")
	tr.click(linkTo(dashboard.Text("en", "signin.button")))
	tr.click(button("Sign in as the dev marketer"))
	if loc := tr.location(); loc != tr.r.appURL+"/dashboard/campaigns" {
		tr.t.Fatalf("after signing in, at %s, want back at /dashboard/campaigns", loc)
	}
	if tr.lang == "fa" {
		tr.click(button("فارسی"))
	}
	tr.wants(tr.D("campaigns.title"))
}

// The marketer's day in the dashboard, in English and Persian, on a phone and a desktop:
// sign in, import contacts, build a segment with the form, write a campaign, preview it in
// both languages, send a test (it is in the inbox), schedule it, move the clock and watch the
// numbers change on the open page without a reload, then find a customer and see the
// campaign's email on their timeline. Every page passes the layout checks in light and dark,
// and marketer-written text (a hostile campaign name) is shown as text, never run.
func TestBrowserDashboard(t *testing.T) {
	every(t, func(tr *tour) {
		r := tr.r
		withoutDaysOff(t, r) // the campaign is in Persian too: on a day of mourning it could not be scheduled
		// A customer who was not happy: an order, its survey, CSAT 2 and a comment.
		tr.order()
		tr.delivered()
		tr.open(1)
		tr.click(fmt.Sprintf(`(//a[normalize-space(.)=%s])[1]`, xq(tr.digits(2))))
		tr.submit(button(tr.T("answer.submit")))
		run(t, tr.ctx, chromedp.SendKeys(chromedp.Search(`//textarea[@name="comment"]`), "The box arrived crushed"))
		run(t, tr.ctx, chromedp.SendKeys(chromedp.Search(`//textarea[@name="next"]`), "Loose-leaf jasmine, please"))
		tr.submit(button(tr.T("answer.comment.send")))
		tr.wants(tr.T("answer.comment.saved"))

		tr.signIn()
		tr.check("dashboard-campaigns-empty")

		// Import three customers from a file, living where it is now midday: the campaign goes
		// out within two hours, outside their quiet hours whenever the test runs.
		zone := zoneAt(time.Now(), 12)
		csv := "id,email,firstName,locale,timezone,tags,consent.sales,consent.sales.source,consent.sales.at\n" +
			"c-d1,nima@dash.example,Nima,fa-IR," + zone + ",vip,true,signup form,2026-11-01T08:00:00Z\n" +
			"c-d2,sara@dash.example,Sara,en-US," + zone + ",vip,true,signup form,2026-11-01T08:00:00Z\n" +
			"c-d3,omid@dash.example,Omid,en-US," + zone + ",other,true,signup form,2026-11-01T08:00:00Z\n"
		file := filepath.Join(t.TempDir(), "contacts.csv")
		if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
			t.Fatal(err)
		}
		tr.click(linkTo(tr.D("nav.customers")))
		tr.check("dashboard-customers")
		tr.click(linkTo(tr.D("customers.import")))
		run(t, tr.ctx, chromedp.SetUploadFiles(chromedp.CSS("#i-file"), []string{file}))
		tr.submit(button(tr.D("import.go")))
		tr.wants(tr.D("import.done", tr.digits(3), tr.digits(0), tr.digits(0), tr.digits(0)))
		tr.check("dashboard-import")

		// A segment built with the form: the VIPs who consented to sales.
		tr.click(linkTo(tr.D("nav.segments")))
		tr.click(linkTo(tr.D("segment.new")))
		tr.fill("s-name", "VIP "+hostile)
		run(t, tr.ctx, chromedp.SendKeys(chromedp.CSS("#s-consent"), tr.D("topic.sales")))
		tr.fill("s-tag", "vip")
		tr.submit(button(tr.D("segment.preview")))
		tr.wants(tr.D("segment.count", tr.digits(2)))
		tr.check("dashboard-segment-builder")
		tr.submit(button(tr.D("segment.save")))
		tr.wants(tr.D("segment.saved"))
		tr.wants("VIP " + hostile)
		tr.check("dashboard-segment")

		// A campaign in both languages, its name hostile.
		tr.click(linkTo(tr.D("nav.campaigns")))
		tr.click(linkTo(tr.D("campaign.new")))
		name := "Winter tea " + hostile
		tr.fill("f-name", name)
		run(t, tr.ctx, chromedp.SendKeys(chromedp.CSS("#f-segment"), "VIP"))
		waitText(t, tr, "#f-count", tr.D("campaign.recipients", tr.digits(2)))
		tr.fill("f-en-subject", "Winter tea is here")
		tr.fill("f-en-headline", "Warm up with our winter blends")
		tr.fill("f-en-body", "Brew it **strong**.")
		tr.fill("f-en-cta", "Shop winter tea")
		tr.fill("f-fa-subject", "چای زمستانی رسید")
		tr.fill("f-fa-headline", "با چای زمستانی گرم شوید")
		tr.fill("f-fa-cta", "خرید چای زمستانی")
		tr.fill("f-cta-url", "https://shop.example/winter")
		// The previews follow the form before it is saved.
		waitFrame(t, tr, "pv-en-phone", "Warm up with our winter blends")
		waitFrame(t, tr, "pv-fa-desktop", "با چای زمستانی گرم شوید")
		tr.check("dashboard-campaign-form")
		tr.submit(button(tr.D("campaign.save")))
		tr.wants(tr.D("campaign.created"))
		if title := get(t, tr.ctx, chromedp.Title()); title == "pwned" || !strings.Contains(title, name) {
			t.Errorf("the campaign page's title is %q, want the name as text", title)
		}
		if ran := get(t, tr.ctx, chromedp.Evaluate[bool](`window.pwned === 1`)); ran {
			t.Error("the campaign's name ran as script")
		}
		// The previews: each language in its own direction.
		for _, c := range []struct{ frame, headline, dir string }{
			{"pv-en-phone", "Warm up with our winter blends", "ltr"}, {"pv-fa-phone", "با چای زمستانی گرم شوید", "rtl"},
			{"pv-fa-dark", "با چای زمستانی گرم شوید", "rtl"},
		} {
			if got := waitFrame(t, tr, c.frame, c.headline); !strings.Contains(got, `dir="`+c.dir+`"`) {
				t.Errorf("the preview %s is not %s: %.300s", c.frame, c.dir, got)
			}
		}
		tr.check("dashboard-campaign-draft")

		// A test to the marketer: in the inbox, marked as a test.
		before := len(r.sb.Messages())
		tr.fill("test-to", "marketer@shop.example")
		tr.submit(button(tr.D("campaign.test.send")))
		tr.wants(tr.D("campaign.test.sent"))
		msgs := r.sb.Messages()
		if len(msgs) != before+1 {
			t.Fatalf("%d emails after the test, want %d", len(msgs), before+1)
		}
		test := emailtest.MustParse(t, msgs[len(msgs)-1].Raw)
		if !strings.Contains(test.Header.Get("Subject"), "Winter tea is here") || !strings.Contains(test.Header.Get("Subject"), "TEST") ||
			!strings.Contains(test.Header.Get("To"), "marketer@shop.example") {
			t.Errorf("the test email: To %q, Subject %q", test.Header.Get("To"), test.Header.Get("Subject"))
		}

		// Scheduled for the hour after next; the clock moves; the open page counts the sends.
		tr.submit(button(tr.D("campaign.schedule.go")))
		tr.wants(tr.D("status.scheduled"))
		page := strings.Split(tr.location(), "?")[0]
		id := page[strings.LastIndex(page, "/")+1:]

		// Another site's form aimed at the cancel button changes nothing: the browser sends no
		// session with it (SameSite), and it has no token.
		tr.navigate(tr.shop + "/forge?to=" + url.QueryEscape(page+"/cancel"))
		tr.click(button("Win"))
		if status, c := r.api(t, "GET", "/campaigns/"+id, "", ""); status != 200 || c["status"] != "scheduled" {
			t.Fatalf("after a forged cancel the campaign is %d %v, want still scheduled", status, c["status"])
		}
		tr.navigate(page)
		tr.wants(tr.D("status.scheduled"))
		get(t, tr.ctx, chromedp.Evaluate[bool](`window.__stay = true`))
		r.sb.Advance(context.Background(), 2*time.Hour)
		r.sb.Idle()
		waitText(t, tr, `[data-n="n.sent"]`, tr.digits(2))
		waitText(t, tr, `[data-n="n.delivered"]`, tr.digits(2))
		if stayed := get(t, tr.ctx, chromedp.Evaluate[bool](`window.__stay === true`)); !stayed {
			t.Error("the page reloaded to show the numbers")
		}
		tr.check("dashboard-campaign-sent")
		tr.navigate(page) // the chart over time, drawn from the sends
		waitText(t, tr, "#hours", tr.D("n.sent")+": "+tr.digits(2))
		waitText(t, tr, "#hours", tr.D("n.delivered")+": "+tr.digits(2))

		// The list, the home page, the customer and their timeline.
		tr.click(linkTo(tr.D("nav.campaigns")))
		tr.wants(name)
		tr.check("dashboard-campaigns")
		tr.click(linkTo(tr.D("nav.home")))
		tr.wants(tr.D("home.glance"))
		tr.check("dashboard-home")
		tr.click(linkTo(tr.D("nav.customers")))
		tr.fill("q", "sara@dash.example")
		tr.submit(button(tr.D("customers.find")))
		tr.wants("sara@dash.example")
		tr.wants("Winter tea is here")
		tr.check("dashboard-customer")
		// The customer who ordered: their points, tier and ledger.
		tr.wants(tr.D("loyalty.none"))
		tr.navigate(r.appURL + "/dashboard/customers/" + tr.contactID())
		tr.wants(tr.D("loyalty.kind.earn"))
		tr.wants(tr.D("tier.bronze"))
		tr.check("dashboard-customer-loyalty")
		tr.click(linkTo(tr.D("customer.erase")))
		tr.check("dashboard-erase")
		// Retention: the customer's cohort, the tiers, and a win-back segment one click away.
		tr.click(linkTo(tr.D("nav.retention")))
		tr.wants(tr.D("retention.cohorts.help"))
		tr.wants(tr.D("retention.tiers"))
		tr.wants(tr.D("draws.status.open")) // the month's draw, opened by the hourly run
		tr.check("dashboard-retention")
		tr.submit(button(tr.D("retention.winback.go")))
		tr.wants(tr.D("segment.atrisk"))
		if !get(t, tr.ctx, chromedp.Evaluate[bool](`document.querySelector('#s-risk').checked`)) {
			t.Error("the win-back segment's builder does not have at risk ticked")
		}

		tr.click(linkTo(tr.D("nav.surveys")))
		tr.wants("The box arrived crushed")
		tr.check("dashboard-surveys")
		// The idea is under each category of the order, and a category's link shows its own.
		cats := map[string][]string{"en": {"tea", "teaware"}, "fa": {"dried-fruit", "spice"}}[tr.lang] // the sample order's
		if ideas := get(t, tr.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#next ~ h3')].map(h => h.textContent.replace(/\s+/g, ' ').trim())`)); len(ideas) != 2 ||
			!strings.HasPrefix(ideas[0], cats[0]+" · ") || !strings.HasPrefix(ideas[1], cats[1]+" · ") || !strings.Contains(tr.text(), "Loose-leaf jasmine, please") {
			t.Errorf("what to sell next, per category: %q, want %q", ideas, cats)
		}
		tr.click(fmt.Sprintf(`//h3/a[normalize-space(.)=%s]`, xq(cats[1])))
		tr.wants("Loose-leaf jasmine, please")
		if got := get(t, tr.ctx, chromedp.Evaluate[string](`document.querySelector('#sv-category').value + '|' + document.querySelectorAll('#next ~ h3').length`)); got != cats[1]+"|1" {
			t.Errorf("the category's link shows %q, want %s|1", got, cats[1])
		}
		tr.submit(button(tr.D("surveys.contact")))
		tr.wants(tr.D("surveys.contacted"))
		if strings.Contains(tr.text(), tr.D("surveys.contact")+"\n") || get(t, tr.ctx, chromedp.Evaluate[bool](`!!document.querySelector('form[action="/dashboard/surveys/contacted"]')`)) {
			t.Error("the customer is still to follow up after being marked contacted")
		}
		tr.click(linkTo(tr.D("nav.occasions")))
		tr.check("dashboard-occasions")
		tr.navigate(r.appURL + "/dashboard/occasions?date=2027-03-21") // Nowruz
		tr.wants(map[string]string{"en": "Nowruz", "fa": "نوروز"}[tr.lang])
		tr.check("dashboard-occasions-date")
		tr.click(linkTo(tr.D("nav.segments")))
		tr.wants("VIP " + hostile)
		tr.check("dashboard-segments")
		if ran := get(t, tr.ctx, chromedp.Evaluate[bool](`window.pwned === 1 || document.title === 'pwned'`)); ran {
			t.Error("marketer-written text ran as script")
		}
	})
}

// waitText waits until the element's text contains want (the page updates itself).
func waitText(t *testing.T, tr *tour, sel, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got, err := chromedp.Run(tr.ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q)?.textContent ?? ''`, sel)))
		if err == nil && strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s says %q, want %q", sel, got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitFrame waits until the preview frame of the name shows want, and returns its document.
func waitFrame(t *testing.T, tr *tour, name, want string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	got := ""
	for {
		var err error
		got, err = chromedp.Run(tr.ctx, chromedp.Evaluate[string](fmt.Sprintf(
			`(() => { const f = document.querySelector('iframe[name=%q]'); `+
				`return f && f.contentDocument && f.contentDocument.readyState === 'complete' ? f.contentDocument.documentElement.outerHTML : ''; })()`, name)))
		if err == nil && strings.Contains(got, want) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("the preview %s does not show %q: %.400s", name, want, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
