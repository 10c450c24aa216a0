package sandbox_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// costReport is /_sandbox/cost as a client reads it.
type costReport struct {
	Prices struct{ Region, Date string }
	Run    costTally
	Orders []costTally
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

func TestTheCostMeterPricesEachOrder(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	r.putSample(t, "first-order.json", nil)
	o := r.cost(t).order(t, "o-1001")
	t.Log(o)
	if o.Emails != 1 || o.SES != 0.0001 {
		t.Errorf("%d emails for $%v, want the thank-you's one for $0.0001", o.Emails, o.SES)
	}
	// The shop's Order Placed is a custom event (billed); SES's Send and Delivery events
	// on the default bus are not.
	if calls, events := o.units("events", "PutEvents"); calls != 1 || events != 1 {
		t.Errorf("%d PutEvents calls, %v events billed; want the shop's one", calls, events)
	}
	// Lambda: the thank-you and the surveys function on Order Placed, the SES events function
	// on Send and on Delivery.
	if calls, _ := o.units("lambda", "Invoke"); calls != 4 {
		t.Errorf("%d invocations, want 4", calls)
	}
	if calls, units := o.units("dynamodb", ""); calls == 0 || units <= 0 {
		t.Errorf("DynamoDB: %d calls, %v units", calls, units)
	}
	if o.AWS <= 0 || o.Share != o.AWS/o.SES {
		t.Errorf("AWS $%v, %v of SES", o.AWS, o.Share)
	}
	run := r.cost(t).Run
	if run.Emails != 1 || run.AWS < o.AWS {
		t.Errorf("the run: %d emails, $%v; the order: $%v", run.Emails, run.AWS, o.AWS)
	}
	resp, err := http.Get(r.appURL + "/_sandbox/cost")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "order o-1001") || !strings.Contains(string(page), "of SES") {
		t.Errorf("the cost page:\n%s", page)
	}
}
