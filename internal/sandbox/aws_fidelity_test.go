package sandbox_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"shopmail/internal/email/emailtest"
	"shopmail/internal/sandbox"
)

// What real clients other than the Go SDK (the AWS CLI, the JS SDK) see of the AWS endpoint.

func (r *running) config() aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(r.awsURL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
}

// GetSecretValue answers by version stage and id as Secrets Manager does; PutSecretValue makes
// the value it replaces AWSPREVIOUS.
func TestSecretVersions(t *testing.T) {
	r := startWith(t, sandbox.Config{Template: parse(t, secretsTemplate)})
	sm := secretsmanager.NewFromConfig(r.config())
	ctx := context.Background()
	get := func(stage, version string) (*secretsmanager.GetSecretValueOutput, error) {
		in := &secretsmanager.GetSecretValueInput{SecretId: aws.String("Given")}
		if stage != "" {
			in.VersionStage = &stage
		}
		if version != "" {
			in.VersionId = &version
		}
		return sm.GetSecretValue(ctx, in)
	}
	notFound := func(what string, err error) {
		t.Helper()
		var nf *smtypes.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Errorf("%s: %v, want ResourceNotFoundException", what, err)
		}
	}
	first, err := get("", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = get("AWSPREVIOUS", "")
	notFound("AWSPREVIOUS before any rotation", err)
	_, err = get("AWSPENDING", "")
	notFound("a stage no version has", err)
	_, err = get("", "11111111-2222-3333-4444-555555555555")
	notFound("a version id that does not exist", err)

	put, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("Given"), SecretString: aws.String(`{"api":"rotated"}`)})
	if err != nil {
		t.Fatalf("PutSecretValue: %v", err)
	}
	cur, err := get("AWSCURRENT", "")
	if err != nil || aws.ToString(cur.SecretString) != `{"api":"rotated"}` || aws.ToString(cur.VersionId) != aws.ToString(put.VersionId) {
		t.Errorf("AWSCURRENT after PutSecretValue: %+v %v", cur, err)
	}
	prev, err := get("AWSPREVIOUS", "")
	if err != nil || aws.ToString(prev.SecretString) != `{"api":"given"}` || aws.ToString(prev.VersionId) != aws.ToString(first.VersionId) ||
		len(prev.VersionStages) != 1 || prev.VersionStages[0] != "AWSPREVIOUS" {
		t.Errorf("AWSPREVIOUS after PutSecretValue: %+v %v", prev, err)
	}
	byID, err := get("", aws.ToString(first.VersionId))
	if err != nil || aws.ToString(byID.SecretString) != `{"api":"given"}` {
		t.Errorf("the first version by its id: %+v %v", byID, err)
	}
	_, err = get("AWSCURRENT", aws.ToString(first.VersionId))
	notFound("a stage and a version id of different versions", err)
}

// sqsQuery posts an SQS query-protocol request as the AWS CLI v2 shipped by Debian does: a
// signed, form-encoded Action with Version 2012-11-05.
func (r *running) sqsQuery(t *testing.T, form url.Values) (int, string) {
	t.Helper()
	form.Set("Version", "2012-11-05")
	req, err := http.NewRequest(http.MethodPost, r.awsURL+"/", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// SendMessage over the query protocol answers in XML, as the CLI parses it; errors too.
func TestSQSQueryProtocol(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	dlq := r.sb.FunctionEnvironments()["ThankYouFunction"]["DEAD_LETTER_QUEUE_URL"]
	status, body := r.sqsQuery(t, url.Values{"Action": {"SendMessage"}, "QueueUrl": {dlq}, "MessageBody": {"hello"},
		"MessageAttribute.1.Name": {"reason"}, "MessageAttribute.1.Value.DataType": {"String"},
		"MessageAttribute.1.Value.StringValue": {"a test"}})
	var ok struct {
		XMLName xml.Name `xml:"SendMessageResponse"`
		Result  struct {
			MessageID        string `xml:"MessageId"`
			MD5OfMessageBody string
		} `xml:"SendMessageResult"`
		RequestID string `xml:"ResponseMetadata>RequestId"`
	}
	if err := xml.Unmarshal([]byte(body), &ok); status != http.StatusOK || err != nil {
		t.Fatalf("SendMessage: %d %v\n%s", status, err, body)
	}
	if ok.Result.MD5OfMessageBody != "5d41402abc4b2a76b9719d911017c592" || ok.RequestID == "" || ok.Result.MessageID == "" {
		t.Errorf("SendMessage answered %+v", ok)
	}
	dls := r.sb.DeadLetters()
	if len(dls) != 1 || dls[0].Body != "hello" || dls[0].ID != ok.Result.MessageID || dls[0].Attributes["reason"] != "a test" {
		t.Errorf("dead letters: %+v", dls)
	}

	other := strings.Replace(dlq, "DeadLetterQueue", "Elsewhere", 1)
	status, body = r.sqsQuery(t, url.Values{"Action": {"SendMessage"}, "QueueUrl": {other}, "MessageBody": {"x"}})
	var fail struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Error     struct{ Type, Code, Message string }
		RequestID string `xml:"RequestId"`
	}
	if err := xml.Unmarshal([]byte(body), &fail); err != nil || status != http.StatusBadRequest ||
		fail.Error.Type != "Sender" || fail.Error.Code != "AWS.SimpleQueueService.NonExistentQueue" || fail.Error.Message == "" || fail.RequestID == "" {
		t.Errorf("unknown queue: %d %+v (%v)\n%s", status, fail, err, body)
	}
	status, body = r.sqsQuery(t, url.Values{"Action": {"ReceiveMessage"}, "QueueUrl": {dlq}})
	if err := xml.Unmarshal([]byte(body), &fail); err != nil || status != http.StatusBadRequest || fail.Error.Code != "InvalidAction" {
		t.Errorf("an action the sandbox does not serve: %d %+v (%v)", status, fail, err)
	}

	// The JSON protocol still works with the real SDK client.
	out, err := sqs.NewFromConfig(r.config()).SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: &dlq, MessageBody: aws.String("json")})
	if err != nil || aws.ToString(out.MessageId) == "" || len(r.sb.DeadLetters()) != 2 {
		t.Errorf("SendMessage over JSON: %+v %v", out, err)
	}
}

// SendEmail naming a configuration set the account lacks is refused as SES refuses it: no
// mail, no events.
func TestSendEmailWithAnUnknownConfigurationSet(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	ses := sesv2.NewFromConfig(r.config(), func(o *sesv2.Options) { o.Retryer = aws.NopRetryer{} })
	in := func(set string) *sesv2.SendEmailInput {
		return &sesv2.SendEmailInput{
			FromEmailAddress: aws.String("hello@shop.example"), ConfigurationSetName: aws.String(set),
			Destination: &sestypes.Destination{ToAddresses: []string{"sara@example.com"}},
			Content: &sestypes.EmailContent{Simple: &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("hi")},
				Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("hello")}}}},
		}
	}
	_, err := ses.SendEmail(context.Background(), in("no-such-set"))
	var nf *sestypes.NotFoundException
	if !errors.As(err, &nf) || !strings.Contains(aws.ToString(nf.Message), "no-such-set") {
		t.Fatalf("SendEmail with an unknown configuration set: %v, want NotFoundException", err)
	}
	r.sb.Idle()
	if n := len(r.sb.Messages()); n != 0 {
		t.Errorf("%d emails stored", n)
	}
	if evs := r.activities("event", "aws.ses"); len(evs) != 0 {
		t.Errorf("SES events published: %+v", evs)
	}
	set := r.sb.FunctionEnvironments()["ThankYouFunction"]["SES_CONFIGURATION_SET"]
	if _, err := ses.SendEmail(context.Background(), in(set)); err != nil {
		t.Fatalf("SendEmail with the template's configuration set %q: %v", set, err)
	}
}

// GET /_aws/ses lists the sent mail as LocalStack does, filtered by id and by sender; DELETE
// clears it.
func TestLocalStackSentMailView(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	r.putSample(t, "first-order.json", nil)
	msgs := r.sb.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d emails sent, want 1", len(msgs))
	}
	type view struct {
		Messages []struct {
			ID, Region, Source, Subject, Timestamp string
			Destination                            struct{ ToAddresses []string }
			RawData                                *string
			Body                                   *struct {
				TextPart *string `json:"text_part"`
			}
		}
	}
	list := func(method, query string) (int, view) {
		t.Helper()
		req, _ := http.NewRequest(method, r.awsURL+"/_aws/ses"+query, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v view
		if method == http.MethodGet {
			if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
				t.Fatalf("GET /_aws/ses%s: %v", query, err)
			}
		}
		return resp.StatusCode, v
	}
	status, v := list(http.MethodGet, "")
	if status != http.StatusOK || len(v.Messages) != 1 {
		t.Fatalf("GET /_aws/ses: %d %+v", status, v)
	}
	m := v.Messages[0]
	if m.ID != msgs[0].ID || m.Region != "us-east-1" || !strings.Contains(m.Source, "hello@shop.example") ||
		strings.Join(m.Destination.ToAddresses, ",") == "" || m.Subject != "Thank you for your first order, Sara!" ||
		m.Timestamp == "" || m.Body != nil || m.RawData == nil {
		t.Errorf("the sent message: %+v", m)
	}
	if m.RawData != nil {
		if e := emailtest.MustParse(t, []byte(*m.RawData)); e.To.Address != "sara@example.com" {
			t.Errorf("RawData is to %s", e.To.Address)
		}
	}
	for query, want := range map[string]int{
		"?id=" + msgs[0].ID: 1, "?id=nope": 0, "?email=hello@shop.example": 1, "?email=other@shop.example": 0,
	} {
		if _, v := list(http.MethodGet, query); len(v.Messages) != want {
			t.Errorf("GET /_aws/ses%s: %d messages, want %d", query, len(v.Messages), want)
		}
	}
	// Loopback names only, like the rest of the endpoint (no DNS rebinding).
	req, _ := http.NewRequest(http.MethodGet, r.awsURL+"/_aws/ses", nil)
	req.Host = "rebind.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET /_aws/ses under another host name: %s, want 403", resp.Status)
	}
	if status, _ := list(http.MethodDelete, "?id="+msgs[0].ID); status != http.StatusNoContent {
		t.Errorf("DELETE: %d", status)
	}
	if _, v := list(http.MethodGet, ""); len(v.Messages) != 0 {
		t.Errorf("after DELETE: %+v", v)
	}
}
