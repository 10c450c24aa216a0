package thankyou_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"shopmail/internal/send"
)

// An international address loses nothing: its domain is sent in ASCII form; a local part SES
// cannot send to keeps the order and the contact, and only the email is skipped, with why.
func TestInternationalAddresses(t *testing.T) {
	for _, tc := range []struct {
		address, to, skipped string
	}{
		{"sara@müller.de", "sara@xn--mller-kva.de", ""},
		{"سارا@example.com", "", "address not sendable: a non-ASCII local part needs SMTPUTF8, which SES does not support"},
	} {
		t.Run(tc.address, func(t *testing.T) {
			f := setup(t, settings())
			ev := bytes.Replace(sample(t, "first-order.json"), []byte(`"sara@example.com"`), []byte(`"`+tc.address+`"`), 1)
			if err := f.invoke(ev); err != nil {
				t.Fatalf("invoke: %v", err)
			}
			if len(f.dead.events) != 0 {
				t.Fatalf("dead-lettered: %v", f.dead.events)
			}
			c, err := f.store.Contact(context.Background(), "c-42")
			if err != nil || c.Version == 0 || !strings.HasPrefix(c.Email, strings.SplitN(tc.address, "@", 2)[0]+"@") {
				t.Fatalf("contact = %+v, %v", c, err)
			}
			if ids, err := f.store.OrderIDs(context.Background(), "c-42"); err != nil || len(ids) != 1 || ids[0] != "o-1001" {
				t.Fatalf("orders of the contact = %v, %v", ids, err)
			}
			rec := f.sendRow(t, "c-42", "o-1001")
			if tc.skipped != "" {
				if rec.Status != send.Skipped || rec.Reason != tc.skipped || f.outbox.Calls() != 0 {
					t.Errorf("send = %+v, %d calls; want skipped: %s", rec, f.outbox.Calls(), tc.skipped)
				}
				return
			}
			m, _ := f.only(t)
			if m.To.Address != tc.to || rec.Status != send.Sent || rec.To != tc.to {
				t.Errorf("email to %q, send %+v; want to %s", m.To.Address, rec, tc.to)
			}
		})
	}
}
