package survey_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"shopmail/internal/bus"
	"shopmail/internal/survey"
	"shopmail/internal/web"
)

// An answer and the events it owes (Survey Answered, Customer Unhappy) are written together:
// with the bus down the customer's answer stands and its events wait in the outbox, which its
// flush publishes, once.
func TestAnAnswersEventsWaitInTheOutboxWhileTheBusIsDown(t *testing.T) {
	f := setup(t)
	sendSurvey(t, f)
	f.bus.Fail = func(string) error { return errors.New("PutEvents: service unavailable") }
	if res := f.answer("POST", f.link("nps", 3), nil); res.StatusCode != 200 {
		t.Fatalf("POST with the bus down: %d\n%.300s", res.StatusCode, res.Body)
	}
	ctx := context.Background()
	if as, _ := f.store.AnswersBetween(ctx, t0, t0.Add(60*24*time.Hour)); len(as) != 1 || as[0].Score != 3 {
		t.Fatalf("answers stored: %+v", as)
	}
	f.bus.Fail = nil
	relay := &bus.Relay{Publisher: f.bus, Outbox: f.store, Now: func() time.Time { return f.now.Add(bus.FlushAfter + time.Second) }}
	for range 2 {
		if _, err := relay.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if f.bus.Count(survey.EventAnswered) != 1 || f.bus.Count(survey.EventUnhappy) != 1 {
		t.Errorf("events after the flushes: %v, want one Survey Answered and one Customer Unhappy", f.bus.Events())
	}
}

// A POST whose body cannot be read is no answer and no comment: 400, nothing recorded.
func TestAnUnreadableAnswerBodyRecordsNothing(t *testing.T) {
	f := setup(t)
	sendSurvey(t, f)
	link := f.link("csat", 2)
	for name, body := range map[string]string{
		"bad escape":             "comment=%zz",
		"broken base64":          "!!!",
		"multipart, no boundary": "--x\r\n",
	} {
		var r web.Request
		r.RawPath = strings.TrimPrefix(link, "https://go.shop.example")
		r.RequestContext.HTTP.Method = "POST"
		r.PathParameters = map[string]string{"token": link[strings.LastIndex(link, "/")+1:]}
		r.Body = body
		if name == "broken base64" {
			r.IsBase64Encoded = true
		}
		if name == "multipart, no boundary" {
			r.Headers = map[string]string{"content-type": "multipart/form-data"}
		}
		if res := f.answers.Serve(context.Background(), r); res.StatusCode != 400 {
			t.Errorf("%s: %d, want 400", name, res.StatusCode)
		}
	}
	if as, _ := f.store.AnswersBetween(context.Background(), t0, t0.Add(60*24*time.Hour)); len(as) != 0 || len(f.bus.Events()) != 0 {
		t.Errorf("stored %+v, published %v", as, f.bus.Events())
	}
}
