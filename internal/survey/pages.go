package survey

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"shopmail/internal/fault"
	"shopmail/internal/httpapi"
	"shopmail/internal/message"
	"shopmail/internal/token"
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
	return httpapi.Invoke(ctx, h.Serve, payload)
}

// Serve answers one request.
func (h *AnswerHandler) Serve(ctx context.Context, r httpapi.Request) httpapi.Response {
	a := h.Answering
	tok := r.PathParameters["token"]
	if len(tok) > token.MaxLen {
		tok = ""
	}
	l := message.LocaleFor(httpapi.Language(r), "")
	c, err := h.Keys.Verify(tok, token.Answer, a.Now())
	if err != nil {
		h.Log.InfoContext(ctx, "answer refused", "error", err)
		return httpapi.HTML(404, message.Page(l, a.Brand, l.T("link.invalid.title"), paragraph(l.T("link.invalid"))))
	}
	q, score, err := a.Choice(c)
	if err != nil {
		return httpapi.HTML(400, message.Page(l, a.Brand, l.T("link.invalid.title"), paragraph(l.T("link.invalid"))))
	}
	if ct, err := a.Store.Contact(ctx, c.ContactID); err == nil && ct.Locale != "" {
		l = message.LocaleFor(ct.Locale, ct.Timezone)
	}
	if httpapi.Method(r) != "POST" {
		return httpapi.HTML(200, message.Page(l, a.Brand, l.T("answer.title"), askPage(l, l.T("survey."+q.ID+".question", a.Brand.ShopName), score)))
	}
	if !httpapi.SameOrigin(r, h.BaseURL) {
		return httpapi.Text(403, "Forms are accepted from this site only.")
	}
	if len(r.Body) > httpapi.MaxBody {
		return httpapi.Text(413, "That comment is too long.")
	}
	form := httpapi.Form(r)
	var out Outcome
	if comment, ok := form["comment"]; ok {
		out, err = a.Comment(ctx, c, strings.Join(comment, "\n"))
	} else {
		out, err = a.Answer(ctx, c)
	}
	switch {
	case errors.Is(err, fault.ErrInvalid):
		return httpapi.Text(400, "That is not an answer to this survey.")
	case err != nil:
		h.Log.ErrorContext(ctx, "answer failed", "error", err)
		return httpapi.Text(503, "Something went wrong on our side. Please try again in a moment.")
	case out.Cancelled:
		return httpapi.HTML(410, message.Page(l, a.Brand, l.T("answer.title"), paragraph(l.T("answer.closed"))))
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
	return httpapi.HTML(200, message.Page(l, a.Brand, l.T("answer.title"), savedBody(l, saved)))
}

// savedPage is what the page after an answer or a comment says.
type savedPage struct {
	Commented bool   // the comment was saved: nothing else to ask
	Locked    bool   // the answer is older than a day and was not changed
	Follow    string // the key of the comment's question
	ReviewURL string // where a happy customer may write a review; empty: do not ask
}
