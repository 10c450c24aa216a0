// Package stored is a campaign as the table keeps it: its JSON and the fields the table
// conditions and lists on. It has no dependencies, so that the table's code links none of the
// campaign's rendering.
package stored

import "time"

// Campaign is a stored campaign: Doc is the campaign's JSON (package campaign's), Version its
// optimistic-locking counter (0 for one not yet stored).
type Campaign struct {
	ID        string
	Status    string
	Doc       []byte
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
	// What the fan-out sets.
	BlockedReason string
	ScheduledAt   time.Time
	LocalTime     bool // ScheduledAt's wall-clock time in each recipient's time zone
	StartedAt     time.Time
	CompletedAt   time.Time
}
