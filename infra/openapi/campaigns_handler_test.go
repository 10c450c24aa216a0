package openapi_test

import (
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
	"shopmail/internal/web"
	"shopmail/internal/web/campaignsapi"
)

func campaignsHandler(client dynamo.Client, table string) *campaignsapi.Campaigns {
	st := &dynamo.Marketing{Store: dynamo.New(client, table, time.Now)}
	return &campaignsapi.Campaigns{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Service: &campaigns.Service{Store: st, Now: time.Now,
		Shop: render.Brand{ShopName: "Tea House", ShopURL: "https://shop.example", SenderName: "Tea House", PostalAddress: "1 Leaf Street"},
		From: email.Address{Name: "Tea House", Email: "hello@shop.example"}}}
}

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
		markSending(t, client, table, c.ID)
		want(route, serve(route, "/campaigns/"+c.ID, "application/json", `{"name": "x"}`, c.ID), 409)
	}
	broken := campaignsHandler(down{client}, table)
	h = broken
	for _, route := range []string{"POST /campaigns", "GET /campaigns", "GET /campaigns/{id}", "PATCH /campaigns/{id}", "DELETE /campaigns/{id}", "POST /campaigns/{id}/preview"} {
		path := strings.ReplaceAll(route[strings.Index(route, " ")+1:], "{id}", "cmp-x")
		b := body
		if route != "POST /campaigns" {
			b = ""
		}
		if strings.HasPrefix(route, "PATCH") {
			b = `{}`
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

// markSending moves a stored campaign to sending, as the fan-out will.
func markSending(t *testing.T, client *dynamodb.Client, table, id string) {
	t.Helper()
	if _, err := client.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{TableName: &table,
		Key:              map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "CAMPAIGNS"}, "SK": &types.AttributeValueMemberS{Value: "CAMPAIGN#" + id}},
		UpdateExpression: aws.String("SET #st = :s"), ExpressionAttributeNames: map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberS{Value: "sending"}},
	}); err != nil {
		t.Fatal(err)
	}
}
