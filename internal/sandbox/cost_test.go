package sandbox_test

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"shopmail/internal/email/emailtest"
	"shopmail/internal/sandbox"
)

// costReport is /_sandbox/cost as a client reads it.
type costReport struct {
	Prices    struct{ Region, Date string }
	Run       costTally
	Orders    []costTally
	Campaigns []costTally
}

type costTally struct {
	Subject string
	Emails  int
	SES     float64 `json:"sesDollars"`
	AWS     float64 `json:"awsDollars"`
	Share   float64 `json:"shareOfSES"`
	Usage   []struct {
		Service, Operation, Unit string
		Calls                    int
		Units, Dollars           float64
	}
}

func (t costTally) units(service, op string) (calls int, units float64) {
	for _, u := range t.Usage {
		if u.Service == service && (op == "" || u.Operation == op) {
			calls += u.Calls
			units += u.Units
		}
	}
	return calls, units
}

// shareWithoutDuration is the AWS cost besides SES, as a share of SES's, without Lambda's
// duration: the sandbox's durations are this machine's (DynamoDB Local is slower than
// DynamoDB, and the tests share two cores), so a budget over them would fail at random. The
// duration is logged with the rest; at Lambda's 128-256 MB an invocation of 100 ms is 0.2-0.3%
// of an email's SES.
func (t costTally) shareWithoutDuration() float64 {
	d := 0.0
	for _, u := range t.Usage {
		if u.Service == "lambda" && u.Operation == "Duration" {
			d += u.Dollars
		}
	}
	return (t.AWS - d) / t.SES
}

// Budgets: the AWS cost besides SES of one email, as a share of SES's $0.0001, without
// Lambda's duration. They hold today's figures, so that a change that costs more fails; the
// cost issue's targets (12% and 8%) are below them (README, "What it costs").
const (
	// a first order's thank-you, its survey planning, SES's Send and Delivery: 15.6% (15.9%
	// before the thank-you read its address's suppression once for both its checks, 17.1%
	// before a claim was two plain writes instead of one transaction, 18.4% before a
	// profile's times were numbers, 21.5% before an email of no campaign stopped counting its
	// events on counters of its kind, 22.8% before SES's Send settled the send in its transaction and claims were written sending,
	// 24.6% before the profile index held keys only, 25.2% before sends put their message id
	// in GSI1, 27.8% before the send became its SES events' guard).
	orderBudget = 0.16
	// a campaign email: claim, send, Send, Delivery, an open, a click: 18.7% (17.9-20.6%
	// before its send rows' index, GSI7, held only their status of what changes, not their
	// delivery, opens and clicks; how many of its updates wrote to GSI5 varied with the
	// order of the sender's and SES's settles;
	// 21.6-21.7% before its sends were counted by its senders alone, not also by SES's Send; 22.1% before
	// SES's Send settled the send in its transaction; the number of updates of the send rows
	// varies from run to run, up to 2 points in earlier runs); 0.40 before the
	// campaign's sends had their own index (GSI5) instead of GSI2's copies, 0.36 before an
	// open's and a click's counters and timeline were written without a transaction, 0.31
	// before the send was its SES events' guard, 0.25 before the profile index held keys only.
	campaignBudget = 0.19
)

func (t costTally) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d emails, AWS $%.8f = %.1f%% of SES\n", t.Subject, t.Emails, t.AWS, 100*t.Share)
	for _, u := range t.Usage {
		fmt.Fprintf(&b, "  %-14s %-36s %4d calls %9.2f %-11s $%.8f\n", u.Service, u.Operation, u.Calls, u.Units, u.Unit, u.Dollars)
	}
	return b.String()
}

func (r *running) cost(t *testing.T) costReport {
	t.Helper()
	resp, err := http.Get(r.appURL + "/_sandbox/cost?format=json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep costReport
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /_sandbox/cost: %d, %v", resp.StatusCode, err)
	}
	return rep
}

func (rep costReport) order(t *testing.T, id string) costTally {
	t.Helper()
	for _, o := range rep.Orders {
		if o.Subject == "order "+id {
			return o
		}
	}
	t.Fatalf("no order %s in the cost report: %+v", id, rep.Orders)
	return costTally{}
}

// orderOf is the sample first order, as customer c-<n> with n items, or the sample's own
// items when n is 0.
func orderOf(id string, n int) func(string) string {
	return func(detail string) string {
		var d map[string]any
		if err := json.Unmarshal([]byte(detail), &d); err != nil {
			panic(err)
		}
		d["orderId"] = id
		cust := d["customer"].(map[string]any)
		cust["id"], cust["email"] = "c-"+id, id+"@example.com"
		if n > 0 {
			item := d["items"].([]any)[0].(map[string]any)
			items := make([]any, n)
			for i := range items {
				it := maps.Clone(item)
				it["sku"] = fmt.Sprintf("SKU-%s-%d", id, i)
				items[i] = it
			}
			d["items"] = items
		}
		out, _ := json.Marshal(d)
		return string(out)
	}
}

func TestTheCostMeterPricesEachOrder(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	r.putSample(t, "first-order.json", nil) // the table's first order also makes its keys
	r.putSample(t, "first-order.json", orderOf("o-2", 0))
	o := r.cost(t).order(t, "o-2")
	t.Logf("%.1f%% of SES without Lambda's duration\n%s", 100*o.shareWithoutDuration(), o)
	if o.Emails != 1 || o.SES != 0.0001 {
		t.Errorf("%d emails for $%v, want the thank-you's one for $0.0001", o.Emails, o.SES)
	}
	// The shop's Order Placed is a custom event (billed); SES's Send and Delivery events
	// on the default bus are not.
	if calls, events := o.units("events", "PutEvents"); calls != 1 || events != 1 {
		t.Errorf("%d PutEvents calls, %v events billed; want the shop's one", calls, events)
	}
	// Lambda: the thank-you, the surveys and the carts function on Order Placed, the SES
	// events function on Send and on Delivery.
	if calls, _ := o.units("lambda", "Invoke"); calls != 5 {
		t.Errorf("%d invocations, want 5", calls)
	}
	if calls, units := o.units("dynamodb", ""); calls == 0 || units <= 0 {
		t.Errorf("DynamoDB: %d calls, %v units", calls, units)
	}
	// GetItem: the profile, read by the order's attribution, the contact's update and the
	// Delivery's count; the address's suppression once (its two keys: as given and as an
	// erased contact's hash) for both the thank-you's checks; the sender's reputation state.
	if calls, _ := o.units("dynamodb", "GetItem"); calls > 6 {
		t.Errorf("%d GetItem calls, want at most 6 (the suppression read once)", calls)
	}
	if o.AWS <= 0 || o.Share != o.AWS/o.SES {
		t.Errorf("AWS $%v, %v of SES", o.AWS, o.Share)
	}
	if share := o.shareWithoutDuration(); share > orderBudget {
		t.Errorf("a first order costs %.1f%% of its email's SES besides Lambda's duration, over the budget of %.1f%%:\n%s", 100*share, 100*orderBudget, o)
	}
	run := r.cost(t).Run
	if run.Emails != 2 || run.AWS < o.AWS {
		t.Errorf("the run: %d emails, $%v; the order: $%v", run.Emails, run.AWS, o.AWS)
	}
	resp, err := http.Get(r.appURL + "/_sandbox/cost")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "order o-2") || !strings.Contains(string(page), "of SES") {
		t.Errorf("the cost page:\n%s", page)
	}
}

// An order of 120 products costs in DynamoDB what one of 20 does: the order row keeps the
// 20 lines the email lists, and the catalogue learns those 20.
func TestAnOrdersCostStopsGrowingAfterTwentyItems(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	r.putSample(t, "first-order.json", nil)
	writes, reads := map[int]float64{}, map[int]float64{}
	for _, n := range []int{20, 120} {
		id := fmt.Sprintf("o-%d", n)
		r.putSample(t, "first-order.json", orderOf(id, n))
		o := r.cost(t).order(t, id)
		if o.Emails != 1 {
			t.Fatalf("%s: %d emails", id, o.Emails)
		}
		for _, u := range o.Usage {
			switch u.Unit {
			case "write units":
				writes[n] += u.Units
			case "read units":
				reads[n] += u.Units
			}
		}
		t.Logf("%d items: %v write units, %v read units\n%s", n, writes[n], reads[n], o)
	}
	// Reads are allowed a unit more: a read is billed per 4 KB of the item read, and a bigger
	// order's rows may cross a boundary. Writes are not.
	if writes[120] > writes[20] || reads[120] > reads[20]+1 {
		t.Errorf("an order of 120 items costs %v write and %v read units, one of 20 %v and %v", writes[120], reads[120], writes[20], reads[20])
	}
}

// What a campaign email costs besides SES: 20 recipients, each sent the sale, delivered,
// opened by a person and clicked, the campaign's planning and its finish shared among them.
func TestTheCostMeterPricesEachCampaign(t *testing.T) {
	const n = 20
	r := startWith(t, sandbox.Config{Template: repoTemplate(t), SendRate: 50})
	importContacts(t, r, "cost", "cost", 0, n, zoneAt(time.Now(), 12), true)
	id := sendNow(t, r, saleBody(t, "cost"))
	mail := r.sb.Messages()
	if len(mail) != n {
		t.Fatalf("%d emails, want %d", len(mail), n)
	}
	for _, msg := range mail {
		m := emailtest.MustParse(t, msg.Raw)
		pixel := regexp.MustCompile(`<img src="([^"]*/o/[^"]*)"`).FindStringSubmatch(m.HTML)
		clicks := links(m.HTML, "/c/")
		if pixel == nil || len(clicks) == 0 {
			t.Fatalf("no pixel or no tracked link in:\n%s", m.HTML)
		}
		r.do(t, "GET", html.UnescapeString(pixel[1]), chromeUA, nil)
		if res, _ := r.do(t, "GET", clicks[0], chromeUA, nil); res.StatusCode != http.StatusFound {
			t.Fatalf("click: %d", res.StatusCode)
		}
	}
	r.sb.Idle()
	var rep costTally
	for _, x := range r.cost(t).Campaigns {
		if x.Subject == "campaign "+id {
			rep = x
		}
	}
	t.Logf("%.1f%% of SES without Lambda's duration\n%s", 100*rep.shareWithoutDuration(), rep)
	if rep.Emails != n {
		t.Errorf("%d emails metered, want %d", rep.Emails, n)
	}
	// Every open and click is the campaign's: the HTTP API's requests, the tracking function's
	// invocations and its writes.
	if calls, _ := rep.units("apigateway", ""); calls < 2*n {
		t.Errorf("%d HTTP API requests metered for %d opens and %d clicks", calls, n, n)
	}
	if share := rep.shareWithoutDuration(); share > campaignBudget {
		t.Errorf("a campaign email costs %.1f%% of its SES besides Lambda's duration, over the budget of %.1f%%:\n%s", 100*share, 100*campaignBudget, rep)
	}
}
