package contacts

import (
	"context"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/segment"
)

// Profiles lists every contact's profile (and nothing else: an audience's cost grows with the
// contacts, never with the emails ever sent).
type Profiles interface {
	EachProfile(ctx context.Context, fn func(c *contact.Contact) bool) error
}

// Audience calls fn with each contact in the segment, evaluated now against current data; fn
// returning false stops it.
func (s *Service) Audience(ctx context.Context, rule segment.Rule, fn func(c *contact.Contact) bool) error {
	now := s.Now().UTC()
	return s.Profiles.EachProfile(ctx, func(c *contact.Contact) bool {
		if !rule.Match(segment.ProfileOf(c), now) {
			return true
		}
		return fn(c)
	})
}

// Preview is how many contacts a segment has now, with a few of them.
type Preview struct {
	Count  int       `json:"count"`
	Sample []Summary `json:"sample"`
	// Exact is false when the count stopped short of every contact (the request's time ran out).
	Exact bool `json:"exact"`
}

// previewReserve is the time a preview keeps back from its deadline to answer.
const previewReserve = 2 * time.Second

// PreviewSize is how many contacts a preview shows.
const PreviewSize = 5

// Preview counts a segment and samples it (the contacts with the smallest ids seen first).
func (s *Service) Preview(ctx context.Context, rule segment.Rule) (Preview, error) {
	pv := Preview{Sample: []Summary{}, Exact: true}
	deadline, hasDeadline := ctx.Deadline()
	seen := 0
	err := s.Audience(ctx, rule, func(c *contact.Contact) bool {
		pv.Count++
		if len(pv.Sample) < PreviewSize {
			pv.Sample = append(pv.Sample, SummaryOf(c))
		}
		seen++
		if hasDeadline && seen%1000 == 0 && time.Until(deadline) < previewReserve {
			pv.Exact = false
			return false
		}
		return true
	})
	return pv, err
}

// PreviewSegment previews a stored segment.
func (s *Service) PreviewSegment(ctx context.Context, id string) (Preview, error) {
	sg, err := s.GetSegment(ctx, id)
	if err != nil {
		return Preview{}, err
	}
	rule, err := segment.Parse(sg.Rule)
	if err != nil {
		return Preview{}, err
	}
	return s.Preview(ctx, rule)
}

// PreviewRule previews a rule given in a request.
func (s *Service) PreviewRule(ctx context.Context, raw []byte) (Preview, error) {
	rule, err := segment.Parse(raw)
	if err != nil {
		fe := problems()
		addRuleError(fe, err)
		return Preview{}, fe
	}
	return s.Preview(ctx, rule)
}
