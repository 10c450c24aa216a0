package sandbox_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"shopmail/infra/openapi"
	"shopmail/infra/openapi/openapitest"
	"shopmail/internal/samtemplate"
	"shopmail/internal/wire"
)

// GET /openapi.json is the marketer API's document, without a token; and what the sandbox
// answers on a marketer route, its JWT authorizer's refusals included, is what the document
// says.
func TestOpenAPIDocumentIsServed(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	res, err := http.Get(r.appURL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" || !bytes.Equal(body, openapi.Document) {
		t.Errorf("GET /openapi.json: %d %q, %d bytes; want 200 application/json, the %d bytes of openapi.json",
			res.StatusCode, res.Header.Get("Content-Type"), len(body), len(openapi.Document))
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Servers []struct{ URL string }
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.OpenAPI != "3.1.0" || len(doc.Servers) == 0 || doc.Servers[0].URL != "http://127.0.0.1:3000" {
		t.Errorf("the document: %+v, %v", doc, err)
	}
	// The document is no secret: another machine may read it, unlike the UI.
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(r.appURL, "http://"))
	req := httptest.NewRequest("GET", r.appURL+"/openapi.json", nil)
	req.RemoteAddr, req.Host = "192.0.2.7:50000", "127.0.0.1:"+port
	rec := httptest.NewRecorder()
	r.sb.App().ServeHTTP(rec, req)
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), openapi.Document) {
		t.Errorf("GET /openapi.json from another machine: %d", rec.Code)
	}

	for _, c := range []struct {
		token  string
		status int
	}{
		{"", 401},
		{"not-a-jwt", 401},
		{r.mint(t, 3600, "contacts:read"), 403},
		{r.mint(t, 3600, "reports:read"), 200},
		{r.sb.DevToken(), 200},
	} {
		req, _ := http.NewRequest("GET", r.appURL+"/reports/surveys?interval=month", nil)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := openapitest.CheckHTTP(t, res)
		if res.StatusCode != c.status {
			t.Errorf("GET /reports/surveys with %.12q: %d, want %d: %s", c.token, res.StatusCode, c.status, body)
		}
	}
	req, _ = http.NewRequest("GET", r.appURL+"/reports/surveys?from=2026-12-01&to=2026-11-01", nil)
	req.Header.Set("Authorization", "Bearer "+r.sb.DevToken())
	if res, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else if openapitest.CheckHTTP(t, res); res.StatusCode != 400 {
		t.Errorf("GET /reports/surveys, from after to: %d, want 400", res.StatusCode)
	}
}

// A template route on the document's path is served as the template says, as it would be
// deployed: the sandbox's document never hides a route.
func TestTemplateRouteWinsOverTheOpenAPIDocument(t *testing.T) {
	tmpl, err := samtemplate.Parse([]byte(apiTemplate + `        Document:
          Type: HttpApi
          Properties: {Path: /openapi.json, Method: GET}
`))
	if err != nil {
		t.Fatal(err)
	}
	tmpl.Dir = t.TempDir()
	r := start(t, tmpl, map[string]wire.Builder{"echo": echo})
	res, err := http.Get(r.appURL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 || res.Header.Get("X-Route") != "GET /openapi.json" {
		t.Errorf("GET /openapi.json: %d, route %q; want the echo function's 201", res.StatusCode, res.Header.Get("X-Route"))
	}
}
