import { test, expect } from "@playwright/test";
import { ADMIN, login, openHydrated } from "./helpers";

// An admin makes an API key: it is shown once in full (and copied), the list shows only its
// prefix; the key opens the API until it is revoked, then it is refused at once.
test("an admin creates an API key, copies it, and revokes it", async ({ browser, request }) => {
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const admin = await context.newPage();
  await login(admin, ADMIN.username, ADMIN.password);
  await expect(admin.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  await openHydrated(admin, "/admin/api-keys");
  const name = `Toko Online ${Date.now() % 100000}`;
  await admin.getByTestId("api-key-name").fill(name);
  await admin.getByTestId("create-api-key").click();
  const shown = admin.getByTestId("new-key-value");
  await expect(shown).toHaveText(/^ik_[0-9a-f]{48}$/);
  const key = (await shown.textContent()) ?? "";
  await admin.getByTestId("copy-key").click();
  await expect(admin.getByTestId("copy-key")).toHaveText("Copied");
  expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(key);
  const row = admin.getByTestId("api-key-row").filter({ hasText: name });
  await expect(row).toContainText(key.slice(0, 11) + "…");
  await expect(row).not.toContainText(key);

  // The key opens the API (whichever channel the answer is about), and a wrong one does not.
  const status = (k: string) => request.get("/status", { headers: { "X-API-KEY": k } });
  expect((await status(key)).status()).not.toBe(401);
  expect((await status(key.slice(0, -1) + "x")).status()).toBe(401);

  await row.getByTestId("revoke-api-key").click();
  await expect(row).toHaveAttribute("data-revoked", "true");
  expect((await status(key)).status()).toBe(401);
  await context.close();
});
