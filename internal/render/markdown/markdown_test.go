package markdown

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestRenderDoesNotLinkTheSanitiser keeps goldmark and bluemonday out of the functions that
// do not render Markdown: package render, in every function, must not import them.
func TestRenderDoesNotLinkTheSanitiser(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "shopmail/internal/render").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "github.com/a-h/templ") {
		t.Fatalf("go list printed no dependency of package render:\n%s", out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/yuin/goldmark") || strings.HasPrefix(dep, "github.com/microcosm-cc/bluemonday") || dep == "shopmail/internal/render/markdown" {
			t.Errorf("package render imports %s", dep)
		}
	}
}

// render shows what a template that writes @s outputs.
func (s Safe) rendered(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	if err := s.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMarkdownRemovesWhatIsUnsafe(t *testing.T) {
	tests := []struct{ name, src string }{
		{"script element", "Hello <script>alert(1)</script> there"},
		{"script block", "<script>\nalert(1)\n</script>"},
		{"event handler", `<img src="https://x.example/a.png" onerror="alert(1)">`},
		{"event handler in a paragraph", `Look: <b onmouseover="alert(1)">here</b>`},
		{"javascript link", "[click](javascript:alert(1))"},
		{"javascript link, mixed case", "[click](JaVaScRiPt:alert(1))"},
		{"javascript autolink", "<javascript:alert(1)>"},
		{"javascript link in HTML", `<a href="javascript:alert(1)">click</a>`},
		{"data link", "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"},
		{"javascript image", "![x](javascript:alert(1))"},
		{"iframe", `<iframe src="https://evil.example"></iframe>`},
		{"style", `<style>body{display:none}</style>`},
	}
	for _, tt := range tests {
		got := strings.ToLower(HTML(tt.src).rendered(t))
		doc, err := html.Parse(strings.NewReader(got))
		if err != nil {
			t.Fatal(err)
		}
		var bad []string
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				switch n.Data {
				case "script", "iframe", "style", "object", "embed":
					bad = append(bad, "<"+n.Data+">")
				}
				for _, a := range n.Attr {
					if strings.HasPrefix(a.Key, "on") || strings.Contains(a.Val, "javascript:") || strings.HasPrefix(a.Val, "data:") {
						bad = append(bad, a.Key+"="+a.Val)
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		// "javascript:" may remain as text (harmless); never as an attribute, checked above.
		if len(bad) > 0 || strings.Contains(got, "<script") || strings.Contains(got, "onerror=") {
			t.Errorf("%s: %q kept %v", tt.name, got, bad)
		}
	}
}

func TestMarkdownKeepsFormatting(t *testing.T) {
	src := "Our **autumn** sale, *this week*:\n\n" +
		"- green tea\n- black tea\n\n" +
		"1. choose\n2. pay\n\n" +
		"[See the sale](https://shop.example/sale?a=1&b=2) or [write to us](mailto:help@shop.example).\n\n" +
		"> Best tea I ever had\n"
	got := HTML(src).rendered(t)
	for _, want := range []string{
		"<strong>autumn</strong>", "<em>this week</em>",
		"<ul>\n<li>green tea</li>\n<li>black tea</li>\n</ul>", "<ol>\n<li>choose</li>\n<li>pay</li>\n</ol>",
		`<a href="https://shop.example/sale?a=1&amp;b=2" target="_blank" rel="noopener">See the sale</a>`,
		`<a href="mailto:help@shop.example">write to us</a>`,
		"<blockquote>\n<p>Best tea I ever had</p>\n</blockquote>",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %s:\n%s", want, got)
		}
	}
}

func TestMarkdownLinksAreHTTPSOrMailto(t *testing.T) {
	for src, kept := range map[string]bool{
		"[a](https://shop.example/)": true,
		"[a](mailto:a@shop.example)": true,
		"[a](http://shop.example/)":  false,
		"[a](/relative)":             false,
		"[a](ftp://shop.example/)":   false,
	} {
		got := HTML(src).rendered(t)
		if has := strings.Contains(got, "href="); has != kept {
			t.Errorf("%s: href kept %v, want %v: %s", src, has, kept, got)
		}
		if !strings.Contains(got, ">a<") && !strings.Contains(got, "<p>a</p>") {
			t.Errorf("%s: the text of the link is lost: %s", src, got)
		}
	}
}

func TestSafeZeroValueIsEmpty(t *testing.T) {
	if got := (Safe{}).rendered(t); got != "" {
		t.Errorf("zero Safe renders %q", got)
	}
}

// TestNoOtherUnescapedHTML holds Safe to being the only HTML a page shows unescaped: no
// template or Go file of the module (tests aside) writes raw HTML another way templ offers.
func TestNoOtherUnescapedHTML(t *testing.T) {
	const root = "../../.."
	bypasses := []string{"templ.Raw(", "templ.FromGoHTML(", "templ.ComponentFunc("}
	seen := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !(strings.HasSuffix(path, ".templ") || strings.HasSuffix(path, ".go")) || strings.HasSuffix(path, "_test.go") ||
			strings.HasSuffix(path, "_templ.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		seen++
		for _, b := range bypasses {
			if strings.Contains(string(src), b) {
				t.Errorf("%s uses %s: unescaped HTML must be a markdown.Safe", path, strings.TrimSuffix(b, "("))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 10 {
		t.Fatalf("looked at %d files: is root right?", seen)
	}
}

// TestTrackedHTML: https links and autolinks go through track, and what track returns is
// what the reader follows; images, mailto and the links the sanitiser removes are left alone
// (a javascript: link is never made into a tracked, clickable one).
func TestTrackedHTML(t *testing.T) {
	var seen []string
	track := func(u string) string {
		seen = append(seen, u)
		return "https://t.example/c/" + string(rune('0'+len(seen)-1))
	}
	src := "[guide](https://shop.example/guide?a=1&b=2) <https://shop.example/auto> " +
		"[mail](mailto:hi@shop.example) [js](javascript:alert(1)) [plain](http://shop.example/x) " +
		"![pic](https://shop.example/i.png) <hi@shop.example>"
	got := TrackedHTML(src, track).rendered(t)
	wantSeen := []string{"https://shop.example/guide?a=1&b=2", "https://shop.example/auto"}
	if strings.Join(seen, " ") != strings.Join(wantSeen, " ") {
		t.Errorf("tracked %q, want %q", seen, wantSeen)
	}
	for _, want := range []string{
		`<a href="https://t.example/c/0" target="_blank" rel="noopener">guide</a>`,
		`<a href="https://t.example/c/1" target="_blank" rel="noopener">https://shop.example/auto</a>`,
		`href="mailto:hi@shop.example"`,
		`<img src="https://shop.example/i.png" alt="pic">`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("HTML lacks %s:\n%s", want, got)
		}
	}
	for _, bad := range []string{"javascript", "http://shop.example/x", "shop.example/guide"} {
		if strings.Contains(got, bad) {
			t.Errorf("HTML has %s:\n%s", bad, got)
		}
	}
	if HTML(src).rendered(t) == got {
		t.Error("HTML and TrackedHTML agree: nothing was tracked")
	}
}

func TestLinks(t *testing.T) {
	src := "[a](https://a.example) ![b](http://b.example/i.png) <https://c.example> <d@e.example> [e](javascript:x) [f](/rel)\n\n[g][ref]\n\n[ref]: https://g.example\n\n<a href=\"https://raw.example\">raw</a>"
	got := strings.Join(Links(src), " ")
	want := "https://a.example http://b.example/i.png https://c.example mailto:d@e.example javascript:x /rel https://g.example"
	if got != want {
		t.Errorf("Links = %q\nwant    %q", got, want)
	}
}
