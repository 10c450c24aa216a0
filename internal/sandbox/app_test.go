package sandbox_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A page whose name is rebound to 127.0.0.1 (DNS rebinding) reaches the app with its own name
// as Host: every path refuses it before anything runs, public routes included; loopback names
// are served.
func TestAppAnswersLoopbackHostsOnly(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(r.appURL, "http://"))
	send := func(method, path, host string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, r.appURL+path, strings.NewReader("by=720h"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Host = host
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	for _, host := range []string{"rebind.evil.example:" + port, "rebind.evil.example", "127.0.0.1.evil.example:" + port, "localhost.evil.example:" + port, "10.0.0.7:" + port} {
		for _, path := range []string{"GET /_sandbox/", "GET /_sandbox/inbox", "GET /_sandbox/table", "GET /_sandbox/logs", "GET /_sandbox/events",
			"POST /_sandbox/clock", "POST /_sandbox/token", "GET /o/x", "GET /u/x", "GET /reports/surveys", "GET /openapi.json", "GET /nowhere"} {
			method, p, _ := strings.Cut(path, " ")
			status, body := send(method, p, host)
			if status != http.StatusMisdirectedRequest || strings.Contains(body, r.sb.DevToken()) || !strings.Contains(body, "loopback host name only") {
				t.Errorf("%s under Host %s: %d %.100s", path, host, status, body)
			}
		}
	}
	if off := r.sb.Clock().Offset(); off != 0 {
		t.Errorf("the clock moved by %s", off)
	}
	// The app may listen on a public address for its public routes; the UI stays local.
	for path, want := range map[string]int{"/_sandbox/": 403, "/_sandbox/inbox": 403, "/nowhere": 404} {
		req := httptest.NewRequest("GET", r.appURL+path, nil)
		req.RemoteAddr, req.Host = "192.0.2.7:50000", "127.0.0.1:"+port
		rec := httptest.NewRecorder()
		r.sb.App().ServeHTTP(rec, req)
		if rec.Code != want || strings.Contains(rec.Body.String(), r.sb.DevToken()) {
			t.Errorf("GET %s from another machine: %d, want %d", path, rec.Code, want)
		}
	}
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "LocalHost:" + port, "ui.localhost:" + port, "127.1.2.3:" + port, "[::1]:" + port, "localhost"} {
		if status, body := send("GET", "/_sandbox/", host); status != 200 || !strings.Contains(body, r.sb.DevToken()) {
			t.Errorf("GET /_sandbox/ under Host %s: %d", host, status)
		}
	}
}

// browserWith is browser with host-resolver rules of the test's before the usual ones.
func browserWith(t *testing.T, rules string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)), chromedp.NoSandbox, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("host-resolver-rules", rules+", MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"),
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

// In Chromium, with rebind.evil.example resolving to 127.0.0.1 as a rebinding attacker makes it:
// the page it opens on the sandbox's port shows the refusal, not the UI with the dev token.
func TestBrowserRebindingPageGetsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium; skipped with -short")
	}
	r := start(t, repoTemplate(t), nil)
	b := browserWith(t, "MAP rebind.evil.example 127.0.0.1")
	ctx := tab(t, b, screens[1])
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(r.appURL, "http://"))
	for _, path := range []string{"/_sandbox/", "/_sandbox/inbox"} {
		run(t, ctx, chromedp.Navigate("http://rebind.evil.example:"+port+path), chromedp.WaitReady(chromedp.CSS("body")))
		if text := get(t, ctx, chromedp.Text(chromedp.CSS("body"))); strings.Contains(text, r.sb.DevToken()) || !strings.Contains(text, "loopback host name only") {
			t.Errorf("%s under the rebound name shows:\n%.300s", path, text)
		}
	}
	// The same browser reaches the sandbox under its own name.
	run(t, ctx, chromedp.Navigate(r.appURL+"/_sandbox/"), chromedp.WaitReady(chromedp.CSS("body")))
	if text := get(t, ctx, chromedp.Text(chromedp.CSS("body"))); !strings.Contains(text, "Overview") {
		t.Errorf("the sandbox under its own name:\n%.300s", text)
	}
}
