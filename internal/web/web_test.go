package web

import "testing"

// What browsers send with a form post, and what FromOurSite makes of it.
func TestFromOurSite(t *testing.T) {
	const base = "https://go.shop.example"
	for _, tt := range []struct {
		name         string
		site, origin string
		ours         bool
	}{
		{"our page, current browser", "same-origin", base, true},
		{"our page, Origin null (no-referrer page)", "same-origin", "null", true},
		{"our page on another host name (sandbox on localhost)", "same-origin", "http://localhost:3000", true},
		{"another site", "cross-site", "https://evil.example", false},
		{"another site claiming our Origin", "cross-site", base, false},
		{"a sibling subdomain", "same-site", "https://www.shop.example", false},
		{"typed or bookmarked", "none", "", false},
		{"older browser, our page", "", base, true},
		{"older browser, another site", "", "https://evil.example", false},
		{"older browser, Origin null", "", "null", false},
		{"no browser", "", "", true},
	} {
		r := Request{Headers: map[string]string{}}
		if tt.site != "" {
			r.Headers["Sec-Fetch-Site"] = tt.site
		}
		if tt.origin != "" {
			r.Headers["origin"] = tt.origin
		}
		if got := FromOurSite(r, base); got != tt.ours {
			t.Errorf("%s: FromOurSite = %v, want %v", tt.name, got, tt.ours)
		}
	}
}

// No token in our URLs reaches another site by referrer, and our own pages get a real Origin.
func TestReferrerPolicy(t *testing.T) {
	if got := HTML(200, "").Headers["referrer-policy"]; got != "same-origin" {
		t.Errorf("Referrer-Policy = %q", got)
	}
}
