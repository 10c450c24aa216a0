package message

import (
	"strings"
	"testing"
)

// page is a Content that shows whatever it is given, to test the layout and the writer.
type page struct{ subject, body string }

func (p page) Subject(Locale, Brand) string { return p.subject }
func (p page) Preheader(Locale) string      { return "pre " + p.body }
func (p page) Why(Locale, Brand) string     { return "why " + p.body }
func (p page) WriteHTML(h *HTML, _ Brand) {
	h.Tag(`<p>`).Text(p.body).Tag(`</p><a href="`).URL(p.body).Tag(`">x</a>`)
}
func (p page) WriteText(t *Text, _ Brand) { t.Line(p.body) }

func TestRenderEscapesEverythingFromData(t *testing.T) {
	evil := `<script>alert("x")</script>`
	b := Brand{ShopName: evil, ShopURL: "javascript:alert(1)", SenderName: evil, PostalAddress: evil}
	r := Render(page{subject: evil, body: evil}, b, LocaleFor("en", ""), Tracking{})
	if strings.Contains(r.HTML, "<script>") || strings.Contains(r.HTML, "javascript:") {
		t.Fatalf("unescaped data in HTML:\n%s", r.HTML)
	}
	if got := strings.Count(r.HTML, "&lt;script&gt;"); got < 6 {
		t.Errorf("%d escaped copies, want one per place (title, preheader, shop, body, why, sender, address)", got)
	}
	if !strings.Contains(r.HTML, `<a href="#"`) {
		t.Error("an unsafe URL was not replaced")
	}
	if !strings.Contains(r.Text, evil) {
		t.Error("the text part must show data as it is")
	}
}

func TestRenderDirection(t *testing.T) {
	r := Render(page{subject: "s", body: "b"}, Brand{ShopURL: "https://s.example"}, LocaleFor("fa-IR", ""), Tracking{})
	for _, want := range []string{`<html lang="fa-IR" dir="rtl">`, `text-align:right;`, `dir="rtl"`} {
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
