package sandbox_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"shopmail/internal/samtemplate"
	"shopmail/internal/sandbox"
	"shopmail/internal/wire"
)

// What the sandbox does for the functions to come: secrets, public routes, schedules, and the
// developer's own endpoints.

// tableOnly is the part of a test template that the sandbox needs: the table.
const tableOnly = `
Transform: AWS::Serverless-2016-10-31
Resources:
  MarketingTable:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}, {AttributeName: SK, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}, {AttributeName: SK, KeyType: RANGE}]
      BillingMode: PAY_PER_REQUEST
`

func parse(t *testing.T, resources string) *samtemplate.Template {
	t.Helper()
	tmpl, err := samtemplate.Parse([]byte(tableOnly + resources))
	if err != nil {
		t.Fatal(err)
	}
	tmpl.Dir = t.TempDir()
	return tmpl
}

const secretsTemplate = `
  Given:
    Type: AWS::SecretsManager::Secret
    Properties: {SecretString: '{"api":"given"}'}
  Bare:
    Type: AWS::SecretsManager::Secret
  Letters:
    Type: AWS::SecretsManager::Secret
    Properties:
      GenerateSecretString: {PasswordLength: 20, ExcludeNumbers: true, ExcludePunctuation: true, ExcludeUppercase: true, ExcludeCharacters: abc}
  Login:
    Type: AWS::SecretsManager::Secret
    Properties:
      GenerateSecretString: {SecretStringTemplate: '{"user":"shop"}', GenerateStringKey: password, PasswordLength: 16}
`

// Every secret of the template is served by name and ARN: SecretString as it is, the others
// generated as CloudFormation generates them, once, and kept across a restart.
func TestSecretsAreGeneratedAsCloudFormationDoes(t *testing.T) {
	tmpl := parse(t, secretsTemplate)
	r := startWith(t, sandbox.Config{Template: tmpl})
	get := func(r *running, id string) *secretsmanager.GetSecretValueOutput {
		t.Helper()
		sm := secretsmanager.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(r.awsURL),
			Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
		out, err := sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		if err != nil {
			t.Fatalf("GetSecretValue(%s): %v", id, err)
		}
		return out
	}
	arn := "arn:aws:secretsmanager:us-east-1:000000000000:secret:Bare-Sandbx"
	if out := get(r, arn); aws.ToString(out.Name) != "Bare" || aws.ToString(out.ARN) != arn || out.VersionStages[0] != "AWSCURRENT" || out.CreatedDate == nil {
		t.Errorf("by ARN: %+v", out)
	}
	if v := aws.ToString(get(r, "Given").SecretString); v != `{"api":"given"}` {
		t.Errorf("Given = %q", v)
	}
	bare := aws.ToString(get(r, "Bare").SecretString)
	if len(bare) != 32 || !strings.ContainsFunc(bare, unicode.IsUpper) || !strings.ContainsFunc(bare, unicode.IsLower) ||
		!strings.ContainsFunc(bare, unicode.IsDigit) || !strings.ContainsFunc(bare, unicode.IsPunct) && !strings.ContainsFunc(bare, unicode.IsSymbol) {
		t.Errorf("Bare = %q, want 32 characters of every type", bare)
	}
	letters := aws.ToString(get(r, "Letters").SecretString)
	if len(letters) != 20 || strings.Trim(letters, "defghijklmnopqrstuvwxyz") != "" {
		t.Errorf("Letters = %q, want 20 lower-case letters but a, b, c", letters)
	}
	var login struct{ User, Password string }
	if err := json.Unmarshal([]byte(aws.ToString(get(r, "Login").SecretString)), &login); err != nil || login.User != "shop" || len(login.Password) != 16 {
		t.Errorf("Login = %+v (%v)", login, err)
	}

	dir := t.TempDir()
	if err := r.sb.Save(dir); err != nil {
		t.Fatal(err)
	}
	again := startWith(t, sandbox.Config{Template: tmpl})
	if err := again.sb.Load(dir); err != nil {
		t.Fatal(err)
	}
	if v := aws.ToString(get(again, "Bare").SecretString); v != bare {
		t.Errorf("Bare after a restart = %q, want %q", v, bare)
	}
	sm := secretsmanager.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(r.awsURL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	_, err := sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("Bare-Sandbx")})
	var nf *smtypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("a name that is not the secret's: %v", err)
	}
}

// Links in emails point at the local app, unless the caller says otherwise; the developer's
// own endpoint for a service reaches the functions.
func TestFunctionEnvironments(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9324")
	r := start(t, repoTemplate(t), nil)
	env := r.sb.FunctionEnvironments()["ThankYouFunction"]
	if env["PUBLIC_URL"] != r.appURL || env["AWS_ENDPOINT_URL_SQS"] != "http://127.0.0.1:9324" || env["AWS_ENDPOINT_URL"] != r.awsURL {
		t.Errorf("environment: PUBLIC_URL %q, AWS_ENDPOINT_URL_SQS %q, AWS_ENDPOINT_URL %q", env["PUBLIC_URL"], env["AWS_ENDPOINT_URL_SQS"], env["AWS_ENDPOINT_URL"])
	}
	custom := startWith(t, sandbox.Config{Template: repoTemplate(t), Params: map[string]string{"PublicURL": "https://go.shop.example"}})
	if got := custom.sb.FunctionEnvironments()["ThankYouFunction"]["PUBLIC_URL"]; got != "https://go.shop.example" {
		t.Errorf("PUBLIC_URL = %q, want the caller's", got)
	}
}

// A sample put from the UI goes on the bus its rule listens to.
func TestSampleGoesOnTheRulesBus(t *testing.T) {
	r := startWith(t, sandbox.Config{Template: repoTemplate(t), Params: map[string]string{"OrderEventBusName": "shop-orders"}})
	resp, err := http.PostForm(r.appURL+"/_sandbox/put-event", url.Values{"sample": {"thankyou/first-order.json"}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("put-event: %v %v", resp, err)
	}
	r.sb.Idle()
	if placed := r.activities("event", "Order Placed on shop-orders"); len(placed) != 1 || len(placed[0].Matched) == 0 {
		t.Errorf("Order Placed: %+v", placed)
	}
	if len(r.sb.Messages()) != 1 {
		t.Errorf("%d emails, want the thank-you", len(r.sb.Messages()))
	}
}

const scheduledTemplate = `
  Sweep:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/sweep
      Events:
        EveryMinute: {Type: ScheduleV2, Properties: {ScheduleExpression: rate(1 minute)}}
        EveryTwoMinutes: {Type: ScheduleV2, Properties: {ScheduleExpression: rate(2 minutes)}}
`

// A week's jump of the clock fires each recurring schedule once, not once per missed minute,
// and the due schedules run one after another.
func TestClockJumpFiresEachScheduleOnceInTurn(t *testing.T) {
	var calls, running, most atomic.Int32
	sweep := func(func(string) (string, bool), *slog.Logger) (lambda.Handler, error) {
		return lambda.NewHandler(func(context.Context, json.RawMessage) error {
			calls.Add(1)
			n := running.Add(1)
			defer running.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(20 * time.Millisecond)
			return nil
		}), nil
	}
	r := start(t, parse(t, scheduledTemplate), map[string]wire.Builder{"sweep": sweep})
	if n := r.sb.Advance(context.Background(), 7*24*time.Hour); n != 2 {
		t.Errorf("Advance fired %d schedules, want 2", n)
	}
	r.sb.Idle()
	if calls.Load() != 2 || most.Load() != 1 {
		t.Errorf("%d invocations, %d at once; want 2, one at a time", calls.Load(), most.Load())
	}
}

const publicRoutesTemplate = `
  Tracking:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/echo
      Events:
        Open: {Type: HttpApi, Properties: {Path: "/o/{token}", Method: GET}}
        OpenHead: {Type: HttpApi, Properties: {Path: "/o/{token}", Method: HEAD}}
        Unsubscribe: {Type: HttpApi, Properties: {Path: "/u/{token}", Method: POST}}
  Responder:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/responder
      Events:
        Respond: {Type: HttpApi, Properties: {Path: "/r/{kind}", Method: GET}}
        RespondHead: {Type: HttpApi, Properties: {Path: "/r/{kind}", Method: HEAD}}
`

var gif = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// responder answers as the path says: an image, a redirect with cookies, a bare value.
func responder(func(string) (string, bool), *slog.Logger) (lambda.Handler, error) {
	return lambda.NewHandler(func(_ context.Context, ev events.APIGatewayV2HTTPRequest) (any, error) {
		switch ev.PathParameters["kind"] {
		case "gif":
			return events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"content-type": "image/gif"},
				Body: base64.StdEncoding.EncodeToString(gif), IsBase64Encoded: true}, nil
		case "redirect":
			return events.APIGatewayV2HTTPResponse{StatusCode: 302, Headers: map[string]string{"location": "https://shop.example/tea"},
				Cookies: []string{"seen=1; Path=/; HttpOnly", "v=2"}}, nil
		case "string":
			return "hello", nil
		case "broken":
			return map[string]any{"statusCode": 200, "isBase64Encoded": true, "body": "not base64!"}, nil
		}
		return map[string]any{"ok": true}, nil
	}), nil
}

// The public routes (pixel, click, unsubscribe) get what API Gateway gives a function and
// answer what it answers.
func TestPublicRoutesLikeAPIGateway(t *testing.T) {
	r := start(t, parse(t, publicRoutesTemplate), map[string]wire.Builder{"echo": echo, "responder": responder})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, path, contentType string, body []byte) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, r.appURL+path, bytes.NewReader(body))
		req.Header.Set("User-Agent", chromeUA)
		req.Header.Set("Accept-Language", "fa-IR,fa;q=0.9")
		req.Header.Add("Cookie", "a=1; b=2")
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	event := func(method, path, contentType string, body []byte) events.APIGatewayV2HTTPRequest {
		t.Helper()
		_, b := send(method, path, contentType, body)
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
		return ev
	}

	ev := event("GET", "/o/tok3n?utm_source=mail&x=1&x=2", "", nil)
	h := ev.RequestContext.HTTP
	if ev.RouteKey != "GET /o/{token}" || ev.PathParameters["token"] != "tok3n" || ev.RawQueryString != "utm_source=mail&x=1&x=2" ||
		ev.QueryStringParameters["x"] != "1,2" || ev.QueryStringParameters["utm_source"] != "mail" ||
		h.Method != "GET" || h.Path != "/o/tok3n" || h.Protocol != "HTTP/1.1" || h.SourceIP != "127.0.0.1" || h.UserAgent != chromeUA {
		t.Errorf("GET event: %+v", ev)
	}
	if ev.Headers["user-agent"] != chromeUA || ev.Headers["accept-language"] != "fa-IR,fa;q=0.9" || ev.Headers["cookie"] != "" ||
		strings.Join(ev.Cookies, " ") != "a=1 b=2" || ev.Body != "" || ev.IsBase64Encoded {
		t.Errorf("headers %v, cookies %v, body %q", ev.Headers, ev.Cookies, ev.Body)
	}

	// A form post reaches the function base64-encoded, as at API Gateway; JSON and text do not.
	form := []byte("List-Unsubscribe=One-Click")
	if ev := event("POST", "/u/tok3n", "application/x-www-form-urlencoded", form); !ev.IsBase64Encoded ||
		ev.Body != base64.StdEncoding.EncodeToString(form) || ev.Headers["content-type"] != "application/x-www-form-urlencoded" {
		t.Errorf("form post: %q base64 %v, content-type %q", ev.Body, ev.IsBase64Encoded, ev.Headers["content-type"])
	}
	if ev := event("POST", "/u/tok3n", "application/json; charset=utf-8", []byte(`{"a":"é"}`)); ev.IsBase64Encoded || ev.Body != `{"a":"é"}` {
		t.Errorf("JSON post: %q base64 %v", ev.Body, ev.IsBase64Encoded)
	}
	if ev := event("POST", "/u/tok3n", "text/plain", []byte{0xff, 0xfe}); !ev.IsBase64Encoded {
		t.Errorf("text that is not UTF-8 passed as text: %q", ev.Body)
	}

	if resp, b := send("GET", "/r/gif", "", nil); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/gif" || !bytes.Equal(b, gif) {
		t.Errorf("pixel: %d %v %q", resp.StatusCode, resp.Header, b)
	}
	if resp, _ := send("GET", "/r/redirect", "", nil); resp.StatusCode != 302 || resp.Header.Get("Location") != "https://shop.example/tea" ||
		strings.Join(resp.Header.Values("Set-Cookie"), " | ") != "seen=1; Path=/; HttpOnly | v=2" {
		t.Errorf("redirect: %d %v", resp.StatusCode, resp.Header)
	}
	for kind, want := range map[string]string{"string": "hello", "object": `{"ok":true}`} {
		if resp, b := send("GET", "/r/"+kind, "", nil); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || string(b) != want {
			t.Errorf("a bare %s: %d %v %q, want 200 JSON %q", kind, resp.StatusCode, resp.Header, b, want)
		}
	}
	if resp, _ := send("GET", "/r/broken", "", nil); resp.StatusCode != 500 {
		t.Errorf("a response with a body that is not base64: %d", resp.StatusCode)
	}

	// HEAD answers with the headers and no body.
	for _, path := range []string{"/r/gif", "/o/tok3n"} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(r.appURL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(conn, "HEAD "+path+" HTTP/1.1\r\nHost: "+strings.TrimPrefix(r.appURL, "http://")+"\r\nConnection: close\r\n\r\n")
		raw, _ := io.ReadAll(conn)
		conn.Close()
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), &http.Request{Method: "HEAD"})
		if err != nil || resp.StatusCode >= 300 || !bytes.HasSuffix(raw, []byte("\r\n\r\n")) {
			t.Errorf("HEAD %s: %v\n%s", path, err, raw)
		}
	}
}
