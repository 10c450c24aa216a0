package survey

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/a-h/templ"

	"shopmail/internal/bus"
	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/email"
	"shopmail/internal/fault"
	"shopmail/internal/render"
	"shopmail/internal/send"
	"shopmail/internal/token"
)

// Events published for answers (source marketing.automation).
const (
	EventAnswered  = "Survey Answered"
	EventCommented = "Survey Commented"
	EventUnhappy   = "Customer Unhappy"
)

// MaxComment is the longest comment kept, in characters.
const MaxComment = 2000

// AnswerStore keeps answers.
type AnswerStore interface {
	Survey(ctx context.Context, orderID string) (Survey, bool, error)
	// SaveAnswer stores a new answer, or replaces the score of one first given less than
	// window ago; it returns the answer as stored and whether it changed.
	// Each change is written with the events it owes (owed), in one transaction.
	SaveAnswer(ctx context.Context, a Answer, window time.Duration, owed ...bus.Event) (Answer, bool, error)
	// SaveComment adds a comment to a stored answer and returns the answer.
	SaveComment(ctx context.Context, contactID, sendKey, question, comment string, owed ...bus.Event) (Answer, error)
	// Once records that an effect of an answer (e.g. "unhappy") happened and reports whether
	// this is the first time.
	Once(ctx context.Context, contactID, sendKey, question, effect string, owed ...bus.Event) (bool, error)
	// The events owed are kept until the bus takes them.
	bus.Pending
	// Answer returns a stored answer.
	Answer(ctx context.Context, contactID, sendKey, question string) (Answer, bool, error)
	Suggestions
	Contact(ctx context.Context, id string) (*contact.Contact, error)
	UpdateContact(ctx context.Context, id string, fn func(c *contact.Contact) bool) (*contact.Contact, error)
	send.Ledger
}

// Answering records answers and acts on them.
type Answering struct {
	Store     AnswerStore
	Publisher bus.Publisher
	Sender    *send.Sender
	// Gate is checked before every email (support's and the apology): a suppressed address
	// gets none. Without it nothing is sent.
	Gate      *deliverability.Gate
	Questions []Question
	Brand     render.Brand
	From      email.Address
	// Support, when set, gets an email for every unhappy answer, at once.
	Support email.Address
	// PauseMarketing pauses marketing to an unhappy customer (0: no pause).
	PauseMarketing time.Duration
	// ReviewURL, when set, is offered to happy customers.
	ReviewURL string
	// ChangeWindow is how long an answer may be changed (24 hours).
	ChangeWindow time.Duration
	// AskNext asks "What should we sell next?" beside the comment (suggest.go).
	AskNext bool
	// Apology, when its Prefix is set, sends unhappy customers a coupon (issued by Coupons).
	Apology Apology
	Coupons Coupons
	Now     func() time.Time
}

// Outcome is what answering did.
type Outcome struct {
	Question  Question
	Answer    Answer
	Changed   bool // stored now (new, or a changed score within the window)
	Cancelled bool // the order was cancelled: nothing stored
	Unhappy   bool
	Happy     bool
}

// Choice reads a token's question and score, refusing scores outside the question's scale.
func (a *Answering) Choice(c token.Claims) (Question, int, error) {
	id, scoreText, _ := strings.Cut(c.Arg, ":")
	q, ok := Find(a.Questions, id)
	if !ok {
		q, ok = Find([]Question{NPS, CSAT, CES}, id) // a question asked before the configuration changed
	}
	score, err := strconv.Atoi(scoreText)
	if !ok || err != nil || score < q.Min || score > q.Max {
		return Question{}, 0, fmt.Errorf("%w answer: %q is not a score of a known question", fault.ErrInvalid, c.Arg)
	}
	return q, score, nil
}

// Answer records the score a token carries (committed by POST only), publishes it, and, the
// first time an answer of a survey question is unhappy, tells the help desk and support and
// pauses marketing to the customer.
func (a *Answering) Answer(ctx context.Context, c token.Claims) (Outcome, error) {
	q, score, err := a.Choice(c)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Question: q}
	orderID := strings.TrimPrefix(c.SendKey, Kind+"#")
	s, open, err := a.open(ctx, orderID)
	if err != nil || !open {
		out.Cancelled = err == nil
		return out, err
	}
	now := a.Now().UTC()
	ans := Answer{
		ContactID: c.ContactID, SendKey: c.SendKey, OrderID: orderID, Question: q.ID, Score: score,
		Categories: s.Categories, Locale: s.Locale, At: now,
	}
	ev, err := bus.NewEvent(EventAnswered, detail(ans), now)
	if err != nil {
		return out, err
	}
	out.Answer, out.Changed, err = a.Store.SaveAnswer(ctx, ans, a.ChangeWindow, ev)
	if err != nil {
		return out, err
	}
	out.Unhappy, out.Happy = q.Unhappy(out.Answer.Score), q.Happy(out.Answer.Score)
	// The contact's last answer, for segments; also when unchanged, so that a crash after the
	// answer was saved loses nothing (the same answer counts once).
	if _, err := a.Store.UpdateContact(ctx, ans.ContactID, func(c *contact.Contact) bool {
		return c.Version > 0 && c.CountAnswer(out.Answer.Question, out.Answer.Score, out.Answer.At)
	}); err != nil {
		return out, fmt.Errorf("count answer of %s: %w", ans.ContactID, err)
	}
	if !out.Changed {
		return out, nil
	}
	a.deliver(ctx, ev)
	if out.Unhappy {
		return out, a.unhappy(ctx, out.Answer)
	}
	return out, nil
}

// open returns the order's survey and whether it takes answers: not when the order was
// cancelled or refunded (or its survey is unknown). Every answer path asks it first, so that
// nothing is stored or published for such an order.
func (a *Answering) open(ctx context.Context, orderID string) (Survey, bool, error) {
	s, found, err := a.Store.Survey(ctx, orderID)
	if err != nil {
		return s, false, fmt.Errorf("survey of order %s: %w", orderID, err)
	}
	return s, found && s.Status != Cancelled, nil
}

// unhappy acts on an unhappy answer, once per survey question.
func (a *Answering) unhappy(ctx context.Context, ans Answer) error {
	ev, err := bus.NewEvent(EventUnhappy, detail(ans), a.Now())
	if err != nil {
		return err
	}
	first, err := a.Store.Once(ctx, ans.ContactID, ans.SendKey, ans.Question, "unhappy", ev)
	if err != nil || !first {
		return err
	}
	a.deliver(ctx, ev)
	if a.PauseMarketing > 0 {
		until := a.Now().UTC().Add(a.PauseMarketing)
		if _, err := a.Store.UpdateContact(ctx, ans.ContactID, func(c *contact.Contact) bool {
			if c.Version == 0 || !c.MarketingPausedUntil.Before(until) {
				return false
			}
			c.MarketingPausedUntil = until
			return true
		}); err != nil {
			return fmt.Errorf("pause marketing to %s: %w", ans.ContactID, err)
		}
	}
	if err := a.tellSupport(ctx, ans, "support#"+ans.SendKey+"#"+ans.Question); err != nil {
		return err
	}
	return a.apologize(ctx, ans)
}

// tellSupport emails the support address about an unhappy answer (once per key).
func (a *Answering) tellSupport(ctx context.Context, ans Answer, key string) error {
	if a.Support.Email == "" {
		return nil
	}
	c, err := a.Store.Contact(ctx, ans.ContactID)
	if err != nil {
		return err
	}
	v := supportView{Answer: ans, Customer: strings.TrimSpace(c.FirstName + " " + c.LastName), Email: c.Email}
	r := render.Render(v, a.Brand, render.LocaleFor("en", ""), render.Tracking{})
	msg := email.Message{From: a.From, To: a.Support, Subject: r.Subject, Text: r.Text, HTML: r.HTML, Date: a.Now()}
	if c.Email != "" {
		msg.ReplyTo = &email.Address{Name: v.Customer, Email: c.Email}
	}
	to := &contact.Contact{ID: ans.ContactID, Email: a.Support.Email} // the support address's suppression
	_, err = a.mail().send(ctx, to, "", send.Record{Key: key, ContactID: ans.ContactID, Kind: "support", OrderID: ans.OrderID}, msg,
		[]send.Tag{{Name: "kind", Value: "support"}, {Name: "contact", Value: send.TagValue(ans.ContactID)}})
	return err
}

// Comment adds the customer's comment to their answer; for an unhappy answer, support gets it
// too.
func (a *Answering) Comment(ctx context.Context, c token.Claims, comment string) (Outcome, error) {
	q, _, err := a.Choice(c)
	if err != nil {
		return Outcome{}, err
	}
	if _, open, err := a.open(ctx, strings.TrimPrefix(c.SendKey, Kind+"#")); err != nil || !open {
		return Outcome{Question: q, Cancelled: err == nil}, err
	}
	comment = cleanText(comment, MaxComment)
	if comment == "" {
		return Outcome{Question: q}, nil
	}
	// The event carries the comment with the answer as it was read before it.
	before, found, err := a.Store.Answer(ctx, c.ContactID, c.SendKey, q.ID)
	if err != nil {
		return Outcome{}, err
	}
	if !found {
		return Outcome{}, fmt.Errorf("%w answer: a comment needs an answer first", fault.ErrInvalid)
	}
	before.Comment = comment
	ev, err := bus.NewEvent(EventCommented, detail(before), a.Now())
	if err != nil {
		return Outcome{}, err
	}
	ans, err := a.Store.SaveComment(ctx, c.ContactID, c.SendKey, q.ID, comment, ev)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Question: q, Answer: ans, Changed: true, Unhappy: q.Unhappy(ans.Score), Happy: q.Happy(ans.Score)}
	a.deliver(ctx, ev)
	if out.Unhappy {
		return out, a.tellSupport(ctx, ans, "support-comment#"+ans.SendKey+"#"+ans.Question)
	}
	return out, nil
}

// deliver publishes the events a committed change owes; one the bus refuses now stays in the
// outbox for its flush, and the customer's answer stands.
func (a *Answering) deliver(ctx context.Context, evs ...bus.Event) {
	_, _ = (&bus.Relay{Publisher: a.Publisher, Outbox: a.Store, Now: a.Now}).Deliver(ctx, evs...)
}

// mail is the only way this file and apology.go send: through the gate.
func (a *Answering) mail() gated { return gated{gate: a.Gate, sender: a.Sender} }

// cleanText keeps a comment's or a suggestion's text: at most max characters, no control
// characters but line breaks and tabs, trimmed.
func cleanText(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) && r != unicode.ReplacementChar {
			return r
		}
		return -1
	}, s)
	if r := []rune(s); len(r) > max {
		s = string(r[:max])
	}
	return strings.TrimSpace(s)
}

func detail(a Answer) map[string]any {
	return map[string]any{
		"contactId": a.ContactID, "orderId": a.OrderID, "question": a.Question, "score": a.Score,
		"comment": a.Comment, "categories": a.Categories, "locale": a.Locale, "answeredAt": a.At,
	}
}

// supportView is the email to support about an unhappy answer.
type supportView struct {
	Answer   Answer
	Customer string
	Email    string
}

func (v supportView) Subject(l render.Locale, b render.Brand) string {
	who := v.Customer
	if who == "" {
		who = v.Email
	}
	return l.T("support.subject", who, strconv.Itoa(v.Answer.Score), strings.ToUpper(v.Answer.Question))
}
func (v supportView) Preheader(l render.Locale) string { return "Order " + v.Answer.OrderID }
func (v supportView) Why(l render.Locale, b render.Brand) string {
	return "Sent by the survey of " + b.ShopName + "."
}

func (v supportView) lines() [][2]string {
	return [][2]string{
		{"Customer", v.Customer + " <" + v.Email + ">"}, {"Contact id", v.Answer.ContactID}, {"Order", v.Answer.OrderID},
		{"Question", strings.ToUpper(v.Answer.Question)}, {"Score", strconv.Itoa(v.Answer.Score)},
		{"Categories", strings.Join(v.Answer.Categories, ", ")}, {"Comment", v.Answer.Comment},
	}
}

func (v supportView) Body(e render.Email) templ.Component { return supportBody(v.lines(), e) }

func (v supportView) WriteText(t *render.Text, b render.Brand) {
	t.Line("A customer is unhappy. Reply to this email to write to them.").Line()
	for _, l := range v.lines() {
		t.Line(l[0], ": ", l[1])
	}
}
