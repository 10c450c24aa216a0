package contacts_test

import (
	"testing"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/contacts"
)

// A send's delivery, bounce and complaint are on the timeline from the send, which keeps
// them; an event item a table kept from before is not shown a second time.
func TestTheTimelineShowsTheSendsSESEvents(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	d := contact.Data{Records: []contact.Record{
		{Kind: "send", Fields: map[string]any{"sendKey": "thankyou#o-1", "kind": "thankyou", "status": "sent",
			"sentAt": "2026-12-01T10:00:00Z", "deliveredAt": "2026-12-01T10:00:02Z"}},
		{Kind: "send", Fields: map[string]any{"sendKey": "campaign#c-1", "kind": "campaign", "status": "sent",
			"sentAt": "2026-12-02T10:00:00Z", "bouncedAt": "2026-12-02T10:00:03Z", "bounceType": "Permanent General",
			"bounceReason": "smtp; 550 5.1.1 user unknown"}},
		// Kept from before the send held its events: the same delivery.
		{Kind: "ses-event", Fields: map[string]any{"sendKey": "thankyou#o-1", "event": "Delivery", "at": "2026-12-01T10:00:02Z"}},
		// A complaint of a message whose send is not stored.
		{Kind: "ses-event", Fields: map[string]any{"sendKey": "", "event": "Complaint", "at": "2026-12-03T10:00:00Z"}},
	}}
	var got []string
	for _, e := range contacts.Timeline(d, now) {
		got = append(got, e.Type+" "+e.Ref+" "+e.Summary)
	}
	want := []string{
		"complaint  complaint",
		"bounce campaign#c-1 bounce: Permanent General smtp; 550 5.1.1 user unknown",
		`send campaign#c-1 campaign email "": sent`,
		"delivery thankyou#o-1 delivery",
		`send thankyou#o-1 thankyou email "": sent`,
	}
	if len(got) != len(want) {
		t.Fatalf("timeline %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: %q, want %q", i, got[i], want[i])
		}
	}
}
