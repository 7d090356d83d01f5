import { expect, Browser, Page } from "@playwright/test";

/**
 * Waits until the wasm has hydrated the page, including the page's own suspended content
 * (pages mark themselves `data-ready="true"` from an effect). A tap on a button before hydration
 * is held and replayed (first-click.spec.ts); tests still wait, so each step acts on a live page.
 */
export async function waitHydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await expect(page.locator('[data-ready="false"]')).toHaveCount(0);
}

/**
 * Holds back every wasm file the page asks for from now on, until the returned function is
 * called: the page stays as the server drew it. After the release the route lets every file
 * through at once (it stays: taking it away while a held request waits would answer that request
 * twice); a later hold is served first.
 */
export async function holdWasm(page: Page): Promise<() => void> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/pkg/*.wasm", async (route) => {
    await held;
    await route.continue();
  });
  return release;
}

/** Opens a page and waits until it is hydrated. */
export async function openHydrated(page: Page, path: string) {
  await page.goto(path);
  await waitHydrated(page);
}

export async function login(page: Page, username: string, password: string) {
  await openHydrated(page, "/login");
  await page.getByTestId("username").fill(username);
  await page.getByTestId("password").fill(password);
  await page.getByTestId("login-submit").click();
}

/**
 * Signs in as the admin and opens the first chat of the "All" tab; returns its path
 * (`/inbox/{id}`).
 */
export async function openFirstConversationAsAdmin(page: Page): Promise<string> {
  await login(page, ADMIN.username, ADMIN.password);
  await expect(page.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  await page.getByTestId("tab-all").click();
  await page.getByTestId("chat-row").first().getByRole("link").click();
  await expect(page.getByTestId("chat-title")).toBeVisible();
  const path = new URL(page.url()).pathname;
  expect(path).toMatch(/^\/inbox\/\d+$/);
  return path;
}

export const ADMIN = { username: "admin", password: "admin-demo", name: "Admin Demo" };
export const AGENT = { username: "rina", password: "rina-demo", name: "Rina" };

/** A sandbox phone in a browser context of its own, as the customer `name` with `number`. */
export async function sandboxPhone(browser: Browser, name: string, number: string): Promise<Page> {
  const phone = await (await browser.newContext()).newPage();
  await openHydrated(phone, "/sandbox");
  await phone.getByTestId("sandbox-name").fill(name);
  await phone.getByTestId("sandbox-phone").fill(number);
  await phone.getByTestId("sandbox-phone").blur();
  return phone;
}

/**
 * A customer no other test has: a name and a number made unique by the clock, on a sandbox
 * phone of its own.
 */
export async function newCustomer(browser: Browser, firstName: string): Promise<{ name: string; phone: Page }> {
  const name = `${firstName} ${Date.now() % 100000}`;
  const phone = await sandboxPhone(browser, name, `6281${Date.now().toString().slice(-8)}`);
  return { name, phone };
}

/** The customer sends `text` from the sandbox phone. */
export async function say(phone: Page, text: string) {
  await phone.getByTestId("sandbox-text").fill(text);
  await phone.getByTestId("sandbox-send").click();
}

/** From now on, every answer to `url` on `page` is fetched at once and the first is held until
 * `releaseFirst()`; `count.asked` and `count.answered` say how many were asked for and
 * answered so far, and `firstAnswered` settles when the held one has reached the page. */
export async function holdFirstAnswer(page: Page, url: string) {
  const count = { asked: 0, answered: 0 };
  let releaseFirst!: () => void;
  const held = new Promise<void>((resolve) => (releaseFirst = resolve));
  let firstDone!: () => void;
  const firstAnswered = new Promise<void>((resolve) => (firstDone = resolve));
  await page.route(url, async (route) => {
    const n = ++count.asked;
    const response = await route.fetch();
    if (n === 1) await held;
    await route.fulfill({ response });
    count.answered++;
    if (n === 1) firstDone();
  });
  return { count, releaseFirst, firstAnswered };
}
