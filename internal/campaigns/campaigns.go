// Package campaigns is the marketer API's campaigns: drafts written, changed, listed, previewed
// and deleted (the content, its checks and its email are package campaign's; the fan-out that
// sends them comes with scheduling).
package campaigns

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"shopmail/internal/ascii"
	"shopmail/internal/campaign"
	"shopmail/internal/campaign/stored"
	"shopmail/internal/contact"
	"shopmail/internal/email"
	"shopmail/internal/fault"
	"shopmail/internal/render"
	"shopmail/internal/segment"
)

// Store is what campaigns keep in the table.
type Store interface {
	PutCampaign(ctx context.Context, c stored.Campaign, statuses ...string) error
	Campaign(ctx context.Context, id string) (stored.Campaign, bool, error)
	DeleteCampaign(ctx context.Context, id, status string) (bool, error)
	Campaigns(ctx context.Context, status, after string, limit int) ([]stored.Campaign, string, error)
	Segment(ctx context.Context, id string) (contact.StoredSegment, bool, error)
}

// Service answers the marketer API about campaigns.
type Service struct {
	Store   Store
	Runs    Runs
	Sending Sending
	Shop    render.Brand
	From    email.Address
	Now     func() time.Time
	// DaysOff refuses a campaign scheduled on a day without promotion (nil: no such days).
	DaysOff interface {
		DayOff(ctx context.Context, at time.Time, recipientLocalTime bool, langs []string) error
	}
}

// Statuses a campaign may be changed in.
var changeable = []string{campaign.StatusDraft, campaign.StatusScheduled}

// validID reports whether id is `^cmp-[a-z0-9]{1,64}$` (a loop rather than a regular
// expression compiled at every function's start).
func validID(id string) bool {
	rest, ok := strings.CutPrefix(id, "cmp-")
	return ok && ascii.All(rest, 1, 64, func(c byte) bool { return ascii.Lower(c) || ascii.Digit(c) })
}

// ValidID checks that id is one this API gives.
func ValidID(id string) error {
	if !validID(id) {
		return fmt.Errorf("%w: %q is not a campaign id (cmp-…)", fault.ErrInvalid, id)
	}
	return nil
}

// Create stores a new draft.
func (s *Service) Create(ctx context.Context, body []byte) (campaign.Campaign, error) {
	c, err := s.decode(ctx, body)
	if err != nil {
		return c, err
	}
	now := s.Now().UTC()
	c.ID, c.Status, c.CreatedAt, c.UpdatedAt = "cmp-"+strings.ToLower(rand.Text()[:16]), campaign.StatusDraft, now, now
	return c, s.put(ctx, c, 0)
}

// decode reads a campaign's input, runs the checks a campaign must pass to be sent (a draft
// that could never be sent is refused at once, with every problem named), and checks that its
// segment exists (a stored one) or parses (a rule written in place).
func (s *Service) decode(ctx context.Context, body []byte) (campaign.Campaign, error) {
	c, err := campaign.Decode(body)
	if err != nil {
		return c, err
	}
	if c.Card != nil {
		return c, &campaign.FieldError{What: "campaign", Fields: map[string]string{"card": "is written by the occasion sweep (see /occasions), not by the request"}}
	}
	if err := c.Check(s.Now()); err != nil {
		return c, err
	}
	switch {
	case c.Segment.ID != "":
		_, found, err := s.Store.Segment(ctx, c.Segment.ID)
		if err != nil {
			return c, err
		}
		if !found {
			return c, &campaign.FieldError{What: "campaign", Fields: map[string]string{"segment.id": "no such segment"}}
		}
	case len(c.Segment.Rule) > 0:
		if _, err := segment.Parse(c.Segment.Rule); err != nil {
			path := "segment.rule"
			if re, ok := err.(*segment.Error); ok {
				if re.Path != "" {
					path += "." + re.Path
				}
				err = fmt.Errorf("%s", re.Problem)
			}
			return c, &campaign.FieldError{What: "campaign", Fields: map[string]string{path: err.Error()}}
		}
	default:
		return c, &campaign.FieldError{What: "campaign", Fields: map[string]string{"segment": "is required: a segment id or a rule"}}
	}
	return c, nil
}

// put stores c as its input (what Decode reads back), with the server's fields in the item's
// own attributes.
func (s *Service) put(ctx context.Context, c campaign.Campaign, version int64) error {
	doc, err := json.Marshal(input(c))
	if err != nil {
		return fmt.Errorf("encode campaign %s: %w", c.ID, err)
	}
	return s.Store.PutCampaign(ctx, stored.Campaign{ID: c.ID, Status: c.Status, Doc: doc, Version: version,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, BlockedReason: c.BlockedReason, ScheduledAt: c.ScheduledAt,
		LocalTime: c.RecipientLocalTime, StartedAt: c.StartedAt, CompletedAt: c.CompletedAt}, changeable...)
}

// Get returns a campaign, or fault.ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (campaign.Campaign, error) {
	c, _, err := s.get(ctx, id)
	return c, err
}

func (s *Service) get(ctx context.Context, id string) (campaign.Campaign, int64, error) {
	if err := ValidID(id); err != nil {
		return campaign.Campaign{}, 0, err
	}
	rec, found, err := s.Store.Campaign(ctx, id)
	if err != nil {
		return campaign.Campaign{}, 0, err
	}
	if !found {
		return campaign.Campaign{}, 0, fmt.Errorf("%w: no campaign %q", fault.ErrNotFound, id)
	}
	c, err := fromStored(rec)
	return c, rec.Version, err
}

// input is c without the fields the server sets: what the marketer wrote.
func input(c campaign.Campaign) campaign.Campaign {
	c.ID, c.Status, c.BlockedReason, c.CreatedAt, c.UpdatedAt = "", "", "", time.Time{}, time.Time{}
	c.ScheduledAt, c.RecipientLocalTime, c.StartedAt, c.CompletedAt = time.Time{}, false, time.Time{}, time.Time{}
	return c
}

// fromStored is a stored campaign as a campaign.
func fromStored(rec stored.Campaign) (campaign.Campaign, error) {
	c, err := campaign.Decode(rec.Doc)
	if err != nil {
		return c, fmt.Errorf("read campaign %s: %w", rec.ID, err)
	}
	c.ID, c.Status, c.CreatedAt, c.UpdatedAt = rec.ID, rec.Status, rec.CreatedAt, rec.UpdatedAt
	c.BlockedReason, c.ScheduledAt, c.RecipientLocalTime = rec.BlockedReason, rec.ScheduledAt, rec.LocalTime
	c.StartedAt, c.CompletedAt = rec.StartedAt, rec.CompletedAt
	return c, nil
}

// List returns a page of campaigns, optionally in one status.
func (s *Service) List(ctx context.Context, status, cursor string, limit int) ([]campaign.Campaign, string, error) {
	if status != "" && !validStatus(status) {
		return nil, "", &campaign.FieldError{What: "campaign", Fields: map[string]string{"status": "not a campaign status"}}
	}
	recs, next, err := s.Store.Campaigns(ctx, status, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	out := make([]campaign.Campaign, 0, len(recs))
	for _, r := range recs {
		c, err := fromStored(r)
		if err != nil {
			return nil, "", err
		}
		out = append(out, c)
	}
	return out, next, nil
}

func validStatus(s string) bool {
	switch s {
	case campaign.StatusDraft, campaign.StatusScheduled, campaign.StatusSending, campaign.StatusCompleted,
		campaign.StatusPaused, campaign.StatusCancelled, campaign.StatusBlocked:
		return true
	}
	return false
}

// Patch changes a draft or scheduled campaign with a JSON merge patch (RFC 7396) of its input.
func (s *Service) Patch(ctx context.Context, id string, patch []byte) (campaign.Campaign, error) {
	old, c, version, err := s.patched(ctx, id, patch)
	if err != nil {
		return c, err
	}
	c.ID, c.Status, c.CreatedAt, c.UpdatedAt = old.ID, old.Status, old.CreatedAt, s.Now().UTC()
	c.ScheduledAt, c.RecipientLocalTime = old.ScheduledAt, old.RecipientLocalTime
	return c, s.put(ctx, c, version)
}

// patched is a draft or scheduled campaign (old, at version) and what the patch makes of it,
// checked as a new campaign is.
func (s *Service) patched(ctx context.Context, id string, patch []byte) (old, c campaign.Campaign, version int64, err error) {
	old, version, err = s.get(ctx, id)
	if err != nil {
		return old, old, 0, err
	}
	if old.Status != campaign.StatusDraft && old.Status != campaign.StatusScheduled {
		return old, old, 0, fmt.Errorf("%w: campaign %s is %s; only a draft or a scheduled campaign can be changed", fault.ErrConflict, id, old.Status)
	}
	doc, err := json.Marshal(input(old))
	if err != nil {
		return old, old, 0, err
	}
	merged, err := mergePatch(doc, patch)
	if err != nil {
		return old, old, 0, &campaign.FieldError{What: "campaign", Fields: map[string]string{"": err.Error()}}
	}
	c, err = s.decode(ctx, merged)
	return old, c, version, err
}

// mergePatch applies an RFC 7396 merge patch to a JSON document.
func mergePatch(doc, patch []byte) ([]byte, error) {
	var target, p any
	if err := json.Unmarshal(doc, &target); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, fmt.Errorf("the patch is not JSON: %v", err)
	}
	if _, ok := p.(map[string]any); !ok {
		return nil, fmt.Errorf("the patch must be a JSON object")
	}
	return json.Marshal(merge(target, p))
}

func merge(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
		} else {
			t[k] = merge(t[k], v)
		}
	}
	return t
}

// Delete deletes a draft.
func (s *Service) Delete(ctx context.Context, id string) error {
	if err := ValidID(id); err != nil {
		return err
	}
	found, err := s.Store.DeleteCampaign(ctx, id, campaign.StatusDraft)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%w: no campaign %q", fault.ErrNotFound, id)
	}
	return nil
}

// Preview is a campaign rendered for one language, with what would block it now (a campaign
// passes the checks when it is written; time can make it fail them, a sale that has ended).
type Preview struct {
	Locale    string            `json:"locale"`
	Subject   string            `json:"subject"`
	Preheader string            `json:"preheader"`
	HTML      string            `json:"html"`
	Text      string            `json:"text"`
	Problems  map[string]string `json:"problems"`
}

// Preview renders a campaign in a language ("" for English) for a reader without links of their
// own: tracked links are shown as their destinations, and the footer's links lead to the shop.
func (s *Service) Preview(ctx context.Context, id, locale string) (Preview, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return Preview{}, err
	}
	return s.preview(c, locale)
}

// PreviewDraft renders a campaign as it is being written, before it is stored: a new one's
// input (id "") or a stored one's merge patch (the dashboard's form, as the marketer types).
// Input that could not be saved is the error saving it would be.
func (s *Service) PreviewDraft(ctx context.Context, id string, doc []byte, locale string) (Preview, error) {
	var c campaign.Campaign
	var err error
	if id == "" {
		c, err = s.decode(ctx, doc)
	} else {
		_, c, _, err = s.patched(ctx, id, doc)
	}
	if err != nil {
		return Preview{}, err
	}
	return s.preview(c, locale)
}

func (s *Service) preview(c campaign.Campaign, locale string) (Preview, error) {
	if locale == "" {
		locale = campaign.Fallback
	}
	msg, err := campaign.Render(c, campaign.Recipient{Email: s.From.Email, Locale: locale, Links: previewLinks{shop: s.Shop.ShopURL},
		Shop: s.Shop, From: s.From})
	if err != nil {
		return Preview{}, err
	}
	content, lang := c.ContentFor(locale)
	pv := Preview{Locale: lang, Subject: msg.Subject, Preheader: content.Preheader, HTML: msg.HTML, Text: msg.Text, Problems: map[string]string{}}
	if pv.Preheader == "" {
		pv.Preheader = content.Headline // what the inbox shows without one (campaign.Render)
	}
	var fe interface{ FieldProblems() map[string]string }
	if err := c.Check(s.Now()); err != nil && errors.As(err, &fe) {
		pv.Problems = fe.FieldProblems()
	}
	return pv, nil
}

// previewLinks leave links as they are: a preview tracks nothing.
type previewLinks struct{ shop string }

func (l previewLinks) Tracking(string) render.Tracking {
	return render.Tracking{Link: func(u string) string { return u }, Unsubscribe: l.shop, Preferences: l.shop}
}

func (previewLinks) Headers(string) []email.Header { return nil }
