// The public tracking page marks the steps that are new since this browser last looked up the
// same order (kept in localStorage: the page knows no one).
(function () {
  'use strict';
  var box = document.getElementById('public-order'), steps = document.getElementById('res-steps');
  if (!box || !steps) return;
  var zh = document.documentElement.lang !== 'en';
  var key = 'cg-track-seen:' + box.dataset.number;
  var items = steps.querySelectorAll('li');
  var seen = null;
  try { seen = localStorage.getItem(key); } catch (e) { return; }
  if (seen !== null) {
    for (var i = +seen || 0; i < items.length; i++) {
      items[i].classList.add('new');
      items[i].insertBefore(cg.el('span', { class: 'res-news-tag' }, zh ? '新进展' : 'New'), items[i].children[1] || null);
    }
  }
  try { localStorage.setItem(key, String(items.length)); } catch (e) { /* private mode */ }
})();
