package sandbox_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"shopmail/internal/email/emailtest"
)

// The README's walk-through: place an order, deliver it, move the clock, answer the survey from
// the inbox, read the result from the marketer API.
func TestSurveyWalkThrough(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	r.putSample(t, "first-order.json", nil)
	if n := len(r.sb.Messages()); n != 1 {
		t.Fatalf("%d emails after the order, want the thank-you", n)
	}
	delivered := `{"orderId":"o-1001","deliveredAt":"` + time.Now().UTC().Format(time.RFC3339) + `"}`
	out, err := r.eventBridge().PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String("shop.orders"), DetailType: aws.String("Order Delivered"), Detail: &delivered,
	}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %v %+v", err, out)
	}
	r.sb.Idle()
	pending := 0
	for _, sc := range r.sb.Schedules() {
		if strings.HasPrefix(sc.Name, "survey-") && strings.HasSuffix(sc.Name, "-delivery") {
			pending++
		}
	}
	if pending != 1 {
		t.Fatalf("schedules: %+v", r.sb.Schedules())
	}
	if r.sb.Advance(context.Background(), 2*24*time.Hour); len(r.sb.Messages()) != 1 {
		t.Fatal("the survey went out before it was due")
	}
	r.sb.Advance(context.Background(), 3*24*time.Hour)
	r.sb.Idle()
	msgs := r.sb.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d emails, want the thank-you and the survey", len(msgs))
	}
	m := emailtest.MustParse(t, msgs[1].Raw)
	answers := links(m.HTML, "/a/")
	if m.Subject != "How was your order from Tea House?" || len(answers) != 5+11+1 {
		t.Fatalf("survey %q with %d answer links, want 5 CSAT, 11 NPS and what to sell next", m.Subject, len(answers))
	}
	// CSAT 5 (the 5th link) and NPS 9 (the 15th: csat 1-5, then nps 0-10).
	for _, link := range []string{answers[4], answers[14]} {
		if res, body := r.do(t, "GET", link, chromeUA, nil); res.StatusCode != 200 || !strings.Contains(body, `<form method="post">`) {
			t.Fatalf("GET %s: %d", link, res.StatusCode)
		}
		res, body := r.do(t, "POST", link, chromeUA, url.Values{})
		if res.StatusCode != 200 || !strings.Contains(body, "Your answer is saved") {
			t.Fatalf("POST: %d\n%s", res.StatusCode, body)
		}
	}
	if len(r.activities("event", "marketing.automation / Survey Answered")) != 2 {
		t.Error("Survey Answered not published for each answer")
	}
	// The marketer API: the dev token, and nothing without it.
	req, _ := http.NewRequest("GET", r.appURL+"/reports/surveys", nil)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 401 {
		t.Errorf("without a token: %v %v", res, err)
	}
	req.Header.Set("Authorization", "Bearer "+r.sb.DevToken())
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET /reports/surveys: %v %v", res, err)
	}
	var report struct {
		Results struct {
			Sent, Answered int
			NPS            struct{ Score float64 }
			CSAT           struct{ Mean float64 }
		} `json:"results"`
	}
	json.NewDecoder(res.Body).Decode(&report)
	res.Body.Close()
	if report.Results.NPS.Score != 100 || report.Results.CSAT.Mean != 5 {
		t.Errorf("report = %+v", report)
	}
}
