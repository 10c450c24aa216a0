package survey

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"shopmail/internal/bus"
	"shopmail/internal/token"
)

// Next is the argument of the link that asks "What should we sell next?" (tip 24 of the seed
// material): a free-text question asked beside the scores, optional for the shop
// (SURVEY_ASK_NEXT) and for the customer. A suggestion is not a score: it counts in no result
// and its answer leaves the response rate as it is.
const Next = "next"

// EventSuggested is published with every suggestion stored or changed.
const EventSuggested = "Product Suggested"

// MaxSuggestion is the longest suggestion kept, in characters.
const MaxSuggestion = 500

// Suggestion is what a customer would like the shop to sell next, with the categories of the
// order whose survey asked.
type Suggestion struct {
	ContactID  string    `json:"contactId"`
	SendKey    string    `json:"-"`
	OrderID    string    `json:"orderId"`
	Text       string    `json:"text"`
	Categories []string  `json:"categories"`
	Locale     string    `json:"locale"`
	At         time.Time `json:"suggestedAt"` // when it was first given (its period)
}

// Suggestions keeps suggestions.
type Suggestions interface {
	// SaveSuggestion stores a survey's suggestion, or replaces its text, with the events it owes
	// in one transaction; it reports false when the text was already the stored one.
	SaveSuggestion(ctx context.Context, s Suggestion, owed ...bus.Event) (bool, error)
}

// Suggest stores the suggestion of the survey a "next" link (or a score's) belongs to, also
// when the shop has stopped asking since the email went out. The customer may change it: the
// last text stands, and the same text again changes nothing. An empty text is no suggestion;
// a cancelled order's survey takes none (Outcome.Cancelled).
func (a *Answering) Suggest(ctx context.Context, c token.Claims, text string) (Outcome, error) {
	orderID := strings.TrimPrefix(c.SendKey, Kind+"#")
	s, open, err := a.open(ctx, orderID)
	if err != nil || !open {
		return Outcome{Cancelled: err == nil}, err
	}
	text = cleanText(text, MaxSuggestion)
	if text == "" {
		return Outcome{}, nil
	}
	sg := Suggestion{ContactID: c.ContactID, SendKey: c.SendKey, OrderID: orderID, Text: text,
		Categories: s.Categories, Locale: s.Locale, At: a.Now().UTC()}
	ev, err := bus.NewEvent(EventSuggested, sg, sg.At)
	if err != nil {
		return Outcome{}, err
	}
	changed, err := a.Store.SaveSuggestion(ctx, sg, ev)
	if err != nil {
		return Outcome{}, err
	}
	if changed {
		a.deliver(ctx, ev)
	}
	return Outcome{Changed: changed}, nil
}

// CategorySuggestions are the suggestions of the surveys of one category's orders ("" for
// orders without a category), newest first.
type CategorySuggestions struct {
	Category    string
	Suggestions []Suggestion
}

// ByCategory groups suggestions per category of their orders, a suggestion counting in each
// of its order's categories: the categories with the most suggestions first (then by name),
// each newest first.
func ByCategory(ss []Suggestion) []CategorySuggestions {
	groups := map[string][]Suggestion{}
	for _, s := range ss {
		cats := s.Categories
		if len(cats) == 0 {
			cats = []string{""}
		}
		for _, c := range sortedUnique(cats) {
			groups[c] = append(groups[c], s)
		}
	}
	out := make([]CategorySuggestions, 0, len(groups))
	for c, g := range groups {
		sort.SliceStable(g, func(i, j int) bool { return g[i].At.After(g[j].At) })
		out = append(out, CategorySuggestions{Category: c, Suggestions: g})
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].Suggestions) != len(out[j].Suggestions) {
			return len(out[i].Suggestions) > len(out[j].Suggestions)
		}
		return out[i].Category < out[j].Category
	})
	return out
}

func sortedUnique(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}
