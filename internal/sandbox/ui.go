package sandbox

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/infra/openapi"
)

//go:embed ui/*.html
var uiFiles embed.FS

var requestIDRe = regexp.MustCompile(`request ([0-9a-f-]{36})`)

var pages = func() map[string]*template.Template {
	funcs := template.FuncMap{
		"join": strings.Join,
		"decoded": func(vs []string) string {
			out := make([]string, len(vs))
			for i, v := range vs {
				out[i] = v
				if d, err := wordDecoder.DecodeHeader(v); err == nil {
					out[i] = d
				}
			}
			return strings.Join(out, ", ")
		},
		"pretty":     func(s string) string { return pretty([]byte(s)) },
		"dollars":    func(v float64) string { return fmt.Sprintf("$%.8f", v) },
		"perMillion": func(v float64) string { return fmt.Sprintf("$%.2f", v*1e6) },
		"percent":    func(v float64) string { return fmt.Sprintf("%.1f%%", v*100) },
		"units":      func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) },
		"requestID": func(summary string) string {
			if m := requestIDRe.FindStringSubmatch(summary); m != nil {
				return m[1]
			}
			return ""
		},
	}
	out := map[string]*template.Template{}
	for _, p := range []string{"overview", "inbox", "message", "events", "logs", "table", "schedules", "deadletters", "cost"} {
		out[p] = template.Must(template.New(p).Funcs(funcs).ParseFS(uiFiles, "ui/layout.html", "ui/"+p+".html"))
	}
	return out
}()

type page struct {
	Title  string
	Now    time.Time
	Ahead  time.Duration
	Counts struct{ Inbox, Schedules, DeadLetters int }
	Data   any
}

func (s *Sandbox) render(w http.ResponseWriter, name, title string, data any) {
	p := page{Title: title, Now: s.clock.Now(), Ahead: s.clock.Offset().Round(time.Second), Data: data}
	p.Counts.Inbox, p.Counts.Schedules, p.Counts.DeadLetters = len(s.ses.Messages()), len(s.sched.List()), len(s.DeadLetters())
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, name+".html", p); err != nil {
		http.Error(w, fmt.Sprintf("render %s: %v", name, err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	buf.WriteTo(w)
}

// app serves the template's HTTP API routes and the UI.
func (s *Sandbox) app() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sandbox/{$}", s.overview)
	mux.HandleFunc("GET /_sandbox/inbox", func(w http.ResponseWriter, r *http.Request) {
		msgs := s.ses.Messages()
		for i, j := 0, len(msgs)-1; i < j; i, j = i+1, j-1 {
			msgs[i], msgs[j] = msgs[j], msgs[i]
		}
		s.render(w, "inbox", "Inbox", msgs)
	})
	mux.HandleFunc("GET /_sandbox/inbox/{id}", s.message)
	mux.HandleFunc("GET /_sandbox/inbox/{id}/html", s.messageHTML)
	mux.HandleFunc("GET /_sandbox/events", func(w http.ResponseWriter, r *http.Request) {
		s.render(w, "events", "Event log", s.journal.list())
	})
	mux.HandleFunc("GET /_sandbox/logs", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		s.render(w, "logs", "Function logs", map[string]any{"Query": q, "Lines": s.logs.matching(q)})
	})
	mux.HandleFunc("GET /_sandbox/table", s.tableBrowser)
	mux.HandleFunc("GET /_sandbox/schedules", func(w http.ResponseWriter, r *http.Request) {
		s.render(w, "schedules", "Schedules", s.sched.List())
	})
	mux.HandleFunc("GET /_sandbox/dead-letters", func(w http.ResponseWriter, r *http.Request) {
		s.render(w, "deadletters", "Dead letters", s.DeadLetters())
	})
	mux.HandleFunc("GET /_sandbox/cost", s.serveCost)
	mux.HandleFunc("POST /_sandbox/clock", s.sameOrigin(s.advanceClock))
	mux.HandleFunc("POST /_sandbox/put-event", s.sameOrigin(s.putSample))
	mux.HandleFunc("POST /_sandbox/token", s.sameOrigin(s.serveToken))
	mux.HandleFunc("GET /openapi.json", s.serveOpenAPI)
	s.oidcRoutes(mux)
	mux.HandleFunc("/", s.serveRoute)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// DNS rebinding: a page of evil.example, its name now resolving to 127.0.0.1, reaches
		// this port as "its own" site, Host evil.example. Nothing answers it, public routes
		// included.
		if !loopback(r.Host) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusMisdirectedRequest)
			io.WriteString(w, "the sandbox answers under a loopback host name only (127.0.0.1, localhost)\n")
			return
		}
		if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
			if !fromLoopback(r) {
				http.Error(w, "the sandbox UI answers this machine only", http.StatusForbidden)
				return
			}
			h := w.Header()
			h.Set(MarkerHeader, "1")
			// No other site may frame the UI (clickjacking its forms).
			h.Set("X-Frame-Options", "DENY")
			h.Set("Content-Security-Policy", "frame-ancestors 'none'")
		}
		mux.ServeHTTP(w, r)
	})
}

// serveOpenAPI serves the marketer API's OpenAPI document outside the JWT authorizer: a
// client reads it before it has a token. It is no secret, so unlike the UI it is served to
// other machines too. A route of the template on the same path wins, as it would deployed.
func (s *Sandbox) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	for _, rt := range s.routes {
		if _, ok := rt.match(r.Method, r.URL.EscapedPath()); ok {
			s.serveRoute(w, r)
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(openapi.Document)
}

// fromLoopback reports whether the request came from this machine (the app may listen on a
// public address, for the public routes; the UI and its tokens stay local).
func fromLoopback(r *http.Request) bool {
	ip := net.ParseIP(sourceIP(r))
	return ip != nil && ip.IsLoopback()
}

// MarkerHeader is set on the sandbox UI's responses, so that a second `make run` can tell a
// running sandbox from another program on its port.
const MarkerHeader = "X-Shopmail-Sandbox"

// sameOrigin refuses a form posted from another site: a page the developer visits must not
// be able to put events on the bus, move the clock or mint tokens. Browsers send Origin with
// cross-site POSTs, and Sec-Fetch-Site with every request; curl sends neither. The Origin is
// compared with the app's URL, not with the request's Host, which a DNS-rebinding page
// controls as much as its Origin.
func (s *Sandbox) sameOrigin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		site := r.Header.Get("Sec-Fetch-Site")
		if o := r.Header.Get("Origin"); (o != "" && o != s.appURL) || (site != "" && site != "same-origin" && site != "none") {
			http.Error(w, "cross-site request refused", http.StatusForbidden)
			return
		}
		h(w, r)
	}
}

func (s *Sandbox) overview(w http.ResponseWriter, r *http.Request) {
	var fns, routes []string
	for id := range s.functions {
		fns = append(fns, id)
	}
	sort.Strings(fns)
	for _, rt := range s.routes {
		routes = append(routes, rt.key+" → "+rt.function)
	}
	s.render(w, "overview", "Overview", map[string]any{
		"AWSURL": s.awsURL, "AppURL": s.appURL, "DevToken": s.devToken, "Functions": fns, "Routes": routes, "Samples": s.samples(),
	})
}

// samples lists the sample events under events/, as "<function>/<file>".
func (s *Sandbox) samples() []string {
	files, _ := filepath.Glob(filepath.Join(s.tmpl.Dir, "events", "*", "*.json"))
	out := make([]string, 0, len(files))
	for _, f := range files {
		out = append(out, filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f))
	}
	sort.Strings(out)
	return out
}

func (s *Sandbox) message(w http.ResponseWriter, r *http.Request) {
	m, ok := s.ses.Message(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	shown := readEmail(m.Raw)
	s.render(w, "message", shown.Subject, map[string]any{"Message": m, "Shown": shown})
}

// messageHTML serves an email's HTML part for the inbox's iframe: no scripts, no plugins,
// images from anywhere (as a mail client shows them after the reader allows it).
func (s *Sandbox) messageHTML(w http.ResponseWriter, r *http.Request) {
	m, ok := s.ses.Message(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	// Framed by the inbox's own page only.
	w.Header().Set("X-Frame-Options", "SAMEORIGIN")
	w.Header().Set("Content-Security-Policy", "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'; frame-ancestors 'self'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(readEmail(m.Raw).HTML))
}

func (s *Sandbox) advanceClock(w http.ResponseWriter, r *http.Request) {
	d, err := time.ParseDuration(r.FormValue("by"))
	if err != nil || d <= 0 {
		http.Error(w, "by: a positive duration such as 72h", http.StatusBadRequest)
		return
	}
	s.Advance(r.Context(), d)
	http.Redirect(w, r, "/_sandbox/schedules", http.StatusSeeOther)
}

// putSample puts a sample event from events/ (form field "sample") on the bus it is for.
func (s *Sandbox) putSample(w http.ResponseWriter, r *http.Request) {
	name := r.FormValue("sample")
	if !contains(s.samples(), name) {
		http.Error(w, fmt.Sprintf("sample: %q is not one of the files under events/", name), http.StatusBadRequest)
		return
	}
	raw, err := os.ReadFile(filepath.Join(s.tmpl.Dir, "events", filepath.FromSlash(name)))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var ev struct {
		Source     string          `json:"source"`
		DetailType string          `json:"detail-type"`
		Detail     json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(raw, &ev) != nil || ev.Source == "" || !isJSONObject(ev.Detail) {
		// Samples that are not valid EventBridge events go to the functions as they are.
		s.invokeSampleDirectly(r.Context(), name, raw)
	} else {
		s.publish(r.Context(), s.sampleBus(name, raw), ev.Source, ev.DetailType, ev.Detail, nil, s.clock.Now())
	}
	http.Redirect(w, r, "/_sandbox/events", http.StatusSeeOther)
}

// sampleBus is the bus a sample is for: that of the first rule of the sample's function
// (events/<folder>/) that matches it, else of its first rule, else the default bus.
func (s *Sandbox) sampleBus(name string, raw []byte) string {
	folder := strings.Split(name, "/")[0]
	bus := ""
	for _, rl := range s.rules {
		if s.functions[rl.function].folder != folder {
			continue
		}
		if ok, _ := rl.pattern.Match(raw); ok {
			return rl.bus
		}
		bus = or(bus, rl.bus)
	}
	return or(bus, "default")
}

// invokeSampleDirectly invokes a sample's function with the sample as it is (malformed
// events cannot travel through PutEvents, but a function must still handle them).
func (s *Sandbox) invokeSampleDirectly(ctx context.Context, name string, raw []byte) {
	folder := strings.Split(name, "/")[0]
	for id, f := range s.functions {
		if f.folder == folder {
			s.invokeAsync(ctx, id, raw, "sample "+name)
		}
	}
}

// display turns a DynamoDB attribute value into plain values for the table browser.
func display(av types.AttributeValue) any {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	case *types.AttributeValueMemberBOOL:
		return v.Value
	case *types.AttributeValueMemberM:
		m := make(map[string]any, len(v.Value))
		for k, x := range v.Value {
			m[k] = display(x)
		}
		return m
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, x := range v.Value {
			l[i] = display(x)
		}
		return l
	case *types.AttributeValueMemberNULL:
		return nil
	}
	return fmt.Sprintf("%T", av)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

type tableGroup struct {
	PK    string
	Items []map[string]any
}

// tableBrowser shows the table's items grouped by partition (a contact, an order...).
func (s *Sandbox) tableBrowser(w http.ResponseWriter, r *http.Request) {
	prefix := r.URL.Query().Get("pk")
	groups := map[string][]map[string]any{}
	// The filter runs in DynamoDB, so that it finds what matches in a table of any size; the
	// page shows the first 1,000 matching items.
	in := &dynamodb.ScanInput{TableName: &s.table}
	if prefix != "" {
		in.FilterExpression = aws.String("begins_with(PK, :p)")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: prefix}}
	}
	count, truncated := 0, false
	p := dynamodb.NewScanPaginator(s.db, in)
	for p.HasMorePages() && !truncated {
		page, err := p.NextPage(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, it := range page.Items {
			if count == 1000 {
				truncated = true
				break
			}
			m := display(&types.AttributeValueMemberM{Value: it}).(map[string]any)
			pk, _ := m["PK"].(string)
			groups[pk] = append(groups[pk], m)
			count++
		}
	}
	out := make([]tableGroup, 0, len(groups))
	for pk, items := range groups {
		sort.Slice(items, func(i, j int) bool { return fmt.Sprint(items[i]["SK"]) < fmt.Sprint(items[j]["SK"]) })
		out = append(out, tableGroup{pk, items})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PK < out[j].PK })
	s.render(w, "table", "Table "+s.table, map[string]any{"Prefix": prefix, "Groups": out, "Truncated": truncated})
}

// serveCost shows the cost meter: the run, each order and each campaign, next to SES. JSON
// for a client that asks for it (Accept: application/json, or ?format=json).
func (s *Sandbox) serveCost(w http.ResponseWriter, r *http.Request) {
	rep := s.meter.report()
	if r.URL.Query().Get("format") == "json" || strings.Contains(r.Header.Get("Accept"), "application/json") {
		writeJSON(w, http.StatusOK, rep)
		return
	}
	s.render(w, "cost", "Cost", rep)
}
