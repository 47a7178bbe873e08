// dom.js: the one way the page scripts put strings into the page. Names of grids, places,
// departments, campaigns, targets, categories and people are typed by users, some of them in
// other towns, so a string only ever becomes a text node or an attribute value, never markup:
// `<img src=x onerror=…>` as a grid name shows as exactly those characters.
//
//   cg.el('li', {class: 'x', data: {code: c}}, cg.el('b', null, name), ' · ', n)
//
// Leaflet's bindTooltip/bindPopup and ECharts' tooltip formatter take such a node instead of an
// HTML string. cg.esc is for the rare API that accepts nothing but an HTML string (Leaflet's
// attribution); prefer cg.el everywhere else.
(function () {
  'use strict';

  // Attribute values that hold a URL may not carry a script: only same-site paths and http(s).
  var urlAttrs = { href: 1, src: 1, action: 1, formaction: 1 };
  function safeURL(v) {
    var s = String(v);
    if (/^\/(?![\/\\])/.test(s) || /^\?/.test(s) || /^#/.test(s)) return s;
    if (/^https?:\/\//i.test(s)) return s;
    return '#';
  }

  function append(n, c) {
    if (c == null || c === false) return;
    if (Array.isArray(c)) { c.forEach(function (x) { append(n, x); }); return; }
    n.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }

  // el(tag, attrs, ...children): an element whose children are nodes or text. attrs: class,
  // style (an object of CSS properties), data (an object for data-*), and plain attributes;
  // event handler attributes (on…) are refused: listeners are added with addEventListener.
  function el(tag, attrs) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v == null || v === false) return;
      if (/^on/i.test(k)) throw new Error('cg.el: event handler attribute ' + k);
      if (k === 'class') n.className = String(v);
      else if (k === 'style') Object.keys(v).forEach(function (p) { n.style[p] = String(v[p]); });
      else if (k === 'data') Object.keys(v).forEach(function (d) { n.dataset[d] = String(v[d]); });
      else n.setAttribute(k, urlAttrs[k.toLowerCase()] ? safeURL(v) : (v === true ? '' : String(v)));
    });
    for (var i = 2; i < arguments.length; i++) append(n, arguments[i]);
    return n;
  }

  // fill replaces the children of n.
  function fill(n) {
    n.textContent = '';
    for (var i = 1; i < arguments.length; i++) append(n, arguments[i]);
    return n;
  }

  // esc makes a string safe inside HTML text and quoted attributes.
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"'`]/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; });
  }

  // axisTooltip is an ECharts tooltip formatter for trigger 'axis' built from text: the axis
  // value, then one line per series with its colour, name and value. ECharts' own formatter
  // strings and string-returning formatters are inserted as HTML; a node is inserted as it is.
  function axisTooltip(params) {
    var list = Array.isArray(params) ? params : [params];
    var head = list.length ? (list[0].axisValueLabel != null ? list[0].axisValueLabel : list[0].name) : '';
    return el('div', { class: 'cg-tooltip' },
      el('div', { style: { fontWeight: 'bold' } }, head),
      list.map(function (p) {
        var colour = typeof p.color === 'string' ? p.color : '#999';
        var value = Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
        return el('div', null,
          el('span', { style: { display: 'inline-block', width: '10px', height: '10px', borderRadius: '50%', marginRight: '6px', background: colour } }),
          p.seriesName, ' ', el('b', null, value == null ? '–' : value));
      }));
  }

  // data(id) is the JSON a page hands its script in <script type="application/json" id=…>
  // (the only way data reach a script under the CSP), or null when the block is missing or
  // not JSON.
  function data(id) {
    var n = document.getElementById(id);
    if (!n) return null;
    try { return JSON.parse(n.textContent || 'null'); } catch (e) { return null; }
  }

  window.cg = { el: el, fill: fill, esc: esc, axisTooltip: axisTooltip, data: data };
})();
