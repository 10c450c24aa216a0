// Package occasions is the marketer API's occasion calendar: occasions listed, written,
// switched on and off, previewed on a date, and the lunar table replaced (the occasions
// themselves, their rules and who they apply to are package occasion's).
package occasions

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"shopmail/internal/calendar"
	"shopmail/internal/campaign"
	"shopmail/internal/contact"
	"shopmail/internal/fault"
	"shopmail/internal/occasion"
	"shopmail/internal/occasion/stored"
	"shopmail/internal/segment"
)

// Store is what the calendar keeps in the table, and the contacts a preview reads.
type Store interface {
	occasion.Store
	PutOccasionDoc(ctx context.Context, d stored.Occasion) (bool, error)
	DeleteOccasionDoc(ctx context.Context, id string) error
	PutLunarTableDoc(ctx context.Context, doc []byte) error
	ContactsPage(ctx context.Context, cursor string, limit int) ([]*contact.Contact, string, error)
	BirthdaysPage(ctx context.Context, month time.Month, day int, cursor string, limit int) ([]*contact.Contact, string, error)
	Segment(ctx context.Context, id string) (contact.StoredSegment, bool, error)
}

// Service answers the marketer API about occasions.
type Service struct {
	Store Store
	// Timezone is the shop's: "today" and a campaign's day are read in it.
	Timezone *time.Location
	Now      func() time.Time
}

// today is the shop's date.
func (s *Service) today() calendar.Date { return calendar.DateOf(s.Now().In(s.Timezone)) }

// List returns every occasion, each with the next day it falls on.
func (s *Service) List(ctx context.Context) ([]occasion.Occasion, error) {
	b, _, err := occasion.Load(ctx, s.Store)
	if err != nil {
		return nil, err
	}
	today := s.today()
	for i := range b.Occasions {
		b.Occasions[i].Next = next(b.Occasions[i], today, b.Lunar)
	}
	return b.Occasions, nil
}

// next is the next day an occasion falls on ("" for the birthday, or past the lunar table).
func next(o occasion.Occasion, from calendar.Date, lunar calendar.LunarTable) string {
	if o.Rule == nil {
		return ""
	}
	d, err := o.Rule.Next(from, lunar)
	if err != nil {
		return ""
	}
	return d.String()
}

// Get returns one occasion.
func (s *Service) Get(ctx context.Context, id string) (occasion.Occasion, error) {
	o, _, err := s.get(ctx, id)
	return o, err
}

func (s *Service) get(ctx context.Context, id string) (occasion.Occasion, int64, error) {
	b, versions, err := occasion.Load(ctx, s.Store)
	if err != nil {
		return occasion.Occasion{}, 0, err
	}
	i := slices.IndexFunc(b.Occasions, func(o occasion.Occasion) bool { return o.ID == id })
	if i < 0 {
		return occasion.Occasion{}, 0, fmt.Errorf("%w: no occasion %q", fault.ErrNotFound, id)
	}
	o := b.Occasions[i]
	o.Next = next(o, s.today(), b.Lunar)
	return o, versions[id], nil
}

// Create stores a new occasion of the marketer's (kind occasion or no-promotion).
func (s *Service) Create(ctx context.Context, body []byte) (occasion.Occasion, error) {
	o, err := occasion.Decode(body)
	if err != nil {
		return o, err
	}
	if o.Default || o.Next != "" {
		return o, &fault.FieldError{What: "occasion", Fields: map[string]string{"default": "is set by the server"}}
	}
	if o.Kind == occasion.KindBirthday {
		return o, &fault.FieldError{What: "occasion", Fields: map[string]string{"kind": "the birthday occasion exists: change it with PATCH /occasions/birthday"}}
	}
	if _, _, err := s.get(ctx, o.ID); err == nil {
		return o, fmt.Errorf("%w: occasion %s exists", fault.ErrConflict, o.ID)
	}
	if err := s.checkSegment(ctx, o); err != nil {
		return o, err
	}
	if err := s.put(ctx, o, 0); err != nil {
		return o, err
	}
	return s.Get(ctx, o.ID)
}

// Patch changes an occasion by a merge patch (RFC 7396): e.g. {"enabled": true}, or
// {"offer": {...}}; its id and kind stay. A default occasion changed is stored whole.
func (s *Service) Patch(ctx context.Context, id string, patch []byte) (occasion.Occasion, error) {
	cur, version, err := s.get(ctx, id)
	if err != nil {
		return cur, err
	}
	cur.Default, cur.Next = false, ""
	doc, _ := json.Marshal(cur) // an occasion always encodes
	merged, err := occasion.MergePatch(doc, patch)
	if err != nil {
		return cur, err
	}
	o, err := occasion.Decode(merged)
	if err != nil {
		return o, err
	}
	switch {
	case o.ID != id:
		return o, &fault.FieldError{What: "occasion", Fields: map[string]string{"id": "cannot change"}}
	case o.Kind != cur.Kind:
		return o, &fault.FieldError{What: "occasion", Fields: map[string]string{"kind": "cannot change"}}
	case o.Default || o.Next != "":
		return o, &fault.FieldError{What: "occasion", Fields: map[string]string{"default": "is set by the server"}}
	}
	if err := s.checkSegment(ctx, o); err != nil {
		return o, err
	}
	if err := s.put(ctx, o, version); err != nil {
		return o, err
	}
	return s.Get(ctx, id)
}

// put stores an occasion at version (0: not stored yet).
func (s *Service) put(ctx context.Context, o occasion.Occasion, version int64) error {
	o.Default, o.Next = false, ""
	doc, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("encode occasion %s: %w", o.ID, err)
	}
	ok, err := s.Store.PutOccasionDoc(ctx, stored.Occasion{ID: o.ID, Doc: doc, Version: version})
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: occasion %s changed meanwhile; read it again", fault.ErrConflict, o.ID)
	}
	return nil
}

// Delete removes an occasion of the marketer's; a default one goes back to what ships
// (switched off, for greetings).
func (s *Service) Delete(ctx context.Context, id string) error {
	if _, _, err := s.get(ctx, id); err != nil {
		return err
	}
	return s.Store.DeleteOccasionDoc(ctx, id)
}

// checkSegment checks that an occasion's segment exists (a stored one) or parses (a rule).
func (s *Service) checkSegment(ctx context.Context, o occasion.Occasion) error {
	if o.Segment == nil {
		return nil
	}
	_, err := s.rule(ctx, *o.Segment)
	return err
}

func (s *Service) rule(ctx context.Context, ref campaign.SegmentRef) (segment.Rule, error) {
	raw := ref.Rule
	if ref.ID != "" {
		sg, found, err := s.Store.Segment(ctx, ref.ID)
		if err != nil {
			return segment.Rule{}, err
		}
		if !found {
			return segment.Rule{}, &fault.FieldError{What: "occasion", Fields: map[string]string{"segment.id": "no such segment"}}
		}
		raw = sg.Rule
	}
	r, err := segment.Parse(raw)
	if err != nil {
		return r, &fault.FieldError{What: "occasion", Fields: map[string]string{"segment.rule": err.Error()}}
	}
	return r, nil
}

// LunarTable is the lunar table in use, with its source.
func (s *Service) LunarTable(ctx context.Context) (calendar.LunarTable, error) {
	return occasion.LoadLunar(ctx, s.Store)
}

// PutLunarTable replaces the lunar table: a JSON array of observed month starts, or an
// object {"source", "months"}; it must validate (consecutive months of 29 or 30 days).
func (s *Service) PutLunarTable(ctx context.Context, body []byte) (calendar.LunarTable, error) {
	var t calendar.LunarTable
	var months []calendar.MonthStart
	if err := strict(body, &months); err == nil {
		t.Months, t.Source = months, "set through the marketer API on "+s.Now().UTC().Format(time.DateOnly)
	} else if err := strict(body, &t); err != nil {
		return t, &fault.FieldError{What: "lunar table", Fields: map[string]string{"": "an array of {year, month, start}, or {source, months}: " + err.Error()}}
	}
	if err := t.Validate(); err != nil {
		return t, &fault.FieldError{What: "lunar table", Fields: map[string]string{"months": err.Error()}}
	}
	doc, _ := json.Marshal(t)
	return t, s.Store.PutLunarTableDoc(ctx, doc)
}
