package openapi_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"shopmail/infra/openapi"
)

// metaSchema is the official OpenAPI 3.1 schema (testdata/SOURCE says where it comes from).
const (
	metaSchemaFile = "testdata/oas-3.1-schema-2022-10-07.json"
	metaSchemaID   = "https://spec.openapis.org/oas/3.1/schema/2022-10-07"
	docURL         = "https://shopmail.invalid/openapi.json"
)

// decode reads JSON as the validator does (numbers stay json.Number).
func decode(t *testing.T, b []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return v
}

// document is the document as plain maps, for the checks that walk it.
func document(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openapi.Document, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	return doc
}

func metaSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	b, err := os.ReadFile(metaSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(metaSchemaID, decode(t, b)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(metaSchemaID)
	if err != nil {
		t.Fatalf("compile the OpenAPI 3.1 schema: %v", err)
	}
	return s
}

func TestDocumentIsValidOpenAPI31(t *testing.T) {
	if err := metaSchema(t).Validate(decode(t, openapi.Document)); err != nil {
		t.Errorf("openapi.json is not a valid OpenAPI 3.1 document:\n%v", err)
	}
}

// The meta-schema check is only worth something if it refuses what is not OpenAPI 3.1.
func TestMetaSchemaRefusesBrokenDocuments(t *testing.T) {
	s := metaSchema(t)
	for name, edit := range map[string]func(map[string]any){
		"OpenAPI 3.0":    func(d map[string]any) { d["openapi"] = "3.0.3" },
		"no info":        func(d map[string]any) { delete(d, "info") },
		"path without /": func(d map[string]any) { d["paths"].(map[string]any)["contacts"] = map[string]any{} },
		"response without description": func(d map[string]any) {
			op := d["paths"].(map[string]any)["/segments"].(map[string]any)["get"].(map[string]any)
			delete(op["responses"].(map[string]any)["200"].(map[string]any), "description")
		},
		"unknown field in an operation": func(d map[string]any) {
			d["paths"].(map[string]any)["/segments"].(map[string]any)["get"].(map[string]any)["scopes"] = []any{"segments:read"}
		},
	} {
		doc := document(t)
		edit(doc)
		b, _ := json.Marshal(doc)
		if err := s.Validate(decode(t, b)); err == nil {
			t.Errorf("%s: the meta-schema accepts it", name)
		}
	}
}

// Every schema of components/schemas compiles as JSON Schema 2020-12 (which also checks it
// against the 2020-12 meta-schema): the OpenAPI meta-schema does not look inside schemas.
func TestEverySchemaCompiles(t *testing.T) {
	schemas := document(t)["components"].(map[string]any)["schemas"].(map[string]any)
	if len(schemas) == 0 {
		t.Fatal("no schemas")
	}
	c := compiler(t, openapi.Document)
	for _, name := range slices.Sorted(maps.Keys(schemas)) {
		if _, err := c.Compile(docURL + "#/components/schemas/" + name); err != nil {
			t.Errorf("schema %s: %v", name, err)
		}
	}
	// And a broken one does not.
	doc := document(t)
	doc["components"].(map[string]any)["schemas"].(map[string]any)["ErrorCode"].(map[string]any)["type"] = "text"
	broken, _ := json.Marshal(doc)
	if _, err := compiler(t, broken).Compile(docURL + "#/components/schemas/ErrorCode"); err == nil {
		t.Error(`a schema of "type": "text" compiles`)
	}
}

func compiler(t *testing.T, doc []byte) *jsonschema.Compiler {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(docURL, decode(t, doc)); err != nil {
		t.Fatal(err)
	}
	return c
}

// Every example in the document validates against the schema it illustrates: the examples of
// media types and parameters, and the examples keyword of schemas.
func TestExamplesMatchTheirSchemas(t *testing.T) {
	doc := decode(t, openapi.Document)
	c := compiler(t, openapi.Document)
	n := 0
	check := func(schemaPtr, examplePtr string, example any) {
		t.Helper()
		n++
		s, err := c.Compile(docURL + "#" + schemaPtr)
		if err != nil {
			t.Errorf("%s: %v", schemaPtr, err)
			return
		}
		// A non-JSON media type's example is its body as text, as a request would carry it.
		if err := s.Validate(example); err != nil {
			t.Errorf("example %s does not match %s:\n%v", examplePtr, schemaPtr, err)
		}
	}
	var walk func(v any, ptr string, inSchemas bool)
	walk = func(v any, ptr string, inSchemas bool) {
		switch x := v.(type) {
		case map[string]any:
			if _, ok := x["schema"].(map[string]any); ok && !inSchemas {
				if ex, ok := x["example"]; ok {
					check(ptr+"/schema", ptr+"/example", ex)
				}
				examples, _ := x["examples"].(map[string]any)
				for name, e := range examples {
					if value, ok := e.(map[string]any)["value"]; ok {
						check(ptr+"/schema", ptr+"/examples/"+name, value)
					}
				}
			}
			if examples, ok := x["examples"].([]any); ok && inSchemas {
				for i, ex := range examples {
					check(ptr, ptr+"/examples/"+itoa(i), ex)
				}
			}
			for k, child := range x {
				walk(child, ptr+"/"+escape(k), inSchemas || k == "schema" || ptr == "/components/schemas")
			}
		case []any:
			for i, child := range x {
				walk(child, ptr+"/"+itoa(i), inSchemas)
			}
		}
	}
	walk(doc, "", false)
	t.Logf("%d examples checked", n)
	if n < 40 {
		t.Errorf("only %d examples checked: the walk misses them", n)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func escape(k string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(k) }

// Every operation says what a client needs to call it: an id, a summary, the JWT, its scope
// (in x-scopes and in words), the answers every JSON route has, and examples of its bodies.
func TestOperationsAreComplete(t *testing.T) {
	doc := document(t)
	ids := map[string]string{}
	n := 0
	for path, item := range doc["paths"].(map[string]any) {
		for method, v := range item.(map[string]any) {
			if method == "parameters" {
				continue
			}
			n++
			op := v.(map[string]any)
			key := strings.ToUpper(method) + " " + path
			id, _ := op["operationId"].(string)
			if id == "" {
				t.Errorf("%s: no operationId", key)
			} else if other, dup := ids[id]; dup {
				t.Errorf("%s: operationId %s is also %s's", key, id, other)
			}
			ids[id] = key
			if s, _ := op["summary"].(string); s == "" {
				t.Errorf("%s: no summary", key)
			}
			if sec, _ := json.Marshal(op["security"]); string(sec) != `[{"marketerJwt":[]}]` {
				t.Errorf("%s: security = %s, want [{\"marketerJwt\":[]}]", key, sec)
			}
			scopes, _ := op["x-scopes"].([]any)
			desc, _ := op["description"].(string)
			if len(scopes) != 1 {
				t.Errorf("%s: x-scopes = %v, want one scope", key, scopes)
			}
			for _, s := range scopes {
				if !strings.Contains(desc, "`"+s.(string)+"`") {
					t.Errorf("%s: the description does not name the scope %s", key, s)
				}
			}
			responses := op["responses"].(map[string]any)
			for _, status := range []string{"400", "401", "403", "413", "429", "503"} {
				if _, ok := responses[status]; !ok {
					t.Errorf("%s: no %s response", key, status)
				}
			}
			success := 0
			for status, r := range responses {
				if status[0] == '2' {
					success++
					content, _ := r.(map[string]any)["content"].(map[string]any)
					for mt, m := range content {
						if !hasExample(doc, m.(map[string]any)) {
							t.Errorf("%s %s %s: no example", key, status, mt)
						}
					}
				}
			}
			if success == 0 {
				t.Errorf("%s: no success response", key)
			}
			if rb, ok := op["requestBody"].(map[string]any); ok {
				for mt, m := range rb["content"].(map[string]any) {
					if !hasExample(doc, m.(map[string]any)) {
						t.Errorf("%s request %s: no example", key, mt)
					}
				}
				if ref := responses["413"].(map[string]any)["$ref"]; ref != "#/components/responses/TooLarge" {
					t.Errorf("%s takes a body, so its function may answer 413 too: 413 is %v", key, ref)
				}
			}
		}
	}
	if n != 39 {
		t.Errorf("%d operations, want 39", n)
	}
}

// hasExample reports whether a media type has an example of its own or its schema's.
func hasExample(doc map[string]any, m map[string]any) bool {
	if _, ok := m["example"]; ok {
		return true
	}
	if _, ok := m["examples"]; ok {
		return true
	}
	s, _ := m["schema"].(map[string]any)
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		s, _ = doc["components"].(map[string]any)["schemas"].(map[string]any)[name].(map[string]any)
	}
	_, ok := s["examples"]
	return ok
}

func TestServersIncludeTheSandbox(t *testing.T) {
	servers, _ := document(t)["servers"].([]any)
	for _, s := range servers {
		if s.(map[string]any)["url"] == "http://127.0.0.1:3000" {
			return
		}
	}
	t.Errorf("servers = %v, want the sandbox's http://127.0.0.1:3000", servers)
}
