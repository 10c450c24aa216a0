package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"shopmail/internal/sandbox/pattern"
)

// rule is an EventBridgeRule event source of a function, from template.yaml.
type rule struct {
	function string // logical id
	name     string // the event's name in the template
	bus      string
	pattern  *pattern.Pattern
}

// Limits PutEvents enforces, as EventBridge does.
const (
	maxEntries   = 10
	maxEventSize = 256 * 1024
)

type putEventsEntry struct {
	Source       string
	DetailType   string
	Detail       string
	EventBusName string
	Resources    []string
	Time         *float64 // epoch seconds, as the SDK sends it
}

// size is an entry's size as EventBridge counts it: the UTF-8 bytes of Source, DetailType,
// Detail and the Resources, and 14 bytes for a Time
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html).
func (e putEventsEntry) size() int {
	n := len(e.Source) + len(e.DetailType) + len(e.Detail)
	for _, r := range e.Resources {
		n += len(r)
	}
	if e.Time != nil {
		n += 14
	}
	return n
}

func requestSize(entries []putEventsEntry) int {
	n := 0
	for _, e := range entries {
		n += e.size()
	}
	return n
}

type putEventsResult struct {
	EventID      string `json:"EventId,omitempty"`
	ErrorCode    string `json:",omitempty"`
	ErrorMessage string `json:",omitempty"`
}

// serveEvents serves EventBridge's PutEvents (AWS JSON 1.1).
func (s *Sandbox) serveEvents(w http.ResponseWriter, r *http.Request) {
	if op := r.Header.Get("X-Amz-Target"); op != "AWSEvents.PutEvents" {
		awsJSONError(w, http.StatusBadRequest, "UnknownOperationException", fmt.Sprintf("the sandbox does not serve %q", op))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4*maxEventSize))
	var in struct{ Entries []putEventsEntry }
	if err == nil {
		err = json.Unmarshal(body, &in)
	}
	switch {
	case err != nil:
		awsJSONError(w, http.StatusBadRequest, "SerializationException", "malformed request: "+err.Error())
		return
	case len(in.Entries) < 1 || len(in.Entries) > maxEntries:
		awsJSONError(w, http.StatusBadRequest, "ValidationException", fmt.Sprintf(
			"1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and %d (got %d)", maxEntries, len(in.Entries)))
		return
	case requestSize(in.Entries) > maxEventSize:
		awsJSONError(w, http.StatusBadRequest, "ValidationException", "Total size of the entries in the request is over the limit.")
		return
	}
	out := struct {
		FailedEntryCount int
		Entries          []putEventsResult
	}{Entries: make([]putEventsResult, len(in.Entries))}
	for i, e := range in.Entries {
		out.Entries[i] = s.putEntry(r.Context(), e)
		if out.Entries[i].ErrorCode != "" {
			out.FailedEntryCount++
		}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}

func (s *Sandbox) putEntry(ctx context.Context, e putEventsEntry) putEventsResult {
	bus := e.EventBusName
	if bus == "" {
		bus = "default"
	}
	if i := strings.LastIndex(bus, ":event-bus/"); strings.HasPrefix(bus, "arn:") && i >= 0 {
		bus = bus[i+len(":event-bus/"):] // a bus may be named by its ARN
	}
	switch {
	case strings.HasPrefix(e.Source, "aws."):
		return putEventsResult{ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source."}
	case e.Source == "":
		return putEventsResult{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Source is not valid. Reason: Source is a required argument."}
	case e.DetailType == "":
		return putEventsResult{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter DetailType is not valid. Reason: DetailType is a required argument."}
	case e.Detail == "":
		return putEventsResult{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Detail is not valid. Reason: Detail is a required argument."}
	case !isJSONObject([]byte(e.Detail)):
		return putEventsResult{ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed."}
	case !s.buses[bus]:
		return putEventsResult{ErrorCode: "InvalidArgument", ErrorMessage: fmt.Sprintf("Event bus %s does not exist.", bus)}
	}
	at := s.clock.Now()
	if e.Time != nil {
		at = time.Unix(int64(*e.Time), 0).UTC()
	}
	id := s.publish(ctx, bus, e.Source, e.DetailType, json.RawMessage(e.Detail), e.Resources, at)
	return putEventsResult{EventID: id}
}

func isJSONObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{' && json.Valid(b)
}

// envelope is an event as EventBridge delivers it to targets.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// publish puts an event on a bus: it is logged and every function whose rule matches it is
// invoked asynchronously, as EventBridge does. It returns the event id.
func (s *Sandbox) publish(ctx context.Context, bus, source, detailType string, detail json.RawMessage, resources []string, at time.Time) string {
	if resources == nil {
		resources = []string{}
	}
	ev := envelope{
		Version: "0", ID: newID(), DetailType: detailType, Source: source, Account: s.account,
		Time: at.UTC().Format(time.RFC3339), Region: s.region, Resources: resources, Detail: detail,
	}
	raw, _ := json.Marshal(ev)
	var matched []string
	for _, rl := range s.rules {
		if rl.bus != bus {
			continue
		}
		if ok, _ := rl.pattern.Match(raw); ok {
			matched = append(matched, rl.function+" ("+rl.name+")")
			s.invokeAsync(ctx, rl.function, raw, "event "+ev.ID)
		}
	}
	summary := fmt.Sprintf("%s / %s on %s", source, detailType, bus)
	if len(matched) == 0 {
		summary += ": no rule matched"
	}
	s.journal.add(Activity{Kind: "event", Summary: summary, Source: source, Matched: matched, Body: pretty(raw)})
	return ev.ID
}

// newID returns a random UUID (version 4), the form EventBridge and Lambda ids take.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
