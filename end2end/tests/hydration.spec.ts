import { test, expect } from "@playwright/test";
import { spawn } from "node:child_process";
import { openFirstConversationAsAdmin, waitHydrated } from "./helpers";

// A conversation page must hydrate on every load, also on a busy machine. The router's outlet
// can build the conversation twice during the server render; data fetched in the discarded copy
// used to reach the browser as the page's data now and then, and the page then showed but did
// not react. 100 loads with one core kept busy, each checked for a reaction only a hydrated
// page gives.
test("a conversation hydrates on 100 of 100 loads with one core kept busy", async ({ page }) => {
  test.setTimeout(300_000);
  const path = await openFirstConversationAsAdmin(page);

  const busy = spawn("sh", ["-c", "while :; do :; done"], { stdio: "ignore" });
  try {
    let resources: number | undefined;
    for (let load = 1; load <= 100; load++) {
      const res = await page.goto(path);
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
      await page.getByTestId("tab-unassigned").click();
      await expect(page.getByTestId("tab-unassigned"), `load ${load} did not react`).toHaveClass(/active/);
    }
  } finally {
    busy.kill();
  }
});
