// A conversation drawn by the server shows its newest messages at once: its list is scrolled to
// the bottom as soon as the document is parsed and styled, before the page's scripts and wasm
// run (the wasm then keeps it there). Without this, a phone on a slow connection shows the
// oldest messages of the page until the page has hydrated, seconds later.
(function () {
  function toNewest() {
    var list = document.querySelector('[data-testid="messages"]');
    if (list !== null) list.scrollTop = list.scrollHeight;
  }
  document.addEventListener("readystatechange", function () {
    if (document.readyState !== "interactive") return;
    toNewest();
    // The list scrolls only once the stylesheet has given it its height.
    var css = document.querySelector('link[rel="stylesheet"]');
    if (css !== null && css.sheet === null) css.addEventListener("load", toNewest);
  });
})();
