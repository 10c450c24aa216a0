package sandbox_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"shopmail/internal/contact"
	"shopmail/internal/email/emailtest"
	"shopmail/internal/sandbox"
)

// One email's pixel fetched a hundred times, and one of its links clicked a hundred times, by
// a script is one open and one click: the same image and redirect every time, one timeline
// item each. (A script's hits are a machine's, whenever they come; the hour between counted
// hits is moved through on DynamoDB Local in internal/tracking.)
func TestPixelAndLinkHitAHundredTimesCountOnce(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	r.putSample(t, "first-order.json", nil)
	m := emailtest.MustParse(t, r.sb.Messages()[0].Raw)
	pixel := regexp.MustCompile(`<img src="([^"]*/o/[^"]*)"`).FindStringSubmatch(m.HTML)
	clicks := links(m.HTML, "/c/")
	if pixel == nil || len(clicks) == 0 {
		t.Fatal("no pixel or no tracked link")
	}
	const script = "curl/8.5.0"
	_, first := r.do(t, "GET", html.UnescapeString(pixel[1]), script, nil)
	firstClick, _ := r.do(t, "GET", clicks[0], script, nil)
	for range 99 {
		if res, body := r.do(t, "GET", html.UnescapeString(pixel[1]), script, nil); res.StatusCode != 200 || body != first {
			t.Fatalf("pixel: %d %q", res.StatusCode, body)
		}
		if res, _ := r.do(t, "GET", clicks[0], script, nil); res.StatusCode != 302 || res.Header.Get("Location") != firstClick.Header.Get("Location") {
			t.Fatalf("click: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
	}
	acts, _ := r.store(t).Activities(context.Background(), "c-42")
	if counts := r.sendCounts(t, "c-42", "thankyou#o-1001"); len(acts) != 2 || fmt.Sprint(counts) != "map[clicks_machine:1 opens_machine:1]" {
		t.Errorf("%d timeline items, the send counts %v; want one open and one click", len(acts), counts)
	}
}

// postFrom posts form to u as a browser that sends Origin but not Sec-Fetch-Site.
func (r *running) postFrom(t *testing.T, u, origin string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("User-Agent", chromeUA)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r.sb.Idle()
	return res.StatusCode, string(b)
}

// With PUBLIC_URL as a marketer may write it, every function links to one origin and every
// form posted from it (Origin: https://go.shop.example) is accepted: the survey's and the
// preference centre's.
func TestPublicURLInAnyFormAcceptsOurForms(t *testing.T) {
	const ours = "https://go.shop.example"
	r := startWith(t, sandbox.Config{Template: repoTemplate(t), Params: map[string]string{"PublicURL": "HTTPS://Go.Shop.Example:443/"}})
	local := func(u string) string { return strings.Replace(u, ours, r.appURL, 1) }
	r.putSample(t, "first-order.json", nil)
	m := emailtest.MustParse(t, r.sb.Messages()[0].Raw)
	delivered := `{"orderId":"o-1001","deliveredAt":"` + time.Now().UTC().Format(time.RFC3339) + `"}`
	if _, err := r.eventBridge().PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String("shop.orders"), DetailType: aws.String("Order Delivered"), Detail: &delivered,
	}}}); err != nil {
		t.Fatal(err)
	}
	r.sb.Idle()
	r.sb.Advance(context.Background(), 5*24*time.Hour)
	r.sb.Idle()
	msgs := r.sb.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d emails, want the thank-you and the survey", len(msgs))
	}
	answers := links(emailtest.MustParse(t, msgs[1].Raw).HTML, "/a/")
	if len(answers) == 0 || !strings.HasPrefix(answers[0], ours+"/a/") {
		t.Fatalf("survey links %q, want them under %s", answers, ours)
	}
	if code, body := r.postFrom(t, local(answers[4]), ours, url.Values{}); code != 200 || !strings.Contains(body, "Your answer is saved") {
		t.Fatalf("our survey's form: %d\n%s", code, body)
	}

	prefs := links(m.HTML, "/p/")
	if len(prefs) != 1 || !strings.HasPrefix(prefs[0], ours+"/p/") {
		t.Fatalf("preference centre links %q, want one under %s", prefs, ours)
	}
	if code, _ := r.postFrom(t, local(prefs[0]), "https://evil.example", url.Values{"action": {"stop-all"}}); code != 403 {
		t.Errorf("another site's form: %d, want 403", code)
	}
	if code, body := r.postFrom(t, local(prefs[0]), ours, url.Values{"action": {"stop-all"}}); code != 200 {
		t.Fatalf("our preference centre's form: %d\n%s", code, body)
	}
	if c, _ := r.store(t).Contact(context.Background(), "c-42"); c.MayMarket(contact.TopicNews) {
		t.Error("the preference centre's form did not stop the news")
	}
}
