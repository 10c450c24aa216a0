package occasions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"shopmail/internal/calendar"
	"shopmail/internal/campaign"
	"shopmail/internal/contact"
	"shopmail/internal/fault"
	"shopmail/internal/occasion"
	"shopmail/internal/segment"
)

// Preview is who gets which card on a date (GET /occasions/preview?date=...).
type Preview struct {
	Date      string        `json:"date"`
	Occasions []PreviewItem `json:"occasions"`
	// Problems are occasions that could not be placed on the date (a lunar date past the
	// lunar table): they are left out of the day, never guessed.
	Problems []string `json:"problems,omitempty"`
}

// PreviewItem is one occasion of the date: for a greeting, the contacts it would be sent
// to (consenting to greetings, not suppressed); for a day without promotion, the contacts
// whose marketing email waits for the next day.
type PreviewItem struct {
	ID     string            `json:"id"`
	Name   map[string]string `json:"name"`
	Kind   string            `json:"kind"`
	Count  int64             `json:"count"`
	Sample []Sample          `json:"sample"`
}

// Sample is one contact of a preview.
type Sample struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"firstName,omitempty"`
	Locale    string `json:"locale,omitempty"`
	Timezone  string `json:"timezone,omitempty"`
}

const sampleSize = 5

// Preview says who gets which card on the date (YYYY-MM-DD; each contact's own day).
func (s *Service) Preview(ctx context.Context, date string) (Preview, error) {
	d, err := calendar.ParseDate(date)
	if err != nil {
		return Preview{}, &fault.FieldError{What: "preview", Fields: map[string]string{"date": "must be a date YYYY-MM-DD"}}
	}
	b, _, err := occasion.Load(ctx, s.Store)
	if err != nil {
		return Preview{}, err
	}
	greet, noPromotion, problems := b.On(d)
	out := Preview{Date: d.String(), Occasions: []PreviewItem{}}
	for _, p := range problems {
		out.Problems = append(out.Problems, p.Error())
	}
	card := occasion.Day(d, greet).Card
	rules := map[string]segment.Rule{}
	for _, o := range greet {
		if o.Segment != nil {
			if rules[o.ID], err = s.rule(ctx, *o.Segment); err != nil {
				return out, err
			}
		}
	}
	now := s.Now()
	inSegment := func(o campaign.CardOccasion, c *contact.Contact) bool {
		r, ok := rules[o.ID]
		return !ok || r.Match(segment.ProfileOf(c), now)
	}
	items := make([]PreviewItem, 0, len(greet)+len(noPromotion))
	for _, o := range greet {
		items = append(items, PreviewItem{ID: o.ID, Name: o.Name, Kind: o.Kind, Sample: []Sample{}})
	}
	for _, o := range noPromotion {
		items = append(items, PreviewItem{ID: o.ID, Name: o.Name, Kind: o.Kind, Sample: []Sample{}})
	}
	count := func(i int, c *contact.Contact) {
		items[i].Count++
		if len(items[i].Sample) < sampleSize {
			items[i].Sample = append(items[i].Sample, Sample{ID: c.ID, Email: c.Email, FirstName: c.FirstName, Locale: c.Locale, Timezone: c.Timezone})
		}
	}
	greets := func(c *contact.Contact) bool {
		return c.Summary.Suppressed == "" && c.MayMarket(contact.TopicGreetings)
	}
	onlyBirthdays := len(noPromotion) == 0 && occasion.OnlyBirthdays(*card)
	err = s.each(ctx, d, onlyBirthdays, func(c *contact.Contact) {
		if greets(c) {
			for _, o := range occasion.For(*card, c, inSegment) {
				for i := range greet {
					if greet[i].ID == o.ID {
						count(i, c)
					}
				}
			}
		}
		for i, o := range noPromotion {
			if o.AppliesTo(c.Locale, c.Country) {
				count(len(greet)+i, c)
			}
		}
	})
	out.Occasions = items
	return out, err
}

// each calls fn with every contact (or only those born on d's day, from the birthday index).
func (s *Service) each(ctx context.Context, d calendar.Date, onlyBirthdays bool, fn func(*contact.Contact)) error {
	if onlyBirthdays {
		for _, md := range occasion.BirthdayDays(d) {
			for cursor := ""; ; {
				page, next, err := s.Store.BirthdaysPage(ctx, time.Month(md[0]), md[1], cursor, 100)
				if err != nil {
					return err
				}
				for _, c := range page {
					fn(c)
				}
				if next == "" {
					break
				}
				cursor = next
			}
		}
		return nil
	}
	for cursor := ""; ; {
		page, next, err := s.Store.ContactsPage(ctx, cursor, 500)
		if err != nil {
			return err
		}
		for _, c := range page {
			fn(c)
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// DayOff is the reason a campaign may not be scheduled at `at` (nil when it may): the day, in
// the shop's time zone (or, sent at recipient-local time, the day as written), is a day
// without promotion for everyone, or for a language the campaign is written in. A day off
// for other contacts only lets it be scheduled: their emails wait for the next day.
func (s *Service) DayOff(ctx context.Context, at time.Time, local bool, langs []string) error {
	d := calendar.DateOf(at.In(s.Timezone))
	if local {
		d = calendar.DateOf(at.UTC())
	}
	b, _, err := occasion.Load(ctx, s.Store)
	if err != nil {
		return err
	}
	_, noPromotion, _ := b.On(d)
	for _, o := range noPromotion {
		hit := len(o.Locales) == 0 && len(o.Countries) == 0
		for _, l := range langs {
			hit = hit || o.AppliesTo(l, "")
		}
		if hit {
			return &fault.FieldError{What: "schedule", Fields: map[string]string{"at": fmt.Sprintf(
				"%s is %s, a day without promotion (occasion %s): choose another day", d, o.Name["en"], o.ID)}}
		}
	}
	return nil
}

// strict decodes JSON with no unknown fields and nothing after it.
func strict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("one JSON value expected, then nothing")
	}
	return nil
}
