package survey

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"shopmail/internal/fault"
	"shopmail/internal/message"
	"shopmail/internal/token"
	"shopmail/internal/web"
)

// AnswerHandler is the Lambda handler of the answer pages: GET /a/{token} shows the chosen
// score with a button; POST commits it (scanners that only GET record nothing), then offers a
// comment; a POST with a comment adds it.
type AnswerHandler struct {
	Answering *Answering
	Keys      *token.Keys
	BaseURL   string // the public API, for the Origin check
	Log       *slog.Logger
}

// Invoke implements lambda.Handler.
func (h *AnswerHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return web.Invoke(ctx, h.Serve, payload)
}

// Serve answers one request.
func (h *AnswerHandler) Serve(ctx context.Context, r web.Request) web.Response {
	a := h.Answering
	tok := r.PathParameters["token"]
	if len(tok) > token.MaxLen {
		tok = ""
	}
	l := message.LocaleFor(web.Language(r), "")
	c, err := h.Keys.Verify(tok, token.Answer, a.Now())
	if err != nil {
		h.Log.InfoContext(ctx, "answer refused", "error", err)
		return web.HTML(404, message.Page(l, a.Brand, l.T("link.invalid.title"), paragraph(l.T("link.invalid"))))
	}
	q, score, err := a.Choice(c)
	if err != nil {
		return web.HTML(400, message.Page(l, a.Brand, l.T("link.invalid.title"), paragraph(l.T("link.invalid"))))
	}
	if ct, err := a.Store.Contact(ctx, c.ContactID); err == nil && ct.Locale != "" {
		l = message.LocaleFor(ct.Locale, ct.Timezone)
	}
	if web.Method(r) != "POST" {
		return web.HTML(200, message.Page(l, a.Brand, l.T("answer.title"), askPage(l, l.T("survey."+q.ID+".question", a.Brand.ShopName), score)))
	}
	if !web.SameOrigin(r, h.BaseURL) {
		return web.Text(403, "Forms are accepted from this site only.")
	}
	if len(r.Body) > web.MaxBody {
		return web.Text(413, "That comment is too long.")
	}
	form := web.Form(r)
	var out Outcome
	if comment, ok := form["comment"]; ok {
		out, err = a.Comment(ctx, c, strings.Join(comment, "\n"))
	} else {
		out, err = a.Answer(ctx, c)
	}
	switch {
	case errors.Is(err, fault.ErrInvalid):
		return web.Text(400, "That is not an answer to this survey.")
	case err != nil:
		h.Log.ErrorContext(ctx, "answer failed", "error", err)
		return web.Text(503, "Something went wrong on our side. Please try again in a moment.")
	case out.Cancelled:
		return web.HTML(410, message.Page(l, a.Brand, l.T("answer.title"), paragraph(l.T("answer.closed"))))
	}
	h.Log.InfoContext(ctx, "answer recorded", "contact_id", c.ContactID, "send_key", c.SendKey, "question", q.ID,
		"score", out.Answer.Score, "changed", out.Changed, "unhappy", out.Unhappy, "comment", out.Answer.Comment != "")
	_, commented := form["comment"]
	saved := savedPage{
		Commented: commented,
		Locked:    !out.Changed && out.Answer.Score != score,
		Follow:    "answer.liked",
	}
	if out.Unhappy {
		saved.Follow = "answer.better"
	}
	if out.Happy {
		saved.ReviewURL = a.ReviewURL
	}
	return web.HTML(200, message.Page(l, a.Brand, l.T("answer.title"), savedBody(l, saved)))
}

// savedPage is what the page after an answer or a comment says.
type savedPage struct {
	Commented bool   // the comment was saved: nothing else to ask
	Locked    bool   // the answer is older than a day and was not changed
	Follow    string // the key of the comment's question
	ReviewURL string // where a happy customer may write a review; empty: do not ask
}
