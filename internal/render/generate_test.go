package render

import (
	"bytes"
	"go/format"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/a-h/templ/generator"
	parser "github.com/a-h/templ/parser/v2"
)

// moduleRoot is where `make generate` runs `templ generate -path .`: file names in the
// generated code are relative to it.
const moduleRoot = "../.."

// generate is what `templ generate` writes for the template src at rel (a path relative to
// the module root): the same parser, generator, options and formatting as the pinned tool.
func generate(rel, src string) ([]byte, error) {
	tf, err := parser.ParseString(src)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := generator.Generate(tf, &b, generator.WithVersion(templ.Version()), generator.WithFileName(rel)); err != nil {
		return nil, err
	}
	return format.Source(b.Bytes())
}

// templates lists the module's .templ files and generated files, relative to the root.
func templates(t *testing.T) (sources, generated []string) {
	t.Helper()
	err := filepath.WalkDir(moduleRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != moduleRoot && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(moduleRoot, path)
		switch {
		case strings.HasSuffix(path, ".templ"):
			sources = append(sources, filepath.ToSlash(rel))
		case strings.HasSuffix(path, "_templ.go"):
			generated = append(generated, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sources, generated
}

// TestGeneratedCodeIsFresh fails when a .templ file was changed without `make generate`, or a
// generated file outlived its template.
func TestGeneratedCodeIsFresh(t *testing.T) {
	sources, generated := templates(t)
	if len(sources) == 0 {
		t.Fatal("no .templ files found: is moduleRoot right?")
	}
	for _, rel := range sources {
		src, err := os.ReadFile(filepath.Join(moduleRoot, rel))
		if err != nil {
			t.Fatal(err)
		}
		want, err := generate(rel, string(src))
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		target := strings.TrimSuffix(rel, ".templ") + "_templ.go"
		got, err := os.ReadFile(filepath.Join(moduleRoot, target))
		if err != nil {
			t.Errorf("%s has no generated file (run make generate): %v", rel, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run make generate and commit it", target)
		}
	}
	for _, rel := range generated {
		if _, err := os.Stat(filepath.Join(moduleRoot, strings.TrimSuffix(rel, "_templ.go")+".templ")); err != nil {
			t.Errorf("%s has no template: delete it", rel)
		}
	}
}

// TestStaleCodeIsCaught shows the check above can fail: a changed template, even by one
// character of text, generates different code than the committed file.
func TestStaleCodeIsCaught(t *testing.T) {
	const rel = "internal/render/page.templ"
	src, err := os.ReadFile(filepath.Join(moduleRoot, rel))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join(moduleRoot, "internal/render/page_templ.go"))
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), "<h1>{ title }</h1>", "<h2>{ title }</h2>", 1)
	if edited == string(src) {
		t.Fatal("the edit did not apply: update this test with page.templ")
	}
	got, err := generate(rel, edited)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, committed) {
		t.Error("an edited template generates the committed code: the freshness check cannot fail")
	}
}
