// Taps that land before the page has hydrated (its wasm still on the way to a slow phone) are
// held, and replayed on the same elements once hydration has run: buttons drawn by the server
// act through the wasm, so without this such a tap is lost. Links and forms that post to an
// address (sign in, sign out) work without the wasm and are left alone. If the page has not
// hydrated after 20 s (the wasm failed to load), held taps are dropped and nothing more is held.
// The app marks <body data-hydrated> once it has hydrated.
(function () {
  var held = [];
  function hydrated() {
    return document.body !== null && document.body.hasAttribute("data-hydrated");
  }
  function hold(e) {
    if (hydrated()) return;
    var el = e.target instanceof Element ? e.target.closest("button, input[type=submit], input[type=button]") : null;
    if (el === null || el.disabled) return;
    if (el.form && el.form.hasAttribute("action")) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (held.indexOf(el) < 0) held.push(el);
    el.setAttribute("aria-busy", "true");
  }
  function release(replay) {
    document.removeEventListener("click", hold, true);
    var taps = held;
    held = [];
    taps.forEach(function (el) {
      el.removeAttribute("aria-busy");
      if (replay && el.isConnected && !el.disabled) el.click();
    });
  }
  document.addEventListener("click", hold, true);
  var observer = new MutationObserver(function () {
    if (!hydrated()) return;
    observer.disconnect();
    clearTimeout(giveUp);
    release(true);
  });
  observer.observe(document.documentElement, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
  var giveUp = setTimeout(function () {
    if (hydrated()) return;
    observer.disconnect();
    release(false);
  }, 20000);
})();
