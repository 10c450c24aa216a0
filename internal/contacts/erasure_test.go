package contacts_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/email"
	"shopmail/internal/order"
	"shopmail/internal/send"
	"shopmail/internal/send/outbox"
	"shopmail/internal/survey"
	"shopmail/internal/tracking"
)

// history gives c-1 (sara@example.com) one of everything: an order, a send with an open, an
// SES delivery and complaint, a survey answer, consent statements and the complaint's
// suppression.
func history(t *testing.T, f fixture) {
	t.Helper()
	ctx := context.Background()
	if _, _, err := f.svc.Put(ctx, "c-1", input(t, `{"email": "sara@example.com", "firstName": "Sara",
		"consent": {"sales": {"given": true, "source": "checkout form", "at": "2026-11-30T10:00:00Z"}}}`)); err != nil {
		t.Fatal(err)
	}
	o := placed("o-1", t0.Add(-time24), "12.50", "EUR", order.Item{SKU: "T-1", Category: "tea", Quantity: 1})
	o.Customer = order.Customer{ID: "c-1", Email: "sara@example.com"}
	o.CouponCode = "WELCOME-SARA"
	if _, err := f.st.PutOrder(ctx, o, "", 0); err != nil {
		t.Fatal(err)
	}
	sender := &send.Sender{Ledger: f.st, Mailer: &outbox.Outbox{}, Now: func() time.Time { return t0 }}
	msg := email.Message{From: email.Address{Email: "shop@example.com"}, To: email.Address{Email: "sara@example.com"},
		Subject: "Thank you", Text: "Thanks", HTML: "<p>Thanks</p>"}
	out, err := sender.Send(ctx, send.Record{Key: "thankyou#o-1", ContactID: "c-1", Kind: "thankyou", OrderID: "o-1"}, msg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.RecordHit(ctx, tracking.Hit{Kind: tracking.Open, ContactID: "c-1", SendKey: "thankyou#o-1", At: t0, Class: tracking.Human}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.st.SaveAnswer(ctx, survey.Answer{ContactID: "c-1", SendKey: "survey#o-1", OrderID: "o-1", Question: "nps", Score: 2, At: t0}, time24); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SaveComment(ctx, "c-1", "survey#o-1", "nps", "late"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Suppress(ctx, deliverability.Suppression{Address: "sara@example.com", Reason: deliverability.ReasonComplaint, At: t0, Source: out.Record.MessageID}); err != nil {
		t.Fatal(err)
	}
}

const time24 = 24 * time.Hour

// scan returns every item of the table as JSON text.
func scan(t *testing.T, f fixture) []string {
	t.Helper()
	var out []string
	p := dynamodb.NewScanPaginator(f.client, &dynamodb.ScanInput{TableName: aws.String(f.table)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			b, _ := json.Marshal(it)
			out = append(out, string(b))
		}
	}
	return out
}

func TestExportHoldsEverythingStoredAboutTheContact(t *testing.T) {
	f := newFixture(t)
	history(t, f)
	x, err := f.svc.Export(context.Background(), "c-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Orders) != 1 || len(x.Sends) != 1 || len(x.Answers) != 1 || len(x.Consents) != 1 || x.Contact.FirstName != "Sara" {
		t.Errorf("export: %d orders, %d sends, %d answers, %d consent statements, contact %+v", len(x.Orders), len(x.Sends), len(x.Answers), len(x.Consents), x.Contact)
	}
	// Every stored item that names the contact or the address is in the export.
	b, _ := json.Marshal(x)
	exported := len(x.Orders) + len(x.Sends) + len(x.Answers) + len(x.Consents) + len(x.Other) + 1 // + the profile
	stored := 0
	for _, it := range scan(t, f) {
		if strings.Contains(it, "c-1") || strings.Contains(it, "sara@example.com") {
			stored++
		}
	}
	if exported != stored {
		t.Errorf("the export has %d records; %d stored items name the contact or the address", exported, stored)
	}
	for _, want := range []string{"WELCOME-SARA", "checkout form", "late", "Thank you", "complaint"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the export lacks %q", want)
		}
	}
}

func TestErasureLeavesOnlyTheHashedSuppression(t *testing.T) {
	f := newFixture(t)
	history(t, f)
	ctx := context.Background()
	if err := f.svc.Erase(ctx, "c-1"); err != nil {
		t.Fatal(err)
	}
	for _, it := range scan(t, f) {
		if strings.Contains(it, "c-1") || strings.Contains(strings.ToLower(it), "sara") || strings.Contains(it, "WELCOME-SARA") {
			t.Errorf("left after erasure: %s", it)
		}
	}
	if _, err := f.svc.Get(ctx, "c-1"); err == nil {
		t.Error("the contact is still there")
	}
	if err := f.svc.Erase(ctx, "c-1"); err == nil {
		t.Error("erasing twice: no error")
	}
	// The complainer comes back with a new order: the gate still refuses the address.
	gate := &deliverability.Gate{Suppressions: f.st, States: f.st, Sender: "shop@example.com", Now: func() time.Time { return t0 }}
	why, err := gate.Check(ctx, &contact.Contact{ID: "c-new", Email: "Sara@Example.com"}, "")
	if err != nil || !strings.Contains(why, "complaint") {
		t.Errorf("gate after erasure: %q, %v; want the address suppressed", why, err)
	}
	// A replay of the erased contact's order is refused: it cannot bring the contact back.
	o := placed("o-1", t0.Add(-time24), "12.50", "EUR")
	o.Customer = order.Customer{ID: "c-1", Email: "sara@example.com"}
	if owner, err := f.st.PutOrder(ctx, o, "", 0); err != nil || owner == "c-1" {
		t.Errorf("replayed order: owner %q, %v; want it belong to nobody", owner, err)
	}
}
