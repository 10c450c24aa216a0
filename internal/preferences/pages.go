package preferences

import (
	"github.com/a-h/templ"

	"shopmail/internal/contact"
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

// unsubscribePage asks to confirm a one-click unsubscribe (GET shows it, POST acts).
func unsubscribePage(l message.Locale, b message.Brand, topic, prefsURL string) string {
	return message.Page(l, b, l.T("unsub.title"), unsubscribeBody(l, topicName(l, topic), prefsURL))
}

// donePage answers every unsubscribe POST alike, valid token or not.
func donePage(l message.Locale, b message.Brand) string {
	return message.Page(l, b, l.T("unsub.done.title"), paragraph(l.T("unsub.done")))
}

// invalidPage answers links that are not (or no longer) valid.
func invalidPage(l message.Locale, b message.Brand) string {
	return message.Page(l, b, l.T("link.invalid.title"), paragraph(l.T("link.invalid")))
}

// centrePage is the preference centre.
func centrePage(l message.Locale, b message.Brand, c *contact.Contact, saved bool) string {
	return message.Page(l, b, l.T("prefs.title"), centreBody(l, c, saved))
}

// confirmPage asks to confirm a subscription (GET), or says it is confirmed (after POST).
func confirmPage(l message.Locale, b message.Brand, topic string, done bool) string {
	if done {
		return message.Page(l, b, l.T("confirm.done.title"), paragraph(l.T("confirm.done", topicName(l, topic))))
	}
	return message.Page(l, b, l.T("confirm.title"), confirmBody(l, topicName(l, topic)))
}

// checkInboxPage answers every subscription request alike.
func checkInboxPage(l message.Locale, b message.Brand) string {
	return message.Page(l, b, l.T("subscribe.title"), paragraph(l.T("subscribe.sent")))
}

func topicName(l message.Locale, topic string) string { return l.T("topic." + topic) }
