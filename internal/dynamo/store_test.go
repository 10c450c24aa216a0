package dynamo_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/deliverability/sesevent"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/send"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

var now = func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) }

func store(t *testing.T) *dynamo.Store {
	client, table := dynamotest.NewTable(t)
	return dynamo.New(client, table, now)
}

// Concurrent updates that each change something must all land: none may be lost to a race.
func TestConcurrentContactUpdatesLoseNothing(t *testing.T) {
	st := store(t)
	ctx := context.Background()
	const n = 12
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := st.UpdateContact(ctx, "c-1", func(c *contact.Contact) bool {
				c.Observed[fmt.Sprintf("field%d", i)] = now()
				return true
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	c, err := st.Contact(ctx, "c-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Observed) != n || c.Version != n {
		t.Errorf("%d of %d updates kept, version %d", len(c.Observed), n, c.Version)
	}
}

func TestUnchangedContactIsNotWritten(t *testing.T) {
	st := store(t)
	ctx := context.Background()
	if _, err := st.UpdateContact(ctx, "c-1", func(c *contact.Contact) bool { c.Email = "a@example.com"; return true }); err != nil {
		t.Fatal(err)
	}
	c, err := st.UpdateContact(ctx, "c-1", func(*contact.Contact) bool { return false })
	if err != nil || c.Version != 1 {
		t.Errorf("version %d after a no-change update, err %v", c.Version, err)
	}
}

func TestClaimReturnsTheExistingSend(t *testing.T) {
	st := store(t)
	ctx := context.Background()
	rec := send.Record{Key: "k#1", ContactID: "c-1", Kind: "thankyou", Status: send.Sending, Token: "t1", ClaimedAt: now()}
	if ok, _, err := st.Claim(ctx, rec); !ok || err != nil {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	rec.Status, rec.MessageID, rec.SentAt = send.Sent, "m-1", now()
	if err := st.Settle(ctx, rec); err != nil {
		t.Fatal(err)
	}
	ok, existing, err := st.Claim(ctx, send.Record{Key: "k#1", ContactID: "c-1", Status: send.Sending, Token: "t2", ClaimedAt: now()})
	if ok || err != nil || existing.Status != send.Sent || existing.MessageID != "m-1" {
		t.Errorf("second claim: ok=%v existing=%+v err=%v", ok, existing, err)
	}
	// A sent send is not settled again (e.g. by a late, confused worker), and a failed one
	// cannot be settled twice.
	rec.Status = send.Failed
	if err := st.Settle(ctx, rec); err != nil {
		t.Errorf("settling a sent send again: %v", err)
	}
	if got, _, _ := st.Send(ctx, "c-1", "k#1"); got.Status != send.Sent {
		t.Errorf("a sent send was overwritten: %+v", got)
	}
	failed := send.Record{Key: "k#2", ContactID: "c-1", Status: send.Sending, Token: "t1", ClaimedAt: now()}
	st.Claim(ctx, failed)
	failed.Status = send.Failed
	if err := st.Settle(ctx, failed); err != nil {
		t.Fatal(err)
	}
	failed.Status, failed.MessageID = send.Sent, "m-2"
	if err := st.Settle(ctx, failed); err == nil {
		t.Error("a failed send was settled again")
	}
}

// SES's "Email Sent" event can settle a send before the sender's own settle lands; then the
// sender's settle (sent, or unknown after a timeout) is no error and changes nothing.
func TestSESEventSettlesFirst(t *testing.T) {
	st := store(t)
	ctx := context.Background()
	for i, ours := range []send.Status{send.Sent, send.Unknown} {
		rec := send.Record{Key: fmt.Sprintf("k#%d", i), ContactID: "c-1", Status: send.Sending, Token: "t1", ClaimedAt: now()}
		if ok, _, err := st.Claim(ctx, rec); !ok || err != nil {
			t.Fatal(ok, err)
		}
		sesSent(t, st, "c-1", rec.Key, "m-ses", now())
		rec.Status, rec.MessageID, rec.Reason = ours, "m-ses", "timeout"
		if err := st.Settle(ctx, rec); err != nil {
			t.Errorf("our settle (%s) after SES's: %v", ours, err)
		}
		if got, _, _ := st.Send(ctx, "c-1", rec.Key); got.Status != send.Sent || got.MessageID != "m-ses" || got.Reason != "" {
			t.Errorf("send = %+v", got)
		}
	}
}

// sesSent records SES's "Email Sent" of a send, as the SES events function does.
func sesSent(t *testing.T, st *dynamo.Store, contactID, key, messageID string, at time.Time) {
	t.Helper()
	r := deliverability.EventRecord{Event: sesevent.Event{Type: sesevent.Send, MessageID: messageID, At: at},
		ContactID: contactID, SendKey: key, Stats: "thankyou", Counter: "sent", Expires: at.Add(time.Hour)}
	if ok, err := st.RecordEvent(context.Background(), r); !ok || err != nil {
		t.Fatalf("record SES's Email Sent of %s: %v, %v", key, ok, err)
	}
}

// A claim applied by DynamoDB whose response was lost is retried by the SDK and fails its
// condition on itself: that must count as our claim, or the email would never be sent.
func TestClaimRecognisesItsOwnRetriedWrite(t *testing.T) {
	st := store(t)
	ctx := context.Background()
	rec := send.Record{Key: "k#1", ContactID: "c-1", Status: send.Sending, Token: "t1", ClaimedAt: now()}
	if ok, _, err := st.Claim(ctx, rec); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if ok, _, err := st.Claim(ctx, rec); !ok || err != nil {
		t.Errorf("the same claim again: claimed=%v err=%v, want claimed", ok, err)
	}
}

func TestReleaseDeletesOnlyItsOwnClaim(t *testing.T) {
	st := store(t)
	ctx := context.Background()
	mine := send.Record{Key: "k#1", ContactID: "c-1", Status: send.Sending, Token: "mine", ClaimedAt: now()}
	if _, _, err := st.Claim(ctx, mine); err != nil {
		t.Fatal(err)
	}
	other := mine
	other.Token = "other"
	if err := st.Release(ctx, other); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := st.Send(ctx, "c-1", "k#1"); !found {
		t.Fatal("another worker's release deleted the claim")
	}
	if err := st.Release(ctx, mine); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := st.Send(ctx, "c-1", "k#1"); found {
		t.Error("own release did not delete the claim")
	}
}

func TestKeysWithSeparatorsDoNotCollide(t *testing.T) {
	st := store(t)
	ctx := context.Background()
	for _, id := range []string{"a#b", "a%23b"} {
		if _, err := st.UpdateContact(ctx, id, func(c *contact.Contact) bool { c.Email = id + "@example.com"; return true }); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := st.Contact(ctx, "a#b")
	b, _ := st.Contact(ctx, "a%23b")
	if a.Email == b.Email {
		t.Errorf("ids a#b and a%%23b share a row: %q", a.Email)
	}
}
