package sandbox_test

import (
	"context"
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/email/emailtest"
	"shopmail/internal/sandbox"
)

// saleBody is the sample campaign, its sale moved into next year's December, sent to the
// contacts tagged tag.
func saleBody(t *testing.T, tag string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "campaigns", "create-campaign.json"))
	if err != nil {
		t.Fatal(err)
	}
	body := strings.ReplaceAll(mustBody(t, raw), "2026-12-", fmt.Sprintf("%d-12-", time.Now().Year()+1))
	return strings.Replace(body, `{"all": [{"locale": "fa"}, {"consent": "sales"}]}`, `{"tag": "`+tag+`"}`, 1)
}

// importContacts imports n contacts c-<prefix>-<i> (buyer<i>@<prefix>.example), tagged tag,
// consenting to sales or not, in the time zone tz.
func importContacts(t *testing.T, r *running, prefix, tag string, from, n int, tz string, consent bool) {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,email,firstName,locale,timezone,tags,consent.sales,consent.sales.source,consent.sales.at\n")
	for i := from; i < from+n; i++ {
		loc := "en-US"
		if i%3 == 0 {
			loc = "fa-IR"
		}
		fmt.Fprintf(&b, "c-%s-%d,buyer%d@%s.example,Buyer%d,%s,%s,%s,%t,signup form,2026-11-01T08:00:00Z\n", prefix, i, i, prefix, i, loc, tz, tag, consent)
	}
	if status, res := r.api(t, "POST", "/contacts/import", "text/csv", b.String()); status != 200 || res["imported"] != float64(n) {
		t.Fatalf("import: %d %v", status, res)
	}
}

// awaitStatus waits (real time) until the campaign is in status, and returns its stats.
func awaitStatus(t *testing.T, r *running, id, status string, within time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		code, st := r.api(t, "GET", "/campaigns/"+id+"/stats", "", "")
		if code != 200 {
			t.Fatalf("stats: %d %v", code, st)
		}
		if st["status"] == status {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("campaign %s is %v after %s, want %s: %s", id, st["status"], within, status, mustJSON(st))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// campaignMail counts the campaign's emails by recipient.
func campaignMail(r *running, id string) map[string]int {
	out := map[string]int{}
	for _, m := range r.sb.Messages() {
		if m.Tags["kind"] == "campaign" && strings.HasPrefix(m.Tags["campaign"], id) {
			out[address(m.To)]++
		}
	}
	return out
}

// A marketer's sale goes from curl to the inbox: scheduled through the API, it reaches every
// consenting contact of the segment once, in their language, and skips, with their reasons,
// the unsubscribed, the suppressed, those who never consented and those who got marketing
// within the frequency cap; a contact in their quiet hours waits. The test send reaches only
// its address; a sale price above the regular one is refused before anything is scheduled.
func TestCampaignReachesTheSegmentOnce(t *testing.T) {
	r := startWith(t, sandbox.Config{Template: repoTemplate(t), SendRate: 50})
	day := zoneAt(time.Now(), 12) // where it is now midday, whenever the test runs
	importContacts(t, r, "ok", "yalda", 0, 30, day, true)
	importContacts(t, r, "no", "yalda", 0, 3, day, false)
	importContacts(t, r, "cap", "yalda", 0, 2, day, true)
	importContacts(t, r, "unsub", "yalda", 0, 2, day, true)
	importContacts(t, r, "sup", "yalda", 0, 2, day, true)
	importContacts(t, r, "quiet", "yalda", 0, 1, zoneAt(time.Now(), 23), true)
	importContacts(t, r, "other", "other", 0, 5, day, true)
	st := dynamo.New(dynamotest.Client(t), r.table, time.Now)
	ctx := context.Background()
	for i := range 2 {
		must(t, update(ctx, st, fmt.Sprintf("c-cap-%d", i), func(c *contact.Contact) bool { return c.CountMarketing(time.Now().Add(-time.Hour)) }))
		must(t, update(ctx, st, fmt.Sprintf("c-unsub-%d", i), func(c *contact.Contact) bool {
			return c.Choose(contact.TopicSales, contact.Preference{On: false, At: time.Now(), Source: "one-click unsubscribe"})
		}))
		if _, err := st.Suppress(ctx, deliverability.Suppression{Address: fmt.Sprintf("buyer%d@sup.example", i), Reason: deliverability.ReasonBounce, At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}

	body := saleBody(t, "yalda")
	if status, res := r.api(t, "POST", "/campaigns", "application/json", strings.Replace(body, `"20.99"`, `"31.00"`, 1)); status != 400 ||
		!strings.Contains(mustJSON(res), "sale.products[0].salePrice") {
		t.Errorf("a sale price above the regular price: %d %v", status, res)
	}
	status, c := r.api(t, "POST", "/campaigns", "application/json", body)
	if status != 201 {
		t.Fatalf("create: %d %v", status, c)
	}
	id := c["id"].(string)
	if status, res := r.api(t, "POST", "/campaigns/"+id+"/test", "application/json", `{"addresses": ["marketer@shop.example"], "locale": "fa"}`); status != 200 {
		t.Fatalf("test send: %d %v", status, res)
	}
	var test []string
	for _, m := range r.sb.Messages() {
		if strings.HasPrefix(m.Subject, "[TEST] ") {
			test = append(test, address(m.To))
		}
	}
	if len(test) != 1 || test[0] != "marketer@shop.example" {
		t.Errorf("the test send reached %v, want only marketer@shop.example", test)
	}
	withoutDaysOff(t, r)
	if status, res := r.api(t, "POST", "/campaigns/"+id+"/schedule", "application/json", `{"at": "`+time.Now().UTC().Format(time.RFC3339)+`"}`); status != 200 || res["status"] != "scheduled" {
		t.Fatalf("schedule: %d %v", status, res)
	}
	r.sb.Idle()
	stats := awaitStatus(t, r, id, "sending", time.Second)
	got := campaignMail(r, id)
	for i := range 30 {
		if n := got[fmt.Sprintf("buyer%d@ok.example", i)]; n != 1 {
			t.Errorf("buyer%d@ok.example got %d emails, want 1", i, n)
		}
	}
	if len(got) != 30 {
		t.Errorf("%d contacts got the campaign, want the 30 who may: %v", len(got), got)
	}
	skipped := mustJSON(stats["skipped"])
	for _, want := range []string{`"frequency_cap":2`, `"no_consent":3`, `"suppressed":2`, `"unsubscribed":2`} {
		if !strings.Contains(skipped, want) {
			t.Errorf("skipped = %s, want %s in it", skipped, want)
		}
	}
	if stats["sent"] != 30.0 || stats["queued"] != 1.0 || stats["targeted"] != 40.0 {
		t.Errorf("stats: sent %v, queued %v (the contact in their quiet hours), targeted %v; want 30, 1, 40: %s", stats["sent"], stats["queued"], stats["targeted"], mustJSON(stats))
	}
	// A Persian reader's email is in Persian, with the regular price struck through.
	for _, m := range r.sb.Messages() {
		if address(m.To) == "buyer0@ok.example" {
			msg, err := mail.ReadMessage(strings.NewReader(string(m.Raw)))
			if err != nil {
				t.Fatal(err)
			}
			if msg.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.Contains(m.Subject, "یلدا") {
				t.Errorf("buyer0's email: subject %q, List-Unsubscribe-Post %q", m.Subject, msg.Header.Get("List-Unsubscribe-Post"))
			}
		}
	}
	// buyer1 unsubscribes from the campaign's email with their mail client's one-click button,
	// twice: the campaign counts one unsubscribe.
	for _, m := range r.sb.Messages() {
		if address(m.To) != "buyer1@ok.example" {
			continue
		}
		unsub, err := emailtest.CheckMarketing(emailtest.MustParse(t, m.Raw))
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if res, _ := r.do(t, "POST", unsub, "Mozilla/5.0 (compatible; GmailOneClick)", url.Values{"List-Unsubscribe": {"One-Click"}}); res.StatusCode != 200 {
				t.Fatalf("one-click unsubscribe: %d", res.StatusCode)
			}
		}
	}
	if _, st := r.api(t, "GET", "/campaigns/"+id+"/stats", "", ""); st["unsubscribed"] != 1.0 {
		t.Errorf("unsubscribed %v after one customer's two one-click POSTs, want 1", st["unsubscribed"])
	}
}

// sendNow creates a campaign from body through the API, schedules it for now and waits for it
// to complete; it returns the campaign's id.
func sendNow(t *testing.T, r *running, body string) string {
	t.Helper()
	status, c := r.api(t, "POST", "/campaigns", "application/json", body)
	if status != 201 {
		t.Fatalf("create: %d %v", status, c)
	}
	id := c["id"].(string)
	withoutDaysOff(t, r)
	if status, res := r.api(t, "POST", "/campaigns/"+id+"/schedule", "application/json", `{"at": "`+time.Now().UTC().Format(time.RFC3339)+`"}`); status != 200 {
		t.Fatalf("schedule: %d %v", status, res)
	}
	r.sb.Idle()
	awaitStatus(t, r, id, "completed", 30*time.Second)
	return id
}

// zoneAt is a fixed-offset zone in which it is now hour:00-hour:59 (23 is inside the default
// quiet hours, 21:00-08:00; 12 outside).
func zoneAt(now time.Time, hour int) string {
	off := (hour - now.UTC().Hour() + 24) % 24 // hours ahead of UTC
	if off > 14 {
		off -= 24
	}
	if off >= 0 {
		return fmt.Sprintf("Etc/GMT-%d", off) // POSIX signs: Etc/GMT-3 is UTC+3
	}
	return fmt.Sprintf("Etc/GMT+%d", -off)
}

// withoutDaysOff turns off the shop's default days without promotion (days of mourning, for
// Persian speakers and Iran), so that a campaign test does not depend on the date it runs: on
// one, a campaign in Persian cannot be scheduled and fa-IR contacts are held to the next day.
func withoutDaysOff(t *testing.T, r *running) {
	t.Helper()
	status, list := r.api(t, "GET", "/occasions", "", "")
	if status != 200 {
		t.Fatalf("list occasions: %d %v", status, list)
	}
	for _, it := range list["items"].([]any) {
		if o := it.(map[string]any); o["kind"] == "no-promotion" && o["enabled"] == true {
			if status, res := r.api(t, "PATCH", "/occasions/"+o["id"].(string), "application/merge-patch+json", `{"enabled": false}`); status != 200 {
				t.Fatalf("turn off %v: %d %v", o["id"], status, res)
			}
		}
	}
}

func update(ctx context.Context, st *dynamo.Store, id string, fn func(c *contact.Contact) bool) error {
	_, err := st.UpdateContact(ctx, id, fn)
	return err
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// address is the bare address of a message's one recipient.
func address(to []string) string {
	if len(to) != 1 {
		return strings.Join(to, ",")
	}
	a, err := mail.ParseAddress(to[0])
	if err != nil {
		return to[0]
	}
	return a.Address
}

// Half a segment held out of a sale receives nothing; afterwards the stats compare the orders
// per contact of the holdout with the recipients', click or no click: the campaign's lift.
func TestHoldoutLiftComparesOrdersPerContact(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	const n = 20
	importContacts(t, r, "lift", "lift", 0, n, zoneAt(time.Now(), 12), true)
	id := sendNow(t, r, strings.Replace(saleBody(t, "lift"), "{", `{"holdoutPercent": 50, `, 1))
	got := campaignMail(r, id)
	var held, sent []int
	for i := range n {
		switch got[fmt.Sprintf("buyer%d@lift.example", i)] {
		case 0:
			held = append(held, i)
		case 1:
			sent = append(sent, i)
		default:
			t.Errorf("buyer%d got the sale twice", i)
		}
	}
	if len(held) < 2 || len(sent) < 2 {
		t.Fatalf("%d held out and %d sent of %d at 50%%", len(held), len(sent), n)
	}
	time.Sleep(1100 * time.Millisecond) // orders placed after the emails, to the second
	order := func(k, i int) {
		r.putSample(t, "first-order.json", func(d string) string {
			return strings.NewReplacer(`"o-1001"`, fmt.Sprintf(`"o-lift-%d"`, k), `"c-42"`, fmt.Sprintf(`"c-lift-%d"`, i),
				"sara@example.com", fmt.Sprintf("buyer%d@lift.example", i), "2026-11-22T10:15:00Z", time.Now().UTC().Format(time.RFC3339)).Replace(d)
		})
	}
	order(1, held[0])
	order(2, sent[0])
	order(3, sent[1])
	order(3, sent[1]) // a replayed order counts once
	_, st := r.api(t, "GET", "/campaigns/"+id+"/stats", "", "")
	h, _ := st["holdout"].(map[string]any)
	rec, _ := h["recipients"].(map[string]any)
	want := (2/float64(len(sent)))/(1/float64(len(held))) - 1
	if h["contacts"] != float64(len(held)) || h["orders"] != 1.0 || rec["contacts"] != float64(len(sent)) || rec["orders"] != 2.0 ||
		h["lift"] == nil || math.Abs(h["lift"].(float64)-want) > 1e-9 || mustJSON(h["revenue"]) != `{"USD":"129.90"}` {
		t.Errorf("holdout %s; want %d contacts with 1 order (129.90 USD), recipients %d with 2, lift %.3f", mustJSON(h), len(held), len(sent), want)
	}
}
