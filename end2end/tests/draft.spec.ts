import { test, expect } from "@playwright/test";
import { AGENT, login, sandboxPhone, say } from "./helpers";

test("a reply being typed survives live updates and leaving the chat", async ({ browser }) => {
  const phoneNumber = `62815${Date.now().toString().slice(-7)}`;
  const name = `Draf ${Date.now() % 100000}`;
  const phone = await sandboxPhone(browser, name, phoneNumber);
  const write = async (text: string) => {
    await say(phone, text);
    await expect(phone.getByTestId("sandbox-messages").getByText(text)).toBeVisible();
  };
  await write("manusia");

  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await login(agent, AGENT.username, AGENT.password);
  await expect(agent.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  await agent.getByTestId("tab-unassigned").click();
  await agent.getByTestId("chat-row").filter({ hasText: name }).getByRole("link").click();
  await expect(agent.getByTestId("chat-title")).toHaveText(name);
  // Opening a chat keeps the list as it was (the same tab).
  await expect(agent.getByTestId("tab-unassigned")).toHaveClass(/active/);

  // The agent types; meanwhile the customer writes twice, and the conversation updates live.
  // The page around her is updated in place: nothing is taken out of the document (which would
  // blink the screen and take the focus, and the keys typed, away from the composer).
  await agent.getByTestId("composer").fill("Sebentar ya");
  await agent.evaluate(() => {
    const w = window as any;
    const inbox = document.querySelector('[data-testid="inbox"]')!;
    w.__composer = document.querySelector('[data-testid="composer"]');
    w.__detached = [];
    new MutationObserver((records) => {
      for (const r of records) {
        for (const n of Array.from(r.removedNodes)) {
          if (n === inbox || n.contains(inbox) || n.contains(w.__composer)) {
            const el = n as Element;
            w.__detached.push(`${el.tagName ?? n.nodeName}.${el.className ?? ""} from ${(r.target as Element).tagName}.${(r.target as Element).className}`);
          }
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
  await write("halo?");
  await write("masih di sana?");
  const messages = agent.getByTestId("messages");
  await expect(messages.getByText("masih di sana?")).toBeVisible();
  expect(await agent.evaluate(() => (window as any).__detached)).toEqual([]);
  expect(await agent.evaluate(() => document.activeElement === (window as any).__composer)).toBe(true);
  await agent.keyboard.type(" kak");
  await expect(agent.getByTestId("composer")).toHaveValue("Sebentar ya kak");

  // Away from the chat and back: the draft is still there.
  await agent.locator("a.brand").click();
  await expect(agent.getByTestId("chat-title")).toHaveCount(0);
  await agent.getByTestId("tab-all").click();
  await agent.getByTestId("chat-row").filter({ hasText: name }).getByRole("link").click();
  await expect(agent.getByTestId("chat-title")).toHaveText(name);
  await expect(agent.getByTestId("composer")).toHaveValue("Sebentar ya kak");
  await agent.getByTestId("composer").press("Enter");
  await expect(messages.getByTestId("message").filter({ hasText: "Sebentar ya kak" })).toBeVisible();
  await expect(agent.getByTestId("composer")).toHaveValue("");

  await phone.context().close();
  await agentContext.close();
});
