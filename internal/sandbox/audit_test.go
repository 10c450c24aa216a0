package sandbox_test

// auditJS runs in the page and returns what a customer would trip over, one line each:
//   - the page or email wider than the screen;
//   - a tap target (a button, a form control, a link that is not part of a sentence) under
//     44x44 px;
//   - text under 4.5:1 contrast against what is behind it (3:1 for large text), as the browser
//     computes the colours in the scheme it emulates;
//   - no lang or dir on <html>, an image without alt, a form control without a label, a button
//     without a name, a score link whose name does not say its scale ("9 out of 10").
//
// Hidden content (the preheader, the honeypot, the open pixel) is skipped: no one sees it.
const auditJS = `(() => {
  const out = [];
  const doc = document.documentElement;
  if (!doc.lang) out.push('<html> has no lang');
  if (!doc.dir) out.push('<html> has no dir');
  if (doc.scrollWidth > doc.clientWidth) out.push('wider than the screen: ' + doc.scrollWidth + ' > ' + doc.clientWidth + ' px');

  const hidden = el => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden' || e.getAttribute('aria-hidden') === 'true' || parseFloat(cs.opacity) === 0) return true;
      if ((cs.overflow === 'hidden' || cs.overflowY === 'hidden') && (e.clientHeight === 0 || e.clientWidth === 0)) return true;
    }
    const r = el.getBoundingClientRect();
    return r.width <= 1 || r.height <= 1;
  };
  const name = el => (el.getAttribute('aria-label') || el.innerText || el.value || el.getAttribute('alt') || el.getAttribute('title') ||
    [...el.querySelectorAll('img[alt]')].map(i => i.alt).join(' ') || '').trim();
  const label = el => (el.getAttribute('aria-label') || (el.labels && el.labels.length && el.labels[0].innerText) || '').trim();
  const short = s => s.length > 40 ? s.slice(0, 40) + '…' : s;

  for (const img of document.images) {
    if (!img.hasAttribute('alt')) out.push('image without alt: ' + img.src);
  }
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')) {
    if (hidden(el)) continue;
    const r = el.getBoundingClientRect();
    // A link in running text is sized by its sentence (WCAG's inline exception); a link that
    // stands alone (beside nothing but punctuation) is a tap target.
    let around = '';
    if (el.tagName === 'A' && el.parentElement) {
      const block = el.parentElement.cloneNode(true);
      block.querySelectorAll('a').forEach(a => a.remove());
      around = block.textContent;
    }
    const inline = /[\p{L}\p{N}]/u.test(around) && getComputedStyle(el).display === 'inline';
    // A checkbox or radio is tapped through its label, which must be large enough instead.
    const target = (el.type === 'checkbox' || el.type === 'radio') && el.labels && el.labels.length ? el.labels[0].getBoundingClientRect() : r;
    if (!inline && (target.width < 44 || target.height < 44)) out.push('tap target under 44x44 px: ' + el.tagName.toLowerCase() + ' "' + short(name(el)) + '" ' + Math.round(target.width) + 'x' + Math.round(target.height));
    if ((el.tagName === 'INPUT' || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA') && el.type !== 'submit' && !label(el)) out.push('form control without a label: ' + el.tagName.toLowerCase() + ' ' + (el.name || ''));
    if ((el.tagName === 'BUTTON' || el.tagName === 'A') && !name(el)) out.push('no accessible name: ' + el.tagName.toLowerCase() + ' ' + (el.href || ''));
    if (el.tagName === 'A' && /\/a\//.test(el.getAttribute('href') || '') && /^[0-9۰-۹]+$/.test(el.textContent.trim()) && !/[0-9۰-۹]+ (out of|از) [0-9۰-۹]+/.test(el.getAttribute('aria-label') || '')) out.push('score link without its scale: "' + short(name(el)) + '"');
  }

  // Contrast: each element with its own text, against the first background behind it.
  const rgb = s => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const canvas = () => { const c = rgb(getComputedStyle(doc).backgroundColor); if (c && c.a > 0) return c; const dark = matchMedia('(prefers-color-scheme: dark)').matches && /dark/.test(getComputedStyle(doc).colorScheme || ''); return dark ? {r: 18, g: 18, b: 18, a: 1} : {r: 255, g: 255, b: 255, a: 1}; };
  const behind = el => { for (let e = el; e && e.nodeType === 1; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c && c.a > 0.5) return c; } return canvas(); };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    const el = n.parentElement;
    if (!el || seen.has(el) || hidden(el)) continue;
    seen.add(el);
    const cs = getComputedStyle(el);
    const fg = rgb(cs.color), bg = behind(el);
    if (!fg) continue;
    const l1 = lum(fg), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight, 10) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) out.push('contrast ' + ratio.toFixed(2) + ':1 (needs ' + need + '): "' + short(n.textContent.trim()) + '" ' + cs.color + ' on ' + JSON.stringify(bg));
  }
  return out;
})()`
