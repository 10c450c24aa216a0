package loyalty

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"shopmail/internal/contact"
)

// A prize draw among the customers who ordered in a calendar month (UTC), consent to sales
// email and are not suppressed, that anyone can check:
//
//  1. When the month begins, the draw is opened with a secret seed (32 random bytes, in hex)
//     and publishes SeedHash = SHA-256(seed): the seed is fixed before anyone can know who
//     will be eligible.
//  2. When the month is over, the eligible list is fixed and published: the contact ids, sorted,
//     and ListHash = SHA-256 of the ids each followed by "\n".
//  3. At least an hour later, the seed is revealed, and the winner is eligible[i] for the first
//     counter c = 0, 1, 2... for which v = the first 8 bytes (big-endian) of
//     SHA-256(seed + "\n" + ListHash + "\n" + decimal c) is below n × floor(2^64 / n), with
//     i = v mod n (rejection sampling: every customer equally likely).
//
// VerifyDraw re-runs steps 2 and 3 from a published record.

// Draw statuses.
const (
	DrawOpen      = "open"      // the seed is committed; the month runs
	DrawCommitted = "committed" // the eligible list is committed too
	DrawDrawn     = "drawn"     // the seed is revealed and the winner drawn
)

// Draw is one month's prize draw, as published.
type Draw struct {
	ID          string    `json:"id"` // the month, "2026-11"
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	Status      string    `json:"status"`
	SeedHash    string    `json:"seedHash"`
	Seed        string    `json:"seed,omitempty"` // revealed at the draw
	Eligible    []string  `json:"eligible,omitempty"`
	ListHash    string    `json:"listHash,omitempty"`
	Winner      string    `json:"winner,omitempty"`
	OpenedAt    time.Time `json:"openedAt"`
	CommittedAt time.Time `json:"committedAt,omitzero"`
	DrawnAt     time.Time `json:"drawnAt,omitzero"`
	// Notified is set once the winner was emailed.
	Notified bool `json:"winnerNotified"`
}

// DrawDelay is how long after the eligible list is committed the seed is revealed.
const DrawDelay = time.Hour

// MaxEligible bounds a draw's list: it is stored in one item (400 KB).
const MaxEligible = 20000

// SeedHash is the commitment to a seed.
func SeedHash(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(sum[:])
}

// ListHash is the commitment to an eligible list (sorted ids).
func ListHash(ids []string) string {
	h := sha256.New()
	for _, id := range ids {
		h.Write([]byte(id))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// WinnerIndex is the documented function of the seed and the list's hash that picks one of n.
func WinnerIndex(seed, listHash string, n int) int {
	limit := (^uint64(0) / uint64(n)) * uint64(n)
	for c := 0; ; c++ {
		sum := sha256.Sum256(fmt.Appendf(nil, "%s\n%s\n%d", seed, listHash, c))
		if v := binary.BigEndian.Uint64(sum[:8]); v < limit {
			return int(v % uint64(n))
		}
	}
}

// VerifyDraw checks a drawn record: the list is sorted and matches its hash, the seed matches
// its hash, and the winner is the one the seed and the list give. It returns the winner.
func VerifyDraw(d Draw) (string, error) {
	var problems []string
	if d.Status != DrawDrawn {
		problems = append(problems, fmt.Sprintf("the draw is %q, not drawn yet", d.Status))
	}
	if !slices.IsSorted(d.Eligible) {
		problems = append(problems, "the eligible list is not sorted")
	}
	if len(slices.Compact(slices.Clone(d.Eligible))) != len(d.Eligible) {
		problems = append(problems, "the eligible list names someone twice")
	}
	if got := ListHash(d.Eligible); got != d.ListHash {
		problems = append(problems, fmt.Sprintf("the eligible list hashes to %s, not the committed %s", got, d.ListHash))
	}
	if got := SeedHash(d.Seed); got != d.SeedHash {
		problems = append(problems, fmt.Sprintf("the seed hashes to %s, not the committed %s", got, d.SeedHash))
	}
	if len(problems) > 0 {
		return "", errors.New(strings.Join(problems, "; "))
	}
	if len(d.Eligible) == 0 {
		if d.Winner != "" {
			return "", fmt.Errorf("nobody was eligible, yet %s is named the winner", d.Winner)
		}
		return "", nil
	}
	w := d.Eligible[WinnerIndex(d.Seed, d.ListHash, len(d.Eligible))]
	if w != d.Winner {
		return w, fmt.Errorf("the seed and the list give %s, not the recorded winner %s", w, d.Winner)
	}
	return w, nil
}

// DrawStore keeps the draws.
type DrawStore interface {
	// OpenDraw stores a new draw with its secret seed unless the month's draw exists.
	OpenDraw(ctx context.Context, d Draw, seed string) error
	// Draws returns every draw, newest first, each with its seed only once drawn; Seed returns
	// a draw's secret seed.
	Draws(ctx context.Context) ([]Draw, error)
	Seed(ctx context.Context, id string) (string, error)
	// AdvanceDraw stores d if the stored draw's status is still from.
	AdvanceDraw(ctx context.Context, d Draw, from string) (bool, error)
	// MarkNotified records that the winner was told; false when already recorded.
	MarkNotified(ctx context.Context, id string) (bool, error)
}

// Drawing runs the monthly draws: Run, from a recurring schedule, opens the month's draw, commits
// the list of a month that is over, and draws a committed one once DrawDelay has passed.
type Drawing struct {
	Store    DrawStore
	Profiles Profiles
	// Notify tells the winner (an email, sent once); nil: nobody is told.
	Notify func(ctx context.Context, d Draw) error
	Now    func() time.Time
}

// DrawResult says what a run did, for the log.
type DrawResult struct {
	Opened, Committed, Drawn []string
}

// Run does what is due.
func (s *Drawing) Run(ctx context.Context) (DrawResult, error) {
	var res DrawResult
	now := s.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	draws, err := s.Store.Draws(ctx)
	if err != nil {
		return res, err
	}
	if !slices.ContainsFunc(draws, func(d Draw) bool { return d.ID == month.Format("2006-01") }) {
		var b [32]byte
		rand.Read(b[:]) // never fails
		seed := hex.EncodeToString(b[:])
		d := Draw{ID: month.Format("2006-01"), From: month, To: month.AddDate(0, 1, 0), Status: DrawOpen, SeedHash: SeedHash(seed), OpenedAt: now}
		if err := s.Store.OpenDraw(ctx, d, seed); err != nil {
			return res, err
		}
		res.Opened = append(res.Opened, d.ID)
	}
	for _, d := range draws {
		switch {
		case d.Status == DrawOpen && !now.Before(d.To):
			if err := s.commit(ctx, d, now); err != nil {
				return res, err
			}
			res.Committed = append(res.Committed, d.ID)
		case d.Status == DrawCommitted && !now.Before(d.CommittedAt.Add(DrawDelay)):
			if err := s.draw(ctx, d, now); err != nil {
				return res, err
			}
			res.Drawn = append(res.Drawn, d.ID)
		case d.Status == DrawDrawn && d.Winner != "" && !d.Notified:
			if err := s.notify(ctx, d); err != nil { // the run that drew it failed to
				return res, err
			}
		}
	}
	return res, nil
}

// commit fixes the month's eligible list: customers who ordered in it, consent to sales email
// and are not suppressed.
func (s *Drawing) commit(ctx context.Context, d Draw, now time.Time) error {
	var ids []string
	err := s.Profiles.EachProfile(ctx, func(c *contact.Contact) bool {
		if slices.Contains(c.Summary.OrderMonths, d.ID) && c.Summary.Suppressed == "" && c.MayMarket(contact.TopicSales) {
			ids = append(ids, c.ID)
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("eligible of draw %s: %w", d.ID, err)
	}
	if len(ids) > MaxEligible {
		return fmt.Errorf("draw %s: %d customers are eligible, more than the %d a draw holds", d.ID, len(ids), MaxEligible)
	}
	slices.Sort(ids)
	d.Eligible, d.ListHash, d.Status, d.CommittedAt = ids, ListHash(ids), DrawCommitted, now
	_, err = s.Store.AdvanceDraw(ctx, d, DrawOpen)
	return err
}

// draw reveals the seed and draws the winner, then tells them.
func (s *Drawing) draw(ctx context.Context, d Draw, now time.Time) error {
	seed, err := s.Store.Seed(ctx, d.ID)
	if err != nil {
		return err
	}
	d.Seed, d.Status, d.DrawnAt = seed, DrawDrawn, now
	if len(d.Eligible) > 0 {
		d.Winner = d.Eligible[WinnerIndex(seed, d.ListHash, len(d.Eligible))]
	}
	ok, err := s.Store.AdvanceDraw(ctx, d, DrawCommitted)
	if err != nil || !ok || d.Winner == "" {
		return err // !ok: another run drew it, and tells the winner
	}
	return s.notify(ctx, d)
}

// notify tells the winner (the email is sent once, whatever runs overlap) and records it.
func (s *Drawing) notify(ctx context.Context, d Draw) error {
	if s.Notify == nil {
		return nil
	}
	if err := s.Notify(ctx, d); err != nil {
		return fmt.Errorf("tell the winner of draw %s: %w", d.ID, err)
	}
	_, err := s.Store.MarkNotified(ctx, d.ID)
	return err
}

// DrawReader reads the draws as published (web.Draws).
type DrawReader struct {
	Store interface {
		Draws(ctx context.Context) ([]Draw, error)
		Draw(ctx context.Context, id string) (Draw, bool, error)
	}
}

// DrawList returns every draw, newest first, without their eligible lists (GET /draws/{id}
// gives a draw's).
func (r DrawReader) DrawList(ctx context.Context) (any, error) {
	ds, err := r.Store.Draws(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Draw, len(ds))
	for i, d := range ds {
		d.Eligible = nil
		out[i] = d
	}
	return out, nil
}

// DrawByID returns one draw.
func (r DrawReader) DrawByID(ctx context.Context, id string) (any, bool, error) {
	return r.Store.Draw(ctx, id)
}
