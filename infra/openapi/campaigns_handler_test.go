package openapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/infra/openapi/openapitest"
	"shopmail/internal/campaigns"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/email"
	"shopmail/internal/render"
	"shopmail/internal/send/outbox"
	"shopmail/internal/web"
	"shopmail/internal/web/campaignsapi"
)

func campaignsHandler(client dynamo.Client, table string) *campaignsapi.Campaigns {
	st := &dynamo.Marketing{Store: dynamo.New(client, table, time.Now)}
	return &campaignsapi.Campaigns{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Service: &campaigns.Service{Store: st, Runs: st, Now: time.Now,
		Shop:    render.Brand{ShopName: "Tea House", ShopURL: "https://shop.example", SenderName: "Tea House", PostalAddress: "1 Leaf Street"},
		From:    email.Address{Name: "Tea House", Email: "hello@shop.example"},
		Sending: campaigns.Sending{Scheduler: nowhere{}, Queue: nowhere{}, Mailer: &outbox.Outbox{}}}}
}

// nowhere takes schedules and queue messages and does nothing with them: the fan-out is
// tested in the sandbox.
type nowhere struct{}

func (nowhere) At(context.Context, string, time.Time, []byte) error { return nil }
func (nowhere) Delete(context.Context, string) error                { return nil }
func (nowhere) Send(context.Context, []string) error                { return nil }

// Every campaign route answers every status the document gives it (but the gateway's), each
// answer as documented: the real handler over DynamoDB Local, and over one that is down.
func TestCampaignsHandlerAnswersAsDocumented(t *testing.T) {
	client, table := dynamotest.NewTable(t)
	h := campaignsHandler(client, table)
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "campaigns", "create-campaign.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sample struct{ Body string }
	json.Unmarshal(raw, &sample)
	// The sample's sale is in December 2026: move it into the future of whenever this runs.
	year := time.Now().Year() + 1
	body := strings.ReplaceAll(sample.Body, "2026-12-", itoa(year)+"-12-")
	serve := func(route, path, contentType, body string, id string) web.Response {
		method, _, _ := strings.Cut(route, " ")
		r := web.Request{RouteKey: route, RawPath: path, Headers: map[string]string{}, Body: body}
		r.RequestContext.HTTP.Method = method
		if id != "" {
			r.PathParameters = map[string]string{"id": id}
		}
		if contentType != "" {
			r.Headers["content-type"] = contentType
		}
		resp := h.Serve(t.Context(), r)
		openapitestCheck(t, method, path, resp)
		return resp
	}
	covered := map[string]bool{}
	want := func(route string, got web.Response, status int) {
		t.Helper()
		if got.StatusCode != status {
			t.Errorf("%s: %d %.300s, want %d", route, got.StatusCode, got.Body, status)
			return
		}
		covered[route+" "+itoa(status)] = true
	}
	huge := `{"name": "` + strings.Repeat("x", 300<<10) + `"}`
	created := serve("POST /campaigns", "/campaigns", "application/json", body, "")
	want("POST /campaigns", created, 201)
	var c struct{ ID string }
	json.Unmarshal([]byte(created.Body), &c)
	p := "/campaigns/" + c.ID
	want("POST /campaigns", serve("POST /campaigns", "/campaigns", "application/json", `{"name": 7}`, ""), 400)
	want("POST /campaigns", serve("POST /campaigns", "/campaigns", "application/json", huge, ""), 413)
	want("POST /campaigns", serve("POST /campaigns", "/campaigns", "text/plain", body, ""), 415)
	want("GET /campaigns", serve("GET /campaigns", "/campaigns", "", "", ""), 200)
	bad := web.Request{RouteKey: "GET /campaigns", RawPath: "/campaigns", QueryStringParameters: map[string]string{"status": "finished"}}
	bad.RequestContext.HTTP.Method = "GET"
	resp := h.Serve(t.Context(), bad)
	openapitestCheck(t, "GET", "/campaigns", resp)
	want("GET /campaigns", resp, 400)
	want("GET /campaigns/{id}", serve("GET /campaigns/{id}", p, "", "", c.ID), 200)
	want("GET /campaigns/{id}", serve("GET /campaigns/{id}", "/campaigns/x", "", "", "x"), 400)
	want("GET /campaigns/{id}", serve("GET /campaigns/{id}", "/campaigns/cmp-none", "", "", "cmp-none"), 404)
	want("PATCH /campaigns/{id}", serve("PATCH /campaigns/{id}", p, "application/merge-patch+json", `{"name": "Yalda"}`, c.ID), 200)
	want("PATCH /campaigns/{id}", serve("PATCH /campaigns/{id}", p, "application/merge-patch+json", `{"content": null}`, c.ID), 400)
	want("PATCH /campaigns/{id}", serve("PATCH /campaigns/{id}", "/campaigns/cmp-none", "application/json", `{}`, "cmp-none"), 404)
	want("PATCH /campaigns/{id}", serve("PATCH /campaigns/{id}", p, "application/json", huge, c.ID), 413)
	want("PATCH /campaigns/{id}", serve("PATCH /campaigns/{id}", p, "text/plain", `{}`, c.ID), 415)
	want("POST /campaigns/{id}/preview", serve("POST /campaigns/{id}/preview", p+"/preview", "application/json", `{"locale": "fa"}`, c.ID), 200)
	want("POST /campaigns/{id}/preview", serve("POST /campaigns/{id}/preview", p+"/preview", "application/json", `{"locale": 7}`, c.ID), 400)
	want("POST /campaigns/{id}/preview", serve("POST /campaigns/{id}/preview", "/campaigns/cmp-none/preview", "", "", "cmp-none"), 404)
	want("POST /campaigns/{id}/preview", serve("POST /campaigns/{id}/preview", p+"/preview", "application/json", huge, c.ID), 413)
	want("DELETE /campaigns/{id}", serve("DELETE /campaigns/{id}", "/campaigns/x", "", "", "x"), 400)
	want("DELETE /campaigns/{id}", serve("DELETE /campaigns/{id}", "/campaigns/cmp-none", "", "", "cmp-none"), 404)
	want("DELETE /campaigns/{id}", serve("DELETE /campaigns/{id}", p, "", "", c.ID), 204)
	for _, route := range []string{"PATCH /campaigns/{id}", "DELETE /campaigns/{id}"} {
		// Conflicts: a campaign that is no longer a draft (its status moved by the store).
		created := serve("POST /campaigns", "/campaigns", "application/json", body, "")
		json.Unmarshal([]byte(created.Body), &c)
		markStatus(t, client, table, c.ID, "sending")
		want(route, serve(route, "/campaigns/"+c.ID, "application/json", `{"name": "x"}`, c.ID), 409)
	}
	// The sending routes: each in the status it works in, then in one it does not.
	fresh := func(status string) (string, string) {
		created := serve("POST /campaigns", "/campaigns", "application/json", body, "")
		json.Unmarshal([]byte(created.Body), &c)
		if status != "draft" {
			markStatus(t, client, table, c.ID, status)
		}
		return c.ID, "/campaigns/" + c.ID
	}
	at := `{"at": "` + time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}`
	id, p := fresh("draft")
	want("POST /campaigns/{id}/schedule", serve("POST /campaigns/{id}/schedule", p+"/schedule", "application/json", at, id), 200)
	want("POST /campaigns/{id}/schedule", serve("POST /campaigns/{id}/schedule", p+"/schedule", "application/json", `{"at": "2020-01-01T00:00:00Z"}`, id), 400)
	want("POST /campaigns/{id}/schedule", serve("POST /campaigns/{id}/schedule", "/campaigns/cmp-none/schedule", "application/json", at, "cmp-none"), 404)
	want("POST /campaigns/{id}/schedule", serve("POST /campaigns/{id}/schedule", p+"/schedule", "application/json", huge, id), 413)
	want("POST /campaigns/{id}/schedule", serve("POST /campaigns/{id}/schedule", p+"/schedule", "text/plain", at, id), 415)
	want("POST /campaigns/{id}/cancel", serve("POST /campaigns/{id}/cancel", p+"/cancel", "", "", id), 200)
	want("POST /campaigns/{id}/schedule", serve("POST /campaigns/{id}/schedule", p+"/schedule", "application/json", at, id), 409)
	want("POST /campaigns/{id}/cancel", serve("POST /campaigns/{id}/cancel", p+"/cancel", "", "", id), 409)
	id, p = fresh("sending")
	want("POST /campaigns/{id}/pause", serve("POST /campaigns/{id}/pause", p+"/pause", "", "", id), 200)
	want("POST /campaigns/{id}/pause", serve("POST /campaigns/{id}/pause", p+"/pause", "", "", id), 409)
	want("POST /campaigns/{id}/resume", serve("POST /campaigns/{id}/resume", p+"/resume", "", "", id), 200)
	want("POST /campaigns/{id}/resume", serve("POST /campaigns/{id}/resume", p+"/resume", "", "", id), 409)
	want("POST /campaigns/{id}/retry-failed", serve("POST /campaigns/{id}/retry-failed", p+"/retry-failed", "", "", id), 202)
	want("GET /campaigns/{id}/stats", serve("GET /campaigns/{id}/stats", p+"/stats", "", "", id), 200)
	id, p = fresh("draft")
	want("POST /campaigns/{id}/retry-failed", serve("POST /campaigns/{id}/retry-failed", p+"/retry-failed", "", "", id), 409)
	want("POST /campaigns/{id}/test", serve("POST /campaigns/{id}/test", p+"/test", "application/json", `{"addresses": ["me@shop.example"], "locale": "fa"}`, id), 200)
	want("POST /campaigns/{id}/test", serve("POST /campaigns/{id}/test", p+"/test", "application/json", `{"addresses": []}`, id), 400)
	want("POST /campaigns/{id}/test", serve("POST /campaigns/{id}/test", "/campaigns/cmp-none/test", "application/json", `{"addresses": ["me@shop.example"]}`, "cmp-none"), 404)
	want("POST /campaigns/{id}/test", serve("POST /campaigns/{id}/test", p+"/test", "application/json", huge, id), 413)
	want("POST /campaigns/{id}/test", serve("POST /campaigns/{id}/test", p+"/test", "text/plain", `{}`, id), 415)
	for _, route := range []string{"POST /campaigns/{id}/pause", "POST /campaigns/{id}/resume", "POST /campaigns/{id}/cancel", "POST /campaigns/{id}/retry-failed", "GET /campaigns/{id}/stats"} {
		path := strings.ReplaceAll(route[strings.Index(route, " ")+1:], "{id}", "x")
		want(route, serve(route, path, "", "", "x"), 400)
		path = strings.ReplaceAll(route[strings.Index(route, " ")+1:], "{id}", "cmp-none")
		want(route, serve(route, path, "", "", "cmp-none"), 404)
	}
	broken := campaignsHandler(down{client}, table)
	h = broken
	for _, route := range []string{"POST /campaigns", "GET /campaigns", "GET /campaigns/{id}", "PATCH /campaigns/{id}", "DELETE /campaigns/{id}",
		"POST /campaigns/{id}/preview", "POST /campaigns/{id}/schedule", "POST /campaigns/{id}/pause", "POST /campaigns/{id}/resume",
		"POST /campaigns/{id}/cancel", "POST /campaigns/{id}/retry-failed", "POST /campaigns/{id}/test", "GET /campaigns/{id}/stats"} {
		path := strings.ReplaceAll(route[strings.Index(route, " ")+1:], "{id}", "cmp-x")
		b := body
		switch {
		case route == "POST /campaigns":
		case strings.HasPrefix(route, "PATCH"):
			b = `{}`
		case strings.HasSuffix(route, "/schedule"):
			b = at
		case strings.HasSuffix(route, "/test"):
			b = `{"addresses": ["me@shop.example"]}`
		default:
			b = ""
		}
		want(route, serve(route, path, "application/json", b, "cmp-x"), 503)
	}
	for op, statuses := range documented(t, "/campaigns") {
		for _, st := range statuses {
			if !covered[op+" "+st] {
				t.Errorf("%s answers %s in the document, and no test request got it", op, st)
			}
		}
	}
}

func openapitestCheck(t *testing.T, method, path string, resp web.Response) {
	t.Helper()
	openapitest.Check(t, method, path, resp.StatusCode, resp.Headers["content-type"], []byte(resp.Body))
}

// markStatus moves a stored campaign to a status, as the fan-out does.
func markStatus(t *testing.T, client *dynamodb.Client, table, id, status string) {
	t.Helper()
	if _, err := client.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{TableName: &table,
		Key:              map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "CAMPAIGNS"}, "SK": &types.AttributeValueMemberS{Value: "CAMPAIGN#" + id}},
		UpdateExpression: aws.String("SET #st = :s"), ExpressionAttributeNames: map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberS{Value: status}},
	}); err != nil {
		t.Fatal(err)
	}
}
