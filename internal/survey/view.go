package survey

import "shopmail/internal/message"

// View is the survey email: each question with one link per score. It is a message.Content.
type View struct {
	FirstName string
	OrderID   string
	Questions []Question
	Link      func(question string, score int) string
}

// Subject implements message.Content.
func (v View) Subject(l message.Locale, b message.Brand) string {
	return l.T("survey.subject", b.ShopName)
}

// Preheader implements message.Content.
func (v View) Preheader(l message.Locale) string { return l.T("survey.preheader") }

// Why implements message.Content.
func (v View) Why(l message.Locale, b message.Brand) string {
	return l.T("footer.why.order", b.ShopName)
}

// WriteHTML implements message.Content: the scores are buttons in one row that wraps on
// phones, with the scale's meaning under its two ends.
func (v View) WriteHTML(h *message.HTML, b message.Brand) {
	l := h.L
	h.Tag(`<p style="margin:0 0 16px;font-size:18px;">`).Text(l.Hello(v.FirstName)).Tag(`</p>
<p style="margin:0 0 24px;">`).T("survey.intro", v.OrderID).Tag(`</p>
`)
	for _, q := range v.Questions {
		h.Tag(`<p style="margin:0 0 12px;font-weight:bold;">`).T("survey."+q.ID+".question", b.ShopName).Tag(`</p>
<table role="presentation" cellpadding="0" cellspacing="0" dir="`).Dir().Tag(`" style="margin:0 0 6px;"><tr>
`)
		for _, s := range q.Scores() {
			h.Tag(`<td style="padding:2px;"><a href="`).URL(v.Link(q.ID, s)).Tag(`" style="display:inline-block;min-width:30px;padding:8px 4px;border:1px solid #a1a1aa;border-radius:6px;text-align:center;color:#18181b;text-decoration:none;font-weight:bold;">`).Text(l.Number(int64(s))).Tag(`</a></td>
`)
		}
		h.Tag(`</tr></table>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" dir="`).Dir().Tag(`" style="margin:0 0 24px;font-size:12px;color:#52525b;"><tr>
<td align="`).Start().Tag(`">`).Text(l.Number(int64(q.Min))).Tag(` = `).T("survey." + q.ID + ".low").Tag(`</td>
<td align="`).End().Tag(`">`).Text(l.Number(int64(q.Max))).Tag(` = `).T("survey." + q.ID + ".high").Tag(`</td>
</tr></table>
`)
	}
	h.Tag(`<p style="margin:0;">`).T("survey.thanks").Tag(`<br>`).T("team", b.ShopName).Tag(`</p>`)
}

// WriteText implements message.Content.
func (v View) WriteText(t *message.Text, b message.Brand) {
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
	t.T("survey.thanks").T("team", b.ShopName)
}
