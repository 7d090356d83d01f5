import { test, expect, Browser, Page } from "@playwright/test";
import { ADMIN, AGENT, login, openHydrated, waitHydrated } from "./helpers";

// The admin pages' code is cut out of the main wasm into chunks (`#[lazy_route]`, split by
// `site-split`): an agent's inbox never downloads it (the sign-in page has a chunk of its own);
// an admin page loads its own chunks when it is opened, by a link (client-side) or as the first
// page, and works once they are in.

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
/** The chunks of the lazy pages (the template picker's, which a chat past Meta's window fetches, aside). */
const pages = (files: string[]) => files.filter((f) => /^split___/.test(f));

/** The users page reacts (its code is in): a user made there appears in its list. */
async function usersPageWorks(page: Page, prefix: string) {
  const username = `${prefix}${Date.now() % 100000}`;
  await page.getByTestId("new-display-name").fill(`Made ${prefix}`);
  await page.getByTestId("new-username").fill(username);
  await page.getByTestId("new-password").fill(`${prefix}-page-demo`);
  await page.getByTestId("create-user").click();
  await expect(page.getByTestId("users-page")).toContainText(username);
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
  expect(pages(files)).toEqual([]);
});

test("an admin page loads its own chunk when opened by a link, and works", async ({ browser }) => {
  const { page, files } = await inboxAs(browser, ADMIN);
  expect(lazy(files)).toEqual([]);

  await page.getByRole("navigation").getByRole("link", { name: "Channels" }).click();
  await expect(page).toHaveURL(/\/admin\/channels$/);
  await expect(page.getByTestId("add-meta")).toBeVisible();
  expect(lazy(files).some((f) => f.startsWith("split___admin_channels_view"))).toBe(true);
  expect(lazy(files).some((f) => f.startsWith("split___admin_users_view"))).toBe(false);
  // Hydrated in place: the form opens, and the client-side route keeps the same document.
  await page.getByTestId("add-meta").locator("summary").click();
  await expect(page.getByTestId("add-meta").locator('input[name="name"]')).toBeVisible();
});

// (The server's HTML may also preload the chunks: Leptos 0.8 adds those hints only when the lazy
// view registered itself before the head was written, which varies from load to load, so this
// test does not count on them.)
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
