package sandbox_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"shopmail/infra/openapi/openapitest"
)

// api calls the marketer API with the dev token, as curl in the README does.
func (r *running) api(t *testing.T, method, path, contentType, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, r.appURL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+r.sb.DevToken())
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode < 400 { // an accepted request is one the document allows
		openapitest.CheckRequest(t, method, path, contentType, []byte(body))
	}
	b := openapitest.CheckHTTP(t, res) // every answer as infra/openapi/openapi.json documents it
	var out map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %d, not JSON: %.300s", method, path, res.StatusCode, b)
		}
	}
	return res.StatusCode, out
}

// A marketer imports a list, previews a segment, reads a customer's timeline, exports and
// erases a complainer, whom a later order does not mail: the marketer API through the sandbox.
func TestMarketerAPIContactsAndSegments(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	// Sara orders (c-42, a thank-you goes out); her address then complains.
	r.putSample(t, "first-order.json", func(d string) string {
		return strings.ReplaceAll(d, "sara@example.com", "complaint@simulator.amazonses.com")
	})
	csv := "id,email,firstName,locale,country,tags,consent.sales,consent.sales.source,consent.sales.at\n" +
		"c-100,ali@example.com,Ali,fa-IR,IR,vip,true,newsletter form,2026-11-01T08:00:00Z\n" +
		"c-101,john@example.com,John,en-GB,GB,,true,newsletter form,2026-11-01T08:00:00Z\n" +
		"c-102,broken,Bad,fa,,,,,\n"
	status, res := r.api(t, "POST", "/contacts/import", "text/csv", csv)
	if status != 200 || res["imported"] != 2.0 || len(res["failed"].([]any)) != 1 {
		t.Fatalf("import: %d %v", status, res)
	}
	if status, res := r.api(t, "POST", "/contacts/import", "text/csv", csv); status != 200 || res["imported"] != 0.0 || res["unchanged"] != 2.0 {
		t.Errorf("the same import again: %d %v", status, res)
	}
	status, res = r.api(t, "POST", "/segments/preview", "application/json", `{"rule": {"all": [{"locale": "fa"}, {"consent": "sales"}]}}`)
	if status != 200 || res["count"] != 1.0 || res["exact"] != true {
		t.Errorf("preview: %d %v", status, res)
	}
	status, res = r.api(t, "POST", "/segments", "application/json", `{"name": "buyers", "rule": {"orders": {"min": 1}}}`)
	if status != 201 {
		t.Fatalf("create segment: %d %v", status, res)
	}
	if status, pv := r.api(t, "POST", "/segments/preview", "application/json", `{"id": "`+res["id"].(string)+`"}`); status != 200 || pv["count"] != 1.0 {
		t.Errorf("preview of the stored segment: %d %v", status, pv)
	}
	if status, res := r.api(t, "POST", "/segments", "application/json", `{"name": "x", "rule": {"orders": {"mni": 1}}}`); status != 400 ||
		!strings.Contains(mustJSON(res), `"fields"`) {
		t.Errorf("a bad rule: %d %v", status, res)
	}
	status, detail := r.api(t, "GET", "/contacts/c-42", "", "")
	if status != 200 {
		t.Fatalf("contact: %d %v", status, detail)
	}
	timeline := mustJSON(detail["timeline"])
	for _, want := range []string{`"type":"order"`, `"type":"send"`, `"type":"complaint"`} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the timeline lacks %s: %s", want, timeline)
		}
	}
	if sup := detail["suppression"].(map[string]any); sup["suppressed"] != true {
		t.Errorf("suppression = %v", sup)
	}
	if status, x := r.api(t, "GET", "/contacts/c-42/export", "", ""); status != 200 || len(x["orders"].([]any)) != 1 || len(x["sends"].([]any)) != 1 {
		t.Errorf("export: %d %.500s", status, mustJSON(x))
	}
	if status, _ := r.api(t, "DELETE", "/contacts/c-42", "", ""); status != 204 {
		t.Fatalf("erase: %d", status)
	}
	if status, res := r.api(t, "GET", "/contacts/c-42", "", ""); status != 404 {
		t.Errorf("after erasure: %d %v", status, res)
	}
	// The complainer orders again, as a new customer: no email.
	before := len(r.sb.Messages())
	r.putSample(t, "first-order.json", func(d string) string {
		d = strings.ReplaceAll(d, "sara@example.com", "complaint@simulator.amazonses.com")
		d = strings.ReplaceAll(d, `"c-42"`, `"c-43"`)
		return strings.ReplaceAll(d, `"o-1001"`, `"o-2001"`)
	})
	if got := len(r.sb.Messages()); got != before {
		t.Errorf("%d emails to the erased complainer's address", got-before)
	}
	sends := r.partition(t, "CONTACT#c-43")
	if !strings.Contains(sends, "address suppressed: complaint") {
		t.Errorf("the new order's send: %s", sends)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
