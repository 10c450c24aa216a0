package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/email/emailtest"
	"shopmail/internal/samtemplate"
	"shopmail/internal/sandbox"
	"shopmail/internal/send"
	"shopmail/internal/wire"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

type running struct {
	sb     *sandbox.Sandbox
	awsURL string
	appURL string
	table  string
	ddb    string
}

// start runs a sandbox on free ports, as `make run` does, with its own table.
func start(t *testing.T, tmpl *samtemplate.Template, builders map[string]wire.Builder) *running {
	return startWith(t, sandbox.Config{Template: tmpl, Builders: builders})
}

// startWith is start with more settings: c's endpoints and table are filled in (and its log
// discarded unless c.Log is set).
func startWith(t *testing.T, c sandbox.Config) *running {
	t.Helper()
	client := dynamotest.Client(t)
	awsL, appL := listen(t), listen(t)
	r := &running{awsURL: "http://" + awsL.Addr().String(), appURL: "http://" + appL.Addr().String(),
		table: fmt.Sprintf("sandbox-%d", time.Now().UnixNano()), ddb: *client.Options().BaseEndpoint}
	c.DynamoDB, c.AWSURL, c.AppURL, c.Table, c.RetryDelay = r.ddb, r.awsURL, r.appURL, r.table, 10*time.Millisecond
	if c.Log == nil {
		c.Log = io.Discard
	}
	sb, err := sandbox.New(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	r.sb = sb
	for l, h := range map[net.Listener]http.Handler{awsL: sb.AWS(), appL: sb.App()} {
		srv := &http.Server{Handler: h}
		go srv.Serve(l)
		t.Cleanup(func() { srv.Close() })
	}
	t.Cleanup(sb.Idle)
	return r
}

func listen(t *testing.T) net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func repoTemplate(t *testing.T) *samtemplate.Template {
	tmpl, err := samtemplate.Default()
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func (r *running) eventBridge() *eventbridge.Client {
	return eventbridge.NewFromConfig(aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(r.awsURL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
}

// putSample puts a sample event on the bus through the real AWS SDK EventBridge client: one of
// events/thankyou, or of another folder when name has one ("carts/01-checkout-started.json").
func (r *running) putSample(t *testing.T, name string, edit func(string) string) {
	t.Helper()
	path := filepath.Join("..", "..", "events", "thankyou", name)
	if strings.Contains(name, "/") {
		path = filepath.Join("..", "..", "events", filepath.FromSlash(name))
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Source     string          `json:"source"`
		DetailType string          `json:"detail-type"`
		Detail     json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	detail := string(ev.Detail)
	if edit != nil {
		detail = edit(detail)
	}
	out, err := r.eventBridge().PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: &ev.Source, DetailType: &ev.DetailType, Detail: &detail,
	}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %v %+v", err, out)
	}
	r.sb.Idle()
}

// placedNow edits the sample order (after edit, if any) to be placed at the sandbox's now, not
// on its fixed day: for a test whose outcome must not depend on the date it runs (the order's
// survey comes due 14 days after it).
func (r *running) placedNow(edit func(string) string) func(string) string {
	return r.placedAgo(0, edit)
}

// placedAgo is placedNow, the order placed ago before the sandbox's now.
func (r *running) placedAgo(ago time.Duration, edit func(string) string) func(string) string {
	return func(d string) string {
		if edit != nil {
			d = edit(d)
		}
		return strings.Replace(d, `"placedAt": "2026-11-22T10:15:00Z"`, `"placedAt": "`+r.sb.Clock().Now().Add(-ago).UTC().Format(time.RFC3339)+`"`, 1)
	}
}

func (r *running) activities(kind, contains string) []sandbox.Activity {
	var out []sandbox.Activity
	for _, a := range r.sb.Activities() {
		if a.Kind == kind && strings.Contains(a.Summary, contains) {
			out = append(out, a)
		}
	}
	return out
}

func TestOrderPlacedEndToEnd(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	r.putSample(t, "first-order.json", nil)

	msgs := r.sb.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d emails in the inbox, want 1", len(msgs))
	}
	m := emailtest.MustParse(t, msgs[0].Raw)
	if m.To.Address != "sara@example.com" || m.Subject != "Thank you for your first order, Sara!" || m.Parts != 2 {
		t.Errorf("email to %s %q with %d parts", m.To.Address, m.Subject, m.Parts)
	}
	if !strings.Contains(m.Text, "Total: $129.90") || !strings.Contains(m.HTML, `dir="ltr"`) {
		t.Errorf("email body:\n%s", m.Text)
	}
	// The function went through the sandbox's SES with the template's configuration set.
	if msgs[0].ConfigurationSet == "" || msgs[0].Tags["kind"] != "thankyou" {
		t.Errorf("configuration set %q, tags %v", msgs[0].ConfigurationSet, msgs[0].Tags)
	}
	rec, found, err := dynamo.New(dynamotest.Client(t), r.table, time.Now).Send(context.Background(), "c-42", "thankyou#o-1001")
	if err != nil || !found || rec.Status != send.Sent || rec.MessageID != msgs[0].ID {
		t.Errorf("send row %+v (found %v, %v), want sent with message id %s", rec, found, err, msgs[0].ID)
	}
	for _, dt := range []string{"aws.ses / Email Sent", "aws.ses / Email Delivered"} {
		evs := r.activities("event", dt)
		if len(evs) != 1 {
			t.Errorf("%d %q events on the bus, want 1", len(evs), dt)
			continue
		}
		// The template routes SES events to the SES events function, and nothing else.
		if len(evs[0].Matched) != 1 || !strings.HasPrefix(evs[0].Matched[0], "SESEventsFunction") {
			t.Errorf("%s routed to %v", dt, evs[0].Matched)
		}
	}
	placed := r.activities("event", "shop.orders / Order Placed")
	if len(placed) != 1 || strings.Join(placed[0].Matched, ", ") != "CartsFunction (CartEvents), SurveysFunction (OrderEvents), ThankYouFunction (OrderPlaced)" {
		t.Errorf("Order Placed routed to %+v", placed)
	}
}

func TestBounceSimulatorProducesEmailBounced(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	r.putSample(t, "first-order.json", func(d string) string {
		return strings.Replace(d, "sara@example.com", "bounce@simulator.amazonses.com", 1)
	})
	bounced := r.activities("event", "aws.ses / Email Bounced")
	if len(bounced) != 1 || !strings.Contains(bounced[0].Body, `"bounceType": "Permanent"`) ||
		!strings.Contains(bounced[0].Body, "bounce@simulator.amazonses.com") {
		t.Fatalf("Email Bounced events: %+v", bounced)
	}
	if len(r.activities("event", "Email Delivered")) != 0 {
		t.Error("a bounced message was also delivered")
	}
}

func TestInvalidEventEndsOnTheDeadLetterQueue(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	r.putSample(t, "first-order.json", func(d string) string {
		return strings.Replace(d, `"email": "sara@example.com",`, "", 1)
	})
	// Each function the rule feeds refuses it on its own: one dead letter each, with the reason.
	dls := r.sb.DeadLetters()
	sources := map[string]bool{}
	for _, dl := range dls {
		sources[dl.Attributes["source"]] = true
		if !strings.Contains(dl.Attributes["reason"], "customer.email is required") || !strings.HasSuffix(dl.Queue, "/DeadLetterQueue") {
			t.Errorf("dead letter: %+v", dl)
		}
	}
	if len(dls) != 3 || !sources["thankyou"] || !sources["surveys"] || !sources["carts"] {
		t.Fatalf("dead letters from %v", sources)
	}
	if len(r.sb.Messages()) != 0 {
		t.Error("an email was sent")
	}
}

func TestPutEventsIsCheckedLikeAWS(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	eb := r.eventBridge()
	entry := func(detail string) ebtypes.PutEventsRequestEntry {
		return ebtypes.PutEventsRequestEntry{Source: aws.String("test"), DetailType: aws.String("Test"), Detail: aws.String(detail)}
	}
	var eleven []ebtypes.PutEventsRequestEntry
	for i := 0; i < 11; i++ {
		eleven = append(eleven, entry(`{}`))
	}
	_, err := eb.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: eleven})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ValidationException" {
		t.Errorf("11 entries: %v, want ValidationException", err)
	}
	byARN := entry(`{}`)
	byARN.EventBusName = aws.String("arn:aws:events:us-east-1:000000000000:event-bus/default")
	out, err := eb.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		entry(`{"ok": true}`), entry(`not json`), {Source: aws.String("test"), Detail: aws.String("{}")},
		{Source: aws.String("aws.ses"), DetailType: aws.String("Email Bounced"), Detail: aws.String("{}")}, byARN,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if out.FailedEntryCount != 3 || out.Entries[0].EventId == nil || out.Entries[4].EventId == nil ||
		aws.ToString(out.Entries[1].ErrorCode) != "MalformedDetail" || aws.ToString(out.Entries[2].ErrorCode) != "InvalidArgument" ||
		aws.ToString(out.Entries[3].ErrorCode) != "NotAuthorizedForSourceException" {
		t.Errorf("results: %d failed, %+v", out.FailedEntryCount, out.Entries)
	}
}

// failing is a function that always fails, to see Lambda's async retries and destination.
func failing(func(string) (string, bool), *slog.Logger) (lambda.Handler, error) {
	return lambda.NewHandler(func(context.Context, json.RawMessage) error { return errors.New("boom") }), nil
}

func TestFailedInvocationsAreRetriedThenSentToTheDestination(t *testing.T) {
	r := start(t, repoTemplate(t), map[string]wire.Builder{"thankyou": failing})
	r.putSample(t, "first-order.json", nil)
	attempts := r.activities("invoke", "ThankYouFunction, attempt")
	if len(attempts) != 3 { // MaximumRetryAttempts: 2 in template.yaml
		t.Errorf("%d attempts, want 3", len(attempts))
	}
	// The retries are the same invocation: one request id.
	rid := func(a sandbox.Activity) string {
		return strings.Fields(a.Summary[strings.Index(a.Summary, "request "):])[1]
	}
	for _, a := range attempts {
		if rid(a) != rid(attempts[0]) {
			t.Errorf("request ids differ: %q, %q", a.Summary, attempts[0].Summary)
		}
	}
	dls := r.sb.DeadLetters()
	if len(dls) != 1 {
		t.Fatalf("%d dead letters, want the on-failure record", len(dls))
	}
	var rec struct {
		RequestContext struct {
			Condition              string
			ApproximateInvokeCount int
		}
		RequestPayload struct {
			DetailType string `json:"detail-type"`
		}
		ResponsePayload struct{ ErrorMessage, ErrorType string }
	}
	if err := json.Unmarshal([]byte(dls[0].Body), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.RequestContext.Condition != "RetriesExhausted" || rec.RequestContext.ApproximateInvokeCount != 3 ||
		rec.RequestPayload.DetailType != "Order Placed" || rec.ResponsePayload.ErrorMessage != "boom" || rec.ResponsePayload.ErrorType != "errorString" {
		t.Errorf("destination record = %s", dls[0].Body)
	}
}

func TestPanickingFunctionDoesNotStopTheSandbox(t *testing.T) {
	panics := func(func(string) (string, bool), *slog.Logger) (lambda.Handler, error) {
		return lambda.NewHandler(func(context.Context, json.RawMessage) error { panic("kaboom") }), nil
	}
	r := start(t, repoTemplate(t), map[string]wire.Builder{"thankyou": panics})
	r.putSample(t, "first-order.json", nil)
	if got := r.activities("invoke", "ThankYouFunction, attempt 1"); len(got) != 1 || !strings.Contains(got[0].Error, "kaboom") {
		t.Errorf("invocation: %+v", got)
	}
	if resp, err := http.Get(r.appURL + "/_sandbox/"); err != nil || resp.StatusCode != 200 {
		t.Errorf("sandbox after a panic: %v %v", resp, err)
	}
}

const apiTemplate = tableOnly + `  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          MarketerJWT:
            IdentitySource: $request.header.Authorization
            JwtConfiguration: {issuer: "https://auth.shop.example/", audience: [dashboard, other-app]}
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/echo
      Events:
        Open:
          Type: HttpApi
          Properties: {Path: "/t/{token}", Method: GET}
        Proxy:
          Type: HttpApi
          Properties: {Path: "/files/{path+}", Method: ANY}
        Private:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Path: /api/campaigns, Method: POST, Auth: {Authorizer: MarketerJWT, AuthorizationScopes: [campaigns:write, admin]}}
`

func echo(func(string) (string, bool), *slog.Logger) (lambda.Handler, error) {
	return lambda.NewHandler(func(_ context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		b, _ := json.Marshal(ev)
		return events.APIGatewayV2HTTPResponse{StatusCode: 201, Headers: map[string]string{"X-Route": ev.RouteKey}, Body: string(b)}, nil
	}), nil
}

func TestHTTPAPIRoutesGetPayloadV2Events(t *testing.T) {
	tmpl, err := samtemplate.Parse([]byte(apiTemplate))
	if err != nil {
		t.Fatal(err)
	}
	tmpl.Dir = t.TempDir()
	r := start(t, tmpl, map[string]wire.Builder{"echo": echo})
	get := func(path string) (*http.Response, events.APIGatewayV2HTTPRequest) {
		t.Helper()
		resp, err := http.Get(r.appURL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var ev events.APIGatewayV2HTTPRequest
		json.NewDecoder(resp.Body).Decode(&ev)
		return resp, ev
	}
	resp, ev := get("/t/abc123?x=1&x=2")
	if resp.StatusCode != 201 || resp.Header.Get("X-Route") != "GET /t/{token}" || ev.Version != "2.0" ||
		ev.PathParameters["token"] != "abc123" || ev.QueryStringParameters["x"] != "1,2" || ev.RawQueryString != "x=1&x=2" ||
		ev.RequestContext.HTTP.Method != "GET" || ev.RequestContext.RequestID == "" {
		t.Errorf("status %d, event %+v", resp.StatusCode, ev)
	}
	host := strings.TrimPrefix(r.appURL, "http://")
	if ev.Headers["host"] != host || ev.Headers["x-forwarded-for"] != "127.0.0.1" || ev.Headers["x-forwarded-proto"] != "http" ||
		ev.Headers["x-forwarded-port"] != host[strings.LastIndex(host, ":")+1:] {
		t.Errorf("headers API Gateway adds: %v", ev.Headers)
	}
	if _, ev := get("/t/a%2Fb"); ev.RawPath != "/t/a%2Fb" || ev.PathParameters["token"] != "a/b" {
		t.Errorf("rawPath = %q, token = %q; want the path as sent, the parameter decoded", ev.RawPath, ev.PathParameters["token"])
	}
	if _, ev := get("/files/a/b/c.txt"); ev.PathParameters["path"] != "a/b/c.txt" {
		t.Errorf("greedy path parameter = %q", ev.PathParameters["path"])
	}
	if resp, _ := get("/nowhere"); resp.StatusCode != 404 {
		t.Errorf("unknown route: %d", resp.StatusCode)
	}
	post := func(token string) int {
		req, _ := http.NewRequest("POST", r.appURL+"/api/campaigns", strings.NewReader(`{"name":"x"}`))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(""); got != 401 {
		t.Errorf("without token: %d", got)
	}
	if got := post("forged"); got != 401 {
		t.Errorf("wrong token: %d", got)
	}
	if got := post(r.sb.DevToken()); got != 201 {
		t.Errorf("dev token: %d", got)
	}
}

func TestUIShowsWhatHappened(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	resp, err := http.PostForm(r.appURL+"/_sandbox/put-event", url.Values{"sample": {"thankyou/persian-customer.json"}})
	if err != nil || resp.StatusCode != 200 { // redirected to the event log
		t.Fatalf("put-event: %v %v", resp, err)
	}
	r.sb.Idle()
	id := r.sb.Messages()[0].ID
	for path, want := range map[string]string{
		"/_sandbox/":                        "thankyou/first-order.json",
		"/_sandbox/inbox":                   "مریم عزیز، از اولین خرید شما سپاسگزاریم!",
		"/_sandbox/inbox/" + id:             "maryam@example.com",
		"/_sandbox/inbox/" + id + "/html":   `dir="rtl"`,
		"/_sandbox/events":                  "Order Placed",
		"/_sandbox/table?pk=CONTACT%23c-77": "maryam@example.com",
		"/_sandbox/schedules":               "survey-", // the order's survey, planned
		"/_sandbox/dead-letters":            "every event was handled",
	} {
		resp, err := http.Get(r.appURL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, want it to show %q; got:\n%.300s", path, resp.StatusCode, want, body)
		}
	}
	resp, err = http.PostForm(r.appURL+"/_sandbox/put-event", url.Values{"sample": {"../../go.mod"}})
	if err != nil || resp.StatusCode != 400 {
		t.Errorf("a path outside events/ was accepted: %v", resp.StatusCode)
	}
	req, _ := http.NewRequest("POST", r.appURL+"/_sandbox/clock", strings.NewReader("by=720h"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 403 || r.sb.Clock().Offset() != 0 {
		t.Errorf("a cross-site form moved the clock: %v %v", resp.StatusCode, r.sb.Clock().Offset())
	}
	// A page whose name was rebound to 127.0.0.1 posts with its own name as Host and Origin.
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(r.appURL, "http://"))
	req, _ = http.NewRequest("POST", r.appURL+"/_sandbox/clock", strings.NewReader("by=720h"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = "rebound.example:" + port
	req.Header.Set("Origin", "http://"+req.Host)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusMisdirectedRequest || r.sb.Clock().Offset() != 0 {
		t.Errorf("a rebound page's form moved the clock: %v %v", resp.StatusCode, r.sb.Clock().Offset())
	}
}

func TestClockAdvanceIsLogged(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	before := r.sb.Clock().Now()
	r.sb.Advance(context.Background(), 72*time.Hour)
	if d := r.sb.Clock().Now().Sub(before); d < 72*time.Hour || d > 73*time.Hour {
		t.Errorf("clock moved %s", d)
	}
	if len(r.activities("clock", "moved forward 72h")) != 1 {
		t.Error("clock move not in the event log")
	}
}

// infra/sam-local/env.json lets `sam local invoke` run a function in Docker against the
// sandbox: it must give every function every variable the template gives it, with the values
// the sandbox gives them in-process (the endpoint aside, which Docker reaches by another name).
func TestSAMLocalEnvMatchesTheSandbox(t *testing.T) {
	path := filepath.Join("..", "..", "infra", "sam-local", "env.json")
	r := start(t, repoTemplate(t), nil)
	want := map[string]map[string]string{}
	docker := strings.NewReplacer(r.awsURL, "http://host.docker.internal:4566", r.appURL, "http://127.0.0.1:3000", r.table, "shopmail-local")
	for fn, env := range r.sb.FunctionEnvironments() {
		want[fn] = map[string]string{"AWS_SESSION_TOKEN": ""}
		for k, v := range env {
			// Set by the Lambda runtime itself, or from the developer's environment.
			if !strings.HasPrefix(k, "AWS_LAMBDA_") && !strings.HasPrefix(k, "AWS_ENDPOINT_URL_") {
				want[fn][k] = docker.Replace(v)
			}
		}
	}
	if *updateEnv {
		b, _ := json.MarshalIndent(want, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]map[string]string
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	for fn, env := range want {
		for k, v := range env {
			if got[fn][k] != v {
				t.Errorf("env.json %s.%s = %q, the sandbox gives %q (go test ./internal/sandbox -run TestSAMLocalEnv -update-env)", fn, k, got[fn][k], v)
			}
		}
	}
}

var updateEnv = flag.Bool("update-env", false, "rewrite infra/sam-local/env.json from the sandbox")

// A one-time schedule created through the real SDK fires its function when the clock passes
// it, not before; the UI lists it as pending, then as fired.
func TestScheduleFiresWhenTheClockPassesIt(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	sc := scheduler.NewFromConfig(aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(r.awsURL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "thankyou", "first-order.json"))
	if err != nil {
		t.Fatal(err)
	}
	at := r.sb.Clock().Now().Add(72 * time.Hour).Format("2006-01-02T15:04:05")
	_, err = sc.CreateSchedule(context.Background(), &scheduler.CreateScheduleInput{
		Name: aws.String("thankyou-later"), ScheduleExpression: aws.String("at(" + at + ")"),
		FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		Target: &schedtypes.Target{
			Arn:     aws.String("arn:aws:lambda:us-east-1:000000000000:function:ThankYouFunction"),
			RoleArn: aws.String("arn:aws:iam::000000000000:role/scheduler"), Input: aws.String(string(raw)),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	body := func() string {
		resp, err := http.Get(r.appURL + "/_sandbox/schedules")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if !strings.Contains(body(), "default/thankyou-later") || !strings.Contains(body(), "0×") {
		t.Errorf("schedules page does not list the pending schedule:\n%s", body())
	}
	r.sb.Advance(context.Background(), 71*time.Hour)
	r.sb.Idle()
	if len(r.sb.Messages()) != 0 {
		t.Fatal("fired before its time")
	}
	r.sb.Advance(context.Background(), 2*time.Hour)
	r.sb.Idle()
	if len(r.sb.Messages()) != 1 {
		t.Fatalf("%d emails after the schedule's time, want 1", len(r.sb.Messages()))
	}
	if len(r.activities("schedule", "thankyou-later fired")) != 1 || !strings.Contains(body(), "1×") {
		t.Errorf("firing not shown:\n%s", body())
	}
}

// With DATA set, make run keeps the inbox, dead letters, schedules and clock across restarts.
func TestStateSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	r := start(t, repoTemplate(t), nil)
	r.putSample(t, "first-order.json", r.placedNow(nil))
	r.putSample(t, "first-order.json", r.placedNow(func(d string) string { return strings.Replace(d, `"email": "sara@example.com",`, "", 1) }))
	r.sb.Advance(context.Background(), 24*time.Hour)
	if err := r.sb.Save(dir); err != nil {
		t.Fatal(err)
	}
	again := start(t, repoTemplate(t), nil)
	if err := again.sb.Load(dir); err != nil {
		t.Fatal(err)
	}
	if len(again.sb.Messages()) != 1 || again.sb.Messages()[0].ID != r.sb.Messages()[0].ID || len(again.sb.DeadLetters()) != 3 {
		t.Errorf("restored %d emails and %d dead letters", len(again.sb.Messages()), len(again.sb.DeadLetters()))
	}
	if ahead := again.sb.Clock().Offset(); ahead < 24*time.Hour {
		t.Errorf("clock restored %s ahead, want 24h", ahead)
	}
	// The order's survey, planned through the Scheduler API, is still pending.
	schedules := func(sb *sandbox.Sandbox) (out []string) {
		for _, sc := range sb.Schedules() {
			if sc.Recurring {
				continue // the template's own (the sweeps) are loaded anew, from the clock
			}
			out = append(out, fmt.Sprintf("%s/%s next %s fired %d×", sc.Group, sc.Name, sc.Next.Format(time.RFC3339), len(sc.Fired)))
		}
		return out
	}
	before, after := schedules(r.sb), schedules(again.sb)
	if len(before) == 0 || !slices.Equal(before, after) {
		t.Errorf("schedules before the restart %v, after %v", before, after)
	}
	// The generated token keys are kept: links in emails sent before the restart still work.
	unsub, err := emailtest.CheckMarketing(emailtest.MustParse(t, r.sb.Messages()[0].Raw))
	if err != nil {
		t.Fatal(err)
	}
	unsub = strings.Replace(unsub, r.appURL, again.appURL, 1)
	if res, _ := again.do(t, "GET", unsub, chromeUA, nil); res.StatusCode != 200 {
		t.Errorf("an unsubscribe link from before the restart: %d", res.StatusCode)
	}
}

// The SES account's limits are the sandbox's to set: GetAccount reports them and a burst
// over the rate is throttled (the function's SES client then retries with backoff).
func TestSESLimitsAreConfigurable(t *testing.T) {
	r := startWith(t, sandbox.Config{Template: repoTemplate(t), SendRate: 1, DailyQuota: 200})
	ses := sesv2.NewFromConfig(aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(r.awsURL), Retryer: func() aws.Retryer { return aws.NopRetryer{} },
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	acct, err := ses.GetAccount(context.Background(), &sesv2.GetAccountInput{})
	if err != nil || acct.SendQuota.MaxSendRate != 1 || acct.SendQuota.Max24HourSend != 200 {
		t.Fatalf("GetAccount: %+v %v", acct.SendQuota, err)
	}
	send := func() error {
		_, err := ses.SendEmail(context.Background(), &sesv2.SendEmailInput{
			FromEmailAddress: aws.String("hello@shop.example"),
			Destination:      &sestypes.Destination{ToAddresses: []string{"a@example.com"}},
			Content: &sestypes.EmailContent{Simple: &sestypes.Message{
				Subject: &sestypes.Content{Data: aws.String("s")}, Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("b")}},
			}},
		})
		return err
	}
	var api smithy.APIError
	if err := send(); err != nil {
		t.Fatal(err)
	}
	if err := send(); !errors.As(err, &api) || api.ErrorCode() != "TooManyRequestsException" {
		t.Errorf("second send within a second at rate 1: %v", err)
	}
}
