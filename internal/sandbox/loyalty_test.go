package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"shopmail/internal/email/emailtest"
	"shopmail/internal/loyalty"
)

// putOrderEvent puts one of the shop's order events on the bus through the real SDK client,
// as the shop's backend does, and waits for the sandbox to settle.
func (r *running) putOrderEvent(t *testing.T, detailType, detail string) {
	t.Helper()
	out, err := r.eventBridge().PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: strPtr("shop.orders"), DetailType: &detailType, Detail: &detail,
	}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %v %+v", err, out)
	}
	r.sb.Idle()
}

func strPtr(s string) *string { return &s }

// A customer's orders earn points, the thank-you email says how many, refunds and
// cancellations take them back once however often the shop sends them, and the marketer reads
// the balance, the tier and the ledger in the API and segments by them.
func TestOrdersEarnPointsThatRefundsTakeBack(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	// Placed 3 days ago, not on the sample's fixed day: the tier counts the last 12 months
	// and a customer of one order is at risk some months after it.
	r.putSample(t, "first-order.json", r.placedAgo(72*time.Hour, nil)) // o-1001, $129.90
	r.putSample(t, "first-order.json", r.placedAgo(72*time.Hour, func(d string) string { return strings.ReplaceAll(d, "o-1001", "o-1002") }))
	msgs := r.sb.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d emails, want 2", len(msgs))
	}
	for i, want := range []string{"This order earned you 129 points.\nYour balance: 129 points.", "Your balance: 258 points."} {
		m := emailtest.MustParse(t, msgs[i].Raw)
		if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, strings.Split(want, "\n")[0]) {
			t.Errorf("thank-you %d lacks %q:\n%s", i+1, want, m.Text)
		}
	}

	// Half of o-1001 refunded (64.5 points, rounded half up), delivered twice; o-1002 cancelled.
	for range 2 {
		r.putOrderEvent(t, "Order Refunded", `{"orderId": "o-1001", "refundId": "r-1", "amount": 64.95}`)
	}
	r.putOrderEvent(t, "Order Cancelled", `{"orderId": "o-1002"}`)
	if dead := r.sb.DeadLetters(); len(dead) != 0 {
		t.Fatalf("dead letters: %v", dead)
	}

	status, l := r.api(t, "GET", "/contacts/c-42/loyalty", "", "")
	if status != 200 {
		t.Fatalf("loyalty: %d %v", status, l)
	}
	if l["points"] != 64.0 || l["tier"] != "bronze" || l["qualifyingPoints"] != 64.0 ||
		mustJSON(l["nextTier"]) != `{"missingPoints":436,"name":"silver"}` {
		t.Errorf("loyalty: %v", l)
	}
	var lines []string
	for _, e := range l["ledger"].([]any) {
		e := e.(map[string]any)
		lines = append(lines, e["orderId"].(string)+" "+e["kind"].(string)+" "+mustJSON(e["points"]))
	}
	if got := strings.Join(lines, ", "); got != "o-1002 cancel -129, o-1001 refund -65, o-1002 earn 129, o-1001 earn 129" {
		t.Errorf("ledger, newest first: %s", got)
	}
	// Paged: two at a time.
	status, page := r.api(t, "GET", "/contacts/c-42/loyalty?limit=2", "", "")
	if status != 200 || len(page["ledger"].([]any)) != 2 || page["next"] == nil {
		t.Fatalf("first page: %d %v", status, page)
	}
	status, page = r.api(t, "GET", "/contacts/c-42/loyalty?limit=2&cursor="+page["next"].(string), "", "")
	if status != 200 || len(page["ledger"].([]any)) != 2 || mustJSON(page["ledger"].([]any)[1].(map[string]any)["orderId"]) != `"o-1001"` {
		t.Errorf("second page: %d %v", status, page)
	}

	// Retention: Sara first ordered this month and ordered again (both orders at one moment:
	// at risk 1 day after them, as after a single order).
	now := r.sb.Clock().Now().UTC()
	status, ret := r.api(t, "GET", "/reports/retention?from="+now.AddDate(0, 0, -15).Format(time.DateOnly)+"&to="+now.AddDate(0, 0, 15).Format(time.DateOnly), "", "")
	if status != 200 || ret["customers"] != 1.0 || ret["repeatCustomers"] != 1.0 || ret["medianDaysToSecondOrder"] != 0.0 {
		t.Errorf("retention: %d %v", status, ret)
	}

	// Segments see the tier and the balance.
	for rule, want := range map[string]float64{`{"tier": "bronze"}`: 1, `{"tier": "silver"}`: 0, `{"points": {"min": 64}}`: 1, `{"points": {"min": 65}}`: 0, `{"atRisk": {}}`: 0, `{"atRisk": {"oneOrderDays": 1}}`: 1} {
		if status, pv := r.api(t, "POST", "/segments/preview", "application/json", `{"rule": `+rule+`}`); status != 200 || pv["count"] != want {
			t.Errorf("preview %s: %d %v, want %v", rule, status, pv, want)
		}
	}
}

// Sara's thank-you carries her referral link; four friends' first orders with her code, put
// on the bus as the shop's checkout would, send her the reward, once.
func TestTheFourthReferralSendsTheReward(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	r.putSample(t, "first-order.json", nil)
	status, l := r.api(t, "GET", "/contacts/c-42/loyalty", "", "")
	code, _ := l["referralCode"].(string)
	if status != 200 || !strings.HasPrefix(code, "REF-") || l["referralLink"] != "https://shop.example?ref="+code {
		t.Fatalf("loyalty: %d %v", status, l)
	}
	if m := emailtest.MustParse(t, r.sb.Messages()[0].Raw); !strings.Contains(m.Text, "https://shop.example?ref="+code) {
		t.Errorf("the thank-you lacks the referral link:\n%s", m.Text)
	}
	friend := func(n int) func(string) string {
		return func(d string) string {
			d = strings.NewReplacer("c-42", fmt.Sprintf("c-f%d", n), "sara@example.com", fmt.Sprintf("friend%d@example.com", n),
				"o-1001", fmt.Sprintf("o-f%d", n), "Ahmadi", fmt.Sprintf("Friend%d", n)).Replace(d)
			return strings.Replace(d, `"referralCode": null`, `"referralCode": "`+code+`"`, 1)
		}
	}
	for n := 1; n <= 4; n++ {
		r.putSample(t, "first-order.json", friend(n))
	}
	r.putSample(t, "first-order.json", friend(4)) // the shop sends the fourth again
	var rewards []*emailtest.Parsed
	for _, msg := range r.sb.Messages() {
		if m := emailtest.MustParse(t, msg.Raw); m.To.Address == "sara@example.com" && strings.HasPrefix(m.Subject, "Thank you for bringing") {
			rewards = append(rewards, m)
		}
	}
	if len(rewards) != 1 || !strings.Contains(rewards[0].Text, "20% off your next order with this code: FRIENDS-") {
		t.Fatalf("%d reward emails to Sara, want 1", len(rewards))
	}
	if status, l := r.api(t, "GET", "/contacts/c-42/loyalty", "", ""); status != 200 || mustJSON(l["referrals"]) != `{"counted":4,"flagged":0,"rejected":0}` {
		t.Errorf("referrals: %d %v", status, l["referrals"])
	}
}

// A December order, then the clock past the month's end: December's draw commits its list,
// an hour later draws, the winner's email is in the inbox, and the record GET /draws/{id}
// gives re-runs to the same winner.
func TestTheMonthlyDrawRunsWhenTheClockPassesTheMonthsEnd(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	now := r.sb.Clock().Now().UTC()
	month := now.Format("2006-01")
	r.putSample(t, "first-order.json", func(d string) string {
		return strings.Replace(d, "2026-11-22T10:15:00Z", now.Add(-time.Minute).Format(time.RFC3339), 1)
	})
	ctx := context.Background()
	r.sb.Advance(ctx, time.Hour) // the hourly run opens the month's draw
	if status, d := r.api(t, "GET", "/draws/"+month, "", ""); status != 200 || d["status"] != "open" || d["seed"] != nil {
		t.Fatalf("the month's draw: %d %v", status, d)
	}
	next := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 30, 0, time.UTC)
	r.sb.Advance(ctx, next.Sub(r.sb.Clock().Now()))
	if status, d := r.api(t, "GET", "/draws/"+month, "", ""); status != 200 || d["status"] != "committed" || mustJSON(d["eligible"]) != `["c-42"]` {
		t.Fatalf("after the month's end: %d %v", status, d)
	}
	r.sb.Advance(ctx, 65*time.Minute)
	raw := r.apiRaw(t, "/draws/"+month)
	var d loyalty.Draw
	if err := json.Unmarshal(raw, &d); err != nil || d.Status != loyalty.DrawDrawn || d.Winner != "c-42" || !d.Notified {
		t.Fatalf("an hour later: %s (%v)", raw, err)
	}
	if w, err := loyalty.VerifyDraw(d); err != nil || w != "c-42" {
		t.Errorf("the published record: %q, %v", w, err)
	}
	var won []string
	for _, msg := range r.sb.Messages() {
		if m := emailtest.MustParse(t, msg.Raw); m.Subject == "You won our prize draw at Tea House" {
			won = append(won, m.To.Address)
			if !strings.Contains(m.Text, "You won a box of our teas") || !strings.Contains(m.Text, "seed: "+d.Seed) {
				t.Errorf("the winner's email:\n%s", m.Text)
			}
		}
	}
	if strings.Join(won, ",") != "sara@example.com" {
		t.Errorf("winner emails to %v", won)
	}
	if status, l := r.api(t, "GET", "/draws", "", ""); status != 200 || !strings.Contains(mustJSON(l["items"]), `"winner":"c-42"`) {
		t.Errorf("the list of draws: %d %v", status, l)
	}
}

// apiRaw is a GET of the marketer API's answer as it came.
func (r *running) apiRaw(t *testing.T, path string) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", r.appURL+path, nil)
	req.Header.Set("Authorization", "Bearer "+r.sb.DevToken())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return b
}
