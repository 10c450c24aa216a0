package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shopmail/internal/calendar"
	"shopmail/internal/campaign"
	"shopmail/internal/campaign/stored"
	"shopmail/internal/contact"
	"shopmail/internal/coupon"
	"shopmail/internal/fault"
	"shopmail/internal/money"
	"shopmail/internal/occasion"
	"shopmail/internal/segment"
)

// Greetings is what the fan-out keeps in the table for greeting cards beside campaigns.
type Greetings interface {
	occasion.Store
	PutCampaign(ctx context.Context, c stored.Campaign, statuses ...string) error
	// BirthdaysPage reads a page of the contacts born on month/day (at most 100).
	BirthdaysPage(ctx context.Context, month time.Month, day int, cursor string, limit int) ([]*contact.Contact, string, error)
	// ClaimBirthdayCard records a birthday card unless another was sent within `within`.
	ClaimBirthdayCard(ctx context.Context, contactID, sendKey string, now time.Time, within time.Duration) (bool, time.Time, error)
	// IssueSendCoupon issues a single-use coupon for one send, once.
	IssueSendCoupon(ctx context.Context, c coupon.Coupon, sendKey string) (coupon.Coupon, error)
}

// Reasons a greeting is not sent to a contact the planner queued.
const (
	ReasonNotGreeted    = "not_greeted"    // none of the day's occasions applies to them any more
	ReasonBirthdayGuard = "birthday_guard" // a birthday card went out within birthdayGuard
	ReasonNoPromotion   = "no_promotion"   // the card's day is a day without promotion for them
)

// birthdayGuard: at most one birthday card (and its coupon) per contact within it, however
// often the birthday is edited.
const birthdayGuard = 364 * 24 * time.Hour

// couponPurpose is the purpose of a greeting card's coupons.
const couponPurpose = "greeting"

// matcher is who of the audience a campaign is for: its segment's members, or for a card,
// the contacts one of its occasions applies to on its day.
func (s *Service) matcher(ctx context.Context, c campaign.Campaign) (func(*contact.Contact) bool, error) {
	now := s.Now()
	if c.Card != nil {
		inSegment, err := s.cardSegments(ctx, *c.Card)
		if err != nil {
			return nil, err
		}
		card := *c.Card
		return func(ct *contact.Contact) bool { return len(occasion.For(card, ct, inSegment)) > 0 }, nil
	}
	rule, err := s.rule(ctx, c)
	if err != nil {
		return nil, err
	}
	return func(ct *contact.Contact) bool { return rule.Match(segment.ProfileOf(ct), now) }, nil
}

// cardSegments parses the segments of a card's occasions.
func (s *Service) cardSegments(ctx context.Context, card campaign.Card) (occasion.Matcher, error) {
	rules := map[string]segment.Rule{}
	for _, o := range card.Occasions {
		if o.Segment == nil {
			continue
		}
		r, err := s.rule(ctx, campaign.Campaign{ID: o.ID, Segment: *o.Segment})
		if err != nil {
			return nil, err
		}
		rules[o.ID] = r
	}
	now := s.Now()
	return func(o campaign.CardOccasion, ct *contact.Contact) bool {
		r, ok := rules[o.ID]
		return !ok || r.Match(segment.ProfileOf(ct), now)
	}, nil
}

// audiencePage is the next page of a campaign's audience: every contact, or for a card that
// greets birthdays alone, the contacts born on its day (from the birthday index; a cursor
// "<n>.<index cursor>" walks the day's month-days, 29 February after 28 on a common year).
func (s *Service) audiencePage(ctx context.Context, c campaign.Campaign, cursor string) ([]*contact.Contact, string, error) {
	if c.Card == nil || !occasion.OnlyBirthdays(*c.Card) {
		return s.Store.ContactsPage(ctx, cursor, pageSize)
	}
	g, ok := s.Store.(Greetings)
	if !ok {
		return nil, "", errors.New("the store keeps no birthdays")
	}
	d, err := calendar.ParseDate(c.Card.Date)
	if err != nil {
		return nil, "", fmt.Errorf("campaign %s: card date: %w", c.ID, err)
	}
	days := occasion.BirthdayDays(d)
	n, inner := 0, ""
	if cursor != "" {
		a, b, _ := strings.Cut(cursor, ".")
		if n, err = strconv.Atoi(a); err != nil || n < 0 || n >= len(days) {
			return nil, "", fmt.Errorf("%w: birthday cursor %q", fault.ErrInvalid, cursor)
		}
		inner = b
	}
	page, next, err := g.BirthdaysPage(ctx, time.Month(days[n][0]), days[n][1], inner, 100)
	if err != nil {
		return nil, "", err
	}
	switch {
	case next != "":
		return page, strconv.Itoa(n) + "." + next, nil
	case n+1 < len(days):
		return page, strconv.Itoa(n+1) + ".", nil
	}
	return page, "", nil
}

// greet decides a card's content for one recipient: the day's occasions that apply to them,
// the birthday guard, and the coupon of the first offer that has one (issued once per send).
// It returns a reason to skip them instead ("" to send).
func (s *Service) greet(ctx context.Context, c campaign.Campaign, ct *contact.Contact, key string, now time.Time) (*campaign.Greeting, string, error) {
	g, ok := s.Store.(Greetings)
	if !ok {
		return nil, "", errors.New("the store keeps no greetings")
	}
	inSegment, err := s.cardSegments(ctx, *c.Card)
	if err != nil {
		return nil, "", err
	}
	occs := occasion.For(*c.Card, ct, inSegment)
	if len(occs) > 0 && occs[0].Kind == campaign.KindBirthday {
		ok, last, err := g.ClaimBirthdayCard(ctx, ct.ID, key, now, birthdayGuard)
		if err != nil {
			return nil, "", err
		}
		if !ok {
			occs = occs[1:]
			if len(occs) == 0 {
				return nil, ReasonBirthdayGuard + ": a birthday card was sent " + last.UTC().Format(time.RFC3339), nil
			}
		}
	}
	if len(occs) == 0 {
		return nil, ReasonNotGreeted + ": none of the day's occasions applies to the contact now", nil
	}
	out := &campaign.Greeting{Occasions: occs}
	for _, o := range occs {
		if o.Offer == nil || o.Offer.Coupon == nil {
			continue
		}
		lang := money.Language(ct.Locale) // the coupon row keeps the offer as the reader read it
		if o.Offer.Text[lang] == "" {
			lang = campaign.Fallback
		}
		cp, err := g.IssueSendCoupon(ctx, coupon.Coupon{Code: coupon.NewCode(o.Offer.Coupon.Prefix), Purpose: couponPurpose,
			ContactID: ct.ID, Offer: o.Offer.Text[lang], IssuedAt: now,
			ExpiresAt: now.AddDate(0, 0, o.Offer.Coupon.ValidDays)}, key)
		if err != nil {
			return nil, "", err
		}
		out.Coupon = &campaign.IssuedCoupon{Code: cp.Code, ExpiresAt: cp.ExpiresAt}
		break
	}
	return out, "", nil
}

// noPromotion is how long a marketing email to ct must wait because today, in their time
// zone, is a day without promotion for them (to the start of their next day; quiet hours
// then hold it to the morning), and that day's name; 0 on any other day.
func (s *Service) noPromotion(ctx context.Context, now time.Time, ct *contact.Contact) (time.Duration, string, error) {
	if s.Calendar == nil {
		return 0, "", nil
	}
	book, err := s.Calendar.Book(ctx)
	if err != nil {
		return 0, "", err
	}
	local := now.In(s.timezone(ct))
	o := book.NoPromotion(calendar.DateOf(local), ct.Locale, ct.Country)
	if o == nil {
		return 0, "", nil
	}
	next := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, local.Location())
	return next.Sub(local), o.Name["en"], nil
}

// dayOverBehind: a day's greeting campaign is created from when its send hour comes in the
// zone furthest ahead (UTC+14) until the day is over in the zone furthest behind (UTC-12).
const dayOverBehind = 36 * time.Hour

// Sweep creates and starts the greeting campaigns of the days whose send hour has come
// somewhere on Earth: one campaign per day (its id names the day, so a sweep run again, or
// twice at once, finds it and only starts it again, which does nothing once it is planned).
// Each recipient receives it at the send hour of their own time zone. Occasions the sweep
// cannot place (a lunar date past the lunar table) are logged and left out, never guessed.
func (s *Service) Sweep(ctx context.Context) error {
	g, ok := s.Store.(Greetings)
	if !ok {
		return errors.New("the store keeps no greetings")
	}
	book, _, err := occasion.Load(ctx, g)
	if err != nil {
		return err
	}
	now := s.Now()
	today := calendar.DateOf(now.UTC())
	var errs []error
	for _, d := range []calendar.Date{today.AddDays(-1), today, today.AddDays(1)} {
		greet, _, problems := book.On(d)
		for _, p := range problems {
			s.Log.Error("occasion left out of the day's cards", "date", d.String(), "error", p)
		}
		if len(greet) == 0 {
			continue
		}
		c := occasion.Day(d, greet)
		day := d.At(0, time.UTC)
		if now.Before(LocalStart(c.ScheduledAt)) || !now.Before(day.Add(dayOverBehind)) {
			continue
		}
		if err := s.createDay(ctx, g, c, now); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := s.start(ctx, c.ID); err != nil {
			errs = append(errs, fmt.Errorf("start %s: %w", c.ID, err))
		}
	}
	return errors.Join(errs...)
}

// createDay stores a day's greeting campaign, scheduled, unless it is stored already.
func (s *Service) createDay(ctx context.Context, g Greetings, c campaign.Campaign, now time.Time) error {
	if _, found, err := s.Store.Campaign(ctx, c.ID); err != nil || found {
		return err
	}
	in := c // the doc is the campaign as written: the server's fields are the item's own
	in.ID, in.ScheduledAt, in.RecipientLocalTime = "", time.Time{}, false
	doc, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode campaign %s: %w", c.ID, err)
	}
	err = g.PutCampaign(ctx, stored.Campaign{ID: c.ID, Status: campaign.StatusScheduled, Doc: doc, CreatedAt: now, UpdatedAt: now,
		ScheduledAt: c.ScheduledAt, LocalTime: true})
	if errors.Is(err, fault.ErrConflict) {
		return nil // another sweep stored it
	}
	return err
}
