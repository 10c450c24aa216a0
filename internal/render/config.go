package render

import (
	"net/url"

	"shopmail/internal/email"
	"shopmail/internal/env"
)

// LoadBrand reads the sender and the shop from the environment (names as in template.yaml),
// reporting problems to r.
func LoadBrand(r *env.Reader) (Brand, email.Address) {
	b := Brand{
		ShopName:      r.String("SHOP_NAME"),
		ShopURL:       r.String("SHOP_URL"),
		SenderName:    r.String("SENDER_NAME"),
		PostalAddress: r.String("POSTAL_ADDRESS"),
		LogoURL:       r.Optional("LOGO_URL", ""),
		Color:         r.Optional("BRAND_COLOR", ""),
	}
	from := email.Address{Name: b.SenderName, Email: r.String("SENDER_ADDRESS")}
	if from.Email != "" {
		addr, err := email.ParseAddress(from.Email)
		r.Check(err == nil, "SENDER_ADDRESS", "is not a valid email address")
		from.Email = addr
	}
	for name, v := range map[string]string{"SENDER_NAME": from.Name, "SHOP_NAME": b.ShopName} {
		if err := email.CheckDisplayText(v); err != nil {
			r.Check(false, name, err.Error())
		}
	}
	if err := email.CheckText(b.PostalAddress); err != nil {
		r.Check(false, "POSTAL_ADDRESS", err.Error())
	}
	if u, err := url.Parse(b.ShopURL); b.ShopURL != "" {
		r.Check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "", "SHOP_URL", "must be an absolute http(s) URL")
	}
	if u, err := url.Parse(b.LogoURL); b.LogoURL != "" {
		r.Check(err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil, "LOGO_URL", "must be an absolute https URL")
	}
	if b.Color != "" {
		// A light colour is accepted: its buttons get black text (ButtonText) and links keep
		// the default colour, so every text stays readable.
		r.Check(ValidColor(b.Color) == "", "BRAND_COLOR", ValidColor(b.Color))
	}
	return b, from
}
