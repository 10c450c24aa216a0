package sandbox_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Every response under /_sandbox/ forbids framing by another page (the inbox's own frame of an
// email is the one exception, and only for the sandbox itself); the customer pages do too.
func TestSandboxUICannotBeFramed(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	r.putSample(t, "first-order.json", nil)
	id := r.sb.Messages()[0].ID
	check := func(method, path, xfo, ancestors string) {
		t.Helper()
		req, _ := http.NewRequest(method, r.appURL+path, strings.NewReader("{}"))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.Header.Get("X-Frame-Options") != xfo || !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors "+ancestors) {
			t.Errorf("%s %s: %d X-Frame-Options %q, CSP %q; want %s and frame-ancestors %s", method, path, res.StatusCode,
				res.Header.Get("X-Frame-Options"), res.Header.Get("Content-Security-Policy"), xfo, ancestors)
		}
	}
	for _, path := range []string{"/_sandbox/", "/_sandbox/inbox", "/_sandbox/inbox/" + id, "/_sandbox/events", "/_sandbox/logs",
		"/_sandbox/table", "/_sandbox/schedules", "/_sandbox/dead-letters", "/_sandbox/nowhere", "/_sandbox/inbox/nope"} {
		check("GET", path, "DENY", "'none'")
	}
	for _, path := range []string{"/_sandbox/clock", "/_sandbox/put-event", "/_sandbox/token"} {
		check("POST", path, "DENY", "'none'")
	}
	check("GET", "/_sandbox/inbox/"+id+"/html", "SAMEORIGIN", "'self'")
	for _, path := range []string{"/u/broken-token", "/p/broken-token", "/a/broken-token"} { // the customer pages (internal/web)
		check("GET", path, "DENY", "'none'")
	}
}

// In Chromium, a page of another origin that frames the sandbox UI gets an empty, blocked frame;
// the inbox still shows its email in its own frame.
func TestBrowserOtherSiteCannotFrameTheUI(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium; skipped with -short")
	}
	r := start(t, repoTemplate(t), nil)
	r.putSample(t, "first-order.json", nil)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>evil</title><iframe src="%s"></iframe>`, req.URL.Query().Get("frame"))
	}))
	t.Cleanup(evil.Close)
	ctx := tab(t, browser(t), screens[1])
	for _, path := range []string{"/_sandbox/", "/_sandbox/inbox", "/_sandbox/inbox/" + r.sb.Messages()[0].ID + "/html"} {
		run(t, ctx, chromedp.Navigate(evil.URL+"/?frame="+url.QueryEscape(r.appURL+path)), chromedp.WaitReady(chromedp.CSS("iframe")))
		if loaded := childFrames(t, ctx, r.appURL); len(loaded) != 0 {
			t.Errorf("another site framed %s: %v", path, loaded)
		}
	}
	// The detector sees a frame of another origin that allows framing (the shop's page).
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "<p>shop") }))
	t.Cleanup(shop.Close)
	run(t, ctx, chromedp.Navigate(evil.URL+"/?frame="+url.QueryEscape(shop.URL+"/")), chromedp.WaitReady(chromedp.CSS("iframe")))
	if loaded := childFrames(t, ctx, shop.URL); len(loaded) != 1 {
		t.Errorf("a frame that may be framed did not load: %v", loaded)
	}
	// The inbox's own frame of the email is not blocked (a sandboxed frame: its own target).
	msg := r.appURL + "/_sandbox/inbox/" + r.sb.Messages()[0].ID
	run(t, ctx, chromedp.Navigate(msg), chromedp.WaitReady(chromedp.CSS("iframe")))
	deadline := time.Now().Add(5 * time.Second)
	for !hasFrameTarget(t, ctx, msg+"/html") {
		if time.Now().After(deadline) {
			t.Fatal("the inbox's frame of the email did not load")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// hasFrameTarget reports whether the browser holds a frame that loaded u.
func hasFrameTarget(t *testing.T, ctx context.Context, u string) bool {
	t.Helper()
	targets, err := chromedp.Targets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		if tg.Type == "iframe" && tg.URL == u {
			return true
		}
	}
	tree := frameTree(t, ctx)
	for _, c := range tree.ChildFrames {
		if c.Frame.URL == u {
			return true
		}
	}
	return false
}

func frameTree(t *testing.T, ctx context.Context) *page.FrameTree {
	t.Helper()
	var tree *page.FrameTree
	run(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, page.GetFrameTree, cdp.Empty{})
		tree = res.FrameTree
		return err
	}))
	return tree
}

// childFrames lists the URLs of the page's frames that loaded a document of prefix (a frame
// blocked by X-Frame-Options or frame-ancestors holds an error page instead).
func childFrames(t *testing.T, ctx context.Context, prefix string) []string {
	t.Helper()
	var out []string
	deadline := time.Now().Add(5 * time.Second)
	for {
		tree := frameTree(t, ctx)
		out = out[:0]
		pending := false
		for _, c := range tree.ChildFrames {
			switch {
			case strings.HasPrefix(c.Frame.URL, prefix):
				out = append(out, c.Frame.URL)
			case c.Frame.URL == "" || c.Frame.URL == "about:blank":
				pending = true
			}
		}
		if !pending || time.Now().After(deadline) {
			return out
		}
		time.Sleep(50 * time.Millisecond)
	}
}
