package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// route is an HttpApi event source of a function.
type route struct {
	function string
	method   string   // upper case, or ANY
	parts    []string // path segments; "{name}" matches one, "{name+}" the rest
	key      string   // the route key, e.g. "GET /t/{token}"
	api      string   // the HttpApi resource (ApiId), "" for the implicit one

	authorizer string         // Auth.Authorizer as the route names it ("" for the API's default)
	scopes     []string       // Auth.AuthorizationScopes: the token needs one of them
	jwt        *jwtAuthorizer // the authorizer the route is behind, nil for a public route
}

func newRoute(fn string, p map[string]any) (route, error) {
	path, _ := p["Path"].(string)
	method, _ := p["Method"].(string)
	if path == "" || !strings.HasPrefix(path, "/") {
		return route{}, fmt.Errorf("HttpApi Path %q must start with /", path)
	}
	method = strings.ToUpper(or(method, "ANY"))
	r := route{function: fn, method: method, parts: strings.Split(strings.Trim(path, "/"), "/"), key: method + " " + path}
	r.api, _ = p["ApiId"].(string)
	if a, ok := p["Auth"].(map[string]any); ok {
		r.authorizer, _ = a["Authorizer"].(string)
		r.scopes = strings.Fields(claimList(a["AuthorizationScopes"]))
	}
	return r, nil
}

// specificity orders routes as API Gateway chooses among them: more literal segments first,
// a greedy {proxy+} last.
func (r route) specificity() int {
	n := 0
	for _, p := range r.parts {
		switch {
		case strings.HasSuffix(p, "+}"):
		case strings.HasPrefix(p, "{"):
			n += 1
		default:
			n += 100
		}
	}
	if r.method != "ANY" {
		n++
	}
	return n
}

// match returns the path parameters (decoded) when the request's path, as sent (escaped),
// matches the route: an escaped "/" stays inside its segment, as at API Gateway.
func (r route) match(method, path string) (map[string]string, bool) {
	if r.method != "ANY" && r.method != method {
		return nil, false
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	params := map[string]string{}
	for i, p := range r.parts {
		switch {
		case strings.HasSuffix(p, "+}") && i < len(segs):
			params[strings.Trim(p, "{+}")] = unescape(strings.Join(segs[i:], "/"))
			return params, true
		case i >= len(segs):
			return nil, false
		case strings.HasPrefix(p, "{"):
			params[strings.Trim(p, "{}")] = unescape(segs[i])
		case p != segs[i]:
			return nil, false
		}
	}
	return params, len(segs) == len(r.parts)
}

func unescape(v string) string {
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}

// maxAPIBody is API Gateway's payload limit.
const maxAPIBody = 10 << 20

// serveRoute calls the function of the route that matches the request with an API Gateway
// HTTP API payload 2.0 event, and writes its response.
func (s *Sandbox) serveRoute(w http.ResponseWriter, r *http.Request) {
	for _, rt := range s.routes {
		params, ok := rt.match(r.Method, r.URL.EscapedPath())
		if !ok {
			continue
		}
		var claims map[string]any
		if rt.jwt != nil {
			var err error
			if claims, err = s.authorize(r, rt); err != nil {
				refuse(w, err)
				return
			}
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxAPIBody+1))
		if err != nil || len(body) > maxAPIBody {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"message": "Request Entity Too Large"})
			return
		}
		s.callRoute(w, r, rt, params, body, claims)
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
}

// refuse answers a request the authorizer turned down, as API Gateway does.
func refuse(w http.ResponseWriter, err error) {
	if errors.Is(err, errForbidden) {
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "Forbidden"})
		return
	}
	w.Header().Set("WWW-Authenticate", `Bearer scope="" error="invalid_token" error_description="`+strings.ReplaceAll(err.Error(), `"`, "'")+`"`)
	writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Unauthorized"})
}

func (s *Sandbox) callRoute(w http.ResponseWriter, r *http.Request, rt route, params map[string]string, body []byte, claims map[string]any) {
	f := s.functions[rt.function]
	payload, _ := json.Marshal(s.apiEvent(r, rt, params, body, claims))
	rid := newID()
	s.meter.atEnd(rid, func(subject string) {
		s.meter.charge(subject, "apigateway", "HTTP API request", "requests", 1, 1, Prices.APIRequest)
	})
	out, err := s.call(r.Context(), f, payload, rid, fmt.Sprintf("request %s, for %s %s", rid, r.Method, r.URL.Path), false)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "Internal Server Error"})
		return
	}
	writeAPIResponse(w, out)
}

func (s *Sandbox) apiEvent(r *http.Request, rt route, params map[string]string, body []byte, claims map[string]any) events.APIGatewayV2HTTPRequest {
	headers := map[string]string{}
	var cookies []string
	for k, v := range r.Header {
		if strings.EqualFold(k, "Cookie") { // in "cookies", as they came
			for _, line := range v {
				for c := range strings.SplitSeq(line, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	// What API Gateway adds: the host, and where the request came from.
	_, port, _ := net.SplitHostPort(r.Host)
	headers["host"], headers["x-forwarded-proto"], headers["x-forwarded-port"] = r.Host, "http", or(port, "80")
	headers["x-forwarded-for"] = strings.TrimPrefix(headers["x-forwarded-for"]+", "+sourceIP(r), ", ")
	query := map[string]string{}
	for k, v := range r.URL.Query() {
		query[k] = strings.Join(v, ",")
	}
	now := time.Now()
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: rt.key, RawPath: r.URL.EscapedPath(), RawQueryString: r.URL.RawQuery,
		Cookies: cookies, Headers: headers, QueryStringParameters: query, PathParameters: params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: rt.key, AccountID: s.account, Stage: "$default", RequestID: newID(), APIID: "sandbox",
			DomainName: r.Host, DomainPrefix: strings.Split(r.Host, ".")[0], Time: now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch: now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.Method, Path: r.URL.Path, Protocol: r.Proto, SourceIP: sourceIP(r), UserAgent: r.UserAgent(),
			},
		},
	}
	if rt.jwt != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: eventClaims(claims), Scopes: tokenScopes(claims)},
		}
	}
	if textBody(r.Header.Get("Content-Type"), body) {
		ev.Body = string(body)
	} else {
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return ev
}

// textBody reports whether API Gateway passes a request body as text: JSON or text/* in
// UTF-8. Any other body, a form post's included, reaches the function base64-encoded.
func textBody(contentType string, body []byte) bool {
	if len(body) == 0 {
		return true
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	return (strings.HasPrefix(mt, "text/") || mt == "application/json") && utf8.Valid(body)
}

func sourceIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndex(host, ":"); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// writeAPIResponse writes a function's output as API Gateway does for payload 2.0: a response
// object with a statusCode is used as it is; any other JSON value is a 200 JSON body (a string
// is that body itself).
func writeAPIResponse(w http.ResponseWriter, out []byte) {
	var probe map[string]json.RawMessage
	if json.Unmarshal(out, &probe) != nil || probe["statusCode"] == nil {
		var text string
		if json.Unmarshal(out, &text) == nil {
			out = []byte(text)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(out)
		return
	}
	var resp events.APIGatewayV2HTTPResponse
	err := json.Unmarshal(out, &resp)
	body := []byte(resp.Body)
	if err == nil && resp.IsBase64Encoded {
		body, err = base64.StdEncoding.DecodeString(resp.Body)
	}
	if err != nil || resp.StatusCode < 100 || resp.StatusCode > 599 {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "Internal Server Error"})
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
