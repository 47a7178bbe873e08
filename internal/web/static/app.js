// app.js: the behaviour every page shares, kept out of the templates because the
// Content-Security-Policy allows no inline script and no inline event handler.
(function () {
  'use strict';
  var nav = document.querySelector('.nav');
  if (nav) navigation(nav, document.querySelector('.menu-toggle'));
  // A form with data-confirm asks before it is sent (deleting a campaign and the like).
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form && form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  });

  // navigation makes the bar's menus disclosure buttons (the WAI-ARIA "disclosure navigation"
  // pattern): a click or Enter/Space opens one menu and closes the others, ArrowDown opens it on
  // its first link, the arrows move within a menu and along the bar, Escape closes and gives
  // focus back to the button, and a click elsewhere or focus leaving a menu closes it. Without
  // this script app.css opens a menu on hover and while focus is inside it. On a phone the ☰
  // button opens the whole navigation as a panel under the header.
  function navigation(nav, toggle) {
    nav.classList.add('nav-js');
    var groups = Array.prototype.slice.call(nav.querySelectorAll('.nav-group'));
    var phone = window.matchMedia('(max-width: 720px)');
    function button(g) { return g.querySelector('.nav-group-btn'); }
    function links(g) { return Array.prototype.slice.call(g.querySelectorAll('.nav-menu a')); }
    function setOpen(g, open) {
      g.classList.toggle('open', open);
      button(g).setAttribute('aria-expanded', open ? 'true' : 'false');
    }
    function closeAll(except) { groups.forEach(function (g) { if (g !== except) setOpen(g, false); }); }
    // The bar's own stops, for ArrowLeft/ArrowRight: its links and menu buttons.
    function stops() {
      return Array.prototype.filter.call(nav.children, function (c) { return c.offsetParent !== null; })
        .map(function (c) { return c.classList.contains('nav-group') ? button(c) : c; });
    }
    function along(from, step) {
      var s = stops(), i = s.indexOf(from);
      if (i >= 0 && s.length) s[(i + step + s.length) % s.length].focus();
    }
    groups.forEach(function (g) {
      var b = button(g);
      b.addEventListener('click', function () {
        var open = !g.classList.contains('open');
        closeAll(g);
        setOpen(g, open);
      });
      b.addEventListener('keydown', function (e) {
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          closeAll(g);
          setOpen(g, true);
          var ls = links(g);
          if (ls.length) ls[e.key === 'ArrowDown' ? 0 : ls.length - 1].focus();
        } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
          e.preventDefault();
          along(b, e.key === 'ArrowRight' ? 1 : -1);
        }
      });
      g.querySelector('.nav-menu').addEventListener('keydown', function (e) {
        var ls = links(g), i = ls.indexOf(document.activeElement), to = -1;
        if (e.key === 'ArrowDown') to = (i + 1) % ls.length;
        else if (e.key === 'ArrowUp') to = (i - 1 + ls.length) % ls.length;
        else if (e.key === 'Home') to = 0;
        else if (e.key === 'End') to = ls.length - 1;
        if (to >= 0 && !phone.matches) {
          e.preventDefault();
          ls[to].focus();
        }
      });
      // Tabbing out of an open menu closes it; the window losing focus (another window, a
      // screenshot) leaves the focus, and the menu, where they were.
      g.addEventListener('focusout', function () {
        setTimeout(function () {
          if (!g.contains(document.activeElement)) setOpen(g, false);
        }, 0);
      });
    });
    Array.prototype.forEach.call(nav.children, function (c) {
      if (c.tagName !== 'A') return;
      c.addEventListener('keydown', function (e) {
        if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
          e.preventDefault();
          along(c, e.key === 'ArrowRight' ? 1 : -1);
        }
      });
    });
    function openPanel(open) {
      if (!toggle) return;
      if (open) {
        // The panel starts under the header, whose height depends on the screen.
        var top = document.querySelector('.top');
        if (top) document.documentElement.style.setProperty('--top-h', Math.round(top.getBoundingClientRect().bottom) + 'px');
      }
      document.body.classList.toggle('nav-open', open);
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      // The page under the panel is out of reach while it is open: Tab stays in the header.
      var main = document.querySelector('main');
      if (main) main.inert = open;
    }
    if (toggle) {
      toggle.addEventListener('click', function () { openPanel(!document.body.classList.contains('nav-open')); });
    }
    document.addEventListener('keydown', function (e) {
      if (e.key !== 'Escape') return;
      var open = groups.filter(function (g) { return g.classList.contains('open'); })[0];
      if (open) {
        setOpen(open, false);
        button(open).focus();
      } else if (toggle && document.body.classList.contains('nav-open')) {
        openPanel(false);
        toggle.focus();
      }
    });
    document.addEventListener('click', function (e) {
      if (!nav.contains(e.target)) closeAll(null);
    });
    // A phone turned to landscape (or a window widened) leaves the panel's state behind.
    var onChange = function () { closeAll(null); openPanel(false); };
    if (phone.addEventListener) phone.addEventListener('change', onChange);
  }
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
