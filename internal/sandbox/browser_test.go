package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"shopmail/internal/email/emailtest"
	"shopmail/internal/samtemplate"
	"shopmail/internal/sandbox"
)

// Customers meet the emails and pages in a browser: these tests drive Debian's Chromium against
// the sandbox with real clicks and real form submissions (no header is ever set by the test),
// at a phone's and a desktop's width, in English and Persian, and check on every email and page
// what a customer would see: nothing wider than the screen, tap targets of 44 px, readable
// contrast in light and dark scheme, lang and dir, alt texts, labelled controls. Screenshots
// of each are written under .run/screenshots/ for review. `make test-browser` runs them alone.

// chromium is Debian's Chromium: on PATH, or where the package puts it. make test installs it
// (infra/chromium/ensure.sh); a test run without it says what to install.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	t.Fatal("Chromium is needed for the browser tests: apt-get install chromium (make test installs it when run as root)")
	return ""
}

// screen is a viewport the flows run at.
type screen struct {
	name          string
	width, height int64
	mobile        bool
}

var screens = []screen{{"phone", 375, 800, true}, {"desktop", 1280, 900, false}}

// browser starts one headless Chromium for the test; tabs are opened with tab.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // the tests run as root in CI
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		// Only the sandbox and the test's servers exist: images of shop.example fail at once.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	bctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return bctx
}

// tab opens a tab at the screen's size, light scheme.
func tab(t *testing.T, b context.Context, s screen) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel)
	run(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: s.width, Height: s.height, DeviceScaleFactor: 1, Mobile: s.mobile})
		return err
	}))
	scheme(t, ctx, "light")
	return ctx
}

// scheme emulates prefers-color-scheme.
func scheme(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	run(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: name}}})
		return err
	}))
}

func run(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// get runs one action that returns a value.
func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// tour is one run of the flows: a sandbox, a mail client showing its inbox, a shop, a browser
// tab, a language and a screen.
type tour struct {
	t      *testing.T
	r      *running
	ctx    context.Context
	lang   string // "en" or "fa"
	screen screen
	mail   string // the mail client: /m/<n> shows the n-th email's HTML part
	shop   string // the shop: every path is a product page titled with it
}

// newTour starts a sandbox and the servers around it.
func newTour(t *testing.T, b context.Context, lang string, s screen) *tour {
	return newTourWith(t, b, lang, s, nil)
}

// newTourWith is newTour with template parameters of the test's.
func newTourWith(t *testing.T, b context.Context, lang string, s screen, params map[string]string) *tour {
	r := startWith(t, sandbox.Config{Template: repoTemplate(t), Params: params})
	tr := &tour{t: t, r: r, lang: lang, screen: s, ctx: tab(t, b, s)}
	mail := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(req.URL.Path, "/m/"))
		msgs := r.sb.Messages()
		if err != nil || n < 0 || n >= len(msgs) {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, emailtest.MustParse(t, msgs[n].Raw).HTML)
	}))
	t.Cleanup(mail.Close)
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if req.URL.Path == "/notify" { // the shop's "tell me when the sale starts" form
			fmt.Fprintf(w, `<!doctype html><html lang="%s"><title>Sale</title><form method="post" action="%s/subscribe">
<label>Email <input name="email" type="email" value="neda@example.com"></label>
<input type="hidden" name="topic" value="sales"><input type="hidden" name="locale" value="%s">
<button type="submit">Tell me</button></form>`, lang, r.appURL, map[string]string{"en": "en-US", "fa": "fa-IR"}[lang])
			return
		}
		if req.URL.Path == "/forge" { // another site's form, aimed at one of our pages
			fmt.Fprintf(w, `<!doctype html><title>Win a prize</title><form method="post" action="%s">
<input type="hidden" name="action" value="stop-all"><button type="submit">Win</button></form>`, html.EscapeString(req.URL.Query().Get("to")))
			return
		}
		fmt.Fprintf(w, "<!doctype html><title>product %s</title><h1>%s</h1>", html.EscapeString(req.URL.Path), html.EscapeString(req.URL.Path))
	}))
	t.Cleanup(shop.Close)
	tr.mail, tr.shop = mail.URL, shop.URL
	return tr
}

// order puts the language's sample order on the bus, its product links pointing at the test's
// shop, after the edits given.
func (tr *tour) order(edits ...func(string) string) {
	name := map[string]string{"en": "first-order.json", "fa": "persian-customer.json"}[tr.lang]
	tr.r.putSample(tr.t, name, func(d string) string {
		for _, e := range edits {
			d = e(d)
		}
		return strings.ReplaceAll(d, `"url": "https://shop.example`, `"url": "`+tr.shop) // images stay https
	})
}

// orderID and contactID are the sample order's.
func (tr *tour) orderID() string   { return map[string]string{"en": "o-1001", "fa": "o-2001"}[tr.lang] }
func (tr *tour) contactID() string { return map[string]string{"en": "c-42", "fa": "c-77"}[tr.lang] }

// open shows the n-th email in the mail client.
func (tr *tour) open(n int) {
	tr.t.Helper()
	if got := len(tr.r.sb.Messages()); n >= got {
		tr.t.Fatalf("email %d asked for, %d in the inbox", n, got)
	}
	tr.navigate(fmt.Sprintf("%s/m/%d", tr.mail, n))
}

func (tr *tour) navigate(u string) {
	tr.t.Helper()
	run(tr.t, tr.ctx, chromedp.Navigate(u), chromedp.WaitReady(chromedp.CSS("body")))
}

// click clicks the element the XPath finds, waits for the page it leads to (a form posted to
// its own URL included), then for the sandbox to finish what the request set off.
func (tr *tour) click(xpath string) {
	tr.t.Helper()
	run(tr.t, tr.ctx, chromedp.WaitVisible(chromedp.Search(xpath)))
	get(tr.t, tr.ctx, chromedp.Evaluate[bool](`window.__tour = true`)) // gone with the next page
	run(tr.t, tr.ctx, chromedp.Click(chromedp.Search(xpath), chromedp.NodeVisible))
	deadline := time.Now().Add(15 * time.Second)
	for {
		gone, err := chromedp.Run(tr.ctx, chromedp.Evaluate[bool](`window.__tour !== true && document.readyState === 'complete'`))
		if err == nil && gone {
			break
		}
		if time.Now().After(deadline) {
			tr.t.Fatalf("clicking %s led to no page (at %s)", xpath, tr.location())
		}
		time.Sleep(25 * time.Millisecond)
	}
	tr.r.sb.Idle()
}

// toggle clicks a checkbox's label, which changes the form and leads nowhere.
func (tr *tour) toggle(xpath string) {
	tr.t.Helper()
	run(tr.t, tr.ctx, chromedp.WaitVisible(chromedp.Search(xpath)), chromedp.Click(chromedp.Search(xpath), chromedp.NodeVisible))
}

// submit clicks a form's button: the browser posts the form as it would for a customer.
func (tr *tour) submit(xpath string) { tr.click(xpath) }

// text returns the page's visible text.
func (tr *tour) text() string {
	tr.t.Helper()
	return get(tr.t, tr.ctx, chromedp.Text(chromedp.CSS("body")))
}

func (tr *tour) location() string {
	tr.t.Helper()
	return get(tr.t, tr.ctx, chromedp.Location())
}

// check audits what is on screen, in light and dark scheme, and saves a screenshot of each.
func (tr *tour) check(kind string) {
	tr.t.Helper()
	for _, sc := range []string{"light", "dark"} {
		scheme(tr.t, tr.ctx, sc)
		problems := get(tr.t, tr.ctx, chromedp.Evaluate[[]string](auditJS))
		for _, p := range problems {
			tr.t.Errorf("%s (%s, %s, %s): %s", kind, tr.lang, tr.screen.name, sc, p)
		}
		tr.screenshot(fmt.Sprintf("%s-%s-%s-%s", kind, tr.lang, tr.screen.name, sc))
	}
	scheme(tr.t, tr.ctx, "light")
}

func (tr *tour) screenshot(name string) {
	tr.t.Helper()
	root, err := samtemplate.FindRoot()
	if err != nil {
		tr.t.Fatal(err)
	}
	dir := filepath.Join(root, ".run", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tr.t.Fatal(err)
	}
	png := get(tr.t, tr.ctx, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tr.t.Fatal(err)
	}
}

// report reads the survey results from the marketer API with the dev token.
func (tr *tour) report() (answered int, nps float64) {
	tr.t.Helper()
	req, _ := http.NewRequest("GET", tr.r.appURL+"/reports/surveys", nil)
	req.Header.Set("Authorization", "Bearer "+tr.r.sb.DevToken())
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		tr.t.Fatalf("GET /reports/surveys: %v %v", res, err)
	}
	defer res.Body.Close()
	var out struct {
		Results struct {
			Answered int                     `json:"surveysAnswered"`
			NPS      struct{ Score float64 } `json:"nps"`
		} `json:"results"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		tr.t.Fatal(err)
	}
	return out.Results.Answered, out.Results.NPS.Score
}

// every runs f once per language and screen, each with its own sandbox and tab.
func every(t *testing.T, f func(tr *tour)) {
	if testing.Short() {
		t.Skip("drives Chromium; skipped with -short")
	}
	b := browser(t)
	for _, lang := range []string{"en", "fa"} {
		for _, s := range screens {
			t.Run(lang+"-"+s.name, func(t *testing.T) { f(newTour(t, b, lang, s)) })
		}
	}
}
