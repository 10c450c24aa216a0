package survey

import (
	"github.com/a-h/templ"

	"shopmail/internal/render"
)

// View is the survey email: each question with one link per score. It is a render.Content.
type View struct {
	FirstName string
	OrderID   string
	Questions []Question
	Link      func(question string, score int) string
	// NextLink, when set, asks "What should we sell next?" under the scores.
	NextLink string
}

// Subject implements render.Content.
func (v View) Subject(l render.Locale, b render.Brand) string {
	return l.T("survey.subject", b.ShopName)
}

// Preheader implements render.Content.
func (v View) Preheader(l render.Locale) string { return l.T("survey.preheader") }

// Why implements render.Content.
func (v View) Why(l render.Locale, b render.Brand) string {
	return l.T("footer.why.order", b.ShopName)
}

// Body implements render.Content (email.templ): the scores are buttons in one row that
// wraps on phones, with the scale's meaning under its two ends.
func (v View) Body(e render.Email) templ.Component { return surveyBody(v, e) }

// WriteText implements render.Content.
func (v View) WriteText(t *render.Text, b render.Brand) {
	l := t.L
	t.Line(l.Hello(v.FirstName)).Line().T("survey.intro", v.OrderID).Line()
	for _, q := range v.Questions {
		t.T("survey."+q.ID+".question", b.ShopName).
			Line(l.Number(int64(q.Min)), " = ", l.T("survey."+q.ID+".low"), ", ", l.Number(int64(q.Max)), " = ", l.T("survey."+q.ID+".high"))
		for _, s := range q.Scores() {
			t.Line(l.Number(int64(s)), ": ", v.Link(q.ID, s))
		}
		t.Line()
	}
	if v.NextLink != "" {
		t.T("survey.next.question").Line(l.T("survey.next.invite"), " ", v.NextLink).Line()
	}
	t.T("survey.thanks").T("team", b.ShopName)
}
