// The orders list's remembered layout, applied from the head before the page is drawn so that the
// map does not flash in and out: the map beside the list is hidden when the user hid it last time
// (localStorage cg.ordersMap = "hidden"), and by default on a phone, where it would sit under the
// cards. orders.js wires the button that changes it.
(function () {
  try {
    var pref = localStorage.getItem('cg.ordersMap');
    if (pref === 'hidden' || (!pref && window.matchMedia('(max-width: 720px)').matches)) {
      document.documentElement.classList.add('orders-map-off');
    }
  } catch (e) { /* storage refused (private mode): keep the default */ }
})();
