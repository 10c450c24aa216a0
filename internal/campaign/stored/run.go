package stored

import "time"

// Run is how a campaign's sending stands: where the planner is in the audience, how many
// recipients it put in the queue, how many the senders settled, and the A/B test's choice.
// Counters are approximate while the campaign sends (a sender that stops between settling a
// send and counting it leaves it uncounted; a message the queue delivers twice is counted as
// Uncertain); the campaign completes only when the sends recounted from the table say so.
type Run struct {
	ID    string
	Salt  string // random: picks the holdout and the variants, the same on every replay
	Phase string // PhaseMain, PhaseTest or PhaseRest
	// Cursor is the planner's position in the audience ("" at the start of a phase).
	Cursor   string
	Planned  int64 // recipients put in the queue, each once
	PlanDone bool  // every phase is planned
	Settled  int64
	// Uncertain counts messages that found their send settled already: counted before, or not.
	Uncertain int64
	Counts    map[string]int64 // the senders': "sent", "failed", "unknown", "skipped:<reason>"
	Skipped   map[string]int64 // the planner's: contacts of the segment left out, by reason
	Winner    string           // the variant the test chose ("a"...)
	Choice    string           // the numbers it chose by, as JSON
	CheckedAt time.Time        // the last recount
	LookAt    time.Time        // when the pending look at whether the run is done is due
	Looks     int64            // looks scheduled so far (each waits longer)
}

// Phases of a run.
const (
	PhaseMain = "main" // everyone (no A/B test)
	PhaseTest = "test" // the test share, split among the variants
	PhaseRest = "rest" // everyone else, with the winner
)

// Change is what a status change sets beside the status (zero fields are left as they are).
type Change struct {
	BlockedReason string
	ScheduledAt   time.Time
	LocalTime     *bool
	StartedAt     time.Time
	CompletedAt   time.Time
}

// Held is a recipient's message held while its campaign is paused: Key names it in the table.
type Held struct {
	Key  string
	Body string
}

// Hour is one hour of a campaign, from its sends: emails sent and delivered in it, and
// recipients who first opened or clicked (people, not machines) in it.
type Hour struct {
	At                               time.Time
	Sent, Delivered, Opened, Clicked int64
}
