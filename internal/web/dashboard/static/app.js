// The dashboard's progressive script: every page works without it.
//  - [data-refresh]: the element's content is fetched again every few seconds from its URL
//    (a campaign's numbers while it sends), without a reload.
//  - select[data-count]: the segment picker shows the chosen segment's recipients.
//  - form[data-preview]: as the marketer types, the form is posted (with its CSRF token) into
//    each preview frame, which shows the draft's email in its language, width and scheme.
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  for (const el of document.querySelectorAll('[data-refresh]')) {
    const every = Number(el.dataset.every || 2000);
    const tick = async () => {
      try {
        const res = await fetch(el.dataset.refresh, {credentials: 'same-origin', headers: {'Accept': 'text/html'}});
        if (res.ok) el.innerHTML = await res.text();
      } catch (e) { /* offline a moment: try again next tick */ }
      setTimeout(tick, every);
    };
    setTimeout(tick, every);
  }
  for (const sel of document.querySelectorAll('select[data-count]')) {
    const out = document.getElementById(sel.dataset.count);
    const show = async () => {
      if (!sel.value) { out.textContent = ''; return; }
      try {
        const res = await fetch('/dashboard/segments/' + encodeURIComponent(sel.value) + '/count', {credentials: 'same-origin'});
        if (res.ok) out.innerHTML = await res.text();
      } catch (e) { out.textContent = ''; }
    };
    sel.addEventListener('change', show);
    show();
  }
  for (const form of document.querySelectorAll('form[data-preview]')) {
    const frames = [...document.querySelectorAll('iframe[data-locale]')];
    let timer;
    const preview = () => {
      const action = form.getAttribute('action');
      for (const f of frames) {
        form.action = form.dataset.preview + '?locale=' + encodeURIComponent(f.dataset.locale) +
          (f.dataset.scheme ? '&scheme=' + encodeURIComponent(f.dataset.scheme) : '');
        form.target = f.name;
        form.submit();
      }
      form.action = action;
      form.removeAttribute('target');
    };
    form.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(preview, 600); });
    form.addEventListener('change', () => { clearTimeout(timer); timer = setTimeout(preview, 600); });
  }
});
