package web

import "testing"

// A form posted by a browser that sends Origin but not Sec-Fetch-Site is ours whatever form
// PUBLIC_URL is given in; another origin is not.
func TestFromOurSiteWhateverTheFormOfPublicURL(t *testing.T) {
	for _, base := range []string{
		"https://go.shop.example", "https://go.shop.example/", "https://Go.Shop.Example",
		"https://Go.Shop.Example:443", "HTTPS://GO.SHOP.EXAMPLE:443/",
	} {
		for origin, ours := range map[string]bool{
			"https://go.shop.example":      true,
			"https://go.shop.example:8443": false,
			"http://go.shop.example":       false,
			"https://evil.example":         false,
			"https://go.shop.example.evil": false,
		} {
			r := Request{Headers: map[string]string{"origin": origin}}
			if got := FromOurSite(r, base); got != ours {
				t.Errorf("PUBLIC_URL %s, Origin %s: FromOurSite = %v, want %v", base, origin, got, ours)
			}
		}
	}
	// Not a base URL at all: nothing is ours.
	if FromOurSite(Request{Headers: map[string]string{"origin": "https://go.shop.example"}}, "go.shop.example") {
		t.Error("a malformed base accepted an Origin")
	}
}
