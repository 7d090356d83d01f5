// Taps that land before the page has hydrated (its wasm still on the way to a slow phone) are
// held, and replayed on the same elements once hydration has run: the server-drawn buttons do
// nothing by themselves, so without this such a tap is lost. Links are left alone (they work
// without the wasm). The app marks <body data-hydrated> once it has hydrated.
(function () {
  var held = [];
  function hydrated() {
    return document.body !== null && document.body.hasAttribute("data-hydrated");
  }
  function hold(e) {
    if (hydrated()) return;
    var el = e.target instanceof Element ? e.target.closest("button, input[type=submit], input[type=button]") : null;
    if (el === null || el.disabled) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (held.indexOf(el) < 0) held.push(el);
    el.setAttribute("aria-busy", "true");
  }
  document.addEventListener("click", hold, true);
  new MutationObserver(function (_, observer) {
    if (!hydrated()) return;
    observer.disconnect();
    document.removeEventListener("click", hold, true);
    var taps = held;
    held = [];
    taps.forEach(function (el) {
      el.removeAttribute("aria-busy");
      if (el.isConnected && !el.disabled) el.click();
    });
  }).observe(document.documentElement, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
})();
