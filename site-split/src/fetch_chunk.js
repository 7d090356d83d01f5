// Added by site-split: a lazy chunk's download survives a bad mobile connection. The wasm aborts
// when a chunk cannot be loaded (Leptos' lazy views expect every load to succeed), so a failed
// download is tried again (after 0.25, 0.5, 1, 2, 4, 8, then every 10 s, or as soon as the
// browser is back online) until the chunk arrives; the page stays readable meanwhile, and after
// a few failed tries it says so, with a button to reload. A chunk the server no longer has (404)
// means a new version was deployed since this page loaded: the page reloads once to get it. If
// the chunk is still missing after that reload (a broken deployment), or the reload cannot be
// remembered (storage blocked), it does not reload again: the notice stays, the tries go on.
async function fetchChunk(url) {
    for (let attempt = 0; ; attempt++) {
        let status = 0;
        try {
            const res = await fetch(url);
            if (res.ok) {
                chunkNotice(false);
                return res;
            }
            status = res.status;
        } catch (_) {
            // Offline, or the connection dropped: try again below.
        }
        if (status === 404 && reloadOnceFor(url)) return new Promise(() => {});
        if (attempt >= 3 || status === 404) chunkNotice(true);
        await new Promise((resolve) => {
            const done = () => {
                clearTimeout(timer);
                window.removeEventListener("online", done);
                resolve();
            };
            const timer = setTimeout(done, Math.min(250 * 2 ** attempt, 10000));
            window.addEventListener("online", done);
        });
    }
}
// Reloads the page for a chunk the server does not have, unless this tab already reloaded for it
// (or cannot remember doing so). True when the page is reloading.
function reloadOnceFor(url) {
    const key = "inbox-reloaded-for:" + new URL(url).pathname;
    try {
        if (sessionStorage.getItem(key) !== null) return false;
        sessionStorage.setItem(key, "1");
    } catch (_) {
        return false;
    }
    location.reload();
    return true;
}
// A notice at the top of the page while a chunk cannot be loaded (text in the page's language;
// styled by `.chunk-notice` in the stylesheet).
function chunkNotice(show) {
    let notice = document.getElementById("chunk-notice");
    if (!show) {
        if (notice) notice.remove();
        return;
    }
    if (notice || !document.body) return;
    const id = (document.documentElement.lang || navigator.language || "").toLowerCase().startsWith("id");
    notice = document.createElement("div");
    notice.id = "chunk-notice";
    notice.className = "chunk-notice";
    notice.setAttribute("role", "alert");
    notice.setAttribute("data-testid", "chunk-notice");
    const text = document.createElement("span");
    text.textContent = id
        ? "Sebagian halaman ini belum bisa dimuat. Mencoba lagi…"
        : "Part of this page could not be loaded yet. Trying again…";
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = id ? "Muat ulang" : "Reload";
    button.addEventListener("click", () => location.reload());
    notice.append(text, " ", button);
    // At the end of <body>: hydration walks the page from its first element.
    document.body.append(notice);
}
