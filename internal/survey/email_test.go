package survey_test

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"shopmail/internal/render"
	"shopmail/internal/render/rendertest"
	"shopmail/internal/survey"
)

// TestScoreButtonsWrap renders the survey in English and Persian and checks each question's
// scores as a phone shows them: inline-block links of at least 44x44 px side by side in one
// cell (a row that wraps, never one cell per score), each named with its scale, and colours
// that read in both schemes.
func TestScoreButtonsWrap(t *testing.T) {
	qs, err := survey.ParseQuestions("csat,nps,ces")
	if err != nil {
		t.Fatal(err)
	}
	b := render.Brand{ShopName: "Tea House", ShopURL: "https://shop.example"}
	for _, tag := range []string{"en", "fa-IR"} {
		l := render.LocaleFor(tag, "")
		v := survey.View{FirstName: "Sara", OrderID: "o-1", Questions: qs,
			Link: func(q string, s int) string { return fmt.Sprintf("https://go.example/a/%s/%d", q, s) }}
		r := render.Render(v, b, l, render.Tracking{})
		doc, err := html.Parse(strings.NewReader(r.HTML))
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			cells := map[*html.Node]bool{}
			for _, s := range q.Scores() {
				href := fmt.Sprintf("https://go.example/a/%s/%d", q.ID, s)
				a := find(doc, func(n *html.Node) bool { return n.Data == "a" && attrOf(n, "href") == href })
				if a == nil {
					t.Fatalf("%s: no link for %s %d", tag, q.ID, s)
				}
				name := l.T("survey.score.label", s, q.Max)
				if attrOf(a, "aria-label") != name || attrOf(a, "title") != name {
					t.Errorf("%s %s %d: aria-label %q title %q, want %q", tag, q.ID, s, attrOf(a, "aria-label"), attrOf(a, "title"), name)
				}
				style := attrOf(a, "style")
				for _, want := range []string{"display:inline-block;", "min-width:44px;", "height:44px;", "box-sizing:border-box;"} {
					if !strings.Contains(style, want) {
						t.Errorf("%s %s %d: style lacks %s: %s", tag, q.ID, s, want, style)
					}
				}
				if a.FirstChild == nil || a.FirstChild.Data != l.Number(int64(s)) {
					t.Errorf("%s %s %d: shows %v", tag, q.ID, s, a.FirstChild)
				}
				cells[a.Parent] = true
			}
			if len(cells) != 1 {
				t.Errorf("%s %s: scores in %d cells, want them all in one", tag, q.ID, len(cells))
			}
			for c := range cells {
				if c.Data != "td" {
					t.Errorf("%s %s: scores in a <%s>", tag, q.ID, c.Data)
				}
			}
		}
		if strings.Contains(r.HTML, `width="600"`) && !strings.Contains(r.HTML, "width:100%;max-width:600px;") {
			t.Errorf("%s: the card does not shrink to the screen", tag)
		}
		if attrOf(find(doc, func(n *html.Node) bool { return n.Data == "html" }), "dir") != l.Dir {
			t.Errorf("%s: wrong direction", tag)
		}
		for _, p := range rendertest.ColorProblems(r.HTML, b) {
			t.Errorf("%s: %s", tag, p)
		}
		// The text part keeps one link per score.
		if !strings.Contains(r.Text, l.Number(9)+": https://go.example/a/nps/9") {
			t.Errorf("%s: text part:\n%s", tag, r.Text)
		}
	}
}

func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	if n.Type == html.ElementNode && match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, match); f != nil {
			return f
		}
	}
	return nil
}

func attrOf(n *html.Node, key string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
