package main

import (
	"errors"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"

	"shopmail/internal/email/emailtest"
)

// writer writes emails to the outbox folder, each as .eml and .html, with an index page.
type writer struct {
	dir   string
	index []indexEntry
}

type indexEntry struct{ File, To, Subject, Event string }

func newWriter(dir string) (*writer, error) {
	return &writer{dir: dir}, os.MkdirAll(dir, 0o755)
}

func (w *writer) write(id string, raw []byte, event string) error {
	p, err := emailtest.Parse(raw)
	if err != nil {
		return err
	}
	base := fmt.Sprintf("%03d-%s", len(w.index)+1, strings.NewReplacer("@", "-at-", "/", "-").Replace(p.To.Address))
	if err := os.WriteFile(filepath.Join(w.dir, base+".eml"), raw, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(w.dir, base+".html"), []byte(p.HTML), 0o644); err != nil {
		return err
	}
	w.index = append(w.index, indexEntry{base, p.To.String(), p.Subject, shortPath(event)})
	fmt.Printf("  ✉ %s  %q  (SES id %s)\n    %s\n", p.To.Address, p.Subject, id, fileURL(filepath.Join(w.dir, base+".html")))
	return nil
}

var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Local outbox</title>
<style>body{font-family:sans-serif;margin:2em}td{padding:4px 12px 4px 0}</style></head>
<body><h1>Local outbox</h1><table><tr><th>#</th><th>To</th><th>Subject</th><th>Event</th><th>Raw</th></tr>
{{range .}}<tr><td>{{.File}}</td><td>{{.To}}</td><td><a href="{{.File}}.html">{{.Subject}}</a></td><td>{{.Event}}</td><td><a href="{{.File}}.eml">MIME</a></td></tr>
{{end}}</table></body></html>
`))

func (w *writer) writeIndex() error {
	f, err := os.Create(filepath.Join(w.dir, "index.html"))
	if err != nil {
		return err
	}
	return errors.Join(indexPage.Execute(f, w.index), f.Close())
}

func fileURL(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return "file://" + abs
}
