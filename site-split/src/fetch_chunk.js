// Added by site-split: a lazy chunk's download survives a bad mobile connection. The wasm aborts
// when a chunk cannot be loaded (Leptos' lazy views expect every load to succeed), so a failed
// download is tried again (after 0.25, 0.5, 1, 2, 4, 8, then every 10 s, or as soon as the
// browser is back online) until the chunk arrives; the page stays readable meanwhile. A chunk the
// server no longer has (404) means a new version was deployed since this page loaded: the page
// reloads to get it (at most once a minute, so a broken deployment cannot loop).
async function fetchChunk(url) {
    for (let attempt = 0; ; attempt++) {
        try {
            const res = await fetch(url);
            if (res.ok) return res;
            if (res.status === 404) reloadForNewVersion();
        } catch (_) {
            // Offline, or the connection dropped: try again below.
        }
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
function reloadForNewVersion() {
    const key = "inbox-reloaded-for-new-version";
    let last = 0;
    try { last = Number(sessionStorage.getItem(key)) || 0; } catch (_) {}
    if (Date.now() - last < 60000) return;
    try { sessionStorage.setItem(key, String(Date.now())); } catch (_) {}
    location.reload();
}
