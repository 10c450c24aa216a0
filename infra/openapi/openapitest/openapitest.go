// Package openapitest checks requests and responses against the marketer API's OpenAPI
// document (shopmail/infra/openapi), for tests in any package:
//
//	res := ... // a response of the sandbox or of a handler
//	openapitest.Check(t, "GET", "/contacts/c-42", res.StatusCode, res.Header.Get("Content-Type"), body)
//
// It finds the operation by method and path (a template such as "/contacts/{id}" or a concrete
// path such as "/contacts/c-42"), requires the status to be documented, and validates the body
// against the documented schema (JSON Schema 2020-12, formats asserted). It is meant for
// _test.go files only: it links a JSON Schema validator that no Lambda binary should carry.
package openapitest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"shopmail/infra/openapi"
)

// What a check can find wrong; the errors returned wrap one of these, so that a test can tell
// why a check failed.
var (
	ErrUnknownRoute       = errors.New("no such operation")
	ErrUndocumentedStatus = errors.New("status not documented")
	ErrContentType        = errors.New("content type not documented")
	ErrBody               = errors.New("body does not match the document")
	ErrParameter          = errors.New("parameter does not match the document")
)

// docURL is the base URL the document is compiled under: its schemas' "#/components/..."
// references resolve against it, and nothing is ever fetched from it.
const docURL = "https://shopmail.invalid/openapi.json"

// Validator checks requests and responses against one OpenAPI 3.1 document.
type Validator struct {
	ops []*operation
}

type operation struct {
	id     string
	method string   // upper case
	path   string   // the template, e.g. /contacts/{id}
	parts  []string // its segments
	params []parameter
	body   *requestBody
	// responses by status key: "200", "4XX" or "default".
	responses map[string]response
}

type parameter struct {
	name, in string
	required bool
	typ      string // the schema's type, to read a query or path value as it
	schema   *jsonschema.Schema
}

type requestBody struct {
	required bool
	content  map[string]*jsonschema.Schema // by media type
}

type response struct {
	content map[string]*jsonschema.Schema // by media type; empty when the response has no body
}

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// New compiles an OpenAPI 3.1 document (JSON): every operation's parameters, request bodies
// and responses, with their schemas, so that a broken schema is an error here rather than a
// check that silently passes.
func New(doc []byte) (*Validator, error) {
	root, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.RegisterFormat(&jsonschema.Format{Name: "idn-email", Validate: validateIDNEmail})
	if err := c.AddResource(docURL, root); err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	b := builder{root: root, compiler: c}
	top, ok := root.(map[string]any)
	if !ok {
		return nil, errors.New("openapi document: not an object")
	}
	paths, _ := top["paths"].(map[string]any)
	v := &Validator{}
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		item, ptr := b.deref(paths[path], "/paths/"+escapeToken(path))
		for _, m := range methods {
			raw, ok := item[m].(map[string]any)
			if !ok {
				continue
			}
			if op := b.operation(path, m, item, raw, ptr); op != nil {
				v.ops = append(v.ops, op)
			}
		}
	}
	if err := errors.Join(b.errs...); err != nil {
		return nil, err
	}
	return v, nil
}

// validateIDNEmail checks an internationalised address (RFC 6531), which the validator does not
// know: a local part and a domain, without spaces or control characters. Contacts keep the
// address the shop gave (sara@müller.de), so "email" (ASCII only) would refuse real data.
func validateIDNEmail(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return errors.New("not an address: want local@domain")
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("%q is not allowed in an address", r)
		}
	}
	domain := s[at+1:]
	if strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return fmt.Errorf("domain %q is not a host name", domain)
	}
	return nil
}

var defaultValidator = sync.OnceValues(func() (*Validator, error) { return New(openapi.Document) })

// Default is the validator of the marketer API's document (openapi.Document), compiled once
// per test binary.
func Default() (*Validator, error) { return defaultValidator() }

// builder compiles a document's operations, collecting every problem.
type builder struct {
	root     any
	compiler *jsonschema.Compiler
	errs     []error
}

func (b *builder) operation(path, method string, item, raw map[string]any, itemPtr string) *operation {
	ptr := itemPtr + "/" + method
	op := &operation{method: strings.ToUpper(method), path: path, parts: segments(path), responses: map[string]response{}}
	op.id, _ = raw["operationId"].(string)
	// Operation parameters override the path's of the same name and location.
	byKey := map[string]parameter{}
	var order []string
	for _, src := range []struct {
		list any
		ptr  string
	}{{item["parameters"], itemPtr + "/parameters"}, {raw["parameters"], ptr + "/parameters"}} {
		list, _ := src.list.([]any)
		for i, p := range list {
			if param, ok := b.parameter(p, src.ptr+"/"+strconv.Itoa(i)); ok {
				key := param.in + " " + param.name
				if _, seen := byKey[key]; !seen {
					order = append(order, key)
				}
				byKey[key] = param
			}
		}
	}
	for _, k := range order {
		op.params = append(op.params, byKey[k])
	}
	if rb, ok := raw["requestBody"]; ok {
		m, p := b.deref(rb, ptr+"/requestBody")
		required, _ := m["required"].(bool)
		op.body = &requestBody{required: required, content: b.content(m, p)}
	}
	responses, _ := raw["responses"].(map[string]any)
	for status, r := range responses {
		m, p := b.deref(r, ptr+"/responses/"+escapeToken(status))
		op.responses[strings.ToUpper(status)] = response{content: b.content(m, p)}
	}
	return op
}

func (b *builder) parameter(v any, ptr string) (parameter, bool) {
	m, ptr := b.deref(v, ptr)
	var p parameter
	p.name, _ = m["name"].(string)
	p.in, _ = m["in"].(string)
	p.required, _ = m["required"].(bool)
	if p.in != "query" && p.in != "path" {
		return p, false // headers and cookies are the gateway's business here
	}
	if s, ok := m["schema"]; ok {
		sm, _ := b.deref(s, ptr+"/schema")
		p.typ, _ = sm["type"].(string)
		p.schema = b.compile(ptr + "/schema")
	}
	return p, true
}

// content compiles the schema of each media type of a request body or response at ptr.
func (b *builder) content(m map[string]any, ptr string) map[string]*jsonschema.Schema {
	out := map[string]*jsonschema.Schema{}
	content, _ := m["content"].(map[string]any)
	for mt, media := range content {
		mm, _ := media.(map[string]any)
		var s *jsonschema.Schema
		if _, ok := mm["schema"]; ok {
			s = b.compile(ptr + "/content/" + escapeToken(mt) + "/schema")
		}
		out[strings.ToLower(mt)] = s
	}
	return out
}

func (b *builder) compile(ptr string) *jsonschema.Schema {
	s, err := b.compiler.Compile(docURL + "#" + ptr)
	if err != nil {
		b.errs = append(b.errs, fmt.Errorf("schema at %s: %w", ptr, err))
	}
	return s
}

// deref follows a local $ref (a Reference Object, e.g. "#/components/responses/NotFound") and
// returns the object and its JSON pointer in the document.
func (b *builder) deref(v any, ptr string) (map[string]any, string) {
	for range 32 {
		m, _ := v.(map[string]any)
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, ptr
		}
		target, found := strings.CutPrefix(ref, "#")
		if !found {
			b.errs = append(b.errs, fmt.Errorf("%s: only local references are supported, not %q", ptr, ref))
			return nil, ptr
		}
		// A reference is a URI fragment: "%7B" in it is "{" in the document.
		unescaped, err := url.PathUnescape(target)
		if err != nil {
			b.errs = append(b.errs, fmt.Errorf("%s: %q: %v", ptr, ref, err))
			return nil, ptr
		}
		if v, ok = lookup(b.root, unescaped); !ok {
			b.errs = append(b.errs, fmt.Errorf("%s: %q points at nothing", ptr, ref))
			return nil, ptr
		}
		ptr = target
	}
	b.errs = append(b.errs, fmt.Errorf("%s: references loop", ptr))
	return nil, ptr
}

// lookup resolves a JSON pointer (RFC 6901) in v.
func lookup(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// escapeToken makes a key a JSON pointer token that can sit in a URL fragment ("{", "}" and
// "/" in paths and media types).
func escapeToken(s string) string {
	return url.PathEscape(strings.NewReplacer("~", "~0", "/", "~1").Replace(s))
}

func segments(path string) []string { return strings.Split(strings.Trim(path, "/"), "/") }

// find returns the operation of method and path, with the path parameters when path is a
// concrete one (nil when it is the template itself). As at API Gateway, a literal segment
// wins over a parameter: POST /segments/preview is previewSegment, never /segments/{id}.
func (v *Validator) find(method, path string) (*operation, map[string]string, error) {
	method = strings.ToUpper(method)
	for _, op := range v.ops {
		if op.method == method && op.path == path {
			return op, nil, nil
		}
	}
	segs := segments(path)
	var best *operation
	var bestParams map[string]string
	bestLiterals := -1
	for _, op := range v.ops {
		if op.method != method || len(op.parts) != len(segs) {
			continue
		}
		params, literals, ok := map[string]string{}, 0, true
		for i, part := range op.parts {
			switch {
			case strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}"):
				value, err := url.PathUnescape(segs[i])
				if err != nil || segs[i] == "" {
					ok = false
				}
				params[strings.Trim(part, "{}")] = value
			case part == segs[i]:
				literals++
			default:
				ok = false
			}
		}
		if ok && literals > bestLiterals {
			best, bestParams, bestLiterals = op, params, literals
		}
	}
	if best == nil {
		return nil, nil, fmt.Errorf("%w: %s %s", ErrUnknownRoute, method, path)
	}
	return best, bestParams, nil
}

func (op *operation) String() string { return fmt.Sprintf("%s %s (%s)", op.method, op.path, op.id) }

// ValidateResponse checks a response to method and path (a template or a concrete path; a
// query is ignored): its status is documented for the operation, its Content-Type is one the
// status documents (none for a response without a body), and its body validates against that
// media type's schema.
func (v *Validator) ValidateResponse(method, path string, status int, header http.Header, body []byte) error {
	path, _, _ = strings.Cut(path, "?") // a request's target, query and all, names the same operation
	op, _, err := v.find(method, path)
	if err != nil {
		return err
	}
	code := strconv.Itoa(status)
	resp, ok := op.responses[code]
	if !ok {
		resp, ok = op.responses[code[:1]+"XX"]
	}
	if !ok {
		resp, ok = op.responses["DEFAULT"]
	}
	if !ok {
		return fmt.Errorf("%w: %s answered %d; it documents %s", ErrUndocumentedStatus, op, status, strings.Join(slices.Sorted(maps.Keys(op.responses)), ", "))
	}
	where := fmt.Sprintf("%s %d", op, status)
	if len(resp.content) == 0 {
		if len(body) > 0 {
			return fmt.Errorf("%w: %s documents no body, got %d bytes", ErrBody, where, len(body))
		}
		return nil
	}
	return validateBody(where, resp.content, header.Get("Content-Type"), body)
}

// ValidateRequest checks a request: target is the path (a template or a concrete path) with
// an optional query ("/contacts?limit=10"). Path and query parameters must be documented and
// match their schemas, required ones present; a body must be one the operation takes, in a
// documented Content-Type, valid against its schema.
func (v *Validator) ValidateRequest(method, target string, header http.Header, body []byte) error {
	path, rawQuery, _ := strings.Cut(target, "?")
	op, pathParams, err := v.find(method, path)
	if err != nil {
		return err
	}
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return fmt.Errorf("%w: %s: query %q: %v", ErrParameter, op, rawQuery, err)
	}
	var errs []error
	documented := map[string]bool{}
	for _, p := range op.params {
		var values []string
		switch p.in {
		case "path":
			if pathParams == nil {
				continue // the template itself: nothing to check
			}
			values = []string{pathParams[p.name]}
		case "query":
			documented[p.name] = true
			values = query[p.name]
		}
		switch {
		case len(values) == 0 && p.required:
			errs = append(errs, fmt.Errorf("%w: %s: %s parameter %s is required", ErrParameter, op, p.in, p.name))
		case len(values) > 1:
			errs = append(errs, fmt.Errorf("%w: %s: %s parameter %s is given %d times", ErrParameter, op, p.in, p.name, len(values)))
		case len(values) == 1 && p.schema != nil:
			if err := p.schema.Validate(scalar(p.typ, values[0])); err != nil {
				errs = append(errs, fmt.Errorf("%w: %s: %s parameter %s=%q:\n%s", ErrParameter, op, p.in, p.name, values[0], explain(err)))
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(query)) {
		if !documented[name] {
			errs = append(errs, fmt.Errorf("%w: %s: query parameter %s is not documented", ErrParameter, op, name))
		}
	}
	switch {
	case op.body == nil && len(body) > 0:
		errs = append(errs, fmt.Errorf("%w: %s takes no body, got %d bytes", ErrBody, op, len(body)))
	case op.body != nil && len(body) == 0 && op.body.required:
		errs = append(errs, fmt.Errorf("%w: %s requires a body", ErrBody, op))
	case op.body != nil && len(body) > 0:
		if err := validateBody(op.String()+" request", op.body.content, header.Get("Content-Type"), body); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// scalar reads a query or path value as its schema's type says, so that "limit=0" is checked
// as the number 0; a value that does not read as its type stays a string, which the schema
// then refuses with the type it wants.
func scalar(typ, s string) any {
	switch typ {
	case "integer", "number":
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return json.Number(s)
		}
	case "boolean":
		if b, err := strconv.ParseBool(s); err == nil && (s == "true" || s == "false") {
			return b
		}
	}
	return s
}

// validateBody checks body against the schema of its Content-Type among content.
func validateBody(where string, content map[string]*jsonschema.Schema, contentType string, body []byte) error {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("%w: %s: Content-Type %q; documented: %s", ErrContentType, where, contentType, strings.Join(slices.Sorted(maps.Keys(content)), ", "))
	}
	schema, ok := content[mt]
	if !ok {
		major, _, _ := strings.Cut(mt, "/")
		if schema, ok = content[major+"/*"]; !ok {
			schema, ok = content["*/*"]
		}
	}
	if !ok {
		return fmt.Errorf("%w: %s: Content-Type %q; documented: %s", ErrContentType, where, contentType, strings.Join(slices.Sorted(maps.Keys(content)), ", "))
	}
	if schema == nil {
		return nil
	}
	var value any = string(body)
	if mt == "application/json" || strings.HasSuffix(mt, "+json") {
		if value, err = jsonschema.UnmarshalJSON(bytes.NewReader(body)); err != nil {
			return fmt.Errorf("%w: %s: not JSON: %v", ErrBody, where, err)
		}
	}
	if err := schema.Validate(value); err != nil {
		return fmt.Errorf("%w: %s:\n%s\nbody: %s", ErrBody, where, explain(err), abbreviate(body))
	}
	return nil
}

var printer = message.NewPrinter(language.English)

// explain lists what a schema found wrong, one line per problem. Of the alternatives of a
// oneOf or anyOf that all failed, only those that got furthest into the value are told: a
// rule {"ordered": {...}} that fails is about its "ordered" branch, not the twenty other kinds
// of rule it is not.
func explain(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	var lines []string
	for _, leaf := range leaves(ve) {
		line := fmt.Sprintf("  at %q: %s", "/"+strings.Join(leaf.InstanceLocation, "/"), leaf.ErrorKind.LocalizedString(printer))
		if !slices.Contains(lines, line) {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	causes := e.Causes
	switch e.ErrorKind.(type) {
	case *kind.OneOf, *kind.AnyOf:
		deepest := 0
		for _, c := range causes {
			deepest = max(deepest, depth(c))
		}
		causes = slices.DeleteFunc(slices.Clone(causes), func(c *jsonschema.ValidationError) bool { return depth(c) < deepest })
	}
	var out []*jsonschema.ValidationError
	for _, c := range causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// depth is how far into the value an error's deepest cause is.
func depth(e *jsonschema.ValidationError) int {
	d := len(e.InstanceLocation)
	for _, c := range e.Causes {
		d = max(d, depth(c))
	}
	return d
}

func abbreviate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "..."
	}
	return string(b)
}

// Check fails t (without stopping it) unless the response with status, Content-Type and body
// to method and path (a template such as "/contacts/{id}" or a concrete path such as
// "/contacts/c-42") is one the marketer API's document describes.
func Check(t testing.TB, method, path string, status int, contentType string, body []byte) {
	t.Helper()
	v, err := Default()
	if err != nil {
		t.Fatalf("openapi document: %v", err)
		return
	}
	if err := v.ValidateResponse(method, path, status, contentHeader(contentType), body); err != nil {
		t.Errorf("openapi: %v", err)
	}
}

// CheckRequest fails t (without stopping it) unless the request is one the marketer API's
// document describes; target may carry a query ("/contacts?limit=10").
func CheckRequest(t testing.TB, method, target, contentType string, body []byte) {
	t.Helper()
	v, err := Default()
	if err != nil {
		t.Fatalf("openapi document: %v", err)
		return
	}
	if err := v.ValidateRequest(method, target, contentHeader(contentType), body); err != nil {
		t.Errorf("openapi: %v", err)
	}
}

// CheckHTTP is Check for a response of an HTTP client: it reads res's body, checks it against
// the operation of res.Request, and returns the body (res.Body can be read again).
func CheckHTTP(t testing.TB, res *http.Response) []byte {
	t.Helper()
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("openapi: read the body: %v", err)
	}
	if res.Request == nil || res.Request.URL == nil {
		t.Fatalf("openapi: the response has no request to find its operation by")
		return body
	}
	Check(t, res.Request.Method, res.Request.URL.EscapedPath(), res.StatusCode, res.Header.Get("Content-Type"), body)
	return body
}

func contentHeader(contentType string) http.Header {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return h
}
