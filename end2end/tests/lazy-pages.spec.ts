import { test, expect, Browser, Page } from "@playwright/test";
import { ADMIN, AGENT, login, newCustomer, openHydrated, say, waitHydrated } from "./helpers";

// The admin pages' code is cut out of the main wasm into chunks (`#[lazy_route]`, split by
// `site-split`): an agent's inbox never downloads it (the sign-in page has a chunk of its own);
// an admin page loads its own chunks when it is opened, by a link (client-side) or as the first
// page, and works once they are in. The conversation is a chunk too, fetched as soon as the
// inbox list has hydrated; code shared between lazy pages comes in a few merged chunks, not one
// per combination of pages.

/** Records the wasm files a page fetches. */
function wasmRequests(page: Page): string[] {
  const files: string[] = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith(".wasm")) files.push(path.split("/").pop() ?? path);
  });
  return files;
}

const lazy = (files: string[]) => files.filter((f) => !/^inbox(\.[0-9a-f]{16})?\.wasm$/.test(f));
/** The admin pages' own chunks. */
const adminPages = (files: string[]) => files.filter((f) => /^split___admin_/.test(f));
const CONVERSATION = /split___open_conversation_view[^/]*\.wasm$/;

/** The users page reacts (its code is in): a user made there appears in its list. */
async function usersPageWorks(page: Page, prefix: string) {
  const username = `${prefix}${Date.now() % 100000}`;
  await page.getByTestId("new-display-name").fill(`Made ${prefix}`);
  await page.getByTestId("new-username").fill(username);
  await page.getByTestId("new-password").fill(`${prefix}-page-demo`);
  await page.getByTestId("create-user").click();
  await expect(page.getByTestId("users-page")).toContainText(username);
}

/** The conversation reacts (its code is in): replying to a message quotes it, Escape drops it. */
async function quotes(page: Page) {
  const message = page.getByTestId("message").last();
  await message.hover();
  await message.getByTestId("reply-to").click();
  await expect(page.getByTestId("composer-quote")).toBeVisible();
  await page.getByTestId("composer").press("Escape");
  await expect(page.getByTestId("composer-quote")).toHaveCount(0);
}

/** Signs in (the sign-in page has a chunk of its own), then opens the inbox in a new tab. */
async function inboxAs(browser: Browser, user: { username: string; password: string }) {
  const context = await browser.newContext();
  const signIn = await context.newPage();
  await login(signIn, user.username, user.password);
  await expect(signIn.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  const page = await context.newPage();
  const files = wasmRequests(page);
  await openHydrated(page, "/inbox");
  await expect(page.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  return { page, files };
}

test("an agent's inbox loads no admin code", async ({ browser }) => {
  const { page, files } = await inboxAs(browser, AGENT);
  await page.getByTestId("tab-all").click();
  await page.getByTestId("chat-row").first().getByRole("link").click();
  await expect(page.getByTestId("chat-title")).toBeVisible();
  expect(files.length).toBeGreaterThan(0);
  expect(files.filter((f) => /^split___/.test(f) && !CONVERSATION.test(f))).toEqual([]);
});

// The list hydrates without the conversation's code, then fetches it at once: a chat tapped
// after that opens without waiting for a download. The conversation's two files are all the
// lazy code an agent's inbox fetches (no admin page's, nor the code only admin pages share).
test("the inbox fetches the conversation's code once the list is live, and a chat then opens", async ({ browser }) => {
  const { name, phone } = await newCustomer(browser, "Prefetch");
  await say(phone, "Halo, mau tanya ongkir");
  // Signed in without a page, so that nothing else in this browser fetched the chunk before.
  const context = await browser.newContext();
  const signIn = await context.request.post("/api/login", { form: { username: AGENT.username, password: AGENT.password } });
  expect(signIn.ok()).toBe(true);
  const fresh = await context.newPage();
  const files = wasmRequests(fresh);
  const prefetched = fresh.waitForResponse((r) => CONVERSATION.test(new URL(r.url()).pathname));
  await openHydrated(fresh, "/inbox");
  await prefetched;
  await fresh.getByTestId("tab-all").click();
  await fresh.getByTestId("chat-row").filter({ hasText: name }).getByRole("link").click();
  await expect(fresh.getByTestId("chat-title")).toContainText(name);
  await quotes(fresh);
  expect(lazy(files).filter((f) => CONVERSATION.test(f))).toHaveLength(1);
  expect(lazy(files)).toHaveLength(2);
});

// A conversation opened first needs its own chunk and one chunk of code it shares with other
// lazy pages (52 files in this build, and 68 in the release build, before those were merged),
// then hydrates and works. A chat of its own: the first chat of the list may be past Meta's
// 24-hour window, which fetches the template picker's chunks too.
test("a conversation opened first loads two chunks and hydrates", async ({ browser }) => {
  const { name, phone } = await newCustomer(browser, "Lazy");
  await say(phone, "Pesanan saya sudah dikirim?");
  const context = await browser.newContext();
  const admin = await context.newPage();
  await login(admin, ADMIN.username, ADMIN.password);
  await expect(admin.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  await admin.getByTestId("tab-all").click();
  const row = admin.getByTestId("chat-row").filter({ hasText: name });
  const chat = await row.getByRole("link").getAttribute("href");
  expect(chat).toMatch(/^\/inbox\/\d+$/);
  const page = await context.newPage();
  const files = wasmRequests(page);
  await openHydrated(page, chat!);
  await expect(page.getByTestId("chat-title")).toContainText(name);
  expect(lazy(files).filter((f) => CONVERSATION.test(f))).toHaveLength(1);
  expect(lazy(files)).toHaveLength(2);
  await quotes(page);
});

test("an admin page loads its own chunk when opened by a link, and works", async ({ browser }) => {
  const { page, files } = await inboxAs(browser, ADMIN);
  expect(adminPages(files)).toEqual([]);

  await page.getByRole("navigation").getByRole("link", { name: "Channels" }).click();
  await expect(page).toHaveURL(/\/admin\/channels$/);
  await expect(page.getByTestId("add-meta")).toBeVisible();
  expect(lazy(files).some((f) => f.startsWith("split___admin_channels_view"))).toBe(true);
  expect(lazy(files).some((f) => f.startsWith("split___admin_users_view"))).toBe(false);
  // Hydrated in place: the form opens, and the client-side route keeps the same document.
  await page.getByTestId("add-meta").locator("summary").click();
  await expect(page.getByTestId("add-meta").locator('input[name="name"]')).toBeVisible();
});

// A lazy page opened first is told in its HTML which chunks to preload, so that they download
// beside the main wasm instead of after it. Leptos 0.8 wrote those hints on some loads only (6 of
// 20 for a conversation: only when the lazy view registered itself before the head was
// written); the shell now registers the page's lazy point itself.
test("a lazy page opened first preloads its chunks, on every load", async ({ browser }) => {
  const context = await browser.newContext();
  const signIn = await context.request.post("/api/login", { form: { username: ADMIN.username, password: ADMIN.password } });
  expect(signIn.ok()).toBe(true);
  const inbox = await (await context.request.get("/inbox")).text();
  const chat = inbox.match(/href="(\/inbox\/\d+)"/)?.[1];
  expect(chat).toBeTruthy();
  const hrefs = (html: string, rel: string) =>
    [...html.matchAll(new RegExp(`<link[^>]*rel="${rel}"[^>]*>`, "g"))].map((m) => m[0].match(/href="([^"]+)"/)?.[1] ?? "");
  const preloads = (html: string) => hrefs(html, "preload").filter((h) => h.endsWith(".wasm")).map((h) => h.split("/").pop());
  // Every hinted file is there (a wrong name would download nothing useful), and the chunk
  // loader the app's JS imports is hinted too.
  const chatHtml = await (await context.request.get(chat!)).text();
  const hinted = [...hrefs(chatHtml, "preload"), ...hrefs(chatHtml, "modulepreload")];
  expect(hinted.some((h) => /__wasm_split\.[^/]*\.js$/.test(h)), hinted.join(", ")).toBe(true);
  for (const href of hinted) expect((await context.request.get(href)).status(), href).toBe(200);
  expect(hrefs(inbox, "modulepreload").some((h) => /__wasm_split\.[^/]*\.js$/.test(h))).toBe(true);
  const lazyPages: [string, string, number][] = [
    [chat!, "open_conversation", 10],
    ["/admin/users", "admin_users", 10],
    ["/admin/bot", "admin_bot", 1],
    ["/admin/channels", "admin_channels", 1],
    ["/admin/api-keys", "admin_api_keys", 1],
    ["/admin/webhooks", "admin_webhooks", 1],
    ["/admin/playground", "admin_playground", 1],
    ["/sandbox", "sandbox_phone", 1],
  ];
  for (const [path, page, loads] of lazyPages) {
    for (let load = 0; load < loads; load++) {
      const files = preloads(await (await context.request.get(path)).text());
      expect(files.some((f) => f!.startsWith(`split___${page}_view`)), `${path}, load ${load + 1}: ${files.join(", ")}`).toBe(true);
    }
  }
  // Signed out: the sign-in page.
  const signedOut = await browser.newContext();
  const login = preloads(await (await signedOut.request.get("/login")).text());
  expect(login.some((f) => f!.startsWith("split___sign_in_view")), login.join(", ")).toBe(true);
  // The inbox list needs no chunk before it hydrates.
  expect(preloads(inbox).filter((f) => !/^inbox(\.[0-9a-f]{16})?\.wasm$/.test(f!))).toEqual([]);
});

// (With the hints, a page opened first still fetches its chunks itself if the browser ignored
// them; the next test does not count on them.)
test("an admin page opened first loads its chunk and hydrates", async ({ page }) => {
  await login(page, ADMIN.username, ADMIN.password);
  await expect(page.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  const files = wasmRequests(page);
  await page.goto("/admin/users");
  await waitHydrated(page);
  expect(lazy(files).some((f) => f.startsWith("split___admin_users_view"))).toBe(true);
  expect(lazy(files).some((f) => f.startsWith("split___admin_channels_view"))).toBe(false);
  await usersPageWorks(page, "lazy");
});

// A chunk's download that fails (a phone's connection drops) is tried again until it arrives:
// before, the loader gave up at once and the wasm aborted, leaving a page that never reacted.
test("a lazy page whose chunk fails to download twice still opens and works", async ({ browser }) => {
  const { page } = await inboxAs(browser, ADMIN);
  let attempts = 0;
  await page.route(/split___admin_channels_view[^/]*\.wasm$/, (route) => {
    attempts += 1;
    return attempts <= 2 ? route.abort("internetdisconnected") : route.continue();
  });
  await page.getByRole("navigation").getByRole("link", { name: "Channels" }).click();
  await expect(page.getByTestId("add-meta")).toBeVisible();
  await page.getByTestId("add-meta").locator("summary").click();
  await expect(page.getByTestId("add-meta").locator('input[name="name"]')).toBeVisible();
  expect(attempts).toBeGreaterThanOrEqual(3);
});

/** Counts the documents the page loads (the first, and each reload). */
function documents(page: Page): () => number {
  let count = 0;
  page.on("request", (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) count += 1;
  });
  return () => count;
}

// A chunk the server no longer has (a new version was deployed while the page was open) makes
// the page reload, which gets the new version's files.
test("a chunk the server no longer has reloads the page, which then works", async ({ page }) => {
  await login(page, ADMIN.username, ADMIN.password);
  await expect(page.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  const loaded = documents(page);
  await page.route(/split___admin_users_view[^/]*\.wasm$/, (route) =>
    loaded() < 2 ? route.fulfill({ status: 404, body: "not found" }) : route.continue(),
  );
  await page.goto("/admin/users");
  await waitHydrated(page);
  expect(loaded()).toBe(2);
  await usersPageWorks(page, "gone");
});

// Still missing after that reload (a broken deployment): no second reload, a notice says so, and
// the page keeps trying; once the file is there, the page hydrates and the notice goes.
test("a chunk missing after the reload makes one reload only, shows a notice, and recovers", async ({ page }) => {
  await login(page, ADMIN.username, ADMIN.password);
  await expect(page.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  const loaded = documents(page);
  const chunk = /split___admin_users_view[^/]*\.wasm$/;
  let asked = 0;
  await page.route(chunk, (route) => {
    asked += 1;
    return route.fulfill({ status: 404, body: "not found" });
  });
  await page.goto("/admin/users");
  await expect(page.getByTestId("chunk-notice")).toBeVisible({ timeout: 15_000 });
  const askedThen = asked;
  await expect.poll(() => asked, { timeout: 15_000 }).toBeGreaterThan(askedThen + 1);
  expect(loaded()).toBe(2);
  await page.unroute(chunk);
  await waitHydrated(page);
  await expect(page.getByTestId("chunk-notice")).toHaveCount(0);
  await usersPageWorks(page, "back");
});
