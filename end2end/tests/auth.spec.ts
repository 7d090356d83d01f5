import { test, expect } from "@playwright/test";
import { ADMIN, AGENT, login, openHydrated, waitHydrated } from "./helpers";

test("admin signs in and sees the app shell", async ({ page }) => {
  await login(page, ADMIN.username, ADMIN.password);
  await expect(page).toHaveURL(/\/inbox$/);
  await expect(page.getByTestId("whoami")).toHaveText(ADMIN.name);
  await expect(page.getByRole("link", { name: "Users" })).toBeVisible();
  await expect(page.getByTestId("inbox")).toBeVisible();
  // Signing in loads /inbox afresh: a click while it hydrates is lost.
  await waitHydrated(page);
  await page.getByRole("link", { name: "Users" }).click();
  await expect(page.getByTestId("users-page")).toBeVisible();
  await expect(page.getByTestId("user-rina")).toBeVisible();
  // The tab has an icon, served as a file (not a rendered 404 page), cacheable.
  const icon = await page.locator('link[rel="icon"]').getAttribute("href");
  expect(icon).toBe("/favicon.svg");
  const res = await page.request.get(icon!);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toContain("image/svg+xml");
  expect(res.headers()["cache-control"] ?? "").not.toContain("no-store");
});

test("a wrong password shows an error and stays on the login page", async ({ page }) => {
  await login(page, ADMIN.username, "not-the-password");
  await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");
  await expect(page).toHaveURL(/\/login$/);
});

test("an agent opening an admin page sees 'not allowed'", async ({ page }) => {
  await login(page, AGENT.username, AGENT.password);
  await expect(page).toHaveURL(/\/inbox$/);
  await expect(page.getByRole("link", { name: "Users" })).toHaveCount(0);
  await page.goto("/admin/users");
  await expect(page.getByTestId("not-allowed")).toBeVisible();
  await expect(page.getByTestId("users-page")).toHaveCount(0);
});

test("after logout the back button shows the login page, not private data", async ({ page }) => {
  await login(page, ADMIN.username, ADMIN.password);
  await expect(page).toHaveURL(/\/inbox$/);
  await waitHydrated(page);
  await page.getByRole("link", { name: "Users" }).click();
  await expect(page.getByTestId("users-page")).toBeVisible();
  await page.getByTestId("logout").click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goBack();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByTestId("users-page")).toHaveCount(0);
  await expect(page.getByTestId("login-submit")).toBeVisible();
});

test("the language can be switched to Bahasa Indonesia and the choice sticks", async ({ page }) => {
  await openHydrated(page, "/login");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.getByTestId("lang-id").click();
  await expect(page.getByRole("heading", { name: "Masuk" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: "Masuk" })).toBeVisible();
  await waitHydrated(page);
  await page.getByTestId("lang-en").click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test("the language follows the browser when nothing was chosen", async ({ browser }) => {
  const context = await browser.newContext({ locale: "id-ID" });
  const page = await context.newPage();
  await page.goto("/login");
  await expect(page.getByRole("heading", { name: "Masuk" })).toBeVisible();
  await context.close();
});

// A language picked on any page holds on every page and after the browser restarts: the cookie
// is the whole site's, kept for a year. Nothing writes it but a choice: a language the browser
// merely asked for is not kept as chosen.
test("a language picked on an admin page holds on every page, and only a choice is kept", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const kept = async () => (await context.cookies()).filter((c) => c.name === "i18n_pref_locale");
  await login(page, ADMIN.username, ADMIN.password);
  await expect(page).toHaveURL(/\/inbox$/);
  await waitHydrated(page);
  expect(await kept(), "a cookie written without a choice").toEqual([]);
  await openHydrated(page, "/admin/users");
  await page.getByTestId("lang-id").click();
  await expect(page.getByRole("link", { name: "Pengguna" })).toBeVisible();
  const [cookie] = await kept();
  expect(cookie?.value).toBe("id");
  expect(cookie?.path).toBe("/");
  // A year, not the browser's session.
  expect(cookie?.expires ?? 0).toBeGreaterThan(Date.now() / 1000 + 300 * 24 * 3600);
  await openHydrated(page, "/inbox");
  await expect(page.getByTestId("tab-all")).toHaveText("Semua");
  await page.getByTestId("lang-en").click();
  await expect(page.getByTestId("tab-all")).toHaveText("All");
  await page.reload();
  await expect(page.getByTestId("tab-all")).toHaveText("All");
  await context.close();
});
