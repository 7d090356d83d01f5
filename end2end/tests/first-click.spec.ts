import { test, expect } from "@playwright/test";
import { ADMIN, holdWasm, login, newCustomer, openFirstConversationAsAdmin, say, waitHydrated } from "./helpers";

// On a slow phone the page is on screen seconds before its wasm has run. What the server drew
// must be readable by then (the list and the open conversation), and a tap that lands before
// hydration must not be lost: it takes effect once the page has hydrated. The wasm is held back
// until the tap has landed, so the tap is sure to come first; the CPU is slowed 4×.
test("a tap before hydration takes effect once the page hydrates (CPU slowed 4×)", async ({ page }) => {
  test.setTimeout(120_000);
  const path = await openFirstConversationAsAdmin(page);
  const title = await page.getByTestId("chat-title").textContent();

  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  const tapped = await holdWasm(page);

  await page.goto(path, { waitUntil: "domcontentloaded" });
  // Readable before hydration: the list and the open conversation, as the server drew them.
  await expect(page.locator("body[data-hydrated]")).toHaveCount(0);
  await expect(page.getByTestId("chat-row").first()).toBeVisible();
  await expect(page.getByTestId("chat-title")).toHaveText(title ?? "");
  await expect(page.getByTestId("message").first()).toBeVisible();
  // An admin's list opens on "All"; the tap asks for "Unassigned".
  await expect(page.getByTestId("tab-all")).toHaveClass(/active/);
  await page.getByTestId("tab-unassigned").click();
  await expect(page.locator("body[data-hydrated]"), "the tap came before hydration").toHaveCount(0);
  tapped();

  // The debug wasm is large and the CPU slow: hydration may take a while.
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1, { timeout: 60_000 });
  await waitHydrated(page);
  await expect(page.getByTestId("tab-unassigned")).toHaveClass(/active/);
  await expect(page.getByTestId("tab-all")).not.toHaveClass(/active/);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
});

// A long conversation opened on a slow phone shows its newest message as soon as the server's
// HTML is on screen, not the oldest of the page until the wasm has run (which is held back here
// for the whole test), with the composer below it on screen.
test("a long conversation shows its newest message before the page hydrates", async ({ browser }) => {
  const { name, phone } = await newCustomer(browser, "Panjang");
  for (let i = 1; i <= 30; i++) await say(phone, `Pesan nomor ${i} dari pelanggan`);
  const last = "Pesan nomor 30 dari pelanggan";
  const page = await (await browser.newContext({ viewport: { width: 412, height: 700 } })).newPage();
  await login(page, ADMIN.username, ADMIN.password);
  await expect(page.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  await page.getByTestId("tab-all").click();
  await page.getByTestId("chat-row").filter({ hasText: name }).getByRole("link").click();
  const messages = page.getByTestId("messages").getByTestId("message");
  await expect(messages.filter({ hasText: last })).toHaveCount(1);
  await expect.poll(() => messages.count()).toBeGreaterThan(20);
  const path = new URL(page.url()).pathname;

  await page.route("**/pkg/*.wasm", () => {}); // never answered: the page stays as the server drew it
  await page.goto(path, { waitUntil: "domcontentloaded" });
  await expect(messages.filter({ hasText: last })).toBeInViewport();
  await expect(messages.last()).toBeInViewport();
  await expect(messages.first()).not.toBeInViewport();
  // The composer is on screen too, below the top bar however tall it wrapped on the phone.
  await expect(page.getByTestId("composer")).toBeInViewport({ ratio: 1 });
  await expect(page.locator("body[data-hydrated]")).toHaveCount(0);
});
