import { test, expect } from "@playwright/test";
import { AGENT, login, sandboxPhone, say } from "./helpers";

// Live events change what the agent sees in place: new bubbles, the row's preview, the ticks of
// her own reply. Only the stream opening refetches; no event does.
test("live events change the list and the conversation in place, without refetching", async ({ browser }) => {
  const name = `Lina ${Date.now() % 100000}`;
  const phone = await sandboxPhone(browser, name, `62816${Date.now().toString().slice(-7)}`);
  await say(phone, "manusia");
  await expect(phone.getByTestId("sandbox-messages").getByText("manusia")).toBeVisible();

  const context = await browser.newContext();
  const agent = await context.newPage();
  const fetches = { open: 0, list: 0 };
  agent.on("request", (r) => {
    if (r.url().includes("/api/chats/open")) fetches.open++;
    if (r.url().includes("/api/chats/list")) fetches.list++;
  });
  await login(agent, AGENT.username, AGENT.password);
  await expect(agent.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  await agent.getByTestId("tab-all").click();
  const row = agent.getByTestId("chat-row").filter({ hasText: name });
  await row.getByRole("link").click();
  await expect(agent.getByTestId("chat-title")).toHaveText(name);
  // The conversation was fetched (when it opened, or when its stream opened); from now on
  // nothing should be fetched again.
  await expect.poll(() => fetches.open).toBeGreaterThan(0);
  const before = { ...fetches };

  await say(phone, "paket saya belum sampai");
  await say(phone, "nomor resi 12345");
  const messages = agent.getByTestId("messages");
  await expect(messages.getByText("nomor resi 12345")).toBeVisible();
  await expect(messages.locator('[data-testid="message"][data-direction="in"]')).toHaveCount(3);
  await expect(row).toContainText("nomor resi 12345");

  // Her reply goes out; the phone shows it, which marks it read: the tick follows, in place.
  await agent.getByTestId("composer").fill("Kami cek ya kak");
  await agent.getByTestId("composer").press("Enter");
  const reply = messages.locator('[data-testid="message"][data-direction="out"]').filter({ hasText: "Kami cek ya kak" });
  await expect(reply).toHaveCount(1);
  await expect(phone.getByTestId("sandbox-messages").getByText("Kami cek ya kak")).toBeVisible();
  await expect(reply).toHaveAttribute("data-status", "read");

  expect(fetches).toEqual(before);
  await phone.context().close();
  await context.close();
});
