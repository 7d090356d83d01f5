import { expect, Page } from "@playwright/test";

/** Opens a page and waits until the wasm has hydrated it (clicks before that are lost). */
export async function openHydrated(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
}

export async function login(page: Page, username: string, password: string) {
  await openHydrated(page, "/login");
  await page.getByTestId("username").fill(username);
  await page.getByTestId("password").fill(password);
  await page.getByTestId("login-submit").click();
}

export const ADMIN = { username: "admin", password: "admin-demo", name: "Admin Demo" };
export const AGENT = { username: "rina", password: "rina-demo", name: "Rina" };
