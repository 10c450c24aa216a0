package preferences

import (
	"github.com/a-h/templ"

	"shopmail/internal/render"
)

// confirmation is the email that asks to confirm a subscription. It is a render.Content.
type confirmation struct {
	Topic string
	Link  string
}

func (v confirmation) Subject(l render.Locale, b render.Brand) string {
	return l.T("confirm.subject", b.ShopName)
}
func (v confirmation) Preheader(l render.Locale) string { return l.T("confirm.preheader") }
func (v confirmation) Why(l render.Locale, b render.Brand) string {
	return l.T("footer.why.subscribe", b.ShopName)
}

func (v confirmation) Body(e render.Email) templ.Component { return confirmationBody(v, e) }

func (v confirmation) WriteText(t *render.Text, b render.Brand) {
	t.T("confirm.body", t.L.T("topic."+v.Topic), b.ShopName).Line().Line(t.L.T("confirm.button"), ": ", v.Link).Line().T("confirm.ignore")
}
