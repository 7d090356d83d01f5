// The first screen, as an agent's phone sees it: the signed-in inbox opened in Chromium,
// measured through the DevTools protocol. Run by the benchmark (`scripts/bench`) against the
// release server; prints one JSON object.
//
//   node end2end/bench/first-screen.mjs <base url> <user> <password> [runs]
//
// Profiles: "fast3g-4x" (1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip, the CPU slowed
// 4×: the issue's "Fast 3G"-like profile, which is Lighthouse's mobile throttling; DevTools'
// own "Fast 3G" preset is slower, 1.44 Mbit/s with 562.5 ms) and "unthrottled".
// For each: "cold" (the browser's cache cleared before the load) and "warm" (loaded again with
// the cache of the load before). Figures, in milliseconds from the start of navigation, are the
// median of the runs: `lcp` (largest contentful paint: the chat list) and `hydrated` (the page
// reacts to a click: the app marks <body data-hydrated> once hydration has run), and the bytes
// the page transferred, in all and before it hydrated. The inbox must hydrate without any lazy
// chunk (it fetches the conversation's right after); a conversation opened first, cold
// ("conversation_cold"), fetches its chunks before it hydrates. Then, with no throttling, an
// admin page opened cold must load its chunks and hydrate ("admin_channels").
import { chromium } from "@playwright/test";

const [base, user, password, runsArg] = process.argv.slice(2);
if (!base || !user || !password) {
  console.error("usage: first-screen.mjs <base url> <user> <password> [runs]");
  process.exit(2);
}
const runs = Number(runsArg ?? 3);

const profiles = {
  "fast3g-4x": {
    network: { offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 },
    cpu: 4,
  },
  unthrottled: { network: null, cpu: 1 },
};
// FIRST_SCREEN_PROFILES=unthrottled (comma-separated) for some of them only.
const only = process.env.FIRST_SCREEN_PROFILES?.split(",");


// Before any page script: the largest contentful paint so far, and when hydration marked the body.
const observe = () => {
  window.__lcp = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__lcp = e.startTime;
  }).observe({ type: "largest-contentful-paint", buffered: true });
  const mark = () => {
    if (document.body?.hasAttribute("data-hydrated") && window.__hydrated === undefined) {
      window.__hydrated = performance.now();
    }
  };
  new MutationObserver(mark).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const report = {};
let admin = null;
let chatPath = null;

// In the page: whether the conversation's chunks, fetched once the inbox has hydrated, arrived
// (resource timing has an entry once a response is complete): its own and its shared chunk,
// beside the main wasm.
const conversationFetched = () => {
  const wasm = performance.getEntriesByType("resource").filter((e) => /\.wasm$/.test(new URL(e.name).pathname));
  return wasm.length >= 3 && wasm.some((e) => /split___open_conversation_view[^/]*\.wasm$/.test(new URL(e.name).pathname));
};

// In the page: the figures of its load, from the resource timings of what started before the
// page hydrated.
const loadFigures = () => {
  const before = performance.getEntriesByType("resource").filter((e) => e.startTime < window.__hydrated);
  const nav = performance.getEntriesByType("navigation")[0];
  return {
    lcp: window.__lcp,
    hydrated: window.__hydrated,
    bytesBefore: (nav?.transferSize ?? 0) + before.reduce((n, e) => n + e.transferSize, 0),
    wasmBefore: before.filter((e) => /\.wasm$/.test(new URL(e.name).pathname)).map((e) => e.name),
  };
};
try {
  for (const [name, profile] of Object.entries(profiles).filter(([n]) => !only || only.includes(n))) {
    const context = await browser.newContext({ viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true });
    const login = await context.request.post(`${base}/api/login`, { form: { username: user, password } });
    if (!login.ok()) throw new Error(`login: ${login.status()}`);
    await context.addInitScript(observe);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    let bytes = 0;
    let wasm = [];
    cdp.on("Network.loadingFinished", (e) => { bytes += e.encodedDataLength; });
    cdp.on("Network.responseReceived", (e) => { if (/\.wasm$/.test(new URL(e.response.url).pathname)) wasm.push(e.response.url); });
    if (profile.network) await cdp.send("Network.emulateNetworkConditions", profile.network);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: profile.cpu });
    const samples = { cold: [], warm: [] };
    for (let run = 0; run < runs; run++) {
      for (const cache of ["cold", "warm"]) {
        if (cache === "cold") await cdp.send("Network.clearBrowserCache");
        bytes = 0;
        wasm = [];
        await page.goto(`${base}/inbox`, { waitUntil: "load", timeout: 60_000 });
        await page.waitForFunction(() => window.__hydrated !== undefined, null, { timeout: 60_000 });
        // LCP is final once the page has painted after hydration; the conversation's chunks,
        // fetched after it, must have arrived before the next load (or they would count there,
        // or refill a cache just cleared).
        await page.waitForTimeout(300);
        await page.waitForFunction(conversationFetched, null, { timeout: 60_000 });
        const m = await page.evaluate(loadFigures);
        const rows = await page.locator('[data-testid="chat-row"]').count();
        if (rows === 0) throw new Error(`${name} ${cache}: the inbox showed no chats`);
        if (m.wasmBefore.length > 1) throw new Error(`${name} ${cache}: the inbox waited for lazy chunks: ${m.wasmBefore.join(", ")}`);
        samples[cache].push({ ...m, bytes });
      }
    }
    // A conversation opened first, cold: its chunks come before it hydrates.
    chatPath ??= await page.locator('[data-testid="chat-row"] a').first().getAttribute("href");
    const opened = [];
    for (let run = 0; run < runs; run++) {
      await cdp.send("Network.clearBrowserCache");
      bytes = 0;
      await page.goto(`${base}${chatPath}`, { waitUntil: "load", timeout: 60_000 });
      await page.waitForFunction(() => window.__hydrated !== undefined, null, { timeout: 60_000 });
      await page.waitForTimeout(300);
      const m = await page.evaluate(loadFigures);
      if (await page.locator('[data-testid="chat-title"]').count() === 0) throw new Error(`${name}: ${chatPath} showed no conversation`);
      opened.push({ ...m, bytes });
    }
    const figures = (xs) => ({
      lcp_ms: Math.round(median(xs.map((x) => x.lcp))),
      hydrated_ms: Math.round(median(xs.map((x) => x.hydrated))),
      // Everything the page fetched, and what it fetched before it hydrated (the conversation's
      // chunks, fetched once the inbox list is live, are in the first only).
      transferred_kib: Math.round(median(xs.map((x) => x.bytes)) / 1024),
      before_hydrated_kib: Math.round(median(xs.map((x) => x.bytesBefore)) / 1024),
      wasm_files_before_hydrated: median(xs.map((x) => x.wasmBefore.length)),
    });
    report[name] = Object.fromEntries(Object.entries(samples).map(([cache, xs]) => [cache, figures(xs)]));
    report[name].conversation_cold = figures(opened);
    if (name === "unthrottled") {
      await cdp.send("Network.clearBrowserCache");
      bytes = 0;
      wasm = [];
      // An admin's desk, not a phone.
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${base}/admin/channels`, { waitUntil: "load", timeout: 60_000 });
      await page.waitForFunction(() => window.__hydrated !== undefined, null, { timeout: 60_000 });
      const hydrated = await page.evaluate(() => window.__hydrated);
      // The page works: its form reacts (a <details> opened by a click).
      await page.locator('[data-testid="add-meta"] summary').click();
      await page.locator('[data-testid="add-meta"] input[name="name"]').waitFor({ state: "visible", timeout: 10_000 });
      const chunks = wasm.filter((u) => !/\/inbox\.[^/]*wasm$/.test(new URL(u).pathname)).length;
      if (chunks === 0) throw new Error("admin page: no lazy chunk was loaded");
      admin = { hydrated_ms: Math.round(hydrated), transferred_kib: Math.round(bytes / 1024), chunks };
    }
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify({ runs, profiles: report, admin_channels: admin }));
