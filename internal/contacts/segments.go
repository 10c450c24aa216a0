package contacts

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"shopmail/internal/ascii"
	"shopmail/internal/contact"
	"shopmail/internal/fault"
	"shopmail/internal/segment"
)

// Segments is what segments keep in the table.
type Segments interface {
	PutSegment(ctx context.Context, sg contact.StoredSegment, create bool) error
	Segment(ctx context.Context, id string) (contact.StoredSegment, bool, error)
	DeleteSegment(ctx context.Context, id string) (bool, error)
	Segments(ctx context.Context, after string, limit int) ([]contact.StoredSegment, string, error)
}

// Segment is a segment as the API shows it.
type Segment struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Rule      json.RawMessage `json:"rule"`
	CreatedAt time.Time       `json:"createdAt"`
	UpdatedAt time.Time       `json:"updatedAt"`
}

// SegmentInput is POST /segments and PUT /segments/{id}.
type SegmentInput struct {
	Name string          `json:"name"`
	Rule json.RawMessage `json:"rule"`
}

func segmentView(r contact.StoredSegment) Segment {
	return Segment{ID: r.ID, Name: r.Name, Rule: r.Rule, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// checkSegment validates a segment's input and returns its rule in canonical form.
func checkSegment(in SegmentInput) ([]byte, error) {
	fe := &FieldError{What: "segment"}
	name := strings.TrimSpace(in.Name)
	if name == "" || len([]rune(name)) > 200 {
		fe.Add("name", "is required, at most 200 characters")
	}
	var canonical []byte
	if len(in.Rule) == 0 {
		fe.Add("rule", "is required")
	} else if rule, err := ParseRule(in.Rule); err != nil {
		addRuleError(fe, err)
	} else {
		canonical, _ = rule.MarshalJSON()
	}
	return canonical, fe.Err()
}

// ParseRule parses a segment rule.
func ParseRule(data []byte) (segment.Rule, error) { return segment.Parse(data) }

// addRuleError names a rule's problem under "rule".
func addRuleError(fe *FieldError, err error) {
	path := "rule"
	problem := err.Error()
	if re, ok := err.(*segment.Error); ok {
		if re.Path != "" {
			path += "." + re.Path
		}
		problem = re.Problem
	}
	fe.Add(path, problem)
}

// CreateSegment stores a new segment.
func (s *Service) CreateSegment(ctx context.Context, in SegmentInput) (Segment, error) {
	rule, err := checkSegment(in)
	if err != nil {
		return Segment{}, err
	}
	now := s.Now().UTC()
	rec := contact.StoredSegment{ID: "seg-" + strings.ToLower(rand.Text()[:16]), Name: strings.TrimSpace(in.Name), Rule: rule, CreatedAt: now, UpdatedAt: now}
	if err := s.Segments.PutSegment(ctx, rec, true); err != nil {
		return Segment{}, err
	}
	return segmentView(rec), nil
}

// UpdateSegment replaces a segment's name and rule.
func (s *Service) UpdateSegment(ctx context.Context, id string, in SegmentInput) (Segment, error) {
	old, err := s.GetSegment(ctx, id)
	if err != nil {
		return Segment{}, err
	}
	rule, err := checkSegment(in)
	if err != nil {
		return Segment{}, err
	}
	rec := contact.StoredSegment{ID: id, Name: strings.TrimSpace(in.Name), Rule: rule, CreatedAt: old.CreatedAt, UpdatedAt: s.Now().UTC()}
	if err := s.Segments.PutSegment(ctx, rec, false); err != nil {
		return Segment{}, err
	}
	return segmentView(rec), nil
}

// segmentID reports whether id is `^seg-[a-z0-9-]{1,64}$` (a loop rather than a regular
// expression compiled at every function's start).
func segmentID(id string) bool {
	rest, ok := strings.CutPrefix(id, "seg-")
	return ok && ascii.All(rest, 1, 64, func(c byte) bool { return ascii.Lower(c) || ascii.Digit(c) || c == '-' })
}

// validSegmentID checks that id is one this API gives.
func validSegmentID(id string) error {
	if !segmentID(id) {
		return fmt.Errorf("%w: %q is not a segment id (seg-…)", fault.ErrInvalid, id)
	}
	return nil
}

// GetSegment returns a segment, or fault.ErrNotFound.
func (s *Service) GetSegment(ctx context.Context, id string) (Segment, error) {
	if err := validSegmentID(id); err != nil {
		return Segment{}, err
	}
	rec, found, err := s.Segments.Segment(ctx, id)
	if err != nil {
		return Segment{}, err
	}
	if !found {
		return Segment{}, fmt.Errorf("%w: no segment %q", fault.ErrNotFound, id)
	}
	return segmentView(rec), nil
}

// DeleteSegment deletes a segment, or returns fault.ErrNotFound.
func (s *Service) DeleteSegment(ctx context.Context, id string) error {
	if err := validSegmentID(id); err != nil {
		return err
	}
	found, err := s.Segments.DeleteSegment(ctx, id)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%w: no segment %q", fault.ErrNotFound, id)
	}
	return nil
}

// ListSegments returns a page of segments.
func (s *Service) ListSegments(ctx context.Context, after string, limit int) ([]Segment, string, error) {
	recs, next, err := s.Segments.Segments(ctx, after, limit)
	if err != nil {
		return nil, "", err
	}
	out := make([]Segment, len(recs))
	for i, r := range recs {
		out[i] = segmentView(r)
	}
	return out, next, nil
}
