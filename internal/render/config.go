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
	return b, from
}
