// The portal's only script: the town switcher submits itself when a town is picked (the button
// stays for browsers without scripts). Plain ES5 for WeChat's built-in browser.
(function () {
  'use strict';
  var sel = document.getElementById('po-town-select');
  if (!sel || !sel.form) return;
  sel.addEventListener('change', function () { sel.form.submit(); });
})();
