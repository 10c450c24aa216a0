package tracking

import (
	"net/url"

	"shopmail/internal/env"
	"shopmail/internal/links"
)

// Settings is the tracking function's configuration.
type Settings struct {
	Links   links.Settings
	Table   string
	ShopURL string
	// ShopName and PostalAddress sign the page of a link that is not valid.
	ShopName, PostalAddress string
}

// LoadConfig reads the settings from the environment and reports every problem at once.
func LoadConfig(lookup func(string) (string, bool)) (Settings, error) {
	r := env.New(lookup)
	s := Settings{Links: links.Load(r), Table: r.String("TABLE_NAME"), ShopURL: r.String("SHOP_URL"),
		ShopName: r.Optional("SHOP_NAME", ""), PostalAddress: r.Optional("POSTAL_ADDRESS", "")}
	if u, err := url.Parse(s.ShopURL); s.ShopURL != "" {
		r.Check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "", "SHOP_URL", "must be an absolute http(s) URL")
	}
	return s, r.Err()
}
