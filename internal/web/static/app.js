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
