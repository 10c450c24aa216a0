package tracking_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/links"
	"shopmail/internal/token"
	"shopmail/internal/tracking"
	"shopmail/internal/web"
)

var (
	t0     = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)

// store is a hand-written fake of the table: one send, and the hits recorded.
type store struct {
	sends map[string]tracking.SendState
	hits  []tracking.Hit
}

func (s *store) SendState(_ context.Context, cid, key string) (tracking.SendState, bool, error) {
	st, ok := s.sends[cid+"/"+key]
	return st, ok, nil
}

func (s *store) RecordHit(_ context.Context, h tracking.Hit) (bool, error) {
	s.hits = append(s.hits, h)
	st := s.sends[h.ContactID+"/"+h.SendKey]
	if st.Counted == nil {
		st.Counted = map[string]time.Time{}
	}
	st.Counted[h.Gate()] = h.At
	if h.Kind == tracking.Click {
		st.LastClickAt, st.LastClickLink = h.At, h.Link
		if h.Link == links.Honeypot {
			st.ScannerAt = h.At
		}
	}
	s.sends[h.ContactID+"/"+h.SendKey] = st
	return true, nil
}

type fixture struct {
	store *store
	now   time.Time
	h     *web.Tracking
	links *links.Send
	keys  *token.Keys
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	keys, err := token.ParseKeys(`{"current":"k1","k1":"0123456789abcdef0123456789abcdef"}`)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{now: t0, keys: keys}
	f.links = links.Config{BaseURL: "https://go.shop.example", Keys: keys, Tracking: 400 * 24 * time.Hour}.For("c-42", "thankyou#o-1", t0)
	f.links.Click("https://shop.example/tea")  // link 0
	f.links.Click("https://shop.example/mugs") // link 1
	f.links.Click("mailto:help@shop.example")  // not tracked
	f.store = &store{sends: map[string]tracking.SendState{"c-42/thankyou#o-1": {
		ContactID: "c-42", SendKey: "thankyou#o-1", Kind: "thankyou", Links: f.links.URLs(),
		SentAt: t0, DeliveredAt: t0.Add(2 * time.Second),
	}}}
	f.h = &web.Tracking{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Service: &tracking.Service{
		Store: f.store, Keys: keys, ShopURL: "https://shop.example/", Retention: 400 * 24 * time.Hour,
		Now: func() time.Time { return f.now },
	}}
	return f
}

func (f *fixture) request(method, rawURL, ua string) web.Response {
	path, query, _ := strings.Cut(strings.TrimPrefix(rawURL, "https://go.shop.example"), "?")
	var r web.Request
	r.RawPath, r.RawQueryString = path, query
	r.RequestContext.HTTP.Method = method
	r.Headers = map[string]string{"user-agent": ua}
	r.PathParameters = map[string]string{"token": path[strings.LastIndex(path, "/")+1:]}
	return f.h.Serve(context.Background(), r)
}

func TestClickRedirectsOnlyToTheRecordedURL(t *testing.T) {
	f := newFixture(t)
	f.now = t0.Add(time.Hour)
	link := f.links.Click("https://shop.example/mugs")
	if !strings.HasPrefix(link, "https://go.shop.example/c/") {
		t.Fatalf("link not tracked: %s", link)
	}
	for _, u := range []string{link, link + "?url=https://evil.example/", link + "?redirect=https%3A%2F%2Fevil.example"} {
		res := f.request("GET", u, chrome)
		if res.StatusCode != 302 || res.Headers["location"] != "https://shop.example/mugs" {
			t.Fatalf("GET %s = %d %q, want 302 to the recorded URL", u, res.StatusCode, res.Headers["location"])
		}
	}
	if got := f.links.Click("mailto:help@shop.example"); got != "mailto:help@shop.example" {
		t.Errorf("mailto link wrapped: %s", got)
	}
	if got := f.links.Click("tel:+15035550100"); got != "tel:+15035550100" {
		t.Errorf("tel link wrapped: %s", got)
	}
	// Three clicks of one link within the hour count once, on the send alone: a thank-you has
	// no counters (a campaign has).
	h := f.store.hits[0]
	if len(f.store.hits) != 1 || h.Kind != tracking.Click || h.Link != "1" || h.URL != "https://shop.example/mugs" || h.Stats != "" {
		t.Fatalf("hits = %+v", f.store.hits)
	}
}

func TestBadTokensWriteNothing(t *testing.T) {
	f := newFixture(t)
	f.now = t0.Add(time.Hour)
	good := f.links.Click("https://shop.example/tea")
	i := strings.LastIndex(good, ".") + 3
	tampered := good[:i] + string(rune('A'+(good[i]-'A'+1)%26)) + good[i+1:]
	other, _ := token.ParseKeys(`{"current":"k1","k1":"another key that is long enough to use"}`)
	foreign := links.Config{BaseURL: "https://go.shop.example", Keys: other, Tracking: time.Hour}.For("c-42", "thankyou#o-1", t0).Click("https://evil.example/")
	pixel := links.Config{BaseURL: "https://go.shop.example", Keys: f.keys, Tracking: time.Hour}.For("c-42", "thankyou#o-1", t0).Tracking("").Pixel
	for name, u := range map[string]string{
		"tampered":         tampered,
		"foreign key":      foreign,
		"pixel as a click": strings.Replace(pixel, "/o/", "/c/", 1),
		"absurdly long":    "https://go.shop.example/c/k1." + strings.Repeat("A", 100000),
		"empty":            "https://go.shop.example/c/",
	} {
		res := f.request("GET", u, chrome)
		if res.StatusCode != 404 || res.Headers["location"] != "" {
			t.Errorf("%s: %d %q, want 404 without redirect", name, res.StatusCode, res.Headers["location"])
		}
	}
	// The pixel answers every request the same way, valid or not, and writes only for valid ones.
	for _, u := range []string{strings.Replace(tampered, "/c/", "/o/", 1), "https://go.shop.example/o/x"} {
		res := f.request("GET", u, chrome)
		if res.StatusCode != 200 || res.Headers["content-type"] != "image/gif" || res.Headers["cache-control"] != "no-store, max-age=0" || !res.IsBase64Encoded {
			t.Errorf("pixel for a bad token: %+v", res)
		}
		if gif, _ := base64.StdEncoding.DecodeString(res.Body); !strings.HasPrefix(string(gif), "GIF89a") {
			t.Errorf("pixel body is not a GIF: %q", gif)
		}
	}
	// An expired token is refused too.
	f.now = t0.Add(401 * 24 * time.Hour)
	if res := f.request("GET", good, chrome); res.StatusCode != 404 {
		t.Errorf("expired token: %d", res.StatusCode)
	}
	if len(f.store.hits) != 0 {
		t.Fatalf("bad tokens wrote %+v", f.store.hits)
	}
}

func TestHeadAndGoneSendsWriteNothing(t *testing.T) {
	f := newFixture(t)
	f.now = t0.Add(time.Hour)
	link := f.links.Click("https://shop.example/tea")
	if res := f.request("HEAD", link, chrome); res.StatusCode != 302 || res.Headers["location"] != "https://shop.example/tea" {
		t.Errorf("HEAD = %d %q", res.StatusCode, res.Headers["location"])
	}
	f.request("HEAD", f.links.Tracking("").Pixel, chrome)
	delete(f.store.sends, "c-42/thankyou#o-1") // expired and deleted
	if res := f.request("GET", link, chrome); res.StatusCode != 302 || res.Headers["location"] != "https://shop.example/" {
		t.Errorf("click of a gone send = %d %q, want the shop", res.StatusCode, res.Headers["location"])
	}
	if len(f.store.hits) != 0 {
		t.Fatalf("wrote %+v", f.store.hits)
	}
}

func TestMachinesAreToldFromHumans(t *testing.T) {
	type hit struct {
		kind  string // "open", "click0", "click1", "honeypot"
		after time.Duration
		ua    string
	}
	tests := []struct {
		name   string
		hits   []hit
		want   tracking.Class // of the last hit
		reason string
	}{
		{"reader opens", []hit{{"open", time.Hour, chrome}}, tracking.Human, ""},
		{"Apple Mail Privacy Protection", []hit{{"open", time.Minute, "Mozilla/5.0"}}, tracking.Machine, "privacy proxy"},
		{"Gmail image proxy", []hit{{"open", time.Hour, "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"}}, tracking.Machine, "image proxy"},
		{"no user agent", []hit{{"open", time.Hour, ""}}, tracking.Machine, "no user agent"},
		{"open at delivery", []hit{{"open", 3 * time.Second, chrome}}, tracking.Machine, "too soon"},
		{"link scanner agent", []hit{{"click0", time.Hour, "Mozilla/5.0 (compatible; Barracuda Sentinel)"}}, tracking.Machine, "scanner"},
		{"script", []hit{{"click0", time.Hour, "python-requests/2.32"}}, tracking.Machine, "scanner"},
		{"click right after delivery", []hit{{"click0", 4 * time.Second, chrome}}, tracking.Machine, "too soon"},
		{"reader clicks", []hit{{"click0", time.Hour, chrome}}, tracking.Human, ""},
		{"reader clicks one link twice", []hit{{"click0", time.Hour, chrome}, {"click0", time.Hour + time.Second, chrome}}, tracking.Human, ""},
		{"every link at once", []hit{{"click0", time.Hour, chrome}, {"click1", time.Hour + 500*time.Millisecond, chrome}}, tracking.Machine, "many links"},
		{"hidden link", []hit{{"honeypot", time.Hour, chrome}}, tracking.Machine, "hidden link"},
		{"after the hidden link", []hit{{"honeypot", time.Hour, chrome}, {"click0", time.Hour + time.Minute, chrome}}, tracking.Machine, "hidden link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tr := f.links.Tracking("")
			for _, h := range tt.hits {
				f.now = t0.Add(h.after)
				u := map[string]string{
					"open": tr.Pixel, "click0": f.links.Click("https://shop.example/tea"),
					"click1": f.links.Click("https://shop.example/mugs"), "honeypot": tr.Honeypot,
				}[h.kind]
				f.request("GET", u, h.ua)
			}
			counts := len(tt.hits)
			if tt.name == "reader clicks one link twice" {
				counts = 1 // within the hour: counted once
			}
			if len(f.store.hits) != counts {
				t.Fatalf("%d hits recorded, want %d", len(f.store.hits), counts)
			}
			last := f.store.hits[len(f.store.hits)-1]
			if last.Class != tt.want || !strings.Contains(last.Reason, tt.reason) {
				t.Fatalf("class = %s (%s), want %s (%s)", last.Class, last.Reason, tt.want, tt.reason)
			}
		})
	}
}

func BenchmarkClick(b *testing.B) {
	f := newFixture(b)
	f.now = t0.Add(time.Hour)
	link := f.links.Click("https://shop.example/tea")
	b.ReportAllocs()
	for b.Loop() {
		f.store.hits = f.store.hits[:0]
		st := f.store.sends["c-42/thankyou#o-1"]
		st.Counted = nil // every click counted, as the first of the hour is
		f.store.sends["c-42/thankyou#o-1"] = st
		if res := f.request("GET", link, chrome); res.StatusCode != 302 {
			b.Fatal(res.StatusCode)
		}
	}
}

// BenchmarkTrackingHit is one click as the function handles it: the HTTP API event decoded,
// the token checked, the send read and the hit classified and written through the real store
// (its DynamoDB requests encoded), the redirect encoded. Only the network is stubbed.
func BenchmarkTrackingHit(b *testing.B) {
	f := newFixture(b)
	f.now = t0.Add(time.Hour)
	sendItem := map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "CONTACT#c-42"}, "SK": &types.AttributeValueMemberS{Value: "SEND#thankyou#o-1"},
		"kind":   &types.AttributeValueMemberS{Value: "thankyou"},
		"sentAt": &types.AttributeValueMemberS{Value: "2026-11-22T10:00:00.000000000Z"},
		"links": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberS{Value: "https://shop.example/tea"}, &types.AttributeValueMemberS{Value: "https://shop.example/mugs"},
		}},
	}
	f.h.Service.Store = dynamo.New(dynamotest.Stub{Get: func(*dynamodb.GetItemInput) map[string]types.AttributeValue { return sendItem }}, "bench", func() time.Time { return f.now })
	link := f.links.Click("https://shop.example/mugs")
	req := web.Request{RawPath: strings.TrimPrefix(link, "https://go.shop.example"), Headers: map[string]string{"user-agent": chrome},
		PathParameters: map[string]string{"token": link[strings.LastIndex(link, "/")+1:]}}
	req.RequestContext.HTTP.Method = "GET"
	payload, _ := json.Marshal(req)
	b.ReportAllocs()
	for b.Loop() {
		out, err := f.h.Invoke(context.Background(), payload)
		if err != nil || !strings.Contains(string(out), `"location":"https://shop.example/mugs"`) {
			b.Fatalf("%s %v", out, err)
		}
	}
}
