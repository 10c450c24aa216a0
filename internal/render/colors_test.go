package render_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/a-h/templ"

	"shopmail/internal/env"
	"shopmail/internal/render"
	"shopmail/internal/render/rendertest"
)

// page is a Content with a paragraph for a body, to test the layout.
type page struct{ subject, body string }

func (p page) Subject(render.Locale, render.Brand) string { return p.subject }
func (p page) Preheader(render.Locale) string             { return "pre" }
func (p page) Why(render.Locale, render.Brand) string     { return "why" }
func (p page) Body(render.Email) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, "<p>"+templ.EscapeString(p.body)+"</p>")
		return err
	})
}
func (p page) WriteText(t *render.Text, _ render.Brand) { t.Line(p.body) }

// brands are the colours the roles are checked with: none, a dark and a light brand colour,
// and a grey just too light for white text.
var brands = []string{"", "#0b5fff", "#ffd400", "#ff5a1f", "#767676", "#777777", "#FFFFFF", "#000000"}

func TestEveryRoleReadsInBothSchemes(t *testing.T) {
	for _, c := range brands {
		b := render.Brand{Color: c}
		for _, r := range b.Roles() {
			for scheme, p := range map[string]render.Pair{"light": r.Light, "dark": r.Dark} {
				if got := render.Contrast(p.Background, p.Text); got < render.MinContrast {
					t.Errorf("brand %q, role %s, %s: %s on %s has contrast %.2f", c, r.Class, scheme, p.Text, p.Background, got)
				}
			}
		}
	}
}

func TestButtonText(t *testing.T) {
	tests := []struct{ bg, want string }{
		{"#18181b", "#ffffff"}, {"#0b5fff", "#ffffff"}, {"#767676", "#ffffff"}, // 4.54:1
		{"#777777", "#000000"}, {"#ffd400", "#000000"}, {"#ffffff", "#000000"},
	}
	for _, tt := range tests {
		if got := render.ButtonText(tt.bg); got != tt.want {
			t.Errorf("ButtonText(%s) = %s, want %s", tt.bg, got, tt.want)
		}
	}
	if c := render.Contrast("#000000", "#ffffff"); c < 20.9 || c > 21.1 {
		t.Errorf("black on white: %.2f, want 21", c)
	}
}

// TestLayoutColors renders the layout in both languages, with and without tracking and a
// brand: every colour is a role's, and the style block is the one the roles make.
func TestLayoutColors(t *testing.T) {
	tr := render.Tracking{Unsubscribe: "https://go.example/u/1", Preferences: "https://go.example/p/1", Honeypot: "https://go.example/h/1"}
	for _, c := range brands {
		for _, lang := range []string{"en", "fa-IR"} {
			for _, logo := range []string{"", "https://shop.example/logo.png"} {
				b := render.Brand{ShopName: "Tea House", ShopURL: "https://shop.example", Color: c, LogoURL: logo}
				r := render.Render(page{subject: "s", body: "b"}, b, render.LocaleFor(lang, ""), tr)
				for _, p := range rendertest.ColorProblems(r.HTML, b) {
					t.Errorf("brand %q, %s, logo %q: %s", c, lang, logo, p)
				}
				if !strings.Contains(r.HTML, render.StyleBlock(b)) {
					t.Errorf("brand %q: layout.templ's style block is not the one the roles make:\n%s", c, render.StyleBlock(b))
				}
			}
		}
	}
}

// TestColorProblemsAreFound shows the check above can fail.
func TestColorProblemsAreFound(t *testing.T) {
	b := render.Brand{}
	r := render.Render(page{subject: "s", body: "b"}, b, render.LocaleFor("en", ""), render.Tracking{})
	for name, html := range map[string]string{
		"no background": strings.Replace(r.HTML, "<p>b</p>", `<p style="color:#18181b;">b</p>`, 1),
		"no class":      strings.Replace(r.HTML, "<p>b</p>", `<p style="background-color:#ffffff;color:#18181b;">b</p>`, 1),
		"other colours": strings.Replace(r.HTML, "<p>b</p>", `<p class="c-muted" style="background-color:#ffffff;color:#a1a1aa;">b</p>`, 1),
		"no dark block": strings.Replace(r.HTML, "@media (prefers-color-scheme: dark)", "@media print", 1),
	} {
		if got := rendertest.ColorProblems(html, b); len(got) == 0 {
			t.Errorf("%s: no problem found", name)
		}
	}
	if got := rendertest.ColorProblems(r.HTML, b); len(got) != 0 {
		t.Errorf("problems in the plain layout: %q", got)
	}
}

func TestLogoReplacesTheShopName(t *testing.T) {
	for _, lang := range []string{"en", "fa-IR"} {
		b := render.Brand{ShopName: "Tea <House>", ShopURL: "https://shop.example", LogoURL: "https://shop.example/logo.png"}
		r := render.Render(page{subject: "s", body: "b"}, b, render.LocaleFor(lang, ""), render.Tracking{})
		want := `<img src="https://shop.example/logo.png" alt="Tea &lt;House&gt;" height="40"`
		if !strings.Contains(r.HTML, want) {
			t.Errorf("%s: no logo %s", lang, want)
		}
		if strings.Contains(r.HTML, `font-size:20px;font-weight:bold;text-decoration:none;">Tea &lt;House&gt;</a>`) {
			t.Errorf("%s: the shop's name is shown beside its logo", lang)
		}
		if !strings.HasPrefix(r.Text, "Tea <House>\n") {
			t.Errorf("%s: the text part lost the shop's name:\n%s", lang, r.Text)
		}
	}
}

func TestLoadBrandLogoAndColor(t *testing.T) {
	base := map[string]string{"SHOP_NAME": "Tea", "SHOP_URL": "https://shop.example", "SENDER_NAME": "Tea", "SENDER_ADDRESS": "a@shop.example", "POSTAL_ADDRESS": "1 Leaf St"}
	tests := []struct{ logo, color, problem string }{
		{"", "", ""},
		{"https://shop.example/logo.png", "#0B6E4F", ""},
		{"", "#ffd400", ""}, // light: black button text
		{"http://shop.example/logo.png", "", "LOGO_URL must be an absolute https URL"},
		{"logo.png", "", "LOGO_URL must be an absolute https URL"},
		{"", "green", "BRAND_COLOR must be a colour written #rrggbb"},
		{"", "#fff", "BRAND_COLOR must be a colour written #rrggbb"},
		{"", "#12345g", "BRAND_COLOR must be a colour written #rrggbb"},
	}
	for _, tt := range tests {
		m := map[string]string{"LOGO_URL": tt.logo, "BRAND_COLOR": tt.color}
		for k, v := range base {
			m[k] = v
		}
		r := env.New(env.Map(m))
		b, _ := render.LoadBrand(r)
		err := r.Err()
		switch {
		case tt.problem == "" && err != nil:
			t.Errorf("%q %q: %v", tt.logo, tt.color, err)
		case tt.problem == "" && (b.LogoURL != tt.logo || b.Color != tt.color):
			t.Errorf("brand %+v", b)
		case tt.problem != "" && (err == nil || !strings.Contains(err.Error(), tt.problem)):
			t.Errorf("%q %q: %v, want %s", tt.logo, tt.color, err, tt.problem)
		}
	}
}
