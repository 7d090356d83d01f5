import { test, expect } from "@playwright/test";
import { openFirstConversationAsAdmin, waitHydrated } from "./helpers";

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
  let tapped!: () => void;
  const tap = new Promise<void>((resolve) => (tapped = resolve));
  await page.route("**/pkg/*.wasm", async (route) => {
    await tap;
    await route.continue();
  });

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
