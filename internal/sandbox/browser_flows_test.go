package sandbox_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/chromedp/chromedp"

	"shopmail/internal/contact"
	"shopmail/internal/email/emailtest"
	"shopmail/internal/render"
)

// T is a sentence of render's catalogue in the tour's language, as the customer reads it.
func (tr *tour) T(key string, args ...any) string {
	return render.LocaleFor(map[string]string{"en": "en-US", "fa": "fa-IR"}[tr.lang], "").T(key, args...)
}

// digits writes n as the tour's language does.
func (tr *tour) digits(n int64) string {
	return render.LocaleFor(map[string]string{"en": "en-US", "fa": "fa-IR"}[tr.lang], "").Number(n)
}

// xq quotes s for an XPath string literal.
func xq(s string) string {
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	return `"` + s + `"`
}

// linkTo finds a link by its visible text.
func linkTo(text string) string {
	return fmt.Sprintf(`//a[contains(normalize-space(.), %s)]`, xq(text))
}

// button finds a button by its visible text.
func button(text string) string {
	return fmt.Sprintf(`//button[contains(normalize-space(.), %s)]`, xq(text))
}

func (tr *tour) contact(id string) *contact.Contact {
	tr.t.Helper()
	c, err := tr.r.store(tr.t).Contact(context.Background(), id)
	if err != nil {
		tr.t.Fatal(err)
	}
	return c
}

func (tr *tour) wants(what string) {
	tr.t.Helper()
	if !strings.Contains(tr.text(), what) {
		tr.t.Fatalf("the page at %s does not say %q:\n%s", tr.location(), what, tr.text())
	}
}

// Order → the thank-you in the inbox → a click on a product lands on the product. A second
// order gets the shorter note.
func TestBrowserOrderToProduct(t *testing.T) {
	every(t, func(tr *tour) {
		// Another customer bought other products of the same categories: they are suggested.
		name := map[string]string{"en": "first-order.json", "fa": "persian-customer.json"}[tr.lang]
		tr.r.putSample(t, name, func(d string) string {
			for _, r := range [][2]string{{tr.orderID(), "o-earlier"}, {tr.contactID(), "c-earlier"}, {`"sku": "`, `"sku": "X`}, {`"name": "`, `"name": "Another `}, {`@example.com`, `+earlier@example.com`}} {
				d = strings.ReplaceAll(d, r[0], r[1])
			}
			return d
		})
		tr.order()
		tr.open(1)
		tr.wants(tr.T("suggest.heading"))
		tr.wants(tr.T("coupon.heading"))
		tr.check("email-thankyou-first")
		p := map[string][2]string{"en": {"Green tea", "/tea-01"}, "fa": {"زعفران ممتاز ۴ گرمی", "/saf-01"}}[tr.lang]
		product, path := p[0], p[1]
		tr.click(linkTo(product))
		if got := tr.location(); got != tr.shop+path {
			t.Errorf("the product link landed on %s, want %s", got, tr.shop+path)
		}
		tr.r.putSample(t, name, func(d string) string {
			return strings.ReplaceAll(strings.Replace(d, tr.orderID(), tr.orderID()+"-again", 1), "https://shop.example", tr.shop)
		})
		tr.open(2)
		tr.check("email-thankyou-repeat")
	})
}

// The thank-you with everything a shop can send: the order's page, the breakdown, a logo and
// a brand colour (a sandbox started with LogoURL and BrandColor).
func TestBrowserFullThankYou(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium; skipped with -short")
	}
	b := browser(t)
	params := map[string]string{"LogoURL": "https://shop.example/logo.png", "BrandColor": "#0f766e"}
	for _, lang := range []string{"en", "fa"} {
		for _, s := range screens {
			t.Run(lang+"-"+s.name, func(t *testing.T) {
				tr := newTourWith(t, b, lang, s, params)
				tr.order(func(d string) string {
					extra := map[string]string{
						"en": `"orderUrl": "https://shop.example/account/orders/o-1001", "subtotal": 129.90, "shipping": 5, "discount": 10, "tax": 5,`,
						"fa": `"orderUrl": "https://shop.example/account/orders/o-2001", "subtotal": 12500000, "shipping": 500000, "discount": 1000000, "tax": 1000000,`,
					}[lang]
					return strings.Replace(d, `"currency"`, extra+` "currency"`, 1)
				})
				tr.open(0)
				tr.wants(tr.T("order.view"))
				tr.wants(tr.T("order.shipping"))
				tr.check("email-thankyou-full")
			})
		}
	}
}

// delivered says the order arrived, and moves the clock past the survey's send time.
func (tr *tour) delivered() {
	tr.t.Helper()
	detail := `{"orderId":"` + tr.orderID() + `","deliveredAt":"` + time.Now().UTC().Format(time.RFC3339) + `"}`
	out, err := tr.r.eventBridge().PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String("shop.orders"), DetailType: aws.String("Order Delivered"), Detail: &detail,
	}}})
	if err != nil || out.FailedEntryCount != 0 {
		tr.t.Fatalf("PutEvents: %v %+v", err, out)
	}
	tr.r.sb.Idle()
	tr.r.sb.Advance(context.Background(), 96*time.Hour)
	tr.r.sb.Idle()
}

// Delivery → the survey → a score → the answer page → send → a comment → send: the answer and
// the comment are in the table and in the marketer API. The email's "What should we sell
// next?" link takes an idea. Then an unhappy CSAT brings support's alert and the customer's
// apology.
func TestBrowserSurvey(t *testing.T) {
	every(t, func(tr *tour) {
		tr.order()
		tr.delivered()
		tr.open(1)
		tr.check("email-survey")
		nine := fmt.Sprintf(`//a[normalize-space(.)=%s]`, xq(tr.digits(9)))
		tr.click(nine)
		tr.wants(tr.T("answer.title"))
		tr.check("page-answer")
		tr.submit(button(tr.T("answer.submit")))
		tr.wants(tr.T("answer.saved"))
		tr.check("page-comment")
		run(t, tr.ctx, chromedp.SendKeys(chromedp.Search(`//textarea[@name="comment"]`), "The tea was lovely"))
		tr.submit(button(tr.T("answer.comment.send")))
		tr.wants(tr.T("answer.comment.saved"))
		if answered, nps := tr.report(); answered != 1 || nps != 100 {
			t.Errorf("the marketer API reports %d answers and NPS %v, want 1 and 100", answered, nps)
		}
		if items := tr.r.partition(t, "CONTACT#"+tr.contactID()); !strings.Contains(items, "The tea was lovely") {
			t.Errorf("the comment is not in the table:\n%s", items)
		}
		tr.open(1)
		tr.click(linkTo(tr.T("survey.next.invite")))
		tr.wants(tr.T("answer.next.hint"))
		tr.check("page-next")
		run(t, tr.ctx, chromedp.SendKeys(chromedp.Search(`//textarea[@name="next"]`), "Matcha in tins"))
		tr.submit(button(tr.T("answer.next.send")))
		tr.wants(tr.T("answer.next.saved"))
		if items := tr.r.partition(t, "CONTACT#"+tr.contactID()); !strings.Contains(items, "Matcha in tins") {
			t.Errorf("the idea is not in the table:\n%s", items)
		}
		if status, detail := tr.r.api(t, "GET", "/contacts/"+tr.contactID(), "", ""); status != 200 ||
			!strings.Contains(mustJSON(detail["timeline"]), `"type":"suggestion"`) || !strings.Contains(mustJSON(detail["timeline"]), "Matcha in tins") {
			t.Errorf("the idea is not on the customer's timeline: %d %v", status, detail["timeline"])
		}
		// CSAT 1, the first "1" of the email: support hears at once, the customer gets an apology.
		tr.open(1)
		tr.click(fmt.Sprintf(`(//a[normalize-space(.)=%s])[1]`, xq(tr.digits(1))))
		tr.submit(button(tr.T("answer.submit")))
		tr.wants(tr.T("answer.saved"))
		msgs := tr.r.sb.Messages()
		if len(msgs) != 4 {
			t.Fatalf("%d emails after an unhappy answer, want the thank-you, the survey, support's alert and the apology", len(msgs))
		}
		for i := 2; i < 4; i++ {
			m := emailtest.MustParse(t, msgs[i].Raw)
			kind := "email-apology"
			if strings.Contains(m.Header.Get("To"), "support@") {
				kind = "email-support"
			}
			tr.open(i)
			tr.check(kind)
		}
	})
}

// The preference centre from the thank-you's footer: a topic turned off, saved, still off after
// a reload and in the table.
func TestBrowserPreferenceCentre(t *testing.T) {
	every(t, func(tr *tour) {
		tr.order()
		tr.open(0)
		tr.click(linkTo(tr.T("footer.preferences")))
		tr.wants(tr.T("prefs.title"))
		tr.check("page-preferences")
		tr.toggle(fmt.Sprintf(`//label[contains(normalize-space(.), %s)]`, xq(tr.T("topic.news"))))
		tr.submit(button(tr.T("prefs.save")))
		tr.wants(tr.T("prefs.saved"))
		tr.navigate(tr.location())
		if get(t, tr.ctx, chromedp.Evaluate[bool](`document.querySelector('input[value=news]').checked`)) {
			t.Error("news is checked again after a reload")
		}
		if c := tr.contact(tr.contactID()); c.MayMarket(contact.TopicNews) || !c.MayMarket(contact.TopicSales) {
			t.Errorf("stored choices: news %v, sales %v; want off, on", c.MayMarket(contact.TopicNews), c.MayMarket(contact.TopicSales))
		}
	})
}

// The shop's form → POST /subscribe → the confirmation email → confirm: the consent is stored.
func TestBrowserSubscribe(t *testing.T) {
	every(t, func(tr *tour) {
		tr.navigate(tr.shop + "/notify")
		tr.submit(`//button[@type="submit"]`)
		tr.wants(tr.T("subscribe.sent"))
		tr.check("page-subscribe")
		tr.r.sb.Idle() // the confirmation is sent off the request path
		tr.open(0)
		tr.check("email-confirmation")
		tr.click(linkTo(tr.T("confirm.button")))
		tr.check("page-confirm")
		tr.submit(button(tr.T("confirm.button")))
		tr.wants(tr.T("confirm.done.title"))
		tr.check("page-confirmed")
		ids, err := tr.r.store(t).ContactsByEmail(context.Background(), "neda@example.com")
		if err != nil || len(ids) != 1 {
			t.Fatalf("subscriber ids %v, %v", ids, err)
		}
		if c := tr.contact(ids[0]); !c.MayMarket(contact.TopicSales) {
			t.Errorf("the confirmed subscription is not stored: %+v", c.Prefs)
		}
	})
}

// The unsubscribe link → the page → the button: consent withdrawn.
func TestBrowserUnsubscribe(t *testing.T) {
	every(t, func(tr *tour) {
		tr.order()
		if !tr.contact(tr.contactID()).MayMarket(contact.TopicNews) {
			t.Fatal("the customer did not consent to begin with")
		}
		tr.open(0)
		tr.click(linkTo(tr.T("footer.unsubscribe")))
		tr.check("page-unsubscribe")
		tr.submit(button(tr.T("unsub.button")))
		tr.wants(tr.T("unsub.done.title"))
		tr.check("page-unsubscribed")
		if tr.contact(tr.contactID()).MayMarket(contact.TopicNews) {
			t.Error("consent not withdrawn")
		}
	})
}

// Error pages, as a customer meets them: a broken link, and a form another site posts to one of
// our pages (refused, in the customer's language, with what to do).
func TestBrowserErrorPages(t *testing.T) {
	every(t, func(tr *tour) {
		tr.navigate(tr.r.appURL + "/p/not-a-token")
		tr.check("page-error-invalid-link")
		tr.navigate(tr.r.appURL + "/c/not-a-token")
		tr.check("page-error-click")
		tr.order()
		prefs := links(emailtest.MustParse(t, tr.r.sb.Messages()[0].Raw).HTML, "/p/")
		if len(prefs) == 0 {
			t.Fatal("no preference link in the thank-you")
		}
		tr.navigate(tr.shop + "/forge?to=" + url.QueryEscape(prefs[0]))
		tr.submit(`//button[@type="submit"]`)
		tr.wants(tr.T("error.form"))
		tr.check("page-error-form")
		if !tr.contact(tr.contactID()).MayMarket(contact.TopicNews) {
			t.Error("the forged form changed the customer's choices")
		}
	})
}
