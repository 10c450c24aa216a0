package openapitest_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shopmail/infra/openapi/openapitest"
)

func validator(t *testing.T) *openapitest.Validator {
	t.Helper()
	v, err := openapitest.Default()
	if err != nil {
		t.Fatalf("the document does not compile: %v", err)
	}
	return v
}

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

const (
	contact = `{"id": "c-42", "email": "sara@example.com", "locale": "fa-IR", "tags": ["vip"],
		"consent": {"sales": {"given": true, "source": "checkout form", "at": "2026-11-22T10:15:00Z"}},
		"createdAt": "2026-11-22T10:15:02Z", "updatedAt": "2026-12-01T08:00:00Z"}`
	detail = `{"contact": ` + contact + `, "preferences": {"all": {"on": false, "at": "2026-12-02T19:04:00Z"}},
		"suppression": {"suppressed": false},
		"counts": {"orders": 1, "sent": 2, "delivered": 2, "opened": 1, "clicked": 0, "answers": 0},
		"timeline": [{"at": "2026-11-22T10:15:00Z", "type": "order", "summary": "Order o-1001", "ref": "o-1001"}],
		"next": "abc"}`
	rule = `{"all": [{"locale": "fa"}, {"consent": "sales"}, {"ordered": {"category": "tea", "withinDays": 90}}]}`
)

func TestResponsesAsDocumentedPass(t *testing.T) {
	v := validator(t)
	for _, c := range []struct {
		method, path string
		status       int
		contentType  string
		body         string
	}{
		{"GET", "/contacts/c-42", 200, "application/json", detail},
		{"GET", "/contacts/{id}", 200, "application/json; charset=utf-8", detail},
		{"GET", "/contacts", 200, "application/json", `{"items": [` + contact + `], "next": "x"}`},
		{"GET", "/contacts", 200, "application/json", `{"items": []}`},
		{"GET", "/contacts?email=sara%40example.com", 200, "application/json", `{"items": []}`},
		{"PUT", "/contacts/c-42", 201, "application/json", contact},
		{"PUT", "/contacts/c-42", 200, "application/json", contact},
		{"PUT", "/contacts/c-42", 409, "application/json", `{"error": {"code": "conflict", "message": "id", "fields": {"id": "must be c-42"}}}`},
		{"DELETE", "/contacts/c-42", 204, "", ``},
		{"GET", "/contacts/c%2F42/export", 404, "application/json", `{"error": {"code": "not_found", "message": "no contact c/42"}}`},
		{"POST", "/contacts/import", 200, "application/json", `{"imported": 1, "updated": 0, "unchanged": 0, "failed": [{"row": 2, "error": "email"}]}`},
		{"POST", "/segments/preview", 200, "application/json", `{"count": 0, "sample": [], "exact": true}`},
		{"GET", "/segments/seg-1", 200, "application/json", `{"id": "seg-1", "name": "Tea", "rule": ` + rule + `, "createdAt": "2026-12-01T09:00:00Z", "updatedAt": "2026-12-01T09:00:00Z"}`},
		// What API Gateway answers itself.
		{"GET", "/segments", 401, "application/json", `{"message": "Unauthorized"}`},
		{"GET", "/segments", 403, "application/json", `{"message": "Forbidden"}`},
		{"GET", "/segments", 413, "application/json", `{"message": "Request Entity Too Large"}`},
		{"GET", "/segments", 429, "application/json", `{"message": "Too Many Requests"}`},
		// A 413 of a route with a body comes from the gateway or from the function.
		{"POST", "/segments", 413, "application/json", `{"message": "Request Entity Too Large"}`},
		{"POST", "/segments", 413, "application/json", `{"error": {"code": "too_large", "message": "at most 1 MB"}}`},
		{"POST", "/segments", 400, "application/json", `{"error": {"code": "invalid", "message": "invalid contact: rule.all[2].ordered.mni: unknown field", "fields": {"rule.all[2].ordered": "unknown field \"mni\""}}}`},
		{"GET", "/reports/surveys", 400, "application/json", `{"error": {"code": "invalid", "message": "from must be before to"}}`},
	} {
		h := http.Header{}
		if c.contentType != "" {
			h.Set("Content-Type", c.contentType)
		}
		if err := v.ValidateResponse(c.method, c.path, c.status, h, []byte(c.body)); err != nil {
			t.Errorf("%s %s %d: %v", c.method, c.path, c.status, err)
		}
	}
}

func TestResponsesNotAsDocumentedFail(t *testing.T) {
	v := validator(t)
	for name, c := range map[string]struct {
		method, path string
		status       int
		contentType  string
		body         string
		want         error
	}{
		"a required field missing":        {"GET", "/contacts/c-42", 200, "application/json", strings.Replace(detail, `"counts"`, `"totals"`, 1), openapitest.ErrBody},
		"a nested field missing":          {"GET", "/contacts", 200, "application/json", `{"items": [{"id": "c-42", "createdAt": "2026-11-22T10:15:02Z"}]}`, openapitest.ErrBody},
		"null for an empty list":          {"GET", "/contacts", 200, "application/json", `{"items": null}`, openapitest.ErrBody},
		"not a date-time":                 {"PUT", "/contacts/c-42", 200, "application/json", strings.Replace(contact, `"2026-12-01T08:00:00Z"`, `"yesterday"`, 1), openapitest.ErrBody},
		"consent given, no source":        {"PUT", "/contacts/c-42", 200, "application/json", strings.Replace(contact, `"source": "checkout form", `, ``, 1), openapitest.ErrBody},
		"a sample of six":                 {"POST", "/segments/preview", 200, "application/json", `{"count": 6, "exact": true, "sample": [{"id": "1"}, {"id": "2"}, {"id": "3"}, {"id": "4"}, {"id": "5"}, {"id": "6"}]}`, openapitest.ErrBody},
		"not JSON":                        {"GET", "/segments", 200, "application/json", `{"items": [`, openapitest.ErrBody},
		"an error of another code":        {"GET", "/segments/seg-1", 404, "application/json", `{"error": {"code": "invalid", "message": "x"}}`, openapitest.ErrBody},
		"an error as a string":            {"GET", "/segments/seg-1", 404, "application/json", `{"error": "no such segment"}`, openapitest.ErrBody},
		"the function's 401":              {"GET", "/segments", 401, "application/json", `{"error": {"code": "invalid", "message": "no token"}}`, openapitest.ErrBody},
		"a function's 413 without a body": {"GET", "/segments", 413, "application/json", `{"error": {"code": "too_large", "message": "x"}}`, openapitest.ErrBody},
		"a body with a 204":               {"DELETE", "/segments/seg-1", 204, "application/json", `{}`, openapitest.ErrBody},
		"an undocumented status":          {"GET", "/contacts/c-42", 418, "application/json", `{}`, openapitest.ErrUndocumentedStatus},
		"201 where 200 is documented":     {"POST", "/segments/preview", 201, "application/json", `{"count": 0, "sample": [], "exact": true}`, openapitest.ErrUndocumentedStatus},
		"404 of a list":                   {"GET", "/contacts", 404, "application/json", `{"error": {"code": "not_found", "message": "x"}}`, openapitest.ErrUndocumentedStatus},
		"a 500":                           {"GET", "/reports/surveys", 500, "application/json", `{"message": "Internal Server Error"}`, openapitest.ErrUndocumentedStatus},
		"HTML":                            {"GET", "/contacts/c-42", 200, "text/html; charset=utf-8", `<p>hi</p>`, openapitest.ErrContentType},
		"no content type":                 {"GET", "/contacts/c-42", 200, "", detail, openapitest.ErrContentType},
		"an unknown path":                 {"GET", "/nowhere", 200, "application/json", `{}`, openapitest.ErrUnknownRoute},
		"an unknown method":               {"PATCH", "/contacts/c-42", 200, "application/json", contact, openapitest.ErrUnknownRoute},
		"a segment too many":              {"GET", "/contacts/c-42/export/more", 200, "application/json", `{}`, openapitest.ErrUnknownRoute},
		"an empty id":                     {"GET", "/contacts//export", 200, "application/json", `{}`, openapitest.ErrUnknownRoute},
	} {
		h := http.Header{}
		if c.contentType != "" {
			h.Set("Content-Type", c.contentType)
		}
		err := v.ValidateResponse(c.method, c.path, c.status, h, []byte(c.body))
		if !errors.Is(err, c.want) {
			t.Errorf("%s: ValidateResponse(%s %s %d) = %v, want %v", name, c.method, c.path, c.status, err, c.want)
		}
	}
}

func TestRequests(t *testing.T) {
	v := validator(t)
	csv := http.Header{"Content-Type": {"text/csv"}}
	for name, c := range map[string]struct {
		method, target string
		header         http.Header
		body           string
		want           error // nil: valid
	}{
		"a contact":             {"PUT", "/contacts/c-42", jsonHeader(), `{"email": "sara@example.com", "country": "IR", "birthday": "1990-03-21"}`, nil},
		"an IDN address":        {"PUT", "/contacts/c-42", jsonHeader(), `{"email": "sara@müller.de"}`, nil},
		"an SMTPUTF8 address":   {"PUT", "/contacts/c-42", jsonHeader(), `{"email": "سارا@example.com"}`, nil},
		"not an address":        {"PUT", "/contacts/c-42", jsonHeader(), `{"email": "sara"}`, openapitest.ErrBody},
		"a space in an address": {"PUT", "/contacts/c-42", jsonHeader(), `{"email": "sara ahmadi@example.com"}`, openapitest.ErrBody},
		"no domain":             {"PUT", "/contacts/c-42", jsonHeader(), `{"email": "sara@"}`, openapitest.ErrBody},
		"an empty contact":      {"PUT", "/contacts/c-42", jsonHeader(), `{}`, nil},
		"a list page":           {"GET", "/contacts?limit=100&cursor=abc", nil, ``, nil},
		"a lookup":              {"GET", "/contacts?email=" + url.QueryEscape("Sara@Example.com"), nil, ``, nil},
		"a timeline page":       {"GET", "/contacts/c-42?limit=1", nil, ``, nil},
		"a report":              {"GET", "/reports/surveys?from=2026-11-01&to=2026-12-01&interval=month&locale=fa&category=tea", nil, ``, nil},
		"a rule":                {"POST", "/segments", jsonHeader(), `{"name": "Tea", "rule": ` + rule + `}`, nil},
		"a preview of a rule":   {"POST", "/segments/preview", jsonHeader(), `{"rule": {"not": {"engaged": {"withinDays": 180}}}}`, nil},
		"a preview of a saved":  {"POST", "/segments/preview", jsonHeader(), `{"id": "seg-1"}`, nil},
		"a CSV import":          {"POST", "/contacts/import", csv, "id,email\nc-1,a@example.com\n", nil},
		"an NDJSON import":      {"POST", "/contacts/import", http.Header{"Content-Type": {"application/x-ndjson"}}, `{"id":"c-1"}` + "\n", nil},
		"an unknown field":      {"PUT", "/contacts/c-42", jsonHeader(), `{"emial": "sara@example.com"}`, openapitest.ErrBody},
		"51 tags":               {"PUT", "/contacts/c-42", jsonHeader(), `{"tags": [` + strings.Repeat(`"t",`, 50) + `"t"]}`, openapitest.ErrBody},
		"a lower-case country":  {"PUT", "/contacts/c-42", jsonHeader(), `{"country": "ir"}`, openapitest.ErrBody},
		"an unknown topic":      {"PUT", "/contacts/c-42", jsonHeader(), `{"consent": {"spam": {"given": false}}}`, openapitest.ErrBody},
		"a rule and an id":      {"POST", "/segments/preview", jsonHeader(), `{"rule": {"tag": "vip"}, "id": "seg-1"}`, openapitest.ErrBody},
		"neither rule nor id":   {"POST", "/segments/preview", jsonHeader(), `{}`, openapitest.ErrBody},
		"category and sku":      {"POST", "/segments", jsonHeader(), `{"name": "x", "rule": {"all": [{"ordered": {"category": "tea", "sku": "TEA-01"}}]}}`, openapitest.ErrBody},
		"two keys in a rule":    {"POST", "/segments", jsonHeader(), `{"name": "x", "rule": {"tag": "vip", "locale": "fa"}}`, openapitest.ErrBody},
		"an amount as a number": {"POST", "/segments", jsonHeader(), `{"name": "x", "rule": {"spent": {"currency": "USD", "min": 250}}}`, openapitest.ErrBody},
		"a CSAT of 6":           {"POST", "/segments", jsonHeader(), `{"name": "x", "rule": {"csat": {"min": 6}}}`, openapitest.ErrBody},
		"no name":               {"PUT", "/segments/seg-1", jsonHeader(), `{"rule": {"tag": "vip"}}`, openapitest.ErrBody},
		"no body":               {"POST", "/segments", jsonHeader(), ``, openapitest.ErrBody},
		"a body on a GET":       {"GET", "/segments", jsonHeader(), `{}`, openapitest.ErrBody},
		"JSON to the import":    {"POST", "/contacts/import", jsonHeader(), `[{"id": "c-1"}]`, openapitest.ErrContentType},
		"CSV to a JSON route":   {"POST", "/segments", csv, "name\nx\n", openapitest.ErrContentType},
		"limit 0":               {"GET", "/contacts?limit=0", nil, ``, openapitest.ErrParameter},
		"limit 101":             {"GET", "/segments?limit=101", nil, ``, openapitest.ErrParameter},
		"limit abc":             {"GET", "/segments?limit=abc", nil, ``, openapitest.ErrParameter},
		"limit twice":           {"GET", "/segments?limit=1&limit=2", nil, ``, openapitest.ErrParameter},
		"an unknown parameter":  {"GET", "/segments?limt=10", nil, ``, openapitest.ErrParameter},
		"a bad date":            {"GET", "/reports/surveys?from=2026-11-31", nil, ``, openapitest.ErrParameter},
		"an unknown interval":   {"GET", "/reports/surveys?interval=week", nil, ``, openapitest.ErrParameter},
		"a bad segment id":      {"GET", "/segments/s-1", nil, ``, openapitest.ErrParameter},
		"an unknown route":      {"POST", "/contacts", jsonHeader(), `{}`, openapitest.ErrUnknownRoute},
	} {
		if c.header == nil {
			c.header = http.Header{}
		}
		err := v.ValidateRequest(c.method, c.target, c.header, []byte(c.body))
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: ValidateRequest(%s %s) = %v, want %v", name, c.method, c.target, err, c.want)
		}
	}
}

// A literal segment wins over a parameter, as at API Gateway; "4XX" and "default" answer for
// the statuses they cover.
func TestMatching(t *testing.T) {
	v, err := openapitest.New([]byte(`{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
		"/a/{x}": {"get": {"operationId": "param", "responses": {"200": {"description": "x", "content": {"application/json": {"schema": {"const": "param"}}}}}}},
		"/a/b": {"get": {"operationId": "literal", "responses": {
			"200": {"description": "x", "content": {"application/json": {"schema": {"const": "literal"}}}},
			"4XX": {"description": "x", "content": {"application/json": {"schema": {"const": "client"}}}},
			"default": {"description": "x", "content": {"text/*": {"schema": {"type": "string", "maxLength": 3}}}}}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, contentType, body string
		status                  int
		ok                      bool
	}{
		{"/a/b", "application/json", `"literal"`, 200, true},
		{"/a/b", "application/json", `"param"`, 200, false},
		{"/a/c", "application/json", `"param"`, 200, true},
		{"/a/{x}", "application/json", `"param"`, 200, true},
		{"/a/b", "application/json", `"client"`, 404, true},
		{"/a/b", "application/json", `"literal"`, 404, false},
		{"/a/b", "text/plain", `abc`, 503, true},
		{"/a/b", "text/plain", `abcd`, 503, false},
		{"/a/b", "application/json", `"x"`, 503, false},
	} {
		err := v.ValidateResponse("GET", c.path, c.status, http.Header{"Content-Type": {c.contentType}}, []byte(c.body))
		if (err == nil) != c.ok {
			t.Errorf("GET %s %d %s: %v, want ok %v", c.path, c.status, c.body, err, c.ok)
		}
	}
}

func TestNewRefusesBrokenSchemas(t *testing.T) {
	for name, doc := range map[string]string{
		"a bad type":          `{"paths": {"/a": {"get": {"responses": {"200": {"description": "x", "content": {"application/json": {"schema": {"type": "text"}}}}}}}}}`,
		"a dangling $ref":     `{"paths": {"/a": {"get": {"responses": {"200": {"description": "x", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Nope"}}}}}}}}}`,
		"a dangling response": `{"paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/Nope"}}}}}}`,
		"a bad pattern":       `{"paths": {"/a": {"get": {"parameters": [{"name": "q", "in": "query", "schema": {"pattern": "(?<=x)"}}], "responses": {}}}}}`,
		"not JSON":            `{"paths": `,
		"not an object":       `[]`,
	} {
		if _, err := openapitest.New([]byte(doc)); err == nil {
			t.Errorf("%s: New accepts it", name)
		}
	}
}

// recorder is a testing.TB that records failures instead of failing the test.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failures = append(r.failures, "fatal: "+fmt.Sprintf(format, args...))
}

func TestCheckFailsTheTest(t *testing.T) {
	for _, c := range []struct {
		name string
		run  func(testing.TB)
		want string // in the failure; "" for none
	}{
		{"valid", func(tb testing.TB) {
			openapitest.Check(tb, "GET", "/contacts/c-42", 200, "application/json", []byte(detail))
		}, ""},
		{"missing field", func(tb testing.TB) {
			openapitest.Check(tb, "GET", "/contacts/c-42", 200, "application/json", []byte(`{"contact": `+contact+`}`))
		}, "missing properties"},
		{"undocumented status", func(tb testing.TB) {
			openapitest.Check(tb, "DELETE", "/contacts/c-42", 200, "application/json", []byte(`{}`))
		}, "DELETE /contacts/{id} (deleteContact) answered 200; it documents 204, 400, 401, 403, 404, 413, 429, 503"},
		{"unknown route", func(tb testing.TB) {
			openapitest.Check(tb, "GET", "/flows", 200, "application/json", []byte(`{}`))
		}, "no such operation: GET /flows"},
		{"valid request", func(tb testing.TB) {
			openapitest.CheckRequest(tb, "PUT", "/segments/seg-1", "application/json", []byte(`{"name": "Tea", "rule": `+rule+`}`))
		}, ""},
		{"invalid request", func(tb testing.TB) {
			openapitest.CheckRequest(tb, "PUT", "/segments/seg-1", "application/json", []byte(`{"name": "", "rule": `+rule+`}`))
		}, "/name"},
		{"HTTP response", func(tb testing.TB) {
			req, _ := http.NewRequest("GET", "http://127.0.0.1:3000/segments?limit=10", nil)
			res := &http.Response{StatusCode: 200, Header: jsonHeader(), Request: req, Body: io.NopCloser(strings.NewReader(`{"items": [{"id": "seg-1"}]}`))}
			body := openapitest.CheckHTTP(tb, res)
			if again, _ := io.ReadAll(res.Body); string(again) != string(body) || len(body) == 0 {
				t.Errorf("CheckHTTP: body %q, then %q", body, again)
			}
		}, "missing properties"},
	} {
		r := &recorder{TB: t}
		c.run(r)
		switch {
		case c.want == "" && len(r.failures) > 0:
			t.Errorf("%s: failed: %q", c.name, r.failures)
		case c.want != "" && (len(r.failures) != 1 || !strings.Contains(r.failures[0], c.want)):
			t.Errorf("%s: failures %q, want one with %q", c.name, r.failures, c.want)
		}
	}
}
