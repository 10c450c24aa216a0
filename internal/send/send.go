// Package send delivers one email per (trigger, recipient), at most once, although every event
// source delivers at least once: a send is claimed with a conditional write before the mail
// service is called and marked sent with the service's message id after (DESIGN.md section 7).
package send

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"shopmail/internal/ascii"
	"shopmail/internal/email"
	"shopmail/internal/fault"
)

// Status is where a send is in its life.
type Status string

// Statuses of a send.
const (
	// Claimed: the send is ours; the mail service has not been called yet. Claims are written
	// Sending now; a claim an earlier version wrote Claimed is taken on by a retry of the same
	// invocation (same attempt id), which goes on and sends.
	Claimed Status = "claimed"
	// Sending: the mail service is being called. A send that stays here stopped mid-call: the
	// service's own "Email Sent" event settles it; without one, the sweep sends it again.
	Sending Status = "sending"
	// Sent: the mail service accepted the message and gave it an id.
	Sent Status = "sent"
	// Unknown: the call's outcome is unknown (timeout, connection lost, server error).
	Unknown Status = "unknown"
	// Failed: the mail service refused the message; sending it again would fail again.
	Failed Status = "failed"
	// Skipped: nothing was sent, on purpose (e.g. the address is suppressed).
	Skipped Status = "skipped"
)

// Errors a Mailer returns, wrapped, to say what kind of failure it was. Any other error is
// taken as "the message may or may not have been sent".
var (
	// ErrRejected: the service definitely did not send the message and will not if asked again.
	ErrRejected = errors.New("rejected by the mail service")
	// ErrThrottled: the service refused because of its rate or quota, after retries with
	// backoff; the message was not sent and a later attempt may succeed.
	ErrThrottled = errors.New("throttled by the mail service")
	// ErrUnavailable: the service refused every message for now because of the account, its
	// credentials or its configuration; the message was not sent and may be after a fix.
	ErrUnavailable = errors.New("mail service unavailable to this account")
)

// Record is one send: the claim, and what became of it.
type Record struct {
	Key       string // what triggered it, unique per recipient, e.g. "thankyou#o-1001"
	ContactID string
	Kind      string // e.g. "thankyou"
	// Topic is the marketing topic of the email ("" for a transactional email).
	Topic      string
	OrderID    string
	CampaignID string
	To         string
	Subject    string
	Status     Status
	MessageID  string
	Reason     string // why it failed, was skipped or is unknown
	// Token identifies one claim attempt, so that a claim whose write was applied but whose
	// response was lost (and retried by the client) is recognised as ours, not as a duplicate.
	Token     string
	ClaimedAt time.Time
	SentAt    time.Time
	// Links are the URLs the email's tracked links lead to, by link index: the only places
	// the click endpoint redirects to.
	Links []string
	// ExpiresAt is when the send's record may be deleted (the tracking retention).
	ExpiresAt time.Time
	// Direct: the send's row alone is its claim, written already Sending (Taker), for sends
	// whose trigger is replayed only within the row's retention (a campaign's queue).
	Direct bool
}

// Queued is the status of a send put back in line to be tried again (a campaign's failed
// send, retried on the marketer's request): a Taker may take it as if it were new.
const Queued Status = "queued"

// Ledger stores sends. Claim must be atomic: of many concurrent claims of one (contact, key),
// exactly one succeeds, and a claim outlives the send's record (its retention): a replay of
// the trigger at any age finds it.
type Ledger interface {
	// Claim stores rec unless a send with its (ContactID, Key) was claimed before; claimed
	// reports whether the claim is rec's (same Token: a retry of the same attempt), and
	// existing is the send as stored (rec itself for a new claim).
	Claim(ctx context.Context, rec Record) (claimed bool, existing Record, err error)
	// Begin moves rec's claim from Claimed to Sending, just before the mail service is called
	// (for claims written Claimed by an earlier version).
	Begin(ctx context.Context, rec Record) error
	// Settle records the outcome of a send that is Sending (status, message id, reason, time).
	Settle(ctx context.Context, rec Record) error
	// Release deletes a claim (with rec's Token) whose message was certainly not sent, so
	// that a retry of the trigger can send it.
	Release(ctx context.Context, rec Record) error
	// Park keeps the message of a send whose outcome is unknown and records it as Unknown,
	// so that the sweep can send it again if the mail service never reports it (sweep.go).
	Park(ctx context.Context, rec Record, p Parked) error
}

// Taker is a Ledger that can claim a send by its row alone, written already Sending (or
// Skipped): one write where Claim takes two. The row then is the claim, so it
// must outlive every replay of the trigger. Take stores rec unless a send with its (ContactID,
// Key) exists that is not Queued (TakeSend); taken reports whether the send is rec's (new, or stored
// before with rec's Token), existing is the send as stored.
type Taker interface {
	TakeSend(ctx context.Context, rec Record) (taken bool, existing Record, err error)
}

// Tag is an SES message tag. Names and values are limited to ASCII letters, digits, '_' and '-'.
type Tag struct{ Name, Value string }

// Mailer sends a raw MIME message and returns the service's message id.
type Mailer interface {
	SendRaw(ctx context.Context, raw []byte, tags []Tag) (messageID string, err error)
}

// Sender sends messages through the ledger.
type Sender struct {
	Ledger Ledger
	Mailer Mailer
	Now    func() time.Time
}

// Outcome is what Send did.
type Outcome struct {
	Record    Record
	Duplicate bool // the send had already been claimed; nothing was sent now
}

// Send claims rec, sends msg, and records the result. It sends nothing when the send was
// already claimed (a replayed or concurrent trigger). It returns an error only when trying
// again later could help: the ledger failed, or the service throttled us or refused the
// account (the claim is then released). A rejection or an unknown outcome is recorded and reported in the Outcome.
func (s *Sender) Send(ctx context.Context, rec Record, msg email.Message, tags []Tag) (Outcome, error) {
	raw, err := msg.Bytes()
	if err != nil {
		// The same input would fail the same way: not worth a retry.
		return Outcome{}, fmt.Errorf("%w: build message %s: %w", fault.ErrInvalid, rec.Key, err)
	}
	callCtx, cancel, ok := mailContext(ctx)
	if !ok {
		return Outcome{}, fmt.Errorf("send %s: too little time left to call the mail service and record the outcome", rec.Key)
	}
	defer cancel()
	// The claim is written Sending: the message is built, and the mail service is called next.
	rec.To, rec.Subject, rec.Status, rec.ClaimedAt, rec.Token = msg.To.Email, msg.Subject, Sending, s.Now().UTC(), Attempt(ctx)
	claimed, existing, err := s.claim(ctx, rec)
	if err != nil {
		return Outcome{}, fmt.Errorf("claim send %s: %w", rec.Key, err)
	}
	if !claimed {
		return Outcome{Record: existing, Duplicate: true}, nil
	}
	tags = append(tags, Tag{"send_key", TagValue(rec.Key)})
	switch {
	case existing.Status == Claimed && !rec.Direct:
		// Claimed by a version that wrote claims Claimed, by this attempt before it stopped
		// short of the mail service: it goes on, Sending first.
		rec.ClaimedAt = existing.ClaimedAt
		if err := s.Ledger.Begin(ctx, rec); err != nil {
			return Outcome{}, fmt.Errorf("begin send %s: %w", rec.Key, err)
		}
	case existing.Status == Sending && existing.ClaimedAt.Equal(rec.ClaimedAt):
		// Claimed now (or the SDK retried the claim's write, whose response was lost).
	case existing.Status == Sending:
		// An earlier try of this attempt stopped after its claim, perhaps while calling the
		// mail service: whether it took the message is unknown. Sending it now could send it
		// twice; it is parked for the sweep instead.
		rec.ClaimedAt = existing.ClaimedAt
		return s.park(ctx, rec, raw, tags, "an earlier try of this attempt stopped while calling the mail service")
	default:
		return Outcome{Record: existing, Duplicate: true}, nil
	}
	rec.Status = Sending
	id, sendErr := s.Mailer.SendRaw(callCtx, raw, tags)
	switch {
	case sendErr == nil:
		rec.Status, rec.MessageID, rec.SentAt = Sent, id, s.Now().UTC()
	case errors.Is(sendErr, ErrThrottled) || errors.Is(sendErr, ErrUnavailable):
		if err := s.Ledger.Release(context.WithoutCancel(ctx), rec); err != nil {
			return Outcome{}, fmt.Errorf("release unsent send %s: %w (after %v)", rec.Key, err, sendErr)
		}
		return Outcome{}, fmt.Errorf("send %s: %w", rec.Key, sendErr)
	case errors.Is(sendErr, ErrRejected):
		rec.Status, rec.Reason = Failed, sendErr.Error()
	default:
		return s.park(ctx, rec, raw, tags, sendErr.Error())
	}
	// The outcome is recorded even when the caller's context ended meanwhile: losing it would
	// leave a sent message looking unsent.
	if err := s.Ledger.Settle(context.WithoutCancel(ctx), rec); err != nil {
		return Outcome{}, fmt.Errorf("record send %s as %s: %w", rec.Key, rec.Status, err)
	}
	return Outcome{Record: rec}, nil
}

// claim claims rec: by its row alone when it is Direct (the Ledger must be a Taker).
func (s *Sender) claim(ctx context.Context, rec Record) (bool, Record, error) {
	if !rec.Direct {
		return s.Ledger.Claim(ctx, rec)
	}
	t, ok := s.Ledger.(Taker)
	if !ok {
		return false, Record{}, fmt.Errorf("send %s: the ledger cannot take a send by its row alone", rec.Key)
	}
	return t.TakeSend(ctx, rec)
}

// callReserve is the time kept back, at the end of an invocation, from the mail service's call
// for recording its outcome (a few DynamoDB writes): a call cut short by the reserve is an
// unknown outcome, parked for the sweep, where a call cut short by Lambda's timeout would leave
// the send "sending" with nothing kept to send it again.
const callReserve = 3 * time.Second

// mailContext returns the context to call the mail service in: ctx, ending callReserve before
// ctx's deadline. ok is false when ctx's deadline leaves too little time for a call at all.
func mailContext(ctx context.Context) (_ context.Context, cancel context.CancelFunc, ok bool) {
	deadline, has := ctx.Deadline()
	if !has {
		return ctx, func() {}, true
	}
	if time.Until(deadline) < 2*callReserve {
		return nil, nil, false
	}
	callCtx, cancel := context.WithDeadline(ctx, deadline.Add(-callReserve))
	return callCtx, cancel, true
}

// park records rec as Unknown with the reason and keeps its message for the sweep.
func (s *Sender) park(ctx context.Context, rec Record, raw []byte, tags []Tag, reason string) (Outcome, error) {
	rec.Status, rec.Reason = Unknown, reason
	// Kept even when the caller's context ended meanwhile, as an outcome is.
	if err := s.Ledger.Park(context.WithoutCancel(ctx), rec, Parked{Raw: raw, Tags: tags}); err != nil {
		return Outcome{}, fmt.Errorf("record send %s as unknown: %w", rec.Key, err)
	}
	return Outcome{Record: rec}, nil
}

// Skip records that a send was decided against, with the reason, so that the contact's history
// says why no email went out. A send already claimed is left as it is.
func (s *Sender) Skip(ctx context.Context, rec Record, reason string) (Outcome, error) {
	rec.Status, rec.Reason, rec.ClaimedAt, rec.Token = Skipped, reason, s.Now().UTC(), Attempt(ctx)
	claimed, existing, err := s.claim(ctx, rec)
	if err != nil {
		return Outcome{}, fmt.Errorf("record skipped send %s: %w", rec.Key, err)
	}
	// A send this attempt stored before (its own token) under another outcome, an email sent
	// before a crash for one, is that outcome: a campaign's message delivered again after its
	// send, by then within the frequency cap, is not skipped and counted a second time. A
	// campaign's send stored before is a duplicate whatever it was (its sender counts it as
	// uncertain, and the campaign is recounted), so that a skip is never counted twice either.
	if !claimed || (!existing.ClaimedAt.Equal(rec.ClaimedAt) && (rec.Direct || existing.Status != Skipped)) {
		return Outcome{Record: existing, Duplicate: true}, nil
	}
	return Outcome{Record: rec}, nil
}

type attemptKey struct{}

// WithAttempt returns ctx carrying the id of the attempt that runs in it: the Lambda request
// id, which Lambda keeps across its retries of an asynchronous invocation. A send claimed under
// an attempt id is recognised as its own by a retry with the same id, so that a claim whose
// write succeeded but timed out is neither lost nor taken for someone else's.
func WithAttempt(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, attemptKey{}, id)
}

// Attempt is the attempt id of ctx, or a random one where there is none (each call then is an
// attempt of its own).
func Attempt(ctx context.Context) string {
	if id, _ := ctx.Value(attemptKey{}).(string); id != "" {
		return id
	}
	return rand.Text()
}

// tagSafe reports whether v may be an SES tag value as it is: 1-256 ASCII letters, digits, '_'
// or '-' (`^[A-Za-z0-9_\-]{1,256}$`; a loop, as that expression compiled to 241 KB at every
// function's start).
func tagSafe(v string) bool { return ascii.All(v, 1, 256, ascii.Word) }

// encodedTag marks a tag value that TagValue encoded.
const encodedTag = "b64-"

// TagValue returns v as an SES tag value (ASCII letters, digits, '_' and '-' only): v itself
// when it is one already, else "b64-" and v in unpadded base64url. It is reversible
// (ParseTagValue), so that SES events lead back to the contact and the send row.
func TagValue(v string) string {
	if tagSafe(v) && !strings.HasPrefix(v, encodedTag) {
		return v
	}
	return encodedTag + base64.RawURLEncoding.EncodeToString([]byte(v))
}

// ParseTagValue reverses TagValue.
func ParseTagValue(tag string) (string, error) {
	enc, ok := strings.CutPrefix(tag, encodedTag)
	if !ok {
		return tag, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(enc)
	return string(b), err
}
