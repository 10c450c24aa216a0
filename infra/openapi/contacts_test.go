package openapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"shopmail/infra/openapi"
	"shopmail/infra/openapi/openapitest"
	"shopmail/internal/contacts"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/web/contactsapi"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// down is a DynamoDB that is unavailable.
type down struct{ dynamo.Client }

var errDown = errors.New("connection refused")

func (down) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return nil, errDown
}
func (down) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return nil, errDown
}
func (down) BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	return nil, errDown
}
func (down) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return nil, errDown
}
func (down) DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return nil, errDown
}

func handler(client dynamo.Client, table string) *contactsapi.Contacts {
	st := &dynamo.Marketing{Store: dynamo.New(client, table, time.Now)}
	return &contactsapi.Contacts{Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Service: &contacts.Service{Store: st, Segments: st, Profiles: st, Pages: st, Ledger: st, Now: time.Now}}
}

type call struct {
	route, path, contentType, body string
	params                         map[string]string
	query                          map[string]string
	status                         int
}

// Every route of the contacts function answers every status the document gives it (but those
// only API Gateway answers: 401, 403, 429, and 413 where there is no body), each answer as
// documented: the real handler over DynamoDB Local (and over a DynamoDB that is down, for 503).
func TestContactsHandlerAnswersAsDocumented(t *testing.T) {
	client, table := dynamotest.NewTable(t)
	h := handler(client, table)
	id := map[string]string{"id": "c-1"}
	huge := `{"firstName": "` + strings.Repeat("x", 300<<10) + `"}`
	calls := []call{
		{route: "PUT /contacts/{id}", path: "/contacts/c-1", params: id, contentType: "application/json", status: 201,
			body: `{"email": "sara@example.com", "firstName": "Sara", "locale": "fa-IR", "consent": {"sales": {"given": true, "source": "form", "at": "2026-11-30T10:00:00Z"}}}`},
		{route: "PUT /contacts/{id}", path: "/contacts/c-1", params: id, contentType: "application/json", body: `{"lastName": "Ahmadi"}`, status: 200},
		{route: "PUT /contacts/{id}", path: "/contacts/c-1", params: id, contentType: "application/json", body: `{"nickname": "x"}`, status: 400},
		{route: "PUT /contacts/{id}", path: "/contacts/c-1", params: id, contentType: "application/json", body: `{"id": "c-2"}`, status: 409},
		{route: "PUT /contacts/{id}", path: "/contacts/c-1", params: id, contentType: "application/json", body: huge, status: 413},
		{route: "GET /contacts", path: "/contacts", status: 200},
		{route: "GET /contacts", path: "/contacts", query: map[string]string{"email": "sara@example.com"}, status: 200},
		{route: "GET /contacts", path: "/contacts", query: map[string]string{"limit": "0"}, status: 400},
		{route: "GET /contacts/{id}", path: "/contacts/c-1", params: id, status: 200},
		{route: "GET /contacts/{id}", path: "/contacts/c-1", params: id, query: map[string]string{"cursor": "!"}, status: 400},
		{route: "GET /contacts/{id}", path: "/contacts/c-9", params: map[string]string{"id": "c-9"}, status: 404},
		{route: "GET /contacts/{id}/export", path: "/contacts/c-1/export", params: id, status: 200},
		{route: "GET /contacts/{id}/export", path: "/contacts/c-9/export", params: map[string]string{"id": "c-9"}, status: 404},
		{route: "GET /contacts/{id}/export", path: "/contacts/x/export", params: map[string]string{"id": strings.Repeat("x", 200)}, status: 400},
		{route: "GET /contacts/{id}/loyalty", path: "/contacts/c-1/loyalty", params: id, status: 200},
		{route: "GET /contacts/{id}/loyalty", path: "/contacts/c-1/loyalty", params: id, query: map[string]string{"cursor": "!"}, status: 400},
		{route: "GET /contacts/{id}/loyalty", path: "/contacts/c-1/loyalty", params: id, query: map[string]string{"limit": "0"}, status: 400},
		{route: "GET /contacts/{id}/loyalty", path: "/contacts/c-9/loyalty", params: map[string]string{"id": "c-9"}, status: 404},
		{route: "POST /contacts/import", path: "/contacts/import", contentType: "text/csv", body: "id,email\nc-2,ali@example.com\nc-3,bad\n", status: 200},
		{route: "POST /contacts/import", path: "/contacts/import", contentType: "application/x-ndjson", body: `{"id": "c-4", "email": "nd@example.com"}` + "\n", status: 200},
		{route: "POST /contacts/import", path: "/contacts/import", contentType: "text/csv", body: "id,e-mail\n", status: 400},
		{route: "POST /contacts/import", path: "/contacts/import", contentType: "text/csv", body: "id\n" + strings.Repeat("x", contacts.MaxImportBytes), status: 413},
		{route: "POST /contacts/import", path: "/contacts/import", contentType: "application/json", body: "[]", status: 415},
		{route: "POST /segments", path: "/segments", contentType: "application/json", body: `{"name": "Persian", "rule": {"locale": "fa"}}`, status: 201},
		{route: "POST /segments", path: "/segments", contentType: "application/json", body: `{"name": "bad", "rule": {"locale": 7}}`, status: 400},
		{route: "POST /segments", path: "/segments", contentType: "application/json", body: `{"name": "` + strings.Repeat("x", 300<<10) + `"}`, status: 413},
		{route: "GET /segments", path: "/segments", status: 200},
		{route: "GET /segments", path: "/segments", query: map[string]string{"limit": "1000"}, status: 400},
		{route: "POST /segments/preview", path: "/segments/preview", contentType: "application/json", body: `{"rule": {"locale": "fa"}}`, status: 200},
		{route: "POST /segments/preview", path: "/segments/preview", contentType: "application/json", body: `{"id": "seg-none"}`, status: 404},
		{route: "POST /segments/preview", path: "/segments/preview", contentType: "application/json", body: `{"rule": {"nope": 1}}`, status: 400},
		{route: "POST /segments/preview", path: "/segments/preview", contentType: "application/json", body: `{"rule": "` + strings.Repeat("x", 300<<10) + `"}`, status: 413},
		{route: "GET /segments/{id}", path: "/segments/seg-none", params: map[string]string{"id": "seg-none"}, status: 404},
		{route: "GET /segments/{id}", path: "/segments/x", params: map[string]string{"id": "x"}, status: 400},
		{route: "PUT /segments/{id}", path: "/segments/seg-none", params: map[string]string{"id": "seg-none"}, contentType: "application/json", body: `{"name": "x", "rule": {"tag": "vip"}}`, status: 404},
		{route: "PUT /segments/{id}", path: "/segments/x", params: map[string]string{"id": "x"}, contentType: "application/json", body: `{"name": "x", "rule": {"tag": "vip"}}`, status: 400},
		{route: "PUT /segments/{id}", path: "/segments/seg-none", params: map[string]string{"id": "seg-none"}, contentType: "application/json", body: huge, status: 413},
		{route: "DELETE /segments/{id}", path: "/segments/seg-none", params: map[string]string{"id": "seg-none"}, status: 404},
		{route: "DELETE /segments/{id}", path: "/segments/x", params: map[string]string{"id": "x"}, status: 400},
		{route: "DELETE /contacts/{id}", path: "/contacts/c-9", params: map[string]string{"id": "c-9"}, status: 404},
		{route: "DELETE /contacts/{id}", path: "/contacts/x", params: map[string]string{"id": strings.Repeat("x", 200)}, status: 400},
		{route: "DELETE /contacts/{id}", path: "/contacts/c-1", params: id, status: 204},
	}
	covered := map[string]bool{}
	var segID string
	for _, c := range calls {
		status, body := serve(t, h, c)
		if status != c.status {
			t.Errorf("%s %s %v: %d %.300s, want %d", c.route, c.path, c.query, status, body, c.status)
			continue
		}
		if c.route == "POST /segments" && status == 201 {
			var sg struct{ ID string }
			json.Unmarshal([]byte(body), &sg)
			segID = sg.ID
			// The stored segment's own routes.
			for _, more := range []call{
				{route: "GET /segments/{id}", path: "/segments/" + segID, status: 200},
				{route: "PUT /segments/{id}", path: "/segments/" + segID, contentType: "application/json", body: `{"name": "Persian speakers", "rule": {"locale": "fa"}}`, status: 200},
				{route: "POST /segments/preview", path: "/segments/preview", contentType: "application/json", body: `{"id": "` + segID + `"}`, status: 200},
				{route: "DELETE /segments/{id}", path: "/segments/" + segID, status: 204},
			} {
				more.params = map[string]string{"id": segID}
				if st, b := serve(t, h, more); st != more.status {
					t.Errorf("%s: %d %.300s, want %d", more.route, st, b, more.status)
				} else {
					covered[more.route+" "+itoa(st)] = true
				}
			}
		}
		covered[c.route+" "+itoa(status)] = true
	}
	// DynamoDB down: every route says "try again" (503), as documented.
	broken := handler(down{client}, table)
	for _, c := range calls {
		if c.status >= 400 && c.status != 404 {
			continue
		}
		if status, body := serve(t, broken, c); status != 503 {
			t.Errorf("%s with DynamoDB down: %d %.200s, want 503", c.route, status, body)
		}
		covered[c.route+" 503"] = true
	}
	for op, statuses := range documented(t, "/contacts", "/segments") {
		for _, st := range statuses {
			if !covered[op+" "+st] {
				t.Errorf("%s answers %s in the document, and no test request got it", op, st)
			}
		}
	}
}

func serve(t *testing.T, h *contactsapi.Contacts, c call) (int, string) {
	t.Helper()
	method, _, _ := strings.Cut(c.route, " ")
	r := events.APIGatewayV2HTTPRequest{RouteKey: c.route, RawPath: c.path, PathParameters: c.params, QueryStringParameters: c.query,
		Headers: map[string]string{}, Body: c.body}
	r.RequestContext.HTTP.Method = method
	if c.contentType != "" {
		r.Headers["content-type"] = c.contentType
	}
	resp := h.Serve(context.Background(), r)
	openapitest.Check(t, method, c.path, resp.StatusCode, resp.Headers["content-type"], []byte(resp.Body))
	return resp.StatusCode, resp.Body
}

// documented lists, per route under one of the prefixes, the statuses the function itself
// answers.
func documented(t *testing.T, prefixes ...string) map[string][]string {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapi.Document, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for path, ops := range doc.Paths {
		if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(path, p) }) {
			continue
		}
		for method, raw := range ops {
			var op struct {
				Responses   map[string]any `json:"responses"`
				RequestBody any            `json:"requestBody"`
			}
			if method == "parameters" || json.Unmarshal(raw, &op) != nil {
				continue
			}
			for st := range op.Responses {
				switch {
				case st == "401" || st == "403" || st == "429":
				case st == "413" && op.RequestBody == nil:
				default:
					out[strings.ToUpper(method)+" "+path] = append(out[strings.ToUpper(method)+" "+path], st)
				}
			}
		}
	}
	return out
}
