package contact

import "time"

// Record is one stored item about a contact, as plain values: Kind says what it is ("send",
// "activity", "ses-event", "answer", "consent", "order", "survey", "suppression",
// "soft-bounce", "claim"). The marketer API's timeline and export read them.
type Record struct {
	Kind   string
	Fields map[string]any
}

// Data is everything stored about a contact.
type Data struct {
	Profile map[string]any
	Records []Record
}

// StoredSegment is a segment of contacts as stored: its rule in canonical JSON (parsed by
// internal/segment, which the table's code does not link).
type StoredSegment struct {
	ID        string
	Name      string
	Rule      []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}
