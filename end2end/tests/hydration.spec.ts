import { test, expect } from "@playwright/test";
import { spawn } from "node:child_process";
import { ADMIN, holdWasm, login, openFirstConversationAsAdmin, sandboxPhone, waitHydrated } from "./helpers";

// A conversation page must hydrate on every load, also on a busy machine. The router's outlet
// can build the conversation twice during the server render; data fetched in the discarded copy
// used to reach the browser as the page's data now and then, and the page then showed but did
// not react. 100 loads with one core kept busy, each checked for a reaction only a hydrated
// page gives.
// (The defect showed in 1 to 8 of 240 loads: 100 loads find it at the higher rate nearly
// always.) Each step of a load has its own bound, so a load that does not hydrate fails within
// seconds; the test's own limit only stops a run gone wrong and is no measure of speed (the
// benchmark measures speed): a load takes about 1.4 s on a 2-core machine and twice that on a
// slower CI machine, where the 100 loads once ran past a 300 s limit. The loads' times are
// printed in the log.
test("a conversation hydrates on 100 of 100 loads with one core kept busy", async ({ page }) => {
  const LOADS = 100;
  test.setTimeout(12 * 60_000);
  const path = await openFirstConversationAsAdmin(page);

  const busy = spawn("sh", ["-c", "while :; do :; done"], { stdio: "ignore" });
  const times: number[] = [];
  try {
    let resources: number | undefined;
    for (let load = 1; load <= LOADS; load++) {
      const started = Date.now();
      const res = await page.goto(path, { timeout: 30_000 });
      const html = await res!.text();
      await waitHydrated(page);
      // A second build of the conversation during the server render shows as extra resources
      // in the page's data, and a lost context as an error among them.
      const entries = (html.match(/__RESOLVED_RESOURCES\[\d+\] =/g) ?? []).length;
      resources ??= entries;
      expect(entries, `load ${load}: ${entries} resources in the page's data, not ${resources}`).toBe(resources);
      expect(html, `load ${load}: an error in the page's data`).not.toContain('{\\"Err\\"');
      await expect(page.getByTestId("chat-title"), `load ${load}: no conversation`).toBeVisible();
      // An admin's list opens on "All"; only a hydrated page switches it.
      await page.getByTestId("tab-unassigned").click({ timeout: 10_000 });
      await expect(page.getByTestId("tab-unassigned"), `load ${load} did not react`).toHaveClass(/active/);
      times.push(Date.now() - started);
    }
  } finally {
    busy.kill();
    const sorted = [...times].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    if (sorted.length > 0) {
      console.log(`${sorted.length} loads: median ${at(0.5)} ms, p90 ${at(0.9)} ms, slowest ${sorted[sorted.length - 1]} ms`);
    }
  }
});

// Hydration takes over what the server drew; it does not draw it again, and neither does the
// catch-up once the live stream opens (on every load: the page asks for the list, and the open
// conversation, as they are now, in case something changed between the server's drawing and the
// stream). A page drawn again loses the reader's scroll position and selection, costs a slow
// phone its CPU, and paints its largest element a second time after the wasm has run (the
// benchmark saw that as a late largest paint). The wasm is held back while the server's nodes
// are noted, then let through; once the page has hydrated and caught up, every noted node must
// still be in the page.
test("hydration and the catch-up keep the nodes the server drew: the inbox, a conversation, the Channels page", async ({ page }) => {
  const chat = await openFirstConversationAsAdmin(page);
  const inbox = '[data-testid="chat-row"], [data-testid="chat-title"], [data-testid="message"], [data-testid="composer"], [data-testid="inbox"]';
  const pages = [
    { path: "/inbox", nodes: inbox, drawn: '[data-testid="chat-row"]', catchUp: ["/api/chats/list"] },
    { path: chat, nodes: inbox, drawn: '[data-testid="message"]', catchUp: ["/api/chats/list", "/api/chats/open"] },
    // The sandbox channel's card: other tests' channels may change meanwhile (a changed channel's
    // card is drawn anew, as it should be).
    {
      path: "/admin/channels",
      nodes: '[data-testid="channel-Sandbox"], [data-testid="channels-page"] > h1',
      drawn: '[data-testid="channel-Sandbox"]',
      catchUp: ["/api/admin/channels/list"],
    },
  ];
  for (const { path, nodes, drawn, catchUp } of pages) {
    const release = await holdWasm(page);
    const caughtUp = catchUp.map((url) => page.waitForResponse((r) => r.url().includes(url)));
    await page.goto(path, { waitUntil: "domcontentloaded" });
    await expect(page.locator(drawn).first(), `${path}: the server drew no ${drawn}`).toBeAttached();
    const noted = await page.evaluate((selector) => {
      const found = [...document.querySelectorAll(selector)];
      // Their text too: an element kept while its text is drawn again is drawn again all the same.
      const texts = found.flatMap((n) => [...n.querySelectorAll("*")].flatMap((e) => [...e.childNodes].filter((c) => c.nodeType === 3)));
      (window as any).__server = [...found, ...texts];
      return found.length;
    }, nodes);
    expect(noted, `${path}: the server drew nothing to note`).toBeGreaterThan(1);
    release();
    await waitHydrated(page);
    await Promise.all(caughtUp);
    // The answers are applied in the next turns of the page's event loop.
    await page.waitForTimeout(500);
    const lost = await page.evaluate(() =>
      ((window as any).__server as Node[])
        .filter((n) => !n.isConnected)
        .slice(0, 5)
        .map((n) => (n.nodeType === 3 ? `text "${n.textContent}" in ${n.parentElement?.outerHTML.slice(0, 80)}` : (n as Element).outerHTML.slice(0, 120))),
    );
    expect(lost, `${path}: nodes the server drew were replaced after hydration`).toEqual([]);
  }
});

// What happens between the server's drawing and the live stream's opening (seconds on a slow
// phone) shows once the page catches up: a message that arrived meanwhile joins the conversation
// and its row, in place. When more than a page (50 messages) came meanwhile, the catch-up cannot
// join its page to what is shown, and the conversation is fetched and drawn anew: its newest
// message shows, and nothing between is missing.
test("what arrives before the stream opens shows after the catch-up, in place or drawn anew past a page", async ({ browser }) => {
  test.setTimeout(90_000);
  const name = `Sela ${Date.now() % 100000}`;
  const number = `6282${Date.now().toString().slice(-8)}`;
  const phone = await sandboxPhone(browser, name, number);
  const send = async (text: string) => {
    const res = await phone.request.post("/api/sandbox/send", { form: { phone: number, name, text } });
    expect(res.ok(), await res.text()).toBe(true);
  };
  await send("pesan pertama");
  const page = await (await browser.newContext()).newPage();
  await login(page, ADMIN.username, ADMIN.password);
  await expect(page.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  await page.getByTestId("tab-all").click();
  await page.getByTestId("chat-row").filter({ hasText: name }).getByRole("link").click();
  await expect(page.getByTestId("chat-title")).toHaveText(name);
  const path = new URL(page.url()).pathname;
  const messages = page.getByTestId("messages").getByTestId("message");
  const row = page.getByTestId("chat-row").filter({ hasText: name });

  for (const [late, count] of [["pesan kedua", 1], ["pesan terakhir", 60]] as const) {
    const release = await holdWasm(page);
    await page.goto(path, { waitUntil: "domcontentloaded" });
    await expect(messages.filter({ hasText: "pesan pertama" })).toHaveCount(1);
    await page.evaluate(() => ((window as any).__first = document.querySelector('[data-testid="message"]')));
    for (let i = 1; i < count; i++) await send(`pesan antara ${i}`);
    await send(late);
    release();
    await waitHydrated(page);
    await expect(messages.filter({ hasText: late })).toHaveCount(1);
    await expect(row).toContainText(late);
    if (count === 1) {
      // Joined in place: the server's first bubble is the one shown.
      expect(await page.evaluate(() => (window as any).__first.isConnected)).toBe(true);
    } else {
      // Drawn anew from the newest page: the messages before the last follow each other with
      // none missing between (a page joined to the server's would skip the first ones).
      await expect(messages.filter({ has: page.getByText(`pesan antara ${count - 1}`, { exact: true }) })).toHaveCount(1);
      // (Each bubble's text is its paragraph; its time follows it.)
      const texts = await messages.locator("p").allTextContents();
      const shown = texts.flatMap((t) => /^pesan antara (\d+)$/.exec(t.trim())?.[1] ?? []).map(Number);
      const from = texts.some((t) => t.includes("pesan kedua")) ? 1 : shown[0];
      expect(shown).toEqual(Array.from({ length: count - from }, (_, i) => from + i));
    }
  }
  await phone.context().close();
  await page.context().close();
});
