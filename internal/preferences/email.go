package preferences

import (
	"github.com/a-h/templ"

	"shopmail/internal/message"
)

// confirmation is the email that asks to confirm a subscription. It is a message.Content.
type confirmation struct {
	Topic string
	Link  string
}

func (v confirmation) Subject(l message.Locale, b message.Brand) string {
	return l.T("confirm.subject", b.ShopName)
}
func (v confirmation) Preheader(l message.Locale) string { return l.T("confirm.preheader") }
func (v confirmation) Why(l message.Locale, b message.Brand) string {
	return l.T("footer.why.subscribe", b.ShopName)
}

func (v confirmation) Body(e message.Email) templ.Component { return confirmationBody(v, e) }

func (v confirmation) WriteText(t *message.Text, b message.Brand) {
	t.T("confirm.body", t.L.T("topic."+v.Topic), b.ShopName).Line().Line(t.L.T("confirm.button"), ": ", v.Link).Line().T("confirm.ignore")
}
