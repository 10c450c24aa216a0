package openapi_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"shopmail/internal/samtemplate"
)

// authorizer is the JWT authorizer of the marketer API in template.yaml.
const authorizer = "MarketerJwt"

// route is an HttpApi route of the template behind the marketer authorizer.
type route struct {
	function string
	key      string // "GET /contacts/{id}"
	scopes   []string
}

// marketerRoutes reads the HttpApi routes behind MarketerJwt as API Gateway applies it: the
// route's Auth.Authorizer, else its API's DefaultAuthorizer (NONE opting out), as the sandbox
// does (internal/sandbox/authorizer.go).
func marketerRoutes(tmpl *samtemplate.Template) ([]route, error) {
	r := samtemplate.Resolver{
		Resource: func(id string) string { return id }, // an ApiId is the HttpApi's logical ID
		Region:   "us-east-1", AccountID: "123456789012", Partition: "aws", StackName: "shopmail",
	}
	defaults := map[string]string{}
	for _, id := range tmpl.ResourcesOfType("AWS::Serverless::HttpApi") {
		auth, _ := tmpl.Resources[id].Properties["Auth"].(map[string]any)
		name, err := tmpl.ResolveString(auth["DefaultAuthorizer"], r)
		if err != nil && auth["DefaultAuthorizer"] != nil {
			return nil, fmt.Errorf("HttpApi %s: DefaultAuthorizer: %w", id, err)
		}
		defaults[id] = name
	}
	// Routes without an ApiId belong to the implicit API, configured in Globals.HttpApi.
	global, _ := tmpl.Globals["HttpApi"].(map[string]any)
	globalAuth, _ := global["Auth"].(map[string]any)
	defaults[""], _ = globalAuth["DefaultAuthorizer"].(string)

	fns, err := tmpl.Functions()
	if err != nil {
		return nil, err
	}
	var routes []route
	for _, fn := range fns {
		for _, ev := range fn.Events {
			if ev.Type != "HttpApi" {
				continue
			}
			v, err := tmpl.Resolve(ev.Properties, r)
			if err != nil {
				return nil, fmt.Errorf("%s event %s: %w", fn.LogicalID, ev.Name, err)
			}
			p, _ := v.(map[string]any)
			method, _ := p["Method"].(string)
			path, _ := p["Path"].(string)
			api, _ := p["ApiId"].(string)
			auth, _ := p["Auth"].(map[string]any)
			name, _ := auth["Authorizer"].(string)
			if name == "" {
				name = defaults[api]
			}
			if name != authorizer {
				continue
			}
			var scopes []string
			list, _ := auth["AuthorizationScopes"].([]any)
			for _, s := range list {
				scopes = append(scopes, fmt.Sprint(s))
			}
			routes = append(routes, route{function: fn.LogicalID, key: strings.ToUpper(or(method, "ANY")) + " " + path, scopes: scopes})
		}
	}
	return routes, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// routeProblems compares the document's operations with the template's routes: the same
// method and path, and x-scopes equal to the route's AuthorizationScopes.
func routeProblems(doc map[string]any, routes []route) []string {
	var problems []string
	documented := map[string][]string{}
	paths, _ := doc["paths"].(map[string]any)
	for path, item := range paths {
		for method, op := range item.(map[string]any) {
			if method == "parameters" {
				continue
			}
			var scopes []string
			list, _ := op.(map[string]any)["x-scopes"].([]any)
			for _, s := range list {
				scopes = append(scopes, fmt.Sprint(s))
			}
			documented[strings.ToUpper(method)+" "+path] = scopes
		}
	}
	inTemplate := map[string]bool{}
	for _, rt := range routes {
		if inTemplate[rt.key] {
			problems = append(problems, fmt.Sprintf("%s is declared twice in the template", rt.key))
		}
		inTemplate[rt.key] = true
		scopes, ok := documented[rt.key]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s (%s) is behind %s in the template but not in the document", rt.key, rt.function, authorizer))
		case !slices.Equal(slices.Sorted(slices.Values(scopes)), slices.Sorted(slices.Values(rt.scopes))):
			problems = append(problems, fmt.Sprintf("%s: the document's x-scopes are %v, the template's AuthorizationScopes %v", rt.key, scopes, rt.scopes))
		}
	}
	for _, key := range slices.Sorted(maps.Keys(documented)) {
		if !inTemplate[key] {
			problems = append(problems, fmt.Sprintf("%s is in the document but no route behind %s in the template", key, authorizer))
		}
	}
	slices.Sort(problems)
	return problems
}

func checkTemplateRoutes(t *testing.T, tmpl *samtemplate.Template) {
	t.Helper()
	routes, err := marketerRoutes(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) == 0 {
		t.Fatalf("no route behind %s in the template", authorizer)
	}
	for _, p := range routeProblems(document(t), routes) {
		t.Error(p)
	}
}

// The document describes exactly the routes of template.yaml behind the marketer authorizer,
// with their scopes. It fails until template.yaml declares the contacts and segments routes.
func TestDocumentMatchesTemplateRoutes(t *testing.T) {
	tmpl, err := samtemplate.Default()
	if err != nil {
		t.Fatal(err)
	}
	checkTemplateRoutes(t, tmpl)
}

// testdata/template-marketer-api.yaml declares every route of the marketer API: the day
// template.yaml does, TestDocumentMatchesTemplateRoutes passes.
func TestDocumentMatchesATemplateWithEveryRoute(t *testing.T) {
	tmpl, err := samtemplate.Load("testdata/template-marketer-api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	routes, err := marketerRoutes(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range routes {
		if rt.function == "TrackingFunction" {
			t.Errorf("%s is public, or opts out of the API's default authorizer, yet read as behind %s", rt.key, authorizer)
		}
	}
	checkTemplateRoutes(t, tmpl)
}

func TestRouteReaderFollowsTheDefaultAuthorizer(t *testing.T) {
	tmpl, err := samtemplate.Parse([]byte(`
Globals:
  HttpApi:
    Auth: {DefaultAuthorizer: MarketerJwt}
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth: {DefaultAuthorizer: !If [Never, NONE, MarketerJwt]}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        ByDefault: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: get, Path: /a, Auth: {AuthorizationScopes: [a:read]}}}
        OptedOut: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: GET, Path: /b, Auth: {Authorizer: NONE}}}
        Implicit: {Type: HttpApi, Properties: {Path: /c}}
        Other: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: GET, Path: /d, Auth: {Authorizer: OtherJwt}}}
        Rule: {Type: EventBridgeRule, Properties: {Pattern: {source: [x]}}}
Conditions:
  Never: !Equals [a, b]
`))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := marketerRoutes(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(routes)
	if want := "[{Fn GET /a [a:read]} {Fn ANY /c []}]"; got != want {
		t.Errorf("routes = %s, want %s", got, want)
	}
}

// The comparison reports each way the document and the template can disagree.
func TestRouteProblemsAreReported(t *testing.T) {
	tmpl, err := samtemplate.Load("testdata/template-marketer-api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	all, err := marketerRoutes(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	without := func(key string) []route {
		return slices.DeleteFunc(slices.Clone(all), func(r route) bool { return r.key == key })
	}
	withScopes := func(key string, scopes ...string) []route {
		out := slices.Clone(all)
		for i := range out {
			if out[i].key == key {
				out[i].scopes = scopes
			}
		}
		return out
	}
	for name, c := range map[string]struct {
		routes []route
		want   string
	}{
		"a route the document lacks": {append(slices.Clone(all), route{function: "FlowsFunction", key: "GET /flows", scopes: []string{"flows:read"}}),
			"GET /flows (FlowsFunction) is behind MarketerJwt in the template but not in the document"},
		"an operation the template lacks": {without("DELETE /segments/{id}"), "DELETE /segments/{id} is in the document but no route behind MarketerJwt in the template"},
		"another scope":                   {withScopes("GET /contacts", "contacts:write"), "GET /contacts: the document's x-scopes are [contacts:read], the template's AuthorizationScopes [contacts:write]"},
		"no scope":                        {withScopes("POST /segments/preview"), "POST /segments/preview: the document's x-scopes are [segments:read], the template's AuthorizationScopes []"},
		"a route declared twice":          {append(slices.Clone(all), all[0]), all[0].key + " is declared twice in the template"},
	} {
		got := routeProblems(document(t), c.routes)
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("%s: problems = %q, want [%q]", name, got, c.want)
		}
	}
}
