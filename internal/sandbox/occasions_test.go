package sandbox_test

import (
	"strings"
	"testing"

	"shopmail/internal/sandbox"
)

// The occasion calendar through the marketer API, each answer as the document says: the
// defaults listed (greetings off, days of mourning on), one switched on and restored by a
// DELETE, bad input refused by field, and the lunar table read and replaced.
func TestMarketerAPIOccasions(t *testing.T) {
	r := startWith(t, sandbox.Config{Template: repoTemplate(t)})
	status, list := r.api(t, "GET", "/occasions", "", "")
	if status != 200 {
		t.Fatalf("list: %d %v", status, list)
	}
	byID := map[string]map[string]any{}
	for _, it := range list["items"].([]any) {
		o := it.(map[string]any)
		byID[o["id"].(string)] = o
	}
	if o := byID["nowruz"]; o == nil || o["enabled"] != false || o["default"] != true || o["next"] == nil {
		t.Errorf("nowruz as listed: %v", o)
	}
	if o := byID["ashura"]; o == nil || o["enabled"] != true || o["kind"] != "no-promotion" {
		t.Errorf("ashura as listed: %v", o)
	}
	if status, o := r.api(t, "PATCH", "/occasions/nowruz", "application/merge-patch+json", `{"enabled": true, "sendHour": 8}`); status != 200 || o["enabled"] != true || o["sendHour"] != 8.0 || o["default"] != true {
		t.Errorf("switch nowruz on: %d %v", status, o)
	}
	if status, o := r.api(t, "DELETE", "/occasions/nowruz", "", ""); status != 204 {
		t.Errorf("restore nowruz: %d %v", status, o)
	}
	if status, o := r.api(t, "GET", "/occasions/nowruz", "", ""); status != 200 || o["enabled"] != false || o["default"] != true {
		t.Errorf("nowruz restored: %d %v", status, o)
	}
	for _, bad := range []struct{ method, path, body, want string }{
		{"POST", "/occasions", `{"id": "x", "kind": "occasion", "name": {"en": "X"}, "rule": {"persian": {"month": 12, "day": 31}}}`, "rule.persian.day"},
		{"POST", "/occasions", `{"id": "nowruz", "kind": "occasion", "name": {"en": "X"}, "rule": {"persian": {"month": 1, "day": 1}}}`, "exists"},
		{"PATCH", "/occasions/yalda", `{"kind": "no-promotion"}`, "kind"},
		{"PUT", "/occasions/lunar-table", `[{"year": 1448, "month": 1, "start": "2026-06-16"}, {"year": 1448, "month": 2, "start": "2026-07-20"}]`, "months"},
	} {
		if status, res := r.api(t, bad.method, bad.path, "application/json", bad.body); status < 400 || !strings.Contains(mustJSON(res), bad.want) {
			t.Errorf("%s %s %s: %d %v, want %s named", bad.method, bad.path, bad.body, status, res, bad.want)
		}
	}
	if status, res := r.api(t, "GET", "/occasions/no-such", "", ""); status != 404 {
		t.Errorf("an unknown occasion: %d %v", status, res)
	}
	if status, tb := r.api(t, "GET", "/occasions/lunar-table", "", ""); status != 200 || !strings.Contains(tb["source"].(string), "1405") {
		t.Errorf("the lunar table that ships: %d %v", status, tb["source"])
	}
	if status, tb := r.api(t, "PUT", "/occasions/lunar-table", "application/json",
		`[{"year": 1448, "month": 1, "start": "2026-06-16"}, {"year": 1448, "month": 2, "start": "2026-07-16"}]`); status != 200 || len(tb["months"].([]any)) != 2 {
		t.Errorf("replace the lunar table: %d %v", status, tb)
	}
	// Past the new table's end, a lunar occasion is refused, never guessed.
	if status, pv := r.api(t, "GET", "/occasions/preview?date=2027-03-21", "", ""); status != 200 || !strings.Contains(mustJSON(pv), "outside the lunar table") {
		t.Errorf("a preview past the table: %d %v", status, pv)
	}
}
