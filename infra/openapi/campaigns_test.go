package openapi_test

import (
	"encoding/json"
	"testing"
	"time"

	"shopmail/internal/campaign"
)

// The campaign schemas describe internal/campaign: every example of a CampaignInput decodes
// (campaign.Decode) and passes campaign.Check, the campaign it decodes to, written as the API
// writes it, is a Campaign, and what Decode refuses the schema refuses too.
func TestCampaignSchemasMatchThePackage(t *testing.T) {
	doc := document(t)
	c := compiler(t, mustMarshal(t, doc))
	schema := func(name string) interface{ Validate(any) error } {
		s, err := c.Compile(docURL + "#/components/schemas/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	input, output := schema("CampaignInput"), schema("Campaign")
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

	var examples []any
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	examples = append(examples, schemas["CampaignInput"].(map[string]any)["examples"].([]any)...)
	body := doc["paths"].(map[string]any)["/campaigns"].(map[string]any)["post"].(map[string]any)["requestBody"].(map[string]any)
	for _, e := range body["content"].(map[string]any)["application/json"].(map[string]any)["examples"].(map[string]any) {
		examples = append(examples, e.(map[string]any)["value"])
	}
	if len(examples) < 2 {
		t.Fatalf("%d examples of CampaignInput", len(examples))
	}
	for i, ex := range examples {
		raw := mustMarshal(t, ex)
		cp, err := campaign.Decode(raw)
		if err != nil {
			t.Errorf("example %d: Decode: %v", i, err)
			continue
		}
		if err := cp.Check(now); err != nil {
			t.Errorf("example %d: Check: %v", i, err)
		}
		cp.ID, cp.Status, cp.CreatedAt, cp.UpdatedAt = "cmp-1", campaign.StatusDraft, now, now
		out := mustMarshal(t, cp)
		if err := output.Validate(decode(t, out)); err != nil {
			t.Errorf("example %d as the API writes it is no Campaign:\n%v\n%s", i, err, out)
		}
	}

	for name, bad := range map[string]string{
		"a server field": `{"status": "draft"}`,
		"an unknown one": `{"nme": "x"}`,
		"a price number": `{"sale": {"products": [{"regularPrice": 30}]}}`,
		"a bad time":     `{"sale": {"startsAt": "tomorrow"}}`,
		"a nested field": `{"cta": {"href": "https://shop.example"}}`,
	} {
		var base map[string]any
		json.Unmarshal(mustMarshal(t, examples[0]), &base)
		var edit map[string]any
		json.Unmarshal([]byte(bad), &edit)
		merge(base, edit)
		raw := mustMarshal(t, base)
		if _, err := campaign.Decode(raw); err == nil {
			t.Errorf("%s: Decode takes it", name)
		}
		if err := input.Validate(decode(t, raw)); err == nil {
			t.Errorf("%s: CampaignInput takes it: %s", name, raw)
		}
	}
}

// merge merges patch into dst, objects key by key and an array's first object into dst's
// first: enough to spoil one field of an example.
func merge(dst, patch map[string]any) {
	for k, v := range patch {
		switch p := v.(type) {
		case map[string]any:
			if d, ok := dst[k].(map[string]any); ok {
				merge(d, p)
				continue
			}
		case []any:
			if d, ok := dst[k].([]any); ok && len(p) > 0 {
				if dm, ok := d[0].(map[string]any); ok {
					merge(dm, p[0].(map[string]any))
					continue
				}
			}
		}
		dst[k] = v
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
