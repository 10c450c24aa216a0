package dashboard

import (
	"strings"
	"testing"
)

func TestEveryLanguageHasEverySentence(t *testing.T) {
	for lang, ws := range words {
		for other, os := range words {
			for k := range os {
				if _, ok := ws[k]; !ok {
					t.Errorf("%s has %q, %s does not", other, k, lang)
				}
			}
		}
	}
	// Persian is Persian, numbers included.
	v := view{lang: "fa"}
	v.L.Lang = "fa"
	if got := Text("fa", "n.skipped", "x"); got == Text("en", "n.skipped", "x") {
		t.Errorf("not translated: %q", got)
	}
	if got := Text("fa", "import.done", 1200, 0, 3, 0); !strings.Contains(got, "۱۲۰۰") {
		t.Errorf("import.done in Persian: %q", got)
	}
}

func TestNumbersAreWrittenForTheLanguage(t *testing.T) {
	for _, tc := range []struct {
		lang string
		n    int64
		want string
	}{{"en", 1234567, "1,234,567"}, {"fa", 1234567, "۱٬۲۳۴٬۵۶۷"}, {"en", -1200, "-1,200"}, {"en", 12, "12"}} {
		if got := (view{lang: tc.lang}).N(tc.n); got != tc.want {
			t.Errorf("N(%d) in %s = %q, want %q", tc.n, tc.lang, got, tc.want)
		}
	}
	if got := (view{lang: "fa"}).F(42.5); got != "۴۲٫۵" {
		t.Errorf("F(42.5) in Persian = %q", got)
	}
}

func TestRuleFormMakesARule(t *testing.T) {
	for _, tc := range []struct {
		f    ruleForm
		want string
	}{
		{ruleForm{}, ""},
		{ruleForm{Tag: "vip"}, `{"all":[{"tag":"vip"}]}`},
		{ruleForm{Consent: "sales", Locale: "fa", OrdersMin: "2", EngagedDays: "30", NPS: "promoter"},
			`{"all":[{"consent":"sales"},{"locale":"fa"},{"orders":{"min":2}},{"engaged":{"withinDays":30}},{"nps":"promoter"}]}`},
		{ruleForm{OrdersMin: "two"}, `{"all":[{"orders":{"min":"two"}}]}`}, // the parser says what is wrong
		{ruleForm{Tier: "gold", AtRisk: true}, `{"all":[{"tier":"gold"},{"atRisk":{}}]}`},
	} {
		if got := string(tc.f.rule()); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.f, got, tc.want)
		}
	}
}

func TestLocalPathStaysOnTheDashboard(t *testing.T) {
	for in, want := range map[string]string{
		"/dashboard/campaigns?x=1": "/dashboard/campaigns?x=1", "/dashboard": "/dashboard", "": "/dashboard",
		"https://evil.example/dashboard": "/dashboard", "//evil.example/dashboard": "/dashboard", "/dashboardx": "/dashboard",
		"/\\evil.example": "/dashboard", "/dashboard/\r\nSet-Cookie: x": "/dashboard",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}
