package sandbox_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"shopmail/internal/samtemplate"
	"shopmail/internal/wire"
)

// mint asks the sandbox for a token with the scopes given: POST /_sandbox/token.
func (r *running) mint(t *testing.T, expiresIn int, scopes ...string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"scopes": scopes, "expiresIn": expiresIn})
	res, err := http.Post(r.appURL+"/_sandbox/token", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 || out.Token == "" {
		t.Fatalf("POST /_sandbox/token: %d %v %+v", res.StatusCode, err, out)
	}
	return out.Token
}

// call sends a request with the Authorization header given ("" for none) and returns the
// status and body.
func (r *running) call(t *testing.T, method, path, authorization string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, r.appURL+path, strings.NewReader(`{"name":"x"}`))
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, strings.TrimSpace(string(b))
}

type marketerRoute struct {
	method, path, authorizer string
	scopes                   []string
}

// marketerRoutes are the template's HTTP API routes behind an authorizer (the route's, or its
// API's DefaultAuthorizer), read from template.yaml so that every route added later is covered.
func marketerRoutes(t *testing.T, tmpl *samtemplate.Template) []marketerRoute {
	t.Helper()
	fns, err := tmpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	var out []marketerRoute
	for _, fn := range fns {
		for _, ev := range fn.Events {
			if ev.Type != "HttpApi" {
				continue
			}
			p := ev.Properties
			auth, _ := p["Auth"].(map[string]any)
			name, _ := auth["Authorizer"].(string)
			if name == "" {
				api, _ := p["ApiId"].(map[string]any)
				ref, _ := api["Ref"].(string)
				apiAuth, _ := tmpl.Resources[ref].Properties["Auth"].(map[string]any)
				name, _ = apiAuth["DefaultAuthorizer"].(string)
			}
			if name == "" || name == "NONE" {
				continue
			}
			rt := marketerRoute{method: strings.ToUpper(p["Method"].(string)), path: p["Path"].(string), authorizer: name}
			scopes, _ := auth["AuthorizationScopes"].([]any)
			for _, sc := range scopes {
				rt.scopes = append(rt.scopes, sc.(string))
			}
			out = append(out, rt)
		}
	}
	return out
}

// examplePath fills a route's path parameters.
func examplePath(path string) string {
	var parts []string
	for p := range strings.SplitSeq(path, "/") {
		switch {
		case strings.HasSuffix(p, "+}"):
			p = "x/y"
		case strings.HasPrefix(p, "{"):
			p = "x"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "/")
}

// Every marketer route of template.yaml names its scopes, and the sandbox's JWT authorizer
// holds each to them: 401 without a token or with a bad one, 403 with a valid token without
// the route's scopes, through with one of them or with the dev marketer token.
func TestMarketerRoutesNeedTheirScopes(t *testing.T) {
	tmpl := repoTemplate(t)
	routes := marketerRoutes(t, tmpl)
	if len(routes) == 0 {
		t.Fatal("no route behind the JWT authorizer found in template.yaml")
	}
	r := start(t, tmpl, nil)
	other := r.mint(t, 3600, "nothing:at-all")
	for _, rt := range routes {
		key := rt.method + " " + rt.path
		if len(rt.scopes) == 0 {
			t.Errorf("%s is behind %s but names no AuthorizationScopes: any token of the issuer would pass", key, rt.authorizer)
			continue
		}
		method := strings.NewReplacer("ANY", "GET").Replace(rt.method)
		path := examplePath(rt.path)
		for name, tc := range map[string]struct {
			auth   string
			status int
			body   string
		}{
			"no token":        {"", 401, `{"message":"Unauthorized"}`},
			"not a JWT":       {"Bearer dev-forged", 401, `{"message":"Unauthorized"}`},
			"another's scope": {"Bearer " + other, 403, `{"message":"Forbidden"}`},
		} {
			if status, body := r.call(t, method, path, tc.auth); status != tc.status || body != tc.body {
				t.Errorf("%s, %s: %d %s, want %d %s", key, name, status, body, tc.status, tc.body)
			}
		}
		for name, token := range map[string]string{"its scope": r.mint(t, 3600, "x:y", rt.scopes[0]), "dev token": r.sb.DevToken()} {
			if status, body := r.call(t, method, path, "Bearer "+token); status == 401 || status == 403 {
				t.Errorf("%s, %s: %d %s", key, name, status, body)
			}
		}
	}
}

// The JWT authorizer checks what API Gateway checks, and passes the token's claims and scopes
// to the function.
func TestJWTAuthorizerLikeAPIGateway(t *testing.T) {
	tmpl, err := samtemplate.Parse([]byte(apiTemplate))
	if err != nil {
		t.Fatal(err)
	}
	tmpl.Dir = t.TempDir()
	r := start(t, tmpl, map[string]wire.Builder{"echo": echo})
	good := r.mint(t, 60, "campaigns:write")
	status, body := r.call(t, "POST", "/api/campaigns", "Bearer "+good)
	var ev events.APIGatewayV2HTTPRequest
	json.Unmarshal([]byte(body), &ev)
	if jwt := ev.RequestContext.Authorizer; status != 201 || jwt == nil || jwt.JWT.Claims["iss"] != "https://auth.shop.example/" ||
		jwt.JWT.Claims["aud"] != "[dashboard other-app]" || jwt.JWT.Claims["sub"] == "" || strings.Join(jwt.JWT.Scopes, " ") != "campaigns:write" {
		t.Errorf("with the route's scope: %d %+v", status, ev.RequestContext.Authorizer)
	}
	// A token that was valid with another scope, its claims edited: the signature no longer fits.
	parts := strings.Split(r.mint(t, 60, "campaigns:read"), ".")
	claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
	parts[1] = base64.RawURLEncoding.EncodeToString(bytes.Replace(claims, []byte("campaigns:read"), []byte("campaigns:write"), 1))
	forged := strings.Join(parts, ".")
	unsigned := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"shopmail-sandbox"}`)) + "." + parts[1] + "."
	for name, tc := range map[string]struct {
		auth   string
		status int
	}{
		"without Bearer":        {good, 201},
		"another of its scopes": {"Bearer " + r.mint(t, 60, "admin"), 201},
		"scopes edited":         {"Bearer " + forged, 401},
		"alg none":              {"Bearer " + unsigned, 401},
		"no scope":              {"Bearer " + r.mint(t, 60), 403},
	} {
		if status, body := r.call(t, "POST", "/api/campaigns", tc.auth); status != tc.status {
			t.Errorf("%s: %d %.200s, want %d", name, status, body, tc.status)
		}
	}
	// Expiry is judged by the sandbox clock.
	r.sb.Clock().Advance(61 * time.Second)
	if status, body := r.call(t, "POST", "/api/campaigns", "Bearer "+good); status != 401 || body != `{"message":"Unauthorized"}` {
		t.Errorf("expired: %d %s", status, body)
	}
	if status, _ := r.call(t, "POST", "/api/campaigns", "Bearer "+r.sb.DevToken()); status != 201 {
		t.Errorf("the dev token after the clock moved: %d", status)
	}
}

// POST /_sandbox/token mints only what it is asked for clearly, and for no other site.
func TestTokenEndpointRefusesOtherSites(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	for name, tc := range map[string]struct {
		body, origin, site string
		status             int
	}{
		"curl":                {`{"scopes":["reports:read"]}`, "", "", 200},
		"the sandbox UI":      {`{"scopes":["reports:read"]}`, r.appURL, "same-origin", 200},
		"another site":        {`{"scopes":["reports:read"]}`, "http://evil.example", "cross-site", 403},
		"another local port":  {`{"scopes":["reports:read"]}`, "http://127.0.0.1:1", "same-site", 403},
		"a no-cors request":   {`{"scopes":["reports:read"]}`, "", "cross-site", 403},
		"a misspelt field":    {`{"scope":["reports:read"]}`, "", "", 400},
		"a negative lifetime": {`{"scopes":["reports:read"],"expiresIn":-5}`, "", "", 400},
		"a form":              {`scopes=reports:read`, "", "", 400},
	} {
		req, _ := http.NewRequest("POST", r.appURL+"/_sandbox/token", strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "text/plain")
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		if tc.site != "" {
			req.Header.Set("Sec-Fetch-Site", tc.site)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || (tc.status == 200) != strings.Contains(string(b), `"token"`) {
			t.Errorf("%s: %d %s, want %d", name, res.StatusCode, b, tc.status)
		}
	}
}
