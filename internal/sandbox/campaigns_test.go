package sandbox_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A marketer writes a sale announcement, previews it in Persian, changes it and deletes it,
// through the sandbox's HTTP API, every answer as the OpenAPI document describes it.
func TestMarketerAPICampaignDrafts(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "campaigns", "create-campaign.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The sample is an API Gateway event; its body is the campaign. Its sale is in December
	// 2026: moved to next December, so that it is never over when the test runs.
	body := strings.ReplaceAll(mustBody(t, raw), "2026-12-", fmt.Sprintf("%d-12-", time.Now().Year()+1))
	status, c := r.api(t, "POST", "/campaigns", "application/json", body)
	if status != 201 || c["status"] != "draft" {
		t.Fatalf("create: %d %v", status, c)
	}
	id := c["id"].(string)
	status, pv := r.api(t, "POST", "/campaigns/"+id+"/preview", "application/json", `{"locale": "fa"}`)
	if status != 200 || pv["locale"] != "fa" || !strings.Contains(pv["html"].(string), "چای سبز") {
		t.Errorf("preview: %d %.300v", status, pv)
	}
	if status, got := r.api(t, "PATCH", "/campaigns/"+id, "application/merge-patch+json", `{"name": "Yalda 1405"}`); status != 200 || got["name"] != "Yalda 1405" {
		t.Errorf("patch: %d %v", status, got)
	}
	if status, list := r.api(t, "GET", "/campaigns?status=draft", "", ""); status != 200 || len(list["items"].([]any)) != 1 {
		t.Errorf("list: %d %v", status, list)
	}
	if status, res := r.api(t, "POST", "/campaigns", "application/json", strings.Replace(body, `"name"`, `"status": "sending", "name"`, 1)); status != 400 ||
		!strings.Contains(mustJSON(res), `"status"`) {
		t.Errorf("a server field in the body: %d %v", status, res)
	}
	if status, _ := r.api(t, "DELETE", "/campaigns/"+id, "", ""); status != 204 {
		t.Errorf("delete: %d", status)
	}
	if status, _ := r.api(t, "GET", "/campaigns/"+id, "", ""); status != 404 {
		t.Errorf("after delete: %d", status)
	}
}

func mustBody(t *testing.T, event []byte) string {
	t.Helper()
	var ev struct {
		Body string `json:"body"`
	}
	if err := json.Unmarshal(event, &ev); err != nil || ev.Body == "" {
		t.Fatalf("sample: %v", err)
	}
	return ev.Body
}
