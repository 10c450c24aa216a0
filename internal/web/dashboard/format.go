package dashboard

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"shopmail/internal/campaign"
	"shopmail/internal/contacts"
	"shopmail/internal/money"
)

func pathEscape(s string) string  { return url.PathEscape(s) }
func queryEscape(s string) string { return url.QueryEscape(s) }

// sortedKeys are a map's keys in order, for a stable page.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// campaignWhen is the moment a campaign's list shows: when it sent, sends or was written.
func campaignWhen(c campaign.Campaign) time.Time {
	for _, t := range []time.Time{c.CompletedAt, c.StartedAt, c.ScheduledAt} {
		if !t.IsZero() {
			return t
		}
	}
	return c.UpdatedAt
}

// current is aria-current for the link to the page shown.
func current(yes bool) string {
	if yes {
		return "page"
	}
	return "false"
}

func actionClass(a string) string {
	if a == "cancel" {
		return "danger"
	}
	return ""
}

func formAction(id string) string {
	if id == "" {
		return "/dashboard/campaigns"
	}
	return "/dashboard/campaigns/" + url.PathEscape(id) + "/edit"
}

// langName is a content language's own name.
func langName(l string) string {
	if n, ok := words[l]["lang.name"]; ok {
		return n
	}
	return l
}

func dirOf(l string) string {
	if l == "fa" {
		return "rtl"
	}
	return "ltr"
}

// emailOf is the marketer's address when they signed in with one.
func emailOf(who string) string {
	if strings.Contains(who, "@") {
		return who
	}
	return ""
}

// amount is an amount (a decimal string) in the language's format.
func amount(v view, value, currency string) string {
	d, err := money.ParseDecimal(value)
	if err != nil {
		return value + " " + currency
	}
	return v.L.Money(d, currency)
}

func displayName(c contacts.View) string {
	if n := strings.TrimSpace(c.FirstName + " " + c.LastName); n != "" {
		return n
	}
	return c.ID
}

func yesNo(v view, on bool) string {
	if on {
		return v.T("on")
	}
	return v.T("off")
}

func summaryName(c contacts.Summary) string {
	if n := strings.TrimSpace(c.FirstName + " " + c.LastName); n != "" {
		return n
	}
	return c.ID
}

// frame is one preview frame of each language.
type frame struct{ name, class, scheme, caption string }

var frames = []frame{{"phone", "phone", "", "campaign.phone"}, {"desktop", "desktop", "", "campaign.desktop"}, {"dark", "phone", "dark", "campaign.dark"}}

// contentLanguages are the dashboard's languages a campaign is written in.
func contentLanguages(content map[string]campaign.Content) []string {
	var out []string
	for _, l := range languages {
		if _, ok := content[l]; ok {
			out = append(out, l)
		}
	}
	return out
}

// previewSrc is a stored campaign's preview in a frame ("" before it is stored).
func previewSrc(id, lang, scheme string) string {
	if id == "" {
		return "about:blank"
	}
	u := "/dashboard/campaigns/" + url.PathEscape(id) + "/preview?locale=" + lang
	if scheme != "" {
		u += "&scheme=" + scheme
	}
	return u
}

// previewAction is where the form's draft is posted to be previewed.
func previewAction(id string) string {
	if id == "" {
		return "/dashboard/campaigns/preview"
	}
	return "/dashboard/campaigns/" + url.PathEscape(id) + "/preview"
}

// signed is a number of points with its sign: "+129", "-65".
func signed(v view, n int64) string {
	if n > 0 {
		return "+" + v.N(n)
	}
	return v.N(n)
}
