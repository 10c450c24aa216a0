package dashboard_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/campaigns"
	"shopmail/internal/contacts"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/email"
	"shopmail/internal/occasions"
	"shopmail/internal/render"
	"shopmail/internal/send"
	"shopmail/internal/survey"
	"shopmail/internal/token"
	"shopmail/internal/web/dashboard"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

const base = "https://shop.example"

// issuer is a hand-written OpenID Connect issuer: it remembers the last authorization
// request and answers the code with an ID token for it (unsigned: the dashboard checks the
// claims of a token it got from the token endpoint itself).
type issuer struct {
	srv    *httptest.Server
	mu     sync.Mutex
	auth   url.Values
	claims map[string]any // overrides of the ID token's claims
	scope  string
}

func newIssuer(t testing.TB) *issuer {
	is := &issuer{scope: "openid email campaigns:read campaigns:write contacts:read contacts:write segments:read segments:write occasions:read occasions:write reports:read"}
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]string{"issuer": is.srv.URL, "authorization_endpoint": is.srv.URL + "/authorize", "token_endpoint": is.srv.URL + "/token"})
		case "/token":
			r.ParseForm()
			is.mu.Lock()
			defer is.mu.Unlock()
			sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
			if r.PostForm.Get("code") != "the-code" || base64.RawURLEncoding.EncodeToString(sum[:]) != is.auth.Get("code_challenge") ||
				r.PostForm.Get("redirect_uri") != is.auth.Get("redirect_uri") {
				w.WriteHeader(400)
				io.WriteString(w, `{"error": "invalid_grant"}`)
				return
			}
			c := map[string]any{"iss": is.srv.URL, "aud": "dash-client", "sub": "m-1", "email": "marketer@shop.example",
				"exp": time.Now().Add(time.Hour).Unix(), "nonce": is.auth.Get("nonce")}
			for k, v := range is.claims {
				c[k] = v
			}
			body, _ := json.Marshal(c)
			jwt := "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(body) + ".sig"
			json.NewEncoder(w).Encode(map[string]string{"id_token": jwt, "access_token": "x", "scope": is.scope})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(is.srv.Close)
	return is
}

type nowhere struct{}

func (nowhere) At(context.Context, string, time.Time, []byte) error         { return nil }
func (nowhere) Delete(context.Context, string) error                        { return nil }
func (nowhere) Send(context.Context, []string) error                        { return nil }
func (nowhere) SendRaw(context.Context, []byte, []send.Tag) (string, error) { return "m-1", nil }

// app is a dashboard on a fresh table, signing in at its own issuer.
type app struct {
	t   testing.TB
	d   *dashboard.Dashboard
	is  *issuer
	st  *dynamo.Marketing
	ctx context.Context
	db  *dynamodb.Client
	tbl string
}

func newApp(t testing.TB) *app {
	client, table := dynamotest.NewTable(t)
	store := dynamo.New(client, table, time.Now)
	st := &dynamo.Marketing{Store: store}
	keys, err := token.ParseKeys(`{"current":"k1","k1":"0123456789abcdef0123456789abcdef"}`)
	if err != nil {
		t.Fatal(err)
	}
	is := newIssuer(t)
	occ := &occasions.Service{Store: st, Timezone: time.UTC, Now: time.Now}
	brand := render.Brand{ShopName: "Tea House", ShopURL: base, SenderName: "Tea House", PostalAddress: "1 Leaf Street"}
	d := &dashboard.Dashboard{
		Campaigns: &campaigns.Service{Store: st, Runs: st, Shop: brand, From: email.Address{Name: "Tea House", Email: "hello@shop.example"},
			Now: time.Now, DaysOff: occ, Sending: campaigns.Sending{Scheduler: nowhere{}, Queue: nowhere{}, Mailer: nowhere{}}},
		Contacts:  &contacts.Service{Store: st, Segments: st, Profiles: st, Pages: st, Ledger: st, Now: time.Now},
		Occasions: occ, Surveys: &survey.Reporter{Store: store}, Answers: store, FollowUps: store, Hours: st, Reputation: store, Sender: "hello@shop.example",
		Keys: keys, Auth: &dashboard.OIDC{Issuer: is.srv.URL, ClientID: "dash-client"},
		BaseURL: "https://shop.example", Timezone: time.UTC, Now: time.Now, Log: slog.New(slog.DiscardHandler),
	}
	return &app{t: t, d: d, is: is, st: st, ctx: context.Background(), db: client, tbl: table}
}

// req is a browser's request: method, path and query, cookies, a form, and where from.
type req struct {
	method, target string
	cookies        []string
	form           url.Values
	site           string // Sec-Fetch-Site; "same-origin" unless set
}

func (a *app) do(r req) events.APIGatewayV2HTTPResponse {
	a.t.Helper()
	u, _ := url.Parse(r.target)
	route := "GET /dashboard/{proxy+}"
	if u.Path == "/dashboard" {
		route = "GET /dashboard"
	}
	q := map[string]string{}
	for k, v := range u.Query() {
		q[k] = v[0]
	}
	site := r.site
	if site == "" {
		site = "same-origin"
	}
	ev := events.APIGatewayV2HTTPRequest{RouteKey: route, RawPath: u.EscapedPath(), RawQueryString: u.RawQuery, QueryStringParameters: q,
		Cookies: r.cookies, Headers: map[string]string{"sec-fetch-site": site}}
	ev.RequestContext.HTTP.Method = r.method
	if r.form != nil {
		ev.Headers["content-type"] = "application/x-www-form-urlencoded"
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(r.form.Encode())), true
	}
	return a.d.Serve(a.ctx, ev)
}

// cookieOf is the value of a Set-Cookie of the response, as a request cookie.
func cookieOf(resp events.APIGatewayV2HTTPResponse, name string) string {
	for _, c := range resp.Cookies {
		if strings.HasPrefix(c, name+"=") {
			return strings.SplitN(c, ";", 2)[0]
		}
	}
	return ""
}

// signIn runs the sign-in and returns the session cookie.
func (a *app) signIn() string {
	a.t.Helper()
	start := a.do(req{method: "GET", target: "/dashboard/signin/start?next=/dashboard/campaigns"})
	loc, _ := url.Parse(start.Headers["location"])
	if start.StatusCode != 302 || !strings.HasPrefix(loc.String(), a.is.srv.URL+"/authorize?") {
		a.t.Fatalf("sign-in start: %d to %s", start.StatusCode, loc)
	}
	q := loc.Query()
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || q.Get("client_id") != "dash-client" ||
		q.Get("redirect_uri") != "https://shop.example/dashboard/auth/callback" || q.Get("state") == "" || q.Get("nonce") == "" {
		a.t.Fatalf("authorization request: %v", q)
	}
	a.is.mu.Lock()
	a.is.auth = q
	a.is.mu.Unlock()
	back := a.do(req{method: "GET", target: "/dashboard/auth/callback?code=the-code&state=" + url.QueryEscape(q.Get("state")),
		cookies: []string{cookieOf(start, "__Host-shopmail-signin")}, site: "cross-site"})
	session := cookieOf(back, "__Host-shopmail-session")
	if back.StatusCode != 302 || back.Headers["location"] != "/dashboard/campaigns" || session == "" {
		a.t.Fatalf("callback: %d to %s, cookies %v", back.StatusCode, back.Headers["location"], back.Cookies)
	}
	for _, c := range back.Cookies {
		if strings.HasPrefix(c, "__Host-shopmail-session=") && !(strings.Contains(c, "HttpOnly") && strings.Contains(c, "Secure") && strings.Contains(c, "SameSite=Lax")) {
			a.t.Errorf("the session cookie is %q, want HttpOnly, Secure, SameSite", c)
		}
	}
	return session
}

// csrf reads the form token off a page.
func csrf(t testing.TB, page string) string {
	t.Helper()
	_, rest, ok := strings.Cut(page, `name="csrf" value="`)
	if !ok {
		t.Fatalf("no CSRF token on the page: %.300s", page)
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

func TestSignedOutGoesToSignIn(t *testing.T) {
	a := newApp(t)
	resp := a.do(req{method: "GET", target: "/dashboard/customers?q=x"})
	if resp.StatusCode != 302 || resp.Headers["location"] != "/dashboard/signin?next=%2Fdashboard%2Fcustomers%3Fq%3Dx" {
		t.Errorf("signed out: %d to %q, want the sign-in page", resp.StatusCode, resp.Headers["location"])
	}
	page := a.do(req{method: "GET", target: "/dashboard/signin?next=/dashboard/customers"})
	if page.StatusCode != 200 || !strings.Contains(page.Body, `href="/dashboard/signin/start?next=%2Fdashboard%2Fcustomers"`) {
		t.Errorf("sign-in page: %d %.400s", page.StatusCode, page.Body)
	}
	if csp := page.Headers["content-security-policy"]; !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q, want our own scripts and styles only", csp)
	}
	// A post without a session changes nothing.
	post := a.do(req{method: "POST", target: "/dashboard/segments", form: url.Values{"do": {"save"}, "name": {"x"}, "tag": {"vip"}}})
	if post.StatusCode != 303 || post.Headers["location"] != "/dashboard/signin" {
		t.Errorf("a post signed out: %d to %q", post.StatusCode, post.Headers["location"])
	}
	if segs, _, _ := a.d.Contacts.ListSegments(a.ctx, "", 10); len(segs) != 0 {
		t.Errorf("a post without a session made %d segments", len(segs))
	}
	// Somewhere else is never where a sign-in leads.
	for _, next := range []string{"https://evil.example/", "//evil.example", "/\\evil.example", "/elsewhere"} {
		start := a.do(req{method: "GET", target: "/dashboard/signin/start?next=" + url.QueryEscape(next)})
		c, _ := a.d.Keys.Verify(strings.TrimPrefix(cookieOf(start, "__Host-shopmail-signin"), "__Host-shopmail-signin="), token.SignIn, time.Now())
		if _, got, _ := strings.Cut(c.Arg, " "); got != "/dashboard" {
			t.Errorf("next %q is kept as %q, want /dashboard", next, got)
		}
	}
}

func TestSignInChecksTheIssuersAnswer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		claims map[string]any
	}{
		{"another issuer", map[string]any{"iss": "https://evil.example"}},
		{"another client", map[string]any{"aud": "someone-else"}},
		{"expired", map[string]any{"exp": time.Now().Add(-time.Minute).Unix()}},
		{"another sign-in", map[string]any{"nonce": "stale"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(t)
			a.is.claims = tc.claims
			start := a.do(req{method: "GET", target: "/dashboard/signin/start"})
			loc, _ := url.Parse(start.Headers["location"])
			a.is.auth = loc.Query()
			back := a.do(req{method: "GET", target: "/dashboard/auth/callback?code=the-code&state=" + url.QueryEscape(loc.Query().Get("state")),
				cookies: []string{cookieOf(start, "__Host-shopmail-signin")}})
			if back.Headers["location"] != "/dashboard/signin?failed=1" || cookieOf(back, "__Host-shopmail-session") != "" {
				t.Errorf("%d to %q, cookies %v; want no session", back.StatusCode, back.Headers["location"], back.Cookies)
			}
		})
	}
	a := newApp(t)
	start := a.do(req{method: "GET", target: "/dashboard/signin/start"})
	loc, _ := url.Parse(start.Headers["location"])
	a.is.auth = loc.Query()
	// The state of another sign-in, or no sign-in cookie at all.
	for _, c := range []req{
		{method: "GET", target: "/dashboard/auth/callback?code=the-code&state=other", cookies: []string{cookieOf(start, "__Host-shopmail-signin")}},
		{method: "GET", target: "/dashboard/auth/callback?code=the-code&state=" + url.QueryEscape(loc.Query().Get("state"))},
	} {
		if back := a.do(c); cookieOf(back, "__Host-shopmail-session") != "" {
			t.Errorf("%s signed in", c.target)
		}
	}
	// A tampered session is no session.
	session := a.signIn()
	tampered := session[:len(session)-3] + "AAA"
	if resp := a.do(req{method: "GET", target: "/dashboard", cookies: []string{tampered}}); resp.StatusCode != 302 {
		t.Errorf("a tampered session: %d, want the sign-in page", resp.StatusCode)
	}
	if resp := a.do(req{method: "GET", target: "/dashboard", cookies: []string{session}}); resp.StatusCode != 200 {
		t.Errorf("signed in: %d %.300s", resp.StatusCode, resp.Body)
	}
}

// A form posted without its token, with another session's, or from another site changes
// nothing; the same form from our page does.
func TestFormsNeedTheirTokenAndOurSite(t *testing.T) {
	a := newApp(t)
	session := a.signIn()
	other := a.signIn()
	page := a.do(req{method: "GET", target: "/dashboard/segments/new", cookies: []string{session}})
	tok := csrf(t, page.Body)
	form := func(tok string) url.Values {
		return url.Values{"csrf": {tok}, "do": {"save"}, "name": {"VIPs"}, "tag": {"vip"}}
	}
	otherTok := csrf(t, a.do(req{method: "GET", target: "/dashboard/segments/new", cookies: []string{other}}).Body)
	for _, r := range []req{
		{method: "POST", target: "/dashboard/segments", cookies: []string{session}, form: form("")},
		{method: "POST", target: "/dashboard/segments", cookies: []string{session}, form: form(otherTok)},
		{method: "POST", target: "/dashboard/segments", cookies: []string{session}, form: form(tok), site: "cross-site"},
		{method: "POST", target: "/dashboard/segments", cookies: []string{session}, form: form(tok), site: "same-site"},
	} {
		if resp := a.do(r); resp.StatusCode != 403 {
			t.Errorf("csrf %q from %s: %d, want 403", r.form.Get("csrf"), r.site, resp.StatusCode)
		}
	}
	if segs, _, _ := a.d.Contacts.ListSegments(a.ctx, "", 10); len(segs) != 0 {
		t.Fatalf("refused posts made %d segments", len(segs))
	}
	resp := a.do(req{method: "POST", target: "/dashboard/segments", cookies: []string{session}, form: form(tok)})
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Headers["location"], "/dashboard/segments/") {
		t.Fatalf("the form from our page: %d to %q %.300s", resp.StatusCode, resp.Headers["location"], resp.Body)
	}
}

// A marketer whose token lacks a scope can read but not change.
func TestActionsNeedTheirScope(t *testing.T) {
	a := newApp(t)
	a.is.scope = "openid campaigns:read segments:read"
	session := a.signIn()
	page := a.do(req{method: "GET", target: "/dashboard/campaigns", cookies: []string{session}})
	if page.StatusCode != 200 {
		t.Fatalf("campaigns with campaigns:read: %d", page.StatusCode)
	}
	tok := csrf(t, page.Body)
	resp := a.do(req{method: "POST", target: "/dashboard/segments", cookies: []string{session},
		form: url.Values{"csrf": {tok}, "do": {"save"}, "name": {"VIPs"}, "tag": {"vip"}}})
	if resp.StatusCode != 403 || !strings.Contains(resp.Body, "segments:write") {
		t.Errorf("save a segment without segments:write: %d %.300s", resp.StatusCode, resp.Body)
	}
	if resp := a.do(req{method: "GET", target: "/dashboard/customers", cookies: []string{session}}); resp.StatusCode != 403 {
		t.Errorf("customers without contacts:read: %d", resp.StatusCode)
	}
}

// Marketer-written text is escaped wherever it appears; Markdown enters the preview only as
// the sanitiser leaves it.
func TestMarketerTextIsEscaped(t *testing.T) {
	a := newApp(t)
	session := a.signIn()
	const evil = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&`
	sg, err := a.d.Contacts.CreateSegment(a.ctx, contacts.SegmentInput{Name: "VIP " + evil, Rule: json.RawMessage(`{"tag": "vip"}`)})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"name": "Sale " + evil, "topic": "news", "segment": map[string]string{"id": sg.ID},
		"content": map[string]any{"en": map[string]string{"subject": "Hello " + evil, "headline": "Big " + evil, "body": "Hi <script>alert(3)</script>"}}})
	c, err := a.d.Campaigns.Create(a.ctx, body)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/dashboard", "/dashboard/campaigns", "/dashboard/campaigns?status=draft", "/dashboard/campaigns/" + c.ID,
		"/dashboard/campaigns/" + c.ID + "/edit", "/dashboard/campaigns/new", "/dashboard/segments", "/dashboard/segments/" + sg.ID,
		"/dashboard/campaigns/" + c.ID + "/preview?locale=en"} {
		resp := a.do(req{method: "GET", target: p, cookies: []string{session}})
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %.300s", p, resp.StatusCode, resp.Body)
			continue
		}
		for _, raw := range []string{"<script>alert", "<img src=x onerror", "javascript:alert"} {
			if strings.Contains(resp.Body, raw) {
				t.Errorf("%s has %q as markup", p, raw)
			}
		}
	}
	detail := a.do(req{method: "GET", target: "/dashboard/campaigns/" + c.ID, cookies: []string{session}})
	if !strings.Contains(detail.Body, "Sale &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&#34;&#39;&amp;") {
		t.Errorf("the campaign page does not show the name as text: %.600s", detail.Body)
	}
}

// BenchmarkCampaignsPage is a page of the campaign list among 10,000 campaigns (the first,
// and one deep in the list), each of its 25 rows with its numbers.
func BenchmarkCampaignsPage(b *testing.B) {
	a := newApp(b)
	session := a.signIn()
	sg, err := a.d.Contacts.CreateSegment(a.ctx, contacts.SegmentInput{Name: "all", Rule: json.RawMessage(`{"consent": "sales"}`)})
	if err != nil {
		b.Fatal(err)
	}
	seedCampaigns(b, a, sg.ID, 10_000)
	first := a.do(req{method: "GET", target: "/dashboard/campaigns", cookies: []string{session}})
	_, rest, _ := strings.Cut(first.Body, `/dashboard/campaigns?cursor=`)
	cursor, _, _ := strings.Cut(rest, `"`)
	for _, p := range []string{"/dashboard/campaigns", "/dashboard/campaigns?cursor=" + cursor, "/dashboard"} {
		b.Run(p, func(b *testing.B) {
			for range b.N {
				if resp := a.do(req{method: "GET", target: p, cookies: []string{session}}); resp.StatusCode != 200 {
					b.Fatalf("%s: %d", p, resp.StatusCode)
				}
			}
		})
	}
}

// seedCampaigns writes n drafts, a tenth of them completed.
func seedCampaigns(b *testing.B, a *app, segment string, n int) {
	var wg sync.WaitGroup
	work := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				body := fmt.Sprintf(`{"name": "Campaign %d", "topic": "news", "segment": {"id": %q}, "content": {"en": {"subject": "News %d", "headline": "Hello"}}}`, i, segment, i)
				if _, err := a.d.Campaigns.Create(a.ctx, []byte(body)); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
}

// BenchmarkCustomerTimeline is a customer's page with 5,000 entries on their timeline: the
// newest 50, then the page 50 further.
func BenchmarkCustomerTimeline(b *testing.B) {
	a := newApp(b)
	session := a.signIn()
	if _, err := a.d.Contacts.Import(a.ctx, contacts.CSV, []byte("id,email,firstName\nc-busy,busy@example.com,Busy\n")); err != nil {
		b.Fatal(err)
	}
	seedTimeline(b, a, "c-busy", 5_000)
	for _, p := range []string{"/dashboard/customers/c-busy", "/dashboard/customers/c-busy?cursor=2500"} {
		b.Run(p, func(b *testing.B) {
			for range b.N {
				resp := a.do(req{method: "GET", target: p, cookies: []string{session}})
				if resp.StatusCode != 200 || strings.Count(resp.Body, "<li class=") != 50 {
					b.Fatalf("%s: %d, %d entries", p, resp.StatusCode, strings.Count(resp.Body, "<li class="))
				}
			}
		})
	}
}

// seedTimeline writes n opens and clicks on the contact's timeline, as tracking writes them.
func seedTimeline(b *testing.B, a *app, id string, n int) {
	at := time.Now().Add(-time.Duration(n) * time.Minute)
	var batch []types.WriteRequest
	flush := func() {
		for len(batch) > 0 {
			out, err := a.db.BatchWriteItem(a.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{a.tbl: batch}})
			if err != nil {
				b.Fatal(err)
			}
			batch = out.UnprocessedItems[a.tbl]
		}
	}
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	for i := range n {
		kind, when := []string{"open", "click"}[i%2], at.Add(time.Duration(i)*time.Minute).UTC().Format(time.RFC3339Nano)
		batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
			"PK": s("CONTACT#" + id), "SK": s(fmt.Sprintf("ACT#%s#%s#%06d", when, kind, i)), "type": s("activity"), "kind": s(kind),
			"class": s("human"), "sendKey": s(fmt.Sprintf("campaign#cmp-%d#%s", i/10, id)), "url": s("https://shop.example/p/" + fmt.Sprint(i)), "at": s(when),
		}}})
		if len(batch) == 25 {
			flush()
		}
	}
	flush()
}

// An unhappy answer waits on the surveys page until someone marks the customer contacted;
// then it leaves the list and the customer's timeline says who did.
func TestUnhappyCustomersAreFollowedUp(t *testing.T) {
	a := newApp(t)
	session := a.signIn()
	if _, err := a.d.Contacts.Import(a.ctx, contacts.CSV, []byte("id,email,firstName\nc-sad,sad@example.com,Sad\n")); err != nil {
		t.Fatal(err)
	}
	ans := survey.Answer{ContactID: "c-sad", SendKey: "survey#o-9", OrderID: "o-9", Question: "nps", Score: 2, At: time.Now(), Locale: "en", Categories: []string{"tea"}}
	if _, _, err := a.st.SaveAnswer(a.ctx, ans, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := a.st.SaveComment(a.ctx, "c-sad", "survey#o-9", "nps", "The tea came <b>cold</b>"); err != nil {
		t.Fatal(err)
	}
	page := a.do(req{method: "GET", target: "/dashboard/surveys", cookies: []string{session}})
	if page.StatusCode != 200 || !strings.Contains(page.Body, `name="contact" value="c-sad"`) || !strings.Contains(page.Body, "The tea came &lt;b&gt;cold&lt;/b&gt;") {
		t.Fatalf("surveys page: %d, want c-sad to follow up and the comment as text: %.2000s", page.StatusCode, page.Body)
	}
	resp := a.do(req{method: "POST", target: "/dashboard/surveys/contacted", cookies: []string{session},
		form: url.Values{"csrf": {csrf(t, page.Body)}, "contact": {"c-sad"}, "send": {"survey#o-9"}, "question": {"nps"}}})
	if resp.StatusCode != 303 {
		t.Fatalf("mark contacted: %d %.300s", resp.StatusCode, resp.Body)
	}
	if page := a.do(req{method: "GET", target: "/dashboard/surveys?done=surveys.contacted", cookies: []string{session}}); strings.Contains(page.Body, `name="contact" value="c-sad"`) {
		t.Error("c-sad is still to follow up")
	}
	timeline := a.do(req{method: "GET", target: "/dashboard/customers/c-sad", cookies: []string{session}})
	if !strings.Contains(timeline.Body, "contacted by marketer@shop.example") {
		t.Errorf("the timeline does not say who contacted them: %.2000s", timeline.Body)
	}
}

// The form's draft is previewed before it is saved: the email as typed, framed under the
// email's own CSP, or what must be fixed first; nothing is stored.
func TestDraftIsPreviewedAsTyped(t *testing.T) {
	a := newApp(t)
	session := a.signIn()
	sg, err := a.d.Contacts.CreateSegment(a.ctx, contacts.SegmentInput{Name: "VIP", Rule: json.RawMessage(`{"tag": "vip"}`)})
	if err != nil {
		t.Fatal(err)
	}
	page := a.do(req{method: "GET", target: "/dashboard/campaigns/new", cookies: []string{session}})
	form := url.Values{"csrf": {csrf(t, page.Body)}, "name": {"Tea"}, "topic": {"news"}, "segment": {sg.ID},
		"en.subject": {"Fresh tea"}, "en.headline": {"Fresh tea is in"}, "fa.subject": {"چای تازه"}, "fa.headline": {"چای تازه رسید <b>امروز</b>"}}
	resp := a.do(req{method: "POST", target: "/dashboard/campaigns/preview?locale=fa&scheme=dark", cookies: []string{session}, form: form})
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, "چای تازه رسید &lt;b&gt;امروز&lt;/b&gt;") || !strings.Contains(resp.Body, `dir="rtl"`) ||
		!strings.Contains(resp.Headers["content-security-policy"], "frame-ancestors 'self'") || strings.Contains(resp.Body, "prefers-color-scheme: dark") {
		t.Errorf("draft preview: %d %q %.500s", resp.StatusCode, resp.Headers["content-security-policy"], resp.Body)
	}
	form.Del("en.subject")
	if resp := a.do(req{method: "POST", target: "/dashboard/campaigns/preview?locale=fa", cookies: []string{session}, form: form}); !strings.Contains(resp.Body, "subject") {
		t.Errorf("a draft without a subject: %.500s", resp.Body)
	}
	if list, _, _ := a.d.Campaigns.List(a.ctx, "", "", 10); len(list) != 0 {
		t.Errorf("previews stored %d campaigns", len(list))
	}
}
