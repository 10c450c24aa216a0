package web

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"

	"shopmail/internal/fault"
	"shopmail/internal/render"
	"shopmail/internal/survey"
	"shopmail/internal/token"
)

// Answers is the Lambda handler of the survey answer pages: GET /a/{token} shows the chosen
// score with a button; POST commits it (scanners that only GET record nothing), then offers a
// comment and, when the survey asks it, "What should we sell next?"; a POST with a comment or
// a suggestion adds it. The survey's "next" link opens that question alone.
type Answers struct {
	Answering *survey.Answering
	Keys      *token.Keys
	BaseURL   string // the public API, for the Origin check
	Log       *slog.Logger
}

// Invoke implements lambda.Handler.
func (h *Answers) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return Invoke(ctx, h.Serve, payload)
}

// Serve answers one request.
func (h *Answers) Serve(ctx context.Context, r Request) Response {
	a := h.Answering
	tok := r.PathParameters["token"]
	if len(tok) > token.MaxLen {
		tok = ""
	}
	l := render.LocaleFor(Language(r), "")
	c, err := h.Keys.Verify(tok, token.Answer, a.Now())
	if err != nil {
		h.Log.InfoContext(ctx, "answer refused", "error", err)
		return HTML(404, render.Page(l, a.Brand, l.T("link.invalid.title"), paragraph(l.T("link.invalid"))))
	}
	q, score, err := a.Choice(c)
	if err != nil && c.Arg != survey.Next {
		return HTML(400, render.Page(l, a.Brand, l.T("link.invalid.title"), paragraph(l.T("link.invalid"))))
	}
	if ct, err := a.Store.Contact(ctx, c.ContactID); err == nil && ct.Locale != "" {
		l = render.LocaleFor(ct.Locale, ct.Timezone)
	}
	if c.Arg == survey.Next {
		return h.suggest(ctx, r, c, l)
	}
	if Method(r) != "POST" {
		return HTML(200, render.Page(l, a.Brand, l.T("answer.title"), askPage(l, l.T("survey."+q.ID+".question", a.Brand.ShopName), score, q.Min, q.Max)))
	}
	// The score's form posts nothing (the score is in the link); the next form posts a comment
	// and a suggestion, either of them empty. A body that cannot be read is neither, and
	// records nothing.
	form, resp := h.posted(r, l)
	if resp != nil {
		return *resp
	}
	var out survey.Outcome
	comment, commented := form["comment"]
	next, suggested := form["next"]
	if commented || suggested {
		if out, err = a.Comment(ctx, c, strings.Join(comment, "\n")); err == nil && !out.Cancelled && suggested {
			var sg survey.Outcome
			sg, err = a.Suggest(ctx, c, strings.Join(next, "\n"))
			out.Cancelled = sg.Cancelled
		}
	} else {
		out, err = a.Answer(ctx, c)
	}
	switch {
	case errors.Is(err, fault.ErrInvalid):
		return Problem(400, l, a.Brand, "not.answer")
	case err != nil:
		return Fail(ctx, h.Log, "answer", err, l, a.Brand)
	case out.Cancelled:
		return HTML(410, render.Page(l, a.Brand, l.T("answer.title"), paragraph(l.T("answer.closed"))))
	}
	h.Log.InfoContext(ctx, "answer recorded", "contact_id", c.ContactID, "send_key", c.SendKey, "question", q.ID,
		"score", out.Answer.Score, "changed", out.Changed, "unhappy", out.Unhappy, "comment", out.Answer.Comment != "",
		"suggestion", strings.TrimSpace(strings.Join(next, "")) != "")
	saved := savedPage{
		Commented: commented || suggested,
		Locked:    !out.Changed && out.Answer.Score != score,
		Follow:    "answer.liked",
		AskNext:   a.AskNext,
	}
	if out.Unhappy {
		saved.Follow = "answer.better"
	}
	if out.Happy {
		saved.ReviewURL = a.ReviewURL
	}
	return HTML(200, render.Page(l, a.Brand, l.T("answer.title"), savedBody(l, saved)))
}

// savedPage is what the page after an answer or a comment says.
type savedPage struct {
	Commented bool   // the comment was saved: nothing else to ask
	Locked    bool   // the answer is older than a day and was not changed
	Follow    string // the key of the comment's question
	ReviewURL string // where a happy customer may write a review; empty: do not ask
	AskNext   bool   // also ask what to sell next
}

// posted refuses a POST from another site or too long, and reads its form: nil for an empty
// body (a score's form).
func (h *Answers) posted(r Request, l render.Locale) (url.Values, *Response) {
	var p Response
	switch {
	case !FromOurSite(r, h.BaseURL):
		p = Problem(403, l, h.Answering.Brand, "form")
	case len(r.Body) > MaxBody:
		p = Problem(413, l, h.Answering.Brand, "too.long")
	case r.Body == "":
		return nil, nil
	default:
		form, err := readForm(r)
		if err == nil {
			return form, nil
		}
		p = Problem(400, l, h.Answering.Brand, "not.answer")
	}
	return nil, &p
}

// suggest serves the survey's "next" link: GET asks what to sell next, POST stores the answer
// (an empty one stores nothing and asks again).
func (h *Answers) suggest(ctx context.Context, r Request, c token.Claims, l render.Locale) Response {
	a := h.Answering
	title := l.T("survey.next.question")
	if Method(r) != "POST" {
		return HTML(200, render.Page(l, a.Brand, title, nextPage(l, false)))
	}
	form, resp := h.posted(r, l)
	if resp != nil {
		return *resp
	}
	out, err := a.Suggest(ctx, c, strings.Join(form["next"], "\n"))
	switch {
	case err != nil:
		return Fail(ctx, h.Log, "suggestion", err, l, a.Brand)
	case out.Cancelled:
		return HTML(410, render.Page(l, a.Brand, title, paragraph(l.T("answer.closed"))))
	}
	saved := strings.TrimSpace(strings.Join(form["next"], "")) != ""
	h.Log.InfoContext(ctx, "suggestion recorded", "contact_id", c.ContactID, "send_key", c.SendKey, "changed", out.Changed, "empty", !saved)
	return HTML(200, render.Page(l, a.Brand, title, nextPage(l, saved)))
}
