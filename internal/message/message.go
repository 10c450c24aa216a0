// Package message renders the emails customers receive: an HTML part (a responsive, single
// column layout that works in phone and desktop mail clients, right-to-left for Persian) and a
// plain-text part. Every piece of data is escaped on the way in (see HTML).
package message

import "strings"

// Brand is the sender as every email shows it.
type Brand struct {
	ShopName      string
	ShopURL       string
	SenderName    string
	PostalAddress string
}

// Content is one kind of email: what it says inside the common layout.
type Content interface {
	Subject(l Locale, b Brand) string
	// Preheader is the line mail clients show after the subject in the inbox.
	Preheader(l Locale) string
	// Why tells the reader why they received the email (shown in the footer).
	Why(l Locale, b Brand) string
	WriteHTML(h *HTML, b Brand)
	WriteText(t *Text, b Brand)
}

// Tracking is what an email of one send links to besides its content. The zero value adds
// nothing: no tracking, and no unsubscribe links (a transactional email).
type Tracking struct {
	// Link turns a URL the reader may click into its tracked form (see HTML.Link).
	Link func(url string) string
	// Pixel is the open-tracking image; Honeypot a link no human can see or click, which
	// tells link scanners apart from readers.
	Pixel, Honeypot string
	// Unsubscribe and Preferences are shown in the footer of marketing email.
	Unsubscribe, Preferences string
}

// Rendered is an email's subject and its two bodies.
type Rendered struct {
	Subject string
	HTML    string
	Text    string
}

// Render lays out c for the locale, with the send's links.
func Render(c Content, b Brand, l Locale, t Tracking) Rendered {
	subject := strings.Join(strings.Fields(c.Subject(l, b)), " ")
	return Rendered{Subject: subject, HTML: layoutHTML(c, b, l, t, subject), Text: layoutText(c, b, l, t)}
}

func layoutHTML(c Content, b Brand, l Locale, t Tracking, subject string) string {
	h := &HTML{L: l, track: t.Link}
	h.Tag(`<!DOCTYPE html>
<html lang="`).Attr(l.Tag).Tag(`" dir="`).Dir().Tag(`">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>`).Text(subject).Tag(`</title>
<style>
  body { margin: 0; padding: 0; background: #f4f4f5; }
  img { border: 0; max-width: 100%; height: auto; }
  @media (max-width: 620px) { .pad { padding: 16px !important; } .col { display: block !important; width: 100% !important; } }
  @media (prefers-color-scheme: dark) { .card { background: #1f1f23 !important; color: #f4f4f5 !important; } }
</style>
</head>
<body>
<div style="display:none;max-height:0;overflow:hidden;">`).Text(c.Preheader(l)).Tag(`</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" dir="`).Dir().Tag(`" style="background:#f4f4f5;">
<tr><td align="center" style="padding:16px 8px;">
<table role="presentation" class="card" width="600" cellpadding="0" cellspacing="0" dir="`).Dir().Tag(`" style="width:100%;max-width:600px;background:#ffffff;font-family:Tahoma,Vazirmatn,'Segoe UI',Arial,sans-serif;font-size:16px;line-height:1.6;color:#18181b;text-align:`).Start().Tag(`;">
<tr><td class="pad" style="padding:24px;border-bottom:1px solid #e4e4e7;">
<a href="`).Link(b.ShopURL).Tag(`" style="font-size:20px;font-weight:bold;color:#18181b;text-decoration:none;">`).Text(b.ShopName).Tag(`</a>
</td></tr>
<tr><td class="pad" style="padding:24px;">
`)
	c.WriteHTML(h, b)
	h.Tag(`
</td></tr>
<tr><td class="pad" style="padding:24px;border-top:1px solid #e4e4e7;font-size:13px;color:#52525b;">
<p style="margin:0 0 8px;">`).Text(c.Why(l, b)).Tag(`</p>
<p style="margin:0 0 8px;">`).Text(b.SenderName).Tag(` · `).Text(b.PostalAddress).Tag(`</p>
<p style="margin:0;"><a href="`).Link(b.ShopURL).Tag(`" style="color:#52525b;">`).T("visit", b.ShopName).Tag(`</a></p>
`)
	if t.Unsubscribe != "" {
		h.Tag(`<p style="margin:8px 0 0;"><a href="`).URL(t.Unsubscribe).Tag(`" style="color:#52525b;">`).T("footer.unsubscribe").Tag(`</a> · <a href="`).URL(t.Preferences).Tag(`" style="color:#52525b;">`).T("footer.preferences").Tag(`</a></p>
`)
	}
	if t.Honeypot != "" {
		h.Tag(`<a href="`).URL(t.Honeypot).Tag(`" style="display:none;font-size:0;line-height:0;color:transparent;" aria-hidden="true" tabindex="-1"></a>
`)
	}
	h.Tag(`</td></tr>
</table>
</td></tr>
</table>
`)
	if t.Pixel != "" {
		h.Tag(`<img src="`).URL(t.Pixel).Tag(`" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;">
`)
	}
	h.Tag(`</body>
</html>
`)
	return h.String()
}

func layoutText(c Content, b Brand, l Locale, tr Tracking) string {
	t := &Text{L: l}
	t.Line(b.ShopName).Line()
	c.WriteText(t, b)
	t.Line().Line("--").Line(c.Why(l, b)).Line(b.SenderName, " · ", b.PostalAddress).Line(l.T("visit", b.ShopName), ": ", b.ShopURL)
	if tr.Unsubscribe != "" {
		t.Line(l.T("footer.unsubscribe"), ": ", tr.Unsubscribe).Line(l.T("footer.preferences"), ": ", tr.Preferences)
	}
	return t.String()
}
