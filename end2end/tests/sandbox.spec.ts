import { test, expect } from "@playwright/test";
import { AGENT, login, sandboxPhone, waitHydrated } from "./helpers";

test("a sandbox customer message reaches the inbox live, and typing and the reply reach the phone live", async ({ browser }) => {
  const phoneNumber = `62812${Date.now().toString().slice(-7)}`;
  const name = `Sari ${Date.now() % 100000}`;
  const phone = await sandboxPhone(browser, name, phoneNumber);

  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await login(agent, AGENT.username, AGENT.password);
  await expect(agent).toHaveURL(/\/inbox$/);
  await expect(agent.getByTestId("inbox")).toHaveAttribute("data-ready", "true");

  // The customer writes; the agent's open inbox shows it without a reload.
  const text = "<b>Halo</b>, apakah <script>alert(1)</script> masih ada?";
  await phone.getByTestId("sandbox-text").fill(text);
  await phone.getByTestId("sandbox-send").click();
  await expect(phone.getByTestId("sandbox-messages").locator('[data-direction="in"]')).toHaveText([new RegExp("Halo")]);
  // On the phone the customer's own message has two grey ticks until the business reads it.
  const phoneTick = phone.getByTestId("sandbox-messages").locator('[data-direction="in"]').getByTestId("tick");
  await expect(phoneTick).toHaveClass(/\bdelivered\b/);

  // A new customer's chat waits in "Unassigned" (agents land on "Mine").
  await agent.getByTestId("tab-unassigned").click();
  const row = agent.getByTestId("chat-row").filter({ hasText: name });
  await expect(row).toBeVisible();
  await row.getByRole("link").click();
  await expect(agent.getByTestId("chat-title")).toHaveText(name);
  await waitHydrated(agent);
  const bubble = agent.getByTestId("messages").locator('[data-testid="message"][data-direction="in"]').first();
  // Rendered as text: the tags are visible characters, nothing was interpreted.
  await expect(bubble.locator(".body")).toHaveText(text);
  await expect(agent.locator("b", { hasText: "Halo" })).toHaveCount(0);
  // The agent opened the chat: the phone's ticks turn blue, live.
  await expect(phoneTick).toHaveClass(/\bread\b/);

  // The agent types: the phone shows "typing…" under the business's name, live.
  const phoneTyping = phone.getByTestId("sandbox-typing");
  await expect(phoneTyping).toHaveCount(0);
  await agent.getByTestId("composer").fill("Masih ada kak, silakan dipesan");
  await expect(phoneTyping).toBeVisible();
  // The agent replies with Enter; it shows at once, then the phone receives it live, and
  // "typing…" ends with it.
  await agent.getByTestId("composer").press("Enter");
  const agentReply = agent.getByTestId("messages").getByTestId("message").filter({ hasText: "Masih ada kak" });
  await expect(agentReply).toBeVisible();
  const phoneReply = phone.getByTestId("sandbox-messages").getByTestId("message").filter({ hasText: "Masih ada kak" });
  await expect(phoneReply).toBeVisible();
  await expect(phoneTyping).toHaveCount(0);
  // The phone displayed it, so the agent's tick turns to "read" live.
  await expect(agentReply).toHaveAttribute("data-status", "read");

  await phone.context().close();
  await agentContext.close();
});
