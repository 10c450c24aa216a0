package preferences

import (
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

func (v confirmation) WriteHTML(h *message.HTML, b message.Brand) {
	h.Tag(`<p style="margin:0 0 16px;">`).T("confirm.body", h.L.T("topic."+v.Topic), b.ShopName).Tag(`</p>
<p style="margin:0 0 16px;"><a href="`).URL(v.Link).Tag(`" style="display:inline-block;padding:12px 20px;background:#18181b;color:#ffffff;text-decoration:none;border-radius:6px;">`).T("confirm.button").Tag(`</a></p>
<p style="margin:0;font-size:13px;color:#52525b;">`).T("confirm.ignore").Tag(`</p>`)
}

func (v confirmation) WriteText(t *message.Text, b message.Brand) {
	t.T("confirm.body", t.L.T("topic."+v.Topic), b.ShopName).Line().Line(t.L.T("confirm.button"), ": ", v.Link).Line().T("confirm.ignore")
}

// unsubscribePage asks to confirm a one-click unsubscribe (GET shows it, POST acts).
func unsubscribePage(l message.Locale, b message.Brand, topic, prefsURL string) string {
	return message.Page(l, b, l.T("unsub.title"), func(h *message.HTML) {
		h.Tag(`<p>`).T("unsub.ask", topicName(l, topic)).Tag(`</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">`).T("unsub.button").Tag(`</button></form>
<p><a href="`).URL(prefsURL).Tag(`">`).T("prefs.link").Tag(`</a></p>`)
	})
}

// donePage answers every unsubscribe POST alike, valid token or not.
func donePage(l message.Locale, b message.Brand) string {
	return message.Page(l, b, l.T("unsub.done.title"), func(h *message.HTML) {
		h.Tag(`<p>`).T("unsub.done").Tag(`</p>`)
	})
}

// invalidPage answers links that are not (or no longer) valid.
func invalidPage(l message.Locale, b message.Brand) string {
	return message.Page(l, b, l.T("link.invalid.title"), func(h *message.HTML) {
		h.Tag(`<p>`).T("link.invalid").Tag(`</p>`)
	})
}

// centrePage is the preference centre.
func centrePage(l message.Locale, b message.Brand, c *contact.Contact, saved bool) string {
	return message.Page(l, b, l.T("prefs.title"), func(h *message.HTML) {
		if saved {
			h.Tag(`<p role="status"><strong>`).T("prefs.saved").Tag(`</strong></p>`)
		}
		h.Tag(`<p>`).T("prefs.intro", c.Email).Tag(`</p>
<form method="post">
`)
		for _, t := range contact.Topics {
			h.Tag(`<label><input type="checkbox" name="topic" value="`).Attr(t).Tag(`"`)
			if c.MayMarket(t) {
				h.Tag(` checked`)
			}
			h.Tag(`> `).Text(topicName(l, t)).Tag(`</label>
`)
		}
		h.Tag(`<button type="submit" name="action" value="save">`).T("prefs.save").Tag(`</button><button type="submit" name="action" value="stop-all" class="quiet">`).T("prefs.stopall").Tag(`</button>
</form>
<p><small>`).T("prefs.transactional").Tag(`</small></p>`)
	})
}

// confirmPage asks to confirm a subscription (GET), or says it is confirmed (after POST).
func confirmPage(l message.Locale, b message.Brand, topic string, done bool) string {
	if done {
		return message.Page(l, b, l.T("confirm.done.title"), func(h *message.HTML) {
			h.Tag(`<p>`).T("confirm.done", topicName(l, topic)).Tag(`</p>`)
		})
	}
	return message.Page(l, b, l.T("confirm.title"), func(h *message.HTML) {
		h.Tag(`<p>`).T("confirm.ask", topicName(l, topic)).Tag(`</p>
<form method="post"><button type="submit">`).T("confirm.button").Tag(`</button></form>`)
	})
}

// checkInboxPage answers every subscription request alike.
func checkInboxPage(l message.Locale, b message.Brand) string {
	return message.Page(l, b, l.T("subscribe.title"), func(h *message.HTML) {
		h.Tag(`<p>`).T("subscribe.sent").Tag(`</p>`)
	})
}

func topicName(l message.Locale, topic string) string { return l.T("topic." + topic) }
