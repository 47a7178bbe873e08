// app.js: the behaviour every page shares, kept out of the templates because the
// Content-Security-Policy allows no inline script and no inline event handler.
(function () {
  'use strict';
  // The menu button of the narrow layout.
  var toggle = document.querySelector('.menu-toggle');
  if (toggle) {
    toggle.addEventListener('click', function () {
      var open = document.body.classList.toggle('nav-open');
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
  }
  // A form with data-confirm asks before it is sent (deleting a campaign and the like).
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form && form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  });
})();
// Tables marked .stack become cards on a phone (app.css); each cell carries its column's
// heading as data-label, which the card shows above the value.
(function () {
  'use strict';
  document.querySelectorAll('table.stack').forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll('thead th'), function (th) { return th.textContent.trim(); });
    table.querySelectorAll('tbody tr').forEach(function (tr) {
      Array.prototype.forEach.call(tr.children, function (td, i) {
        if (heads[i] && !td.hasAttribute('data-label')) td.setAttribute('data-label', heads[i]);
      });
    });
  });
})();
