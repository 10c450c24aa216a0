package sandbox_test

import (
	"bytes"
	"encoding/base64"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"

	"shopmail/internal/email/emailtest"
	"shopmail/internal/sandbox"
)

// syncBuffer collects the functions' log lines from concurrent invocations.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startLogged is start with the functions' logs kept.
func startLogged(t *testing.T) (*running, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	r := startWith(t, sandbox.Config{Template: repoTemplate(t), Log: logs})
	return r, logs
}

// Item 18: an order, a subscription and its confirmation, an unsubscribe and a bounce, end to
// end: no address used appears in any function's log, in any case, nor in base64.
func TestLogsCarryNoAddress(t *testing.T) {
	r, logs := startLogged(t)
	r.putSample(t, "first-order.json", nil) // sara@example.com
	msgs := r.sb.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d emails after the order", len(msgs))
	}
	thanks := emailtest.MustParse(t, msgs[0].Raw)
	unsub := strings.Trim(strings.Split(thanks.Header.Get("List-Unsubscribe"), ",")[0], "<> ")
	if res, _ := r.do(t, "POST", unsub, "Mozilla/5.0 (compatible; GmailOneClick)", url.Values{"List-Unsubscribe": {"One-Click"}}); res.StatusCode != 200 {
		t.Fatalf("one-click: %d", res.StatusCode)
	}
	form := url.Values{"email": {"Neda.Private+Sale@Example.org"}, "topic": {"sales"}, "locale": {"fa-IR"}}
	if res, _ := r.do(t, "POST", r.appURL+"/subscribe", chromeUA, form); res.StatusCode != 200 {
		t.Fatalf("subscribe: %d", res.StatusCode)
	}
	r.do(t, "POST", r.appURL+"/subscribe", chromeUA, url.Values{"email": {"bounce@simulator.amazonses.com"}})
	msgs = r.sb.Messages()
	if len(msgs) != 3 {
		t.Fatalf("%d emails, want the thank-you and two confirmations", len(msgs))
	}
	confirm := links(emailtest.MustParse(t, msgs[1].Raw).HTML, "/s/")
	if len(confirm) != 1 {
		t.Fatalf("confirm links: %v", confirm)
	}
	if res, _ := r.do(t, "POST", confirm[0], chromeUA, url.Values{}); res.StatusCode != 200 {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	r.sb.Idle()
	out := logs.String()
	if strings.Count(out, "\n") < 8 || !strings.Contains(out, "subscription confirmed") || !strings.Contains(out, "unsubscribed") {
		t.Fatalf("the logs do not show the flows:\n%s", out)
	}
	lower := strings.ToLower(out)
	for _, addr := range []string{"sara@example.com", "Neda.Private+Sale@Example.org", "neda.private@example.org", "bounce@simulator.amazonses.com"} {
		a, _ := mail.ParseAddress(addr)
		for _, v := range []string{strings.ToLower(a.Address), strings.SplitN(strings.ToLower(a.Address), "@", 2)[0] + "@"} {
			if strings.Contains(lower, v) {
				t.Errorf("the logs carry %q", v)
			}
		}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			for _, v := range []string{addr, strings.ToLower(addr)} {
				if b := enc.EncodeToString([]byte(v)); strings.Contains(out, b[:len(b)*3/4]) {
					t.Errorf("the logs carry %q in base64", v)
				}
			}
		}
	}
}
