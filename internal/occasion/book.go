package occasion

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"shopmail/internal/calendar"
	"shopmail/internal/occasion/stored"
)

// Store is where the calendar is kept (dynamo.Marketing).
type Store interface {
	OccasionDocs(ctx context.Context) ([]stored.Occasion, error)
	LunarTableDoc(ctx context.Context) ([]byte, error)
}

// Load reads the calendar: the defaults, each replaced by its stored version where the
// marketer changed it, then the marketer's own occasions (by id), and the stored lunar table
// (the one that ships when none is stored). It also returns each stored occasion's version.
func Load(ctx context.Context, st Store) (Book, map[string]int64, error) {
	docs, err := st.OccasionDocs(ctx)
	if err != nil {
		return Book{}, nil, err
	}
	byID := map[string]Occasion{}
	for _, o := range Defaults() {
		byID[o.ID] = o
	}
	versions := make(map[string]int64, len(docs))
	for _, d := range docs {
		var o Occasion
		if err := json.Unmarshal(d.Doc, &o); err != nil {
			return Book{}, nil, fmt.Errorf("read occasion %s: %w", d.ID, err)
		}
		_, o.Default = byID[d.ID]
		o.ID = d.ID
		byID[d.ID] = o
		versions[d.ID] = d.Version
	}
	b := Book{Occasions: make([]Occasion, 0, len(byID))}
	for _, o := range byID {
		b.Occasions = append(b.Occasions, o)
	}
	slices.SortFunc(b.Occasions, func(a, b Occasion) int { return strings.Compare(a.ID, b.ID) })
	if b.Lunar, err = LoadLunar(ctx, st); err != nil {
		return Book{}, nil, err
	}
	return b, versions, nil
}

// LoadLunar reads the lunar table in use: the stored one, else the one that ships.
func LoadLunar(ctx context.Context, st Store) (calendar.LunarTable, error) {
	doc, err := st.LunarTableDoc(ctx)
	if err != nil || doc == nil {
		return calendar.DefaultLunar(), err
	}
	var t calendar.LunarTable
	if err := json.Unmarshal(doc, &t); err != nil {
		return t, fmt.Errorf("read lunar table: %w", err)
	}
	if err := t.Validate(); err != nil {
		return t, fmt.Errorf("read lunar table: %w", err)
	}
	return t, nil
}

// Cached keeps a Book read within For; the fan-out reads the calendar once a batch at most.
type Cached struct {
	Store Store
	For   time.Duration
	Now   func() time.Time

	mu   sync.Mutex
	book Book
	at   time.Time
}

// Book returns the calendar, read again when the copy is older than c.For.
func (c *Cached) Book(ctx context.Context) (Book, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.Now()
	if !c.at.IsZero() && now.Sub(c.at) < c.For {
		return c.book, nil
	}
	b, _, err := Load(ctx, c.Store)
	if err != nil {
		return Book{}, err
	}
	c.book, c.at = b, now
	return b, nil
}
