package render

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/a-h/templ"
)

// page is a Content that shows whatever it is given, to test the layout. Its body is a
// paragraph and a link, escaped as the generated code of a template escapes them.
type page struct{ subject, body string }

func (p page) Subject(Locale, Brand) string { return p.subject }
func (p page) Preheader(Locale) string      { return "pre " + p.body }
func (p page) Why(Locale, Brand) string     { return "why " + p.body }
func (p page) Body(Email) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, `<p>`+templ.EscapeString(p.body)+`</p><a href="`+templ.EscapeString(string(URL(p.body)))+`">x</a>`)
		return err
	})
}
func (p page) WriteText(t *Text, _ Brand) { t.Line(p.body) }

// muted is the inline style of a link in the footer.
// mutedLink is a footer link: muted, and a 44 px tap target.
const mutedLink = `style="background-color:#ffffff;color:#52525b;border-color:#e4e4e7;display:inline-block;padding:12px 0;line-height:20px;"`

func TestRenderEscapesEverythingFromData(t *testing.T) {
	evil := `<script>alert("x")</script>`
	esc := `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`
	b := Brand{ShopName: evil, ShopURL: "javascript:alert(1)", SenderName: evil, PostalAddress: evil}
	r := Render(page{subject: evil, body: evil}, b, LocaleFor("en", ""), Tracking{})
	if strings.Contains(r.HTML, "<script>") || strings.Contains(r.HTML, "javascript:") {
		t.Fatalf("unescaped data in HTML:\n%s", r.HTML)
	}
	// Each place that shows data, with the markup around it, exactly once.
	places := []struct{ name, want string }{
		{"title", `<title>` + esc + `</title>`},
		{"preheader", `overflow:hidden;">pre ` + esc + `</div>`},
		{"shop", `text-decoration:none;">` + esc + `</a>`},
		{"body", `<p>` + esc + `</p>`},
		{"why", `<p style="margin:0 0 8px;">why ` + esc + `</p>`},
		{"sender and address", `<p style="margin:0 0 8px;">` + esc + ` · ` + esc + `</p>`},
		{"visit", `class="c-muted" ` + mutedLink + `>Visit ` + esc + `</a>`},
	}
	for _, p := range places {
		if n := strings.Count(r.HTML, p.want); n != 1 {
			t.Errorf("%s: %d times %s, want once", p.name, n, p.want)
		}
	}
	// 8 copies: one per place, two on the sender's line; none anywhere else.
	if got := strings.Count(r.HTML, esc); got != 8 {
		t.Errorf("%d escaped copies, want 8 (title, preheader, shop, body, why, sender, address, visit)", got)
	}
	// The shop's link in the header, in the footer, and the body's link.
	if got := strings.Count(r.HTML, `<a href="#"`); got != 3 {
		t.Errorf("%d unsafe URLs replaced by #, want 3", got)
	}
	if !strings.Contains(r.Text, evil) {
		t.Error("the text part must show data as it is")
	}
}

func TestRenderDirection(t *testing.T) {
	r := Render(page{subject: "s", body: "b"}, Brand{ShopURL: "https://s.example"}, LocaleFor("fa-IR", ""), Tracking{})
	card := `<table role="presentation" class="card c-card" width="600" cellpadding="0" cellspacing="0" dir="rtl" ` +
		`style="width:100%;max-width:600px;background-color:#ffffff;color:#18181b;border-color:#e4e4e7;font-family:Tahoma,Vazirmatn,Segoe UI,Arial,sans-serif;font-size:16px;line-height:1.6;text-align:right;overflow-wrap:break-word;word-wrap:break-word;">`
	for _, want := range []string{`<html lang="fa-IR" dir="rtl">`, card} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
}

func TestSubjectIsOneLine(t *testing.T) {
	r := Render(page{subject: "  a\n b\t c  ", body: "b"}, Brand{}, LocaleFor("en", ""), Tracking{})
	if r.Subject != "a b c" {
		t.Errorf("subject %q", r.Subject)
	}
}

func TestRenderTracking(t *testing.T) {
	track := func(u string) string { return "https://go.example/c/" + strings.TrimPrefix(u, "https://") }
	tr := Tracking{Link: track, Pixel: "https://go.example/o/1", Honeypot: "https://go.example/h/1",
		Unsubscribe: "https://go.example/u/1", Preferences: "https://go.example/p/1"}
	r := Render(page{subject: "s", body: "b"}, Brand{ShopURL: "https://s.example"}, LocaleFor("en", ""), tr)
	for _, want := range []string{
		`<a href="https://go.example/c/s.example" class="c-card" style="background-color:#ffffff;color:#18181b;border-color:#e4e4e7;display:inline-block;padding:12px 0;line-height:20px;font-size:20px;`, // the header, tracked, a 44 px tap target
		`<a href="https://go.example/c/s.example" class="c-muted" ` + mutedLink + `>Visit`,
		`<a href="https://go.example/u/1" class="c-muted" ` + mutedLink + `>Unsubscribe</a>`,
		`<a href="https://go.example/p/1" class="c-muted" ` + mutedLink + `>Email preferences</a>`,
		`<a href="https://go.example/h/1" style="display:none;`,
		`<img src="https://go.example/o/1" width="1" height="1" alt=""`,
	} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	if plain := Render(page{subject: "s", body: "b"}, Brand{ShopURL: "https://s.example"}, LocaleFor("en", ""), Tracking{}); strings.Contains(plain.HTML, "go.example") ||
		strings.Contains(plain.HTML, "Unsubscribe") || strings.Contains(plain.HTML, "<img") {
		t.Errorf("the zero Tracking added links:\n%s", plain.HTML)
	}
}

func TestURL(t *testing.T) {
	tests := []struct {
		in   string
		want templ.SafeURL
	}{
		{"https://shop.example/a?b=1&c=2", "https://shop.example/a?b=1&c=2"},
		{"http://shop.example/", "http://shop.example/"},
		{"mailto:help@shop.example", "mailto:help@shop.example"},
		{"HTTPS://shop.example/", "https://shop.example/"},
		{"javascript:alert(1)", "#"},
		{"JavaScript:alert(1)", "#"},
		{" javascript:alert(1)", "#"},
		{"data:text/html,<script>alert(1)</script>", "#"},
		{"vbscript:msgbox", "#"},
		{"/relative", "#"},
		{"//shop.example/x", "#"},
		{"", "#"},
	}
	for _, tt := range tests {
		if got := URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// A tracked link obeys the same rule: tracking cannot turn an unsafe URL into a safe one.
	e := Email{track: func(u string) string { return u + "#t" }}
	if got := e.Link("javascript:alert(1)"); got != "#" {
		t.Errorf("Link(javascript:) = %q", got)
	}
	if got := e.Link("https://shop.example/"); got != "https://shop.example/#t" {
		t.Errorf("Link = %q", got)
	}
}

func TestPage(t *testing.T) {
	evil := `<script>alert("x")</script>`
	esc := `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`
	body := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, "<p>body</p>")
		return err
	})
	got := Page(LocaleFor("fa-IR", ""), Brand{ShopName: evil, PostalAddress: "Tehran"}, evil, body)
	for _, want := range []string{
		`<html lang="fa-IR" dir="rtl">`, `<meta name="robots" content="noindex">`,
		`<title>` + esc + ` · ` + esc + `</title>`, `<h1>` + esc + `</h1>`, `<p>body</p>`,
		`<p><small>` + esc + ` · Tehran</small></p>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("page lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "<script>") {
		t.Errorf("unescaped data in page:\n%s", got)
	}
}
