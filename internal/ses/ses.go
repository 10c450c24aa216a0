// Package ses sends email through Amazon SES v2 (SendEmail with raw content). It tells the
// send package exactly which failed calls sent nothing (throttled, rejected) and which have an
// unknown outcome, and it retries nothing but throttling, since a retry after a timeout or a
// lost connection could send a second email (DESIGN.md section 7).
package ses

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"shopmail/internal/send"
)

// Defaults for retrying a throttled call.
const (
	DefaultMaxAttempts = 6
	DefaultBaseDelay   = 200 * time.Millisecond
	DefaultMaxDelay    = 5 * time.Second
)

// Mailer sends raw MIME messages through SES v2. It implements send.Mailer.
type Mailer struct {
	client           *sesv2.Client
	configurationSet string
	pause            time.Duration // between rounds of throttled retries
	oneRound         bool
}

var _ send.Mailer = (*Mailer)(nil)

// Option changes how a Mailer retries throttled calls.
type Option func(*settings)

type settings struct {
	maxAttempts         int
	baseDelay, maxDelay time.Duration
	oneRound            bool
}

// WithOneRound has a throttled message given up after one round of retries, for a caller that
// has a queue to offer it again later (the campaign sender), rather than kept waiting for as
// long as its deadline allows.
func WithOneRound() Option { return func(s *settings) { s.oneRound = true } }

// WithMaxAttempts sets how many times in all one message is offered to SES while SES
// throttles it (default DefaultMaxAttempts). Values below 1 count as 1.
func WithMaxAttempts(n int) Option {
	return func(s *settings) { s.maxAttempts = max(n, 1) }
}

// WithBackoff sets the delay before the first retry of a throttled call and its cap; the
// delay doubles on each further retry and is jittered (defaults DefaultBaseDelay and
// DefaultMaxDelay).
func WithBackoff(base, maxDelay time.Duration) Option {
	return func(s *settings) { s.baseDelay, s.maxDelay = base, maxDelay }
}

// New returns a Mailer that sends through the SES v2 client built from cfg (from awsenv, whose
// For("SESV2") applies AWS_ENDPOINT_URL_SESV2, then AWS_ENDPOINT_URL). Every message uses configurationSet (none when empty). The client's own retry
// settings (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, cfg.Retryer) are replaced: only throttling is
// retried.
func New(cfg aws.Config, configurationSet string, opts ...Option) *Mailer {
	s := settings{maxAttempts: DefaultMaxAttempts, baseDelay: DefaultBaseDelay, maxDelay: DefaultMaxDelay}
	for _, opt := range opts {
		opt(&s)
	}
	client := sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
		o.Retryer = newRetryer(s)
		o.RetryMaxAttempts = 0 // else the client wraps the retryer with cfg's max attempts
	})
	return &Mailer{client: client, configurationSet: configurationSet, pause: s.maxDelay, oneRound: s.oneRound}
}

// SendRaw sends raw, a complete MIME message, with every tag, and returns SES's message id.
// A returned error wraps send.ErrThrottled when SES refused because of its sending rate or
// quota (after retries), send.ErrRejected when SES refused the message for good, and neither
// when the message may or may not have been sent.
//
// While SES throttles for its sending rate, a caller with a deadline (a Lambda invocation) is
// kept waiting, a pause between rounds, for as long as its deadline leaves room for another
// round of retries, so that a burst beyond the sending rate is paced here rather than
// spending Lambda's retries and ending in the dead-letter queue. A used-up quota is not waited
// on: it lasts hours.
func (m *Mailer) SendRaw(ctx context.Context, raw []byte, tags []send.Tag) (string, error) {
	for {
		id, err := m.sendRound(ctx, raw, tags)
		var api smithy.APIError
		if err == nil || m.oneRound || !errors.As(err, &api) || !rateLimited(api) || !roomForARound(ctx) {
			return id, err
		}
		select {
		case <-ctx.Done():
			return "", err
		case <-time.After(m.pause/2 + rand.N(m.pause/2+1)):
		}
	}
}

// roundReserve is what a round of throttled retries may take (DefaultMaxAttempts with their
// backoff, about 6 s) and the time left after it to record the outcome.
const roundReserve = 10 * time.Second

func roomForARound(ctx context.Context) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Until(deadline) > roundReserve
}

// sendRound is one SendEmail call with its throttling retries.
func (m *Mailer) sendRound(ctx context.Context, raw []byte, tags []send.Tag) (string, error) {
	var note throttleNote
	out, err := m.client.SendEmail(context.WithValue(ctx, noteKey{}, &note), m.input(raw, tags))
	if err != nil {
		return "", classify(err, note)
	}
	if aws.ToString(out.MessageId) == "" {
		return "", errors.New("ses send email: the response has no message id")
	}
	return *out.MessageId, nil
}

func (m *Mailer) input(raw []byte, tags []send.Tag) *sesv2.SendEmailInput {
	in := &sesv2.SendEmailInput{Content: &types.EmailContent{Raw: &types.RawMessage{Data: raw}}}
	if m.configurationSet != "" {
		in.ConfigurationSetName = aws.String(m.configurationSet)
	}
	for _, t := range tags {
		in.EmailTags = append(in.EmailTags, types.MessageTag{Name: aws.String(t.Name), Value: aws.String(t.Value)})
	}
	return in
}

// classify wraps err with the send package's kind of failure. The SDK's error stays in the
// chain, and in the text with SES's error code and message.
func classify(err error, note throttleNote) error {
	var api smithy.APIError
	switch {
	case errors.As(err, &api) && (rateLimited(api) || overQuota(api)):
		return fmt.Errorf("ses send email: %w: %w", send.ErrThrottled, err)
	case errors.As(err, &api) && rejected[api.ErrorCode()]:
		return fmt.Errorf("ses send email: %w: %w", send.ErrRejected, err)
	case errors.As(err, &api) && refused[api.ErrorCode()]:
		return fmt.Errorf("ses send email: %w: %w", send.ErrUnavailable, err)
	case note.throttled != nil:
		// The call ended while waiting to retry a throttled attempt: nothing was sent.
		return fmt.Errorf("ses send email: %w: %w, then %w", send.ErrThrottled, note.throttled, err)
	default:
		return fmt.Errorf("ses send email: %w", err)
	}
}

// Error codes SES v2 uses when it refuses a call because of the account's sending rate: the
// SendEmail error TooManyRequestsException (HTTP 429), the common error ThrottlingException,
// and Throttling, the code SES v1 used for the same condition.
var rateCodes = map[string]bool{
	"TooManyRequestsException": true,
	"ThrottlingException":      true,
	"Throttling":               true,
}

// rateLimited reports whether SES refused the call because of the account's sending rate.
// Only this is retried.
func rateLimited(api smithy.APIError) bool {
	if overQuota(api) {
		return false
	}
	return rateCodes[api.ErrorCode()] ||
		strings.Contains(strings.ToLower(api.ErrorMessage()), "maximum sending rate exceeded")
}

// overQuota reports whether SES refused the call because a quota is used up: the 24-hour
// sending quota (SES puts "Daily message quota exceeded" in a throttling error) or another
// limit (LimitExceededException). The message was not sent and a later attempt may succeed,
// but not within seconds, so it is not retried here.
func overQuota(api smithy.APIError) bool {
	msg := strings.ToLower(api.ErrorMessage())
	return api.ErrorCode() == "LimitExceededException" ||
		strings.Contains(msg, "daily message quota exceeded") ||
		strings.Contains(msg, "daily sending quota exceeded")
}

// Error codes with which SES refuses this message, and would refuse it again: the message
// itself or the request's parameters are at fault.
var rejected = map[string]bool{
	"MessageRejected":       true,
	"BadRequestException":   true,
	"ValidationException":   true,
	"ValidationError":       true,
	"InvalidParameterValue": true,
	"MissingParameter":      true,
}

// Error codes with which SES refuses every message for a while, whatever the message: the
// account, its credentials, permissions or configuration are at fault (sending paused, an
// expired token during a key rotation, an IAM mistake). Nothing was sent; the event is kept
// for a retry and then the dead-letter queue rather than recorded as a final failure.
var refused = map[string]bool{
	"MailFromDomainNotVerifiedException": true,
	"AccountSuspendedException":          true,
	"SendingPausedException":             true,
	"NotFoundException":                  true,
	"AccessDeniedException":              true,
	"UnrecognizedClientException":        true,
	"InvalidSignatureException":          true,
	"SignatureDoesNotMatch":              true,
	"IncompleteSignature":                true,
	"InvalidClientTokenId":               true,
	"MissingAuthenticationToken":         true,
	"ExpiredTokenException":              true,
	"RequestExpired":                     true,
	"NotAuthorized":                      true,
	"OptInRequired":                      true,
}

// throttleNote is kept in one call's context by the retryer: throttled holds the error of
// the last attempt while the retryer waits to retry it, and is cleared when the next attempt
// starts. A call that ends while it is set sent nothing.
type throttleNote struct{ throttled error }

type noteKey struct{}

// retryer is the SDK's standard retryer with every default retry condition removed but
// throttling, no client-side retry quota, and a note of the throttled attempt it waits on.
type retryer struct{ *retry.Standard }

func newRetryer(s settings) retryer {
	return retryer{retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = s.maxAttempts
		o.Retryables = []retry.IsErrorRetryable{retry.IsErrorRetryableFunc(retryable)}
		o.Backoff = backoff{base: s.baseDelay, max: s.maxDelay}
		o.RateLimiter = ratelimit.None
	})}
}

// retryable is the only retry condition: SES throttled the call because of its sending rate.
func retryable(err error) aws.Ternary {
	var api smithy.APIError
	return aws.BoolTernary(errors.As(err, &api) && rateLimited(api))
}

// GetAttemptToken is called as an attempt starts; from then on its outcome is unknown.
func (r retryer) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	if note, ok := ctx.Value(noteKey{}).(*throttleNote); ok {
		note.throttled = nil
	}
	return r.Standard.GetAttemptToken(ctx)
}

// GetRetryToken is called when a throttled attempt is about to be retried, before the wait.
func (r retryer) GetRetryToken(ctx context.Context, opErr error) (func(error) error, error) {
	if note, ok := ctx.Value(noteKey{}).(*throttleNote); ok {
		note.throttled = opErr
	}
	return r.Standard.GetRetryToken(ctx, opErr)
}

// backoff is exponential backoff with "equal jitter": the delay before retry n is half of
// min(max, base·2^(n-1)) plus a random part of the other half, so that concurrent senders
// spread out while none retries at once.
type backoff struct{ base, max time.Duration }

// BackoffDelay returns the delay before retry number attempt (counted from 1).
func (b backoff) BackoffDelay(attempt int, _ error) (time.Duration, error) {
	d := b.base
	for i := 1; i < attempt && d < b.max; i++ {
		d *= 2
	}
	d = max(min(d, b.max), 0)
	half := d / 2
	return half + rand.N(d-half+1), nil
}

// Rates reads the SES account's sending rate (GetAccount), at most once a minute.
type Rates struct {
	client *sesv2.Client
	mu     sync.Mutex
	rate   float64
	at     time.Time
}

// Rates returns the account's rates through the Mailer's client.
func (m *Mailer) Rates() *Rates { return &Rates{client: m.client} }

// rateTTL is how long a read sending rate is trusted: SES raises it rarely, and a lowered one
// only throttles (and is retried) until it is read again.
const rateTTL = time.Minute

// MaxSendRate is the account's maximum sending rate, in messages a second.
func (r *Rates) MaxSendRate(ctx context.Context) (float64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.at.IsZero() && time.Since(r.at) < rateTTL {
		return r.rate, nil
	}
	res, err := r.client.GetAccount(ctx, &sesv2.GetAccountInput{})
	if err != nil {
		return 0, fmt.Errorf("ses get account: %w", err)
	}
	if res.SendQuota == nil || res.SendQuota.MaxSendRate <= 0 {
		return 0, errors.New("ses get account: no sending rate in the answer")
	}
	r.rate, r.at = res.SendQuota.MaxSendRate, time.Now()
	return r.rate, nil
}
