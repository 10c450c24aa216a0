package contacts

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"shopmail/internal/bus"
	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/fault"
	"shopmail/internal/preferences"
)

// Limits of one import request.
const (
	MaxImportRows  = 100_000
	MaxImportBytes = 10 << 20
	// importWorkers write chunks of contacts in parallel.
	importWorkers = 16
)

// Import formats.
const (
	CSV    = "text/csv"
	NDJSON = "application/x-ndjson"
)

// ImportResult is what an import did. Failed rows are counted from 1 (the first data row).
type ImportResult struct {
	Imported  int         `json:"imported"`
	Updated   int         `json:"updated"`
	Unchanged int         `json:"unchanged"`
	Failed    []RowFailed `json:"failed"`
}

// RowFailed is a row that was not imported, and why.
type RowFailed struct {
	Row   int    `json:"row"`
	Error string `json:"error"`
}

// ErrTooLarge is an import over MaxImportBytes or MaxImportRows.
var ErrTooLarge = fault.ErrTooLarge

type row struct {
	n  int
	in Input
}

// Import reads a CSV or NDJSON list of contacts and writes each: a bad row never stops the
// good ones, and importing the same list twice changes nothing the second time. A file that
// cannot be read as a whole (not UTF-8, a byte-order mark, a wrong header, too large) is
// refused before anything is written.
func (s *Service) Import(ctx context.Context, format string, body []byte) (ImportResult, error) {
	res := ImportResult{Failed: []RowFailed{}}
	if len(body) > MaxImportBytes {
		return res, fmt.Errorf("%w: an import is at most %d bytes", ErrTooLarge, MaxImportBytes)
	}
	if bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		return res, fmt.Errorf("%w import: the file starts with a byte-order mark; save it as UTF-8 without one", fault.ErrInvalid)
	}
	if !utf8.Valid(body) {
		line := 1 + bytes.Count(body[:invalidAt(body)], []byte("\n"))
		return res, fmt.Errorf("%w import: line %d is not UTF-8 (a file with mixed encodings?); save the file as UTF-8", fault.ErrInvalid, line)
	}
	var rows []row
	var err error
	switch format {
	case CSV:
		rows, err = csvRows(body, &res)
	case NDJSON:
		rows, err = ndjsonRows(body, &res)
	default:
		return res, fmt.Errorf("%w import: Content-Type must be %s or %s", ErrUnsupported, CSV, NDJSON)
	}
	if err != nil {
		return res, err
	}
	if err := s.write(ctx, rows, &res); err != nil {
		return res, fmt.Errorf("import: %w (the rows written stay written; importing the file again is safe)", err)
	}
	return res, nil
}

// ErrUnsupported is an import in a format other than CSV and NDJSON.
var ErrUnsupported = fault.ErrUnsupported

func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// importChunk is how many rows one worker writes at a time: each chunk is a batch read and
// a few transactions (Store.ChangeContacts).
const importChunk = 100

// write imports rows, importWorkers chunks at a time. It returns the table's error when a
// chunk could not be written at all.
func (s *Service) write(ctx context.Context, rows []row, res *ImportResult) error {
	seen := make(map[string]int, len(rows))
	var unique []row
	for _, r := range rows {
		switch first, dup := seen[idOf(r.in)]; {
		case idOf(r.in) == "":
			res.Failed = append(res.Failed, RowFailed{Row: r.n, Error: "id: is required"})
		case dup:
			res.Failed = append(res.Failed, RowFailed{Row: r.n, Error: fmt.Sprintf("id: %q is in row %d already", idOf(r.in), first)})
		default:
			seen[idOf(r.in)] = r.n
			unique = append(unique, r)
		}
	}
	jobs := make(chan []row)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var storeErr error
	for range importWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for chunk := range jobs {
				out, err := s.writeChunk(ctx, chunk)
				mu.Lock()
				if err != nil && storeErr == nil {
					storeErr = err
				}
				res.Imported += out.Imported
				res.Updated += out.Updated
				res.Unchanged += out.Unchanged
				res.Failed = append(res.Failed, out.Failed...)
				mu.Unlock()
			}
		}()
	}
	for start := 0; start < len(unique); start += importChunk {
		jobs <- unique[start:min(start+importChunk, len(unique))]
	}
	close(jobs)
	wg.Wait()
	sortFailed(res.Failed)
	return storeErr
}

func idOf(in Input) string {
	if in.ID == nil {
		return ""
	}
	return *in.ID
}

// writeChunk writes up to importChunk rows of distinct contacts; the error is the table's.
func (s *Service) writeChunk(ctx context.Context, chunk []row) (ImportResult, error) {
	var res ImportResult
	now := s.Now().UTC()
	byID := make(map[string]row, len(chunk))
	ids := make([]string, 0, len(chunk))
	var addresses []string
	for _, r := range chunk {
		id := idOf(r.in)
		if err := ValidID(id); err != nil {
			res.Failed = append(res.Failed, RowFailed{Row: r.n, Error: problem(err)})
			continue
		}
		byID[id] = r
		ids = append(ids, id)
		if r.in.Email != nil && strings.TrimSpace(*r.in.Email) != "" {
			addresses = append(addresses, strings.TrimSpace(*r.in.Email))
		}
	}
	suppressed, err := s.Store.SuppressionsOf(ctx, addresses)
	if err != nil {
		return res, err
	}
	type outcome struct {
		created, changed bool
		err              error
	}
	outcomes := make(map[string]outcome, len(ids))
	errs := s.Store.ChangeContacts(ctx, ids, func(c *contact.Contact) ([]preferences.Record, []bus.Event, bool) {
		statements, created, changed, err := apply(c, byID[c.ID].in, now, func(addr string) string {
			return suppressed[deliverability.Normalize(addr)]
		})
		outcomes[c.ID] = outcome{created, changed, err}
		return records(statements), nil, changed
	})
	var storeErr error
	for _, id := range ids {
		o, n := outcomes[id], byID[id].n
		switch {
		case o.err != nil:
			res.Failed = append(res.Failed, RowFailed{Row: n, Error: problem(o.err)})
		case errs[id] != nil:
			storeErr = errs[id]
		case o.created:
			res.Imported++
		case o.changed:
			res.Updated++
		default:
			res.Unchanged++
		}
	}
	return res, storeErr
}

func sortFailed(f []RowFailed) {
	for i := 1; i < len(f); i++ {
		for j := i; j > 0 && f[j].Row < f[j-1].Row; j-- {
			f[j], f[j-1] = f[j-1], f[j]
		}
	}
}

// problem is an error as a failed row shows it.
func problem(err error) string {
	var fe *FieldError
	if errors.As(err, &fe) {
		return strings.TrimPrefix(fe.Error(), "invalid "+fe.What+": ")
	}
	msg := err.Error()
	for _, kind := range []error{fault.ErrInvalid, fault.ErrConflict} {
		msg = strings.TrimPrefix(msg, kind.Error()+": ")
	}
	return msg
}

// csvColumns are the fields a CSV header may name; consent.<topic>, consent.<topic>.source,
// consent.<topic>.at and attributes.<name> too.
var csvColumns = map[string]bool{
	"id": true, "email": true, "firstName": true, "lastName": true, "locale": true, "timezone": true,
	"birthday": true, "country": true, "tags": true,
}

func csvRows(body []byte, res *ImportResult) ([]row, error) {
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = 0
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w import: the file is empty; the first line names the columns", fault.ErrInvalid)
	}
	if err != nil {
		return nil, fmt.Errorf("%w import: header: %v", fault.ErrInvalid, err)
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if _, dup := cols[h]; dup {
			return nil, fmt.Errorf("%w import: header: column %q appears twice", fault.ErrInvalid, h)
		}
		if !validColumn(h) {
			return nil, fmt.Errorf("%w import: header: unknown column %q (columns: id, email, firstName, lastName, locale, timezone, birthday, country, tags, consent.<topic>, consent.<topic>.source, consent.<topic>.at, attributes.<name>)", fault.ErrInvalid, h)
		}
		cols[h] = i
	}
	if _, ok := cols["id"]; !ok {
		return nil, fmt.Errorf("%w import: header: the id column is required", fault.ErrInvalid)
	}
	var rows []row
	for n := 1; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if n > MaxImportRows {
			return nil, fmt.Errorf("%w: an import is at most %d rows", ErrTooLarge, MaxImportRows)
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				res.Failed = append(res.Failed, RowFailed{Row: n, Error: fmt.Sprintf("has %d fields, the header %d", len(rec), len(header))})
				continue
			}
			return nil, fmt.Errorf("%w import: row %d: %v", fault.ErrInvalid, n, err)
		}
		in, err := csvInput(cols, rec)
		if err != nil {
			res.Failed = append(res.Failed, RowFailed{Row: n, Error: problem(err)})
			continue
		}
		rows = append(rows, row{n: n, in: in})
	}
	return rows, nil
}

func validColumn(h string) bool {
	if csvColumns[h] {
		return true
	}
	if name, ok := strings.CutPrefix(h, "attributes."); ok {
		return name != ""
	}
	rest, ok := strings.CutPrefix(h, "consent.")
	if !ok {
		return false
	}
	topic, field, _ := strings.Cut(rest, ".")
	return contact.IsTopic(topic) && (field == "" || field == "source" || field == "at")
}

// csvInput is one CSV row as an Input: an empty cell leaves the field as stored.
func csvInput(cols map[string]int, rec []string) (Input, error) {
	var in Input
	cell := func(name string) *string {
		i, ok := cols[name]
		if !ok || i >= len(rec) || strings.TrimSpace(rec[i]) == "" {
			return nil
		}
		v := strings.TrimSpace(rec[i])
		return &v
	}
	in.ID, in.Email, in.FirstName, in.LastName = cell("id"), cell("email"), cell("firstName"), cell("lastName")
	in.Locale, in.Timezone, in.Birthday, in.Country = cell("locale"), cell("timezone"), cell("birthday"), cell("country")
	if v := cell("tags"); v != nil {
		tags := strings.Split(*v, ";")
		in.Tags = &tags
	}
	fe := problems()
	for name := range cols {
		if attr, ok := strings.CutPrefix(name, "attributes."); ok {
			if v := cell(name); v != nil {
				if in.Attributes == nil {
					in.Attributes = &map[string]string{}
				}
				(*in.Attributes)[attr] = *v
			}
			continue
		}
		rest, ok := strings.CutPrefix(name, "consent.")
		if !ok || strings.Contains(rest, ".") {
			continue
		}
		v := cell(name)
		if v == nil {
			continue
		}
		given, err := strconv.ParseBool(*v)
		if err != nil {
			fe.Add(name, "must be true or false")
			continue
		}
		ci := ConsentInput{Given: &given}
		if src := cell(name + ".source"); src != nil {
			ci.Source = *src
		}
		if at := cell(name + ".at"); at != nil {
			t, err := time.Parse(time.RFC3339, *at)
			if err != nil {
				fe.Add(name+".at", "must be an RFC 3339 time such as 2026-11-30T10:00:00Z")
				continue
			}
			ci.At = &t
		}
		if in.Consent == nil {
			in.Consent = map[string]ConsentInput{}
		}
		in.Consent[rest] = ci
	}
	return in, fe.Err()
}

func ndjsonRows(body []byte, res *ImportResult) ([]row, error) {
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), MaxImportBytes)
	var rows []row
	n := 0
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		n++
		if n > MaxImportRows {
			return nil, fmt.Errorf("%w: an import is at most %d rows", ErrTooLarge, MaxImportRows)
		}
		in, err := DecodeInput(line)
		if err != nil {
			res.Failed = append(res.Failed, RowFailed{Row: n, Error: problem(err)})
			continue
		}
		rows = append(rows, row{n: n, in: in})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w import: %v", fault.ErrInvalid, err)
	}
	return rows, nil
}
