// Package stored is an occasion as the table keeps it: its JSON and its version. It has no
// dependencies, so that the table's code links none of the calendar or the cards.
package stored

// Occasion is one stored occasion: Doc is its JSON (package occasion's), Version its
// optimistic-locking counter (0 for one not stored yet).
type Occasion struct {
	ID      string
	Doc     []byte
	Version int64
}
