// The dashboard's progressive script: every page works without it.
//  - [data-refresh]: the element's content is fetched again every few seconds from its URL
//    (a campaign's numbers while it sends), without a reload.
//  - select[data-count]: the segment picker shows the chosen segment's recipients.
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
});
