package render

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLocaleDateUsesContactTimeZone(t *testing.T) {
	// 22:00 UTC on 21 November is already 22 November (1 Azar) in Tehran.
	at := time.Date(2026, 11, 21, 22, 0, 0, 0, time.UTC)
	if got := LocaleFor("fa-IR", "Asia/Tehran").Date(at); got != "۱ آذر ۱۴۰۵" {
		t.Errorf("fa date = %q", got)
	}
	if got := LocaleFor("en-US", "America/New_York").Date(at); got != "21 November 2026" {
		t.Errorf("en date = %q", got)
	}
}

func TestLocaleDateTimeAndPercent(t *testing.T) {
	// 22:00 UTC on 21 November is 01:30 on 22 November (1 Azar) in Tehran.
	at := time.Date(2026, 11, 21, 22, 0, 0, 0, time.UTC)
	fa, en := LocaleFor("fa-IR", "Asia/Tehran"), LocaleFor("en-US", "America/New_York")
	if got := fa.DateTime(at); got != "۱ آذر ۱۴۰۵، ساعت ۰۱:۳۰" {
		t.Errorf("fa date and time = %q", got)
	}
	if got := en.DateTime(at); got != "21 November 2026, 17:00" {
		t.Errorf("en date and time = %q", got)
	}
	if got := fa.Percent(30); got != "۳۰٪" {
		t.Errorf("fa percent = %q", got)
	}
	if got := en.Percent(7); got != "7%" {
		t.Errorf("en percent = %q", got)
	}
}

func TestLocaleFor(t *testing.T) {
	tests := []struct{ tag, lang, dir string }{
		{"fa-IR", "fa", "rtl"}, {"FA", "fa", "rtl"}, {"fa_IR", "fa", "rtl"}, {"en-GB", "en", "ltr"}, {"de-DE", "en", "ltr"}, {"", "en", "ltr"},
	}
	for _, tt := range tests {
		l := LocaleFor(tt.tag, "")
		if l.Lang != tt.lang || l.Dir != tt.dir || strings.Contains(l.Tag, "_") {
			t.Errorf("LocaleFor(%q) = %s %s", tt.tag, l.Lang, l.Dir)
		}
	}
}

// catalogProblems lists every key one language has and another lacks, in both directions, and
// every translation whose number of verbs differs from English.
func catalogProblems(cat map[string]map[string]string) []string {
	var out []string
	for lang, strs := range cat {
		for other, keys := range cat {
			for key := range keys {
				if strs[key] == "" {
					out = append(out, fmt.Sprintf("%s has no %q (%s has it)", lang, key, other))
				}
			}
		}
		// A translation takes the same arguments, in the same number.
		for key, s := range strs {
			if en, ok := cat["en"][key]; ok && strings.Count(s, "%") != strings.Count(en, "%") {
				out = append(out, fmt.Sprintf("%s %q has %d verbs, English %d", lang, key, strings.Count(s, "%"), strings.Count(en, "%")))
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestEveryLanguageHasEveryString(t *testing.T) {
	if len(catalog) < 2 || len(catalog["en"]) == 0 {
		t.Fatalf("catalog has %d languages", len(catalog))
	}
	for _, p := range catalogProblems(catalog) {
		t.Error(p)
	}
}

// TestCatalogProblemsAreFound shows the check above can fail, whichever language lacks a key.
func TestCatalogProblemsAreFound(t *testing.T) {
	cat := map[string]map[string]string{
		"en": {"both": "%s", "en.only": "x", "verbs": "%s and %s"},
		"fa": {"both": "%s", "fa.only": "y", "verbs": "%s"},
	}
	want := []string{
		`en has no "fa.only" (fa has it)`,
		`fa "verbs" has 1 verbs, English 2`,
		`fa has no "en.only" (en has it)`,
	}
	if got := catalogProblems(cat); !slices.Equal(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
}
