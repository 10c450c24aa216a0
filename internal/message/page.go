package message

// Page is a public page (unsubscribe, preferences, survey answers): a heading and content
// in the locale, with the shop's name and postal address.
func Page(l Locale, b Brand, title string, body func(h *HTML)) string {
	h := &HTML{L: l}
	h.Tag(`<!DOCTYPE html>
<html lang="`).Attr(l.Tag).Tag(`" dir="`).Dir().Tag(`">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>`).Text(title).Tag(` · `).Text(b.ShopName).Tag(`</title>
<style>
body{margin:0;background:#f4f4f5;font:16px/1.6 Tahoma,Vazirmatn,'Segoe UI',Arial,sans-serif;color:#18181b}
main{max-width:520px;margin:32px auto;background:#fff;padding:24px;border-radius:8px}
h1{font-size:20px;margin:0 0 12px}label{display:block;margin:8px 0}
button{font:inherit;padding:10px 18px;border:0;border-radius:6px;background:#18181b;color:#fff;cursor:pointer;margin:8px 8px 0 0}
button.quiet{background:#e4e4e7;color:#18181b}small{color:#52525b}
</style></head>
<body><main>
<h1>`).Text(title).Tag(`</h1>
`)
	body(h)
	h.Tag(`
<p><small>`).Text(b.ShopName).Tag(` · `).Text(b.PostalAddress).Tag(`</small></p>
</main></body></html>
`)
	return h.String()
}
