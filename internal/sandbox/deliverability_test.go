package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"golang.org/x/net/html"

	"shopmail/internal/contact"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/email/emailtest"
	"shopmail/internal/sandbox"
	"shopmail/internal/send"
	"shopmail/internal/token"
	"shopmail/internal/wire"
)

// End to end through the sandbox: the functions of template.yaml, the real SDK clients, the
// sandbox's SES (mailbox simulator) and DynamoDB Local. What a customer and a marketer see.

var chromeUA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"

func (r *running) store(t *testing.T) *dynamo.Store {
	return dynamo.New(dynamotest.Client(t), r.table, time.Now)
}

// sendCounts are the counts a send keeps of its opens and clicks (opens_human, clicks_machine...).
func (r *running) sendCounts(t *testing.T, contactID, key string) map[string]string {
	t.Helper()
	out, err := dynamotest.Client(t).GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &r.table, Key: map[string]ddbtypes.AttributeValue{
		"PK": &ddbtypes.AttributeValueMemberS{Value: "CONTACT#" + contactID}, "SK": &ddbtypes.AttributeValueMemberS{Value: "SEND#" + key}}})
	if err != nil || out.Item == nil {
		t.Fatalf("get send %s: %v", key, err)
	}
	counts := map[string]string{}
	for k, v := range out.Item {
		if n, ok := v.(*ddbtypes.AttributeValueMemberN); ok && (strings.HasPrefix(k, "opens_") || strings.HasPrefix(k, "clicks_")) {
			counts[k] = n.Value
		}
	}
	return counts
}

// do sends a request to the app as a browser or mail client would, without following redirects.
func (r *running) do(t *testing.T, method, u, ua string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", ua)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r.sb.Idle()
	return res, string(b)
}

// partition returns every item of a contact's partition, as a fingerprint of what was written.
func (r *running) partition(t *testing.T, pk string) string {
	t.Helper()
	items, err := dynamotest.Items(t, dynamotest.Client(t), r.table, pk)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

var hrefRE = regexp.MustCompile(`href="([^"]*)"`)

func links(htmlPart, prefix string) []string {
	var out []string
	for _, m := range hrefRE.FindAllStringSubmatch(htmlPart, -1) {
		if u := html.UnescapeString(m[1]); strings.Contains(u, prefix) {
			out = append(out, u)
		}
	}
	return out
}

func TestClickRedirectsOnlyToTheRegisteredURLAndTamperingWritesNothing(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	r.putSample(t, "first-order.json", nil)
	r.putSample(t, "repeat-order.json", nil) // with a suggestion: green tea
	m := emailtest.MustParse(t, r.sb.Messages()[1].Raw)
	clicks := links(m.HTML, "/c/")
	if len(clicks) == 0 || !strings.HasPrefix(clicks[0], r.appURL+"/c/") {
		t.Fatalf("no tracked links to the app in:\n%s", m.HTML)
	}
	rec, _, _ := r.store(t).Send(context.Background(), "c-42", "thankyou#o-1002")
	before := r.partition(t, "CONTACT#c-42")

	// A tampered token: 404, and not one item of the contact changed.
	tampered := clicks[0][:len(clicks[0])-3] + "AAA"
	if res, _ := r.do(t, "GET", tampered, chromeUA, nil); res.StatusCode != 404 || res.Header.Get("Location") != "" {
		t.Errorf("tampered link: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := r.do(t, "HEAD", clicks[0], chromeUA, nil); res.StatusCode != 302 {
		t.Errorf("HEAD: %d", res.StatusCode)
	}
	if after := r.partition(t, "CONTACT#c-42"); after != before {
		t.Errorf("a tampered token or a HEAD request wrote:\nbefore %s\nafter  %s", before, after)
	}

	// The real link, even with a url= parameter, goes where the send recorded.
	res, _ := r.do(t, "GET", clicks[0]+"?url=https://evil.example/", chromeUA, nil)
	if loc := res.Header.Get("Location"); res.StatusCode != 302 || !contains(rec.Links, loc) || strings.Contains(loc, "evil") {
		t.Fatalf("click = %d to %q; recorded links %v", res.StatusCode, loc, rec.Links)
	}
	acts, err := r.store(t).Activities(context.Background(), "c-42")
	if err != nil || len(acts) != 1 || acts[0].Kind != "click" || !contains(rec.Links, acts[0].URL) {
		t.Fatalf("activity = %+v, %v", acts, err)
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func TestProxyOpenIsNotHuman(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	r.putSample(t, "first-order.json", nil)
	m := emailtest.MustParse(t, r.sb.Messages()[0].Raw)
	pixel := regexp.MustCompile(`<img src="([^"]*/o/[^"]*)"`).FindStringSubmatch(m.HTML)
	if pixel == nil {
		t.Fatal("no pixel")
	}
	res, body := r.do(t, "GET", html.UnescapeString(pixel[1]), "Mozilla/5.0", nil) // Apple Mail Privacy Protection
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/gif" || !strings.HasPrefix(body, "GIF89a") ||
		res.Header.Get("Cache-Control") != "no-store, max-age=0" {
		t.Errorf("pixel: %d %v %q", res.StatusCode, res.Header, body)
	}
	acts, _ := r.store(t).Activities(context.Background(), "c-42")
	if len(acts) != 1 || acts[0].Class != "machine" || acts[0].Reason != "privacy proxy" {
		t.Fatalf("activity = %+v", acts)
	}
	c, _ := r.store(t).Contact(context.Background(), "c-42")
	if !c.EngagedAt.IsZero() {
		t.Errorf("a proxy open marked the contact engaged at %s", c.EngagedAt)
	}
	if counts := r.sendCounts(t, "c-42", "thankyou#o-1001"); fmt.Sprint(counts) != "map[opens_machine:1]" {
		t.Errorf("the send counts %v, want one machine open", counts)
	}
}

func TestBounceSuppressesTheAddressAndTheNextSendIsSkipped(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	toBounce := func(d string) string {
		return strings.Replace(d, "sara@example.com", "bounce@simulator.amazonses.com", 1)
	}
	r.putSample(t, "first-order.json", toBounce)
	sup, found, err := r.store(t).Suppression(context.Background(), "bounce@simulator.amazonses.com")
	if err != nil || !found || sup.Reason != "hard bounce" {
		t.Fatalf("suppression = %+v found=%v err=%v", sup, found, err)
	}
	r.putSample(t, "repeat-order.json", toBounce)
	if n := len(r.sb.Messages()); n != 1 {
		t.Errorf("%d emails sent, want only the first", n)
	}
	rec, _, _ := r.store(t).Send(context.Background(), "c-42", "thankyou#o-1002")
	if rec.Status != send.Skipped || rec.Reason != "address suppressed: hard bounce" {
		t.Errorf("next send = %+v", rec)
	}
	if len(r.activities("event", "marketing.automation / Contact Suppressed")) != 1 {
		t.Error("no Contact Suppressed event on the bus")
	}
}

func TestOneClickUnsubscribeStopsMarketingButNotTheThankYou(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	r.putSample(t, "first-order.json", nil)
	m := emailtest.MustParse(t, r.sb.Messages()[0].Raw)
	unsub, err := emailtest.CheckMarketing(m)
	if err != nil || !strings.HasPrefix(unsub, r.appURL+"/u/") {
		t.Fatalf("List-Unsubscribe: %q, %v", unsub, err)
	}
	before := r.partition(t, "CONTACT#c-42")
	// Scanners prefetch: a thousand GETs change nothing.
	for range 1000 {
		if res, body := r.do(t, "GET", unsub, chromeUA, nil); res.StatusCode != 200 || !strings.Contains(body, `<form method="post">`) {
			t.Fatalf("GET unsubscribe: %d\n%s", res.StatusCode, body)
		}
	}
	if after := r.partition(t, "CONTACT#c-42"); after != before {
		t.Fatal("GET of the unsubscribe link changed the contact")
	}
	// The mail client's one-click POST (RFC 8058) takes effect at once.
	res, body := r.do(t, "POST", unsub, "Mozilla/5.0 (compatible; GmailOneClick)", url.Values{"List-Unsubscribe": {"One-Click"}})
	if res.StatusCode != 200 || !strings.Contains(body, "unsubscribed") {
		t.Fatalf("POST: %d\n%s", res.StatusCode, body)
	}
	c, _ := r.store(t).Contact(context.Background(), "c-42")
	if c.MayMarket(contact.TopicNews) || c.Prefs[contact.TopicNews].Source != "one-click unsubscribe" {
		t.Fatalf("contact prefs = %+v", c.Prefs)
	}
	if len(r.activities("event", "marketing.automation / Contact Unsubscribed")) != 1 {
		t.Error("no Contact Unsubscribed event on the bus")
	}
	// The next order still gets its thank-you, without the marketing parts or the header.
	r.putSample(t, "repeat-order.json", nil)
	msgs := r.sb.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d emails, want 2", len(msgs))
	}
	next := emailtest.MustParse(t, msgs[1].Raw)
	if next.Header["List-Unsubscribe"] != nil || strings.Contains(next.Text, "You might also like") {
		t.Errorf("marketing after the unsubscribe:\n%s", next.Text)
	}
}

func TestDoubleOptInAndPreferenceCentre(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	form := url.Values{"email": {"Neda@Example.com"}, "topic": {"sales"}, "locale": {"fa-IR"}}
	for range 3 { // repeated requests: one confirmation a day
		if res, body := r.do(t, "POST", r.appURL+"/subscribe", chromeUA, form); res.StatusCode != 200 || !strings.Contains(body, `dir="rtl"`) {
			t.Fatalf("subscribe: %d\n%s", res.StatusCode, body)
		}
	}
	msgs := r.sb.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d confirmation emails, want 1", len(msgs))
	}
	m := emailtest.MustParse(t, msgs[0].Raw)
	if m.Header["List-Unsubscribe"] != nil {
		t.Error("the confirmation is not marketing")
	}
	confirm := links(m.HTML, "/s/")
	if len(confirm) != 1 {
		t.Fatalf("confirm links: %v", confirm)
	}
	ids, err := r.store(t).ContactsByEmail(context.Background(), "neda@example.com")
	if err != nil || len(ids) != 1 || !strings.HasPrefix(ids[0], "sub-") {
		t.Fatalf("subscriber ids %v, %v: want one opaque id", ids, err)
	}
	id := ids[0]
	if c, _ := r.store(t).Contact(context.Background(), id); c.MayMarket(contact.TopicSales) {
		t.Fatal("subscribed before confirming")
	}
	r.do(t, "GET", confirm[0], chromeUA, nil) // a scanner's prefetch
	if c, _ := r.store(t).Contact(context.Background(), id); c.MayMarket(contact.TopicSales) {
		t.Fatal("GET of the confirmation link subscribed")
	}
	if res, _ := r.do(t, "POST", confirm[0], chromeUA, url.Values{}); res.StatusCode != 200 {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	c, _ := r.store(t).Contact(context.Background(), id)
	if p := c.Prefs[contact.TopicSales]; !p.On || p.Source != "double opt-in" || c.MayMarket(contact.TopicNews) {
		t.Fatalf("prefs = %+v", c.Prefs)
	}
	// Withdrawal is as easy: the preference centre's "stop all".
	prefs := strings.Replace(confirm[0], "/s/", "/p/", 1) // wrong purpose: refused
	if res, _ := r.do(t, "GET", prefs, chromeUA, nil); res.StatusCode != 404 {
		t.Errorf("a confirmation token opened the preference centre: %d", res.StatusCode)
	}
}

// The template's secret is served by ARN or name, generated as CloudFormation would; other
// secrets do not exist.
func TestSecretsManagerServesTheTemplatesSecrets(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	sm := secretsmanager.NewFromConfig(aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(r.awsURL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	arn := r.sb.FunctionEnvironments()["ThankYouFunction"]["TOKEN_KEYS_SECRET"]
	for _, id := range []string{arn, "TokenKeys"} {
		out, err := sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		if err != nil {
			t.Fatalf("GetSecretValue(%s): %v", id, err)
		}
		if _, err := token.ParseKeys(aws.ToString(out.SecretString)); err != nil || aws.ToString(out.ARN) != arn {
			t.Errorf("secret %s = %q (%v)", aws.ToString(out.ARN), aws.ToString(out.SecretString), err)
		}
	}
	_, err := sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("other")})
	var nf *smtypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("unknown secret: %v", err)
	}
}

// A web page cannot drive the sandbox's AWS endpoint: requests with a foreign Origin, or
// under a host name that is not loopback (DNS rebinding), are refused; SDK requests pass. A
// sandbox started on a public address on purpose (for Docker) answers under any host name.
func TestAWSEndpointRefusesWebPages(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	public := startWith(t, sandbox.Config{Template: repoTemplate(t), AnyHost: true})
	body := `{"SecretId":"TokenKeys"}`
	for name, tc := range map[string]struct {
		endpoint     *running
		origin, host string
		status       int
	}{
		"SDK":                         {r, "", "", 200},
		"another site":                {r, "http://evil.example", "", 403},
		"the sandbox's app":           {r, r.appURL, "", 200},
		"rebinding host":              {r, "", "evil.example:4566", 403},
		"localhost":                   {r, "", "localhost:4566", 200},
		"IPv6 loopback":               {r, "", "[::1]:4566", 200},
		"for Docker":                  {public, "", "host.docker.internal:4566", 200},
		"for Docker, from a web page": {public, "http://evil.example", "host.docker.internal:4566", 403},
	} {
		req, _ := http.NewRequest("POST", tc.endpoint.awsURL, strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		if tc.host != "" {
			req.Host = tc.host
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", name, res.StatusCode, tc.status)
		}
	}
}

// The table browser's filter finds a partition however many items come before it.
func TestTableFilterFindsItemsPastTheFirstThousand(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	client := dynamotest.Client(t)
	var reqs []ddbtypes.WriteRequest
	for i := range 1200 {
		reqs = append(reqs, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: map[string]ddbtypes.AttributeValue{
			"PK": &ddbtypes.AttributeValueMemberS{Value: fmt.Sprintf("FILLER#%04d", i)}, "SK": &ddbtypes.AttributeValueMemberS{Value: "x"},
		}}})
	}
	reqs = append(reqs, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: map[string]ddbtypes.AttributeValue{
		"PK": &ddbtypes.AttributeValueMemberS{Value: "ZNEEDLE#1"}, "SK": &ddbtypes.AttributeValueMemberS{Value: "found-me"},
	}}})
	for len(reqs) > 0 {
		n := min(25, len(reqs))
		if _, err := client.BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{r.table: reqs[:n]}}); err != nil {
			t.Fatal(err)
		}
		reqs = reqs[n:]
	}
	res, body := r.do(t, "GET", r.appURL+"/_sandbox/table?pk=ZNEEDLE", chromeUA, nil)
	// One matching item: the whole table was searched, and nothing was cut short.
	if res.StatusCode != 200 || !strings.Contains(body, "found-me") || !strings.Contains(body, "1 partitions.") {
		t.Errorf("filter: %d\n%s", res.StatusCode, body)
	}
}

// An email shown in the inbox can open its links in a new tab (tracked clicks to the app) but
// cannot run scripts, post forms or navigate the sandbox.
func TestInboxFramesEmailsLockedDown(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	r.putSample(t, "first-order.json", nil)
	res, _ := r.do(t, "GET", r.appURL+"/_sandbox/inbox/"+r.sb.Messages()[0].ID+"/html", chromeUA, nil)
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"sandbox allow-popups allow-popups-to-escape-sandbox;", "default-src 'none'", "form-action 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
}

// A function that ignores its context times out like Lambda's and does not hold the sandbox:
// Invoke returns at the deadline, and an asynchronous invocation ends on the on-failure queue,
// so that Idle (and the shutdown) returns.
func TestStuckFunctionTimesOut(t *testing.T) {
	stuck := func(func(string) (string, bool), *slog.Logger) (lambda.Handler, error) {
		return lambda.NewHandler(func(context.Context, json.RawMessage) error { time.Sleep(time.Hour); return nil }), nil
	}
	tmpl := repoTemplate(t)
	fn := tmpl.Resources["ThankYouFunction"]
	fn.Properties["Timeout"] = 1
	fn.Properties["EventInvokeConfig"].(map[string]any)["MaximumRetryAttempts"] = 0
	r := start(t, tmpl, map[string]wire.Builder{"thankyou": stuck})
	start := time.Now()
	_, err := r.sb.Invoke(context.Background(), "thankyou", []byte(`{}`))
	if err == nil || err.Error() != "Task timed out after 1.00 seconds" || time.Since(start) > 10*time.Second {
		t.Fatalf("Invoke = %v after %s", err, time.Since(start))
	}
	start = time.Now()
	r.putSample(t, "first-order.json", nil) // returns once the sandbox is idle
	if time.Since(start) > 10*time.Second {
		t.Errorf("idle after %s", time.Since(start))
	}
	dls := r.sb.DeadLetters()
	if len(dls) != 1 || !strings.Contains(dls[0].Body, `"errorMessage":"Task timed out after 1.00 seconds","errorType":"Sandbox.Timedout"`) {
		t.Errorf("dead letters: %+v", dls)
	}
}

// SendMessage reaches the template's queues only, as the SDK expects of an unknown queue.
func TestSQSKnowsOnlyTheTemplatesQueues(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	q := sqs.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(r.awsURL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	dlq := r.sb.FunctionEnvironments()["ThankYouFunction"]["DEAD_LETTER_QUEUE_URL"]
	if _, err := q.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: &dlq, MessageBody: aws.String("x")}); err != nil {
		t.Fatalf("the template's queue: %v", err)
	}
	other := strings.Replace(dlq, "DeadLetterQueue", "Elsewhere", 1)
	_, err := q.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: &other, MessageBody: aws.String("x")})
	var nq *sqstypes.QueueDoesNotExist
	if !errors.As(err, &nq) || nq.ErrorCode() != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Errorf("unknown queue: %v", err)
	}
}

// PutEvents counts sizes as EventBridge does: the entries' text, not the escaped request; a
// detail of 200 KB full of quotes (twice that once escaped) is within the 256 KB limit.
func TestPutEventsSizeIsTheEntries(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	detail := `{"q":"` + strings.Repeat(`\"`, 100*1024) + `"}`
	out, err := r.eventBridge().PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String("test"), DetailType: aws.String("Big"), Detail: &detail,
	}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("a 200 KB entry: %v %+v", err, out)
	}
	over := `{"q":"` + strings.Repeat("x", 257*1024) + `"}`
	if _, err := r.eventBridge().PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String("test"), DetailType: aws.String("Big"), Detail: &over,
	}}}); err == nil {
		t.Error("a 257 KB entry was accepted")
	}
}
