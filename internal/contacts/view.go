package contacts

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/fault"
)

// View is a contact as the API shows it.
type View struct {
	ID         string                 `json:"id"`
	Email      string                 `json:"email,omitempty"`
	FirstName  string                 `json:"firstName,omitempty"`
	LastName   string                 `json:"lastName,omitempty"`
	Locale     string                 `json:"locale,omitempty"`
	Timezone   string                 `json:"timezone,omitempty"`
	Birthday   string                 `json:"birthday,omitempty"`
	Country    string                 `json:"country,omitempty"`
	Tags       []string               `json:"tags"`
	Attributes map[string]string      `json:"attributes"`
	Consent    map[string]ConsentView `json:"consent"`
	CreatedAt  time.Time              `json:"createdAt"`
	UpdatedAt  time.Time              `json:"updatedAt"`
}

// ConsentView is the shop's consent to a topic with its proof.
type ConsentView struct {
	Given  bool      `json:"given"`
	Source string    `json:"source,omitempty"`
	At     time.Time `json:"at"`
}

// Summary is the short form of a contact, for samples.
type Summary struct {
	ID        string `json:"id"`
	Email     string `json:"email,omitempty"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	Locale    string `json:"locale,omitempty"`
}

// ViewOf is the API's view of c. Consent per topic is the shop's statement; where there is
// none, the consent the shop reported with orders (for every topic), when it stated one.
func ViewOf(c *contact.Contact) View {
	v := View{ID: c.ID, Email: c.Email, FirstName: c.FirstName, LastName: c.LastName, Locale: c.Locale,
		Timezone: c.Timezone, Birthday: c.Birthday, Country: c.Country, Tags: c.Tags, Attributes: c.Attributes,
		Consent: map[string]ConsentView{}, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if v.Tags == nil {
		v.Tags = []string{}
	}
	if v.Attributes == nil {
		v.Attributes = map[string]string{}
	}
	for _, topic := range contact.Topics {
		if s, ok := c.TopicConsent[topic]; ok {
			v.Consent[topic] = ConsentView{Given: s.Marketing, Source: s.Source, At: s.At}
		} else if !c.Consent.At.IsZero() {
			v.Consent[topic] = ConsentView{Given: c.Consent.Marketing, Source: c.Consent.Source, At: c.Consent.At}
		}
	}
	return v
}

// SummaryOf is the short form of c.
func SummaryOf(c *contact.Contact) Summary {
	return Summary{ID: c.ID, Email: c.Email, FirstName: c.FirstName, LastName: c.LastName, Locale: c.Locale}
}

// Preference is the customer's own choice about a topic.
type Preference struct {
	On     bool      `json:"on"`
	Source string    `json:"source,omitempty"`
	At     time.Time `json:"at"`
}

// Detail is GET /contacts/{id}: the profile, the customer's own choices, suppression, counts
// and a page of the timeline, newest first.
type Detail struct {
	Contact     View                  `json:"contact"`
	Preferences map[string]Preference `json:"preferences"`
	Suppression SuppressionView       `json:"suppression"`
	Counts      Counts                `json:"counts"`
	Timeline    []Entry               `json:"timeline"`
	Next        string                `json:"next,omitempty"`
}

// SuppressionView says whether the contact's address gets no email, and why.
type SuppressionView struct {
	Suppressed bool   `json:"suppressed"`
	Reason     string `json:"reason,omitempty"`
}

// Counts are the contact's totals.
type Counts struct {
	Orders    int `json:"orders"`
	Sent      int `json:"sent"`
	Delivered int `json:"delivered"`
	Opened    int `json:"opened"`
	Clicked   int `json:"clicked"`
	Answers   int `json:"answers"`
}

// Entry is one thing that happened to or with the contact.
type Entry struct {
	At      time.Time      `json:"at"`
	Type    string         `json:"type"`
	Summary string         `json:"summary"`
	Ref     string         `json:"ref,omitempty"`
	Detail  map[string]any `json:"detail,omitempty"`
}

// Detail returns a contact with a page of its timeline: limit entries after cursor (the count
// of newer entries already shown).
func (s *Service) Detail(ctx context.Context, id string, cursor, limit int) (Detail, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	data, found, err := s.Store.Data(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	if !found {
		return Detail{}, fmt.Errorf("%w: no contact %q", fault.ErrNotFound, id)
	}
	d := Detail{Contact: ViewOf(c), Preferences: map[string]Preference{}, Timeline: []Entry{}}
	for topic, p := range c.Prefs {
		d.Preferences[topic] = Preference{On: p.On, Source: p.Source, At: p.At}
	}
	if c.Email != "" {
		sup, suppressed, err := s.Store.Suppression(ctx, c.Email)
		if err != nil {
			return Detail{}, err
		}
		d.Suppression = SuppressionView{Suppressed: suppressed, Reason: sup.Reason}
	}
	all := Timeline(data, s.Now())
	d.Counts = count(all)
	if cursor < len(all) {
		end := min(len(all), cursor+limit)
		d.Timeline = all[cursor:end]
		if end < len(all) {
			d.Next = fmt.Sprint(end)
		}
	}
	return d, nil
}

func count(entries []Entry) Counts {
	var c Counts
	for _, e := range entries {
		switch e.Type {
		case "order":
			c.Orders++
		case "send":
			if e.Detail["status"] == "sent" {
				c.Sent++
			}
		case "delivery":
			c.Delivered++
		case "open":
			c.Opened++
		case "click":
			c.Clicked++
		case "answer":
			c.Answers++
		}
	}
	return c
}

// sesEvents are the SES events a send keeps the time of (its first of each type), with the
// attribute that holds it, for the timeline.
var sesEvents = []struct{ event, attr, typ string }{
	{"Delivery", "deliveredAt", "delivery"}, {"Bounce", "bouncedAt", "bounce"}, {"Complaint", "complainedAt", "complaint"},
}

// sesEntries are the delivery, bounce and complaint of a send (its fields).
func sesEntries(f map[string]any) []Entry {
	var out []Entry
	for _, ev := range sesEvents {
		at := stamp(f, ev.attr)
		if at.IsZero() {
			continue
		}
		sum := ev.typ
		if ev.typ == "bounce" {
			if detail := strings.TrimSpace(str(f, "bounceType") + " " + str(f, "bounceReason")); detail != "" {
				sum += ": " + detail
			}
		}
		out = append(out, Entry{At: at, Type: ev.typ, Ref: str(f, "sendKey"), Summary: sum})
	}
	return out
}

// Timeline is a contact's history, newest first, without expired records.
func Timeline(d contact.Data, now time.Time) []Entry {
	var out []Entry
	onSend := map[string]bool{} // sendKey|event of the events the sends keep
	for _, r := range d.Records {
		if r.Kind != "send" {
			continue
		}
		for _, ev := range sesEvents {
			if _, ok := r.Fields[ev.attr]; ok {
				onSend[str(r.Fields, "sendKey")+"|"+ev.event] = true
			}
		}
	}
	for _, r := range d.Records {
		f := r.Fields
		if exp, ok := f["expiresAt"].(json.Number); ok {
			if secs, err := exp.Int64(); err == nil && secs <= now.Unix() {
				continue // expired: DynamoDB deletes it within days
			}
		}
		if r.Kind == "ses-event" && onSend[str(f, "sendKey")+"|"+str(f, "event")] {
			continue // an event item a table kept from before the send held its events
		}
		if e, ok := entry(r); ok {
			out = append(out, e)
		}
		if r.Kind == "send" {
			out = append(out, sesEntries(f)...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out
}

func str(f map[string]any, k string) string {
	v, _ := f[k].(string)
	return v
}

func stamp(f map[string]any, k string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, str(f, k))
	return t
}

// entry is the timeline entry of a record (ok false for records that are not events: claims,
// surveys, soft-bounce counters...).
func entry(r contact.Record) (Entry, bool) {
	f := r.Fields
	switch r.Kind {
	case "order":
		return Entry{At: stamp(f, "placedAt"), Type: "order", Ref: str(f, "id"),
			Summary: strings.TrimSpace(fmt.Sprintf("order %s: %s %s", str(f, "id"), str(f, "total"), str(f, "currency"))),
			Detail:  map[string]any{"items": f["itemCount"]}}, true
	case "send":
		at := stamp(f, "sentAt")
		if at.IsZero() {
			at = stamp(f, "claimedAt")
		}
		sum := fmt.Sprintf("%s email %q: %s", str(f, "kind"), str(f, "subject"), str(f, "status"))
		if reason := str(f, "reason"); reason != "" {
			sum += " (" + reason + ")"
		}
		return Entry{At: at, Type: "send", Ref: str(f, "sendKey"), Summary: sum,
			Detail: map[string]any{"status": str(f, "status"), "kind": str(f, "kind"), "topic": str(f, "topic")}}, true
	case "activity":
		kind := str(f, "kind")
		return Entry{At: stamp(f, "at"), Type: kind, Ref: str(f, "sendKey"),
			Summary: strings.TrimSpace(fmt.Sprintf("%s (%s) %s", kind, str(f, "class"), str(f, "url"))),
			Detail:  map[string]any{"class": str(f, "class")}}, true
	case "ses-event":
		typ := map[string]string{"Delivery": "delivery", "Bounce": "bounce", "Complaint": "complaint"}[str(f, "event")]
		if typ == "" {
			return Entry{}, false // Send, Open and Click are on the send and the activity already
		}
		sum := strings.ToLower(str(f, "event"))
		if reason := strings.TrimSpace(str(f, "bounceType") + " " + str(f, "reason")); reason != "" {
			sum += ": " + reason
		}
		return Entry{At: stamp(f, "at"), Type: typ, Ref: str(f, "sendKey"), Summary: sum}, true
	case "answer":
		sum := fmt.Sprintf("%s answer %v", str(f, "question"), f["score"])
		if by := str(f, "contactedBy"); by != "" {
			sum += fmt.Sprintf(" (contacted by %s on %s)", by, stamp(f, "contactedAt").Format(time.DateOnly))
		}
		return Entry{At: stamp(f, "at"), Type: "answer", Ref: str(f, "sendKey"),
			Summary: sum,
			Detail:  map[string]any{"question": str(f, "question"), "score": f["score"], "comment": str(f, "comment")}}, true
	case "suggestion": // what to sell next, as last given
		return Entry{At: stamp(f, "changedAt"), Type: "suggestion", Ref: str(f, "sendKey"),
			Summary: "Suggested what to sell next: " + str(f, "text"), Detail: map[string]any{"text": str(f, "text")}}, true
	case "consent":
		on, _ := f["on"].(bool)
		typ, verb := "consent", "gave"
		if !on {
			verb = "withdrew"
			if strings.Contains(strings.ToLower(str(f, "source")), "unsubscribe") {
				typ = "unsubscribe"
			}
		}
		return Entry{At: stamp(f, "at"), Type: typ, Summary: fmt.Sprintf("%s consent to %s (%s)", verb, str(f, "topic"), str(f, "source"))}, true
	}
	return Entry{}, false
}

// Export is everything stored about a contact (the right of access).
type Export struct {
	Contact     View             `json:"contact"`
	Preferences map[string]any   `json:"preferences"`
	Profile     map[string]any   `json:"profile"`
	Orders      []map[string]any `json:"orders"`
	Sends       []map[string]any `json:"sends"`
	Events      []Entry          `json:"events"`
	Answers     []map[string]any `json:"answers"`
	Consents    []map[string]any `json:"consentStatements"`
	Other       []map[string]any `json:"other"`
	ExportedAt  time.Time        `json:"exportedAt"`
}

// Export returns everything stored about a contact.
func (s *Service) Export(ctx context.Context, id string) (Export, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return Export{}, err
	}
	data, found, err := s.Store.Data(ctx, id)
	if err != nil {
		return Export{}, err
	}
	if !found {
		return Export{}, fmt.Errorf("%w: no contact %q", fault.ErrNotFound, id)
	}
	x := Export{Contact: ViewOf(c), Profile: data.Profile, Preferences: map[string]any{}, Orders: []map[string]any{},
		Sends: []map[string]any{}, Events: Timeline(data, s.Now()), Answers: []map[string]any{}, Consents: []map[string]any{},
		Other: []map[string]any{}, ExportedAt: s.Now().UTC()}
	if p, ok := data.Profile["prefs"].(map[string]any); ok {
		x.Preferences = p
	}
	for _, r := range data.Records {
		fields := map[string]any{"kind": r.Kind}
		for k, v := range r.Fields {
			fields[k] = v
		}
		switch r.Kind {
		case "order":
			x.Orders = append(x.Orders, fields)
		case "send":
			x.Sends = append(x.Sends, fields)
		case "answer", "suggestion":
			x.Answers = append(x.Answers, fields)
		case "consent":
			x.Consents = append(x.Consents, fields)
		default:
			x.Other = append(x.Other, fields)
		}
	}
	return x, nil
}
