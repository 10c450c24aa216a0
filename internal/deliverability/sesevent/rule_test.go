package sesevent

import (
	"slices"
	"testing"

	"shopmail/internal/samtemplate"
)

// The template's rule for SES events routes exactly the detail-types the decoder handles: one
// it handles but the rule omits would never reach the function, one the rule routes but the
// decoder refuses would end on the dead-letter queue.
func TestRuleRoutesTheDetailTypesTheDecoderHandles(t *testing.T) {
	tmpl, err := samtemplate.Default()
	if err != nil {
		t.Fatal(err)
	}
	fns, err := tmpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	var rule []string
	for _, fn := range fns {
		for _, ev := range fn.Events {
			pattern, _ := ev.Properties["Pattern"].(map[string]any)
			if ev.Type != "EventBridgeRule" || !slices.Contains(anyStrings(pattern["source"]), "aws.ses") {
				continue
			}
			if rule != nil {
				t.Fatalf("more than one rule on aws.ses events (%s)", fn.LogicalID)
			}
			rule = anyStrings(pattern["detail-type"])
		}
	}
	var decoded []string
	for dt := range typeOf {
		decoded = append(decoded, dt)
	}
	slices.Sort(rule)
	slices.Sort(decoded)
	if !slices.Equal(rule, decoded) {
		t.Errorf("the rule routes detail-types\n%q\nthe decoder handles\n%q", rule, decoded)
	}
}

func anyStrings(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
