import { test, expect, Browser, Page } from "@playwright/test";
import { ADMIN, AGENT, login, sandboxPhone, say, waitHydrated } from "./helpers";

async function signedIn(browser: Browser, who: { username: string; password: string }): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await login(page, who.username, who.password);
  await expect(page).toHaveURL(/\/inbox$/);
  await expect(page.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  await waitHydrated(page);
  return page;
}

function uniqueNumber(): string {
  return `62813${Date.now().toString().slice(-7)}`;
}

test("admin and agent see new chats, assignment and mode changes live; the agent's reply reaches the phone", async ({ browser }) => {
  const name = `Dewi ${Date.now() % 100000}`;
  const phone = await sandboxPhone(browser, name, uniqueNumber());
  const admin = await signedIn(browser, ADMIN);
  const agent = await signedIn(browser, AGENT);
  await agent.getByTestId("tab-unassigned").click();

  // The customer asks for a human: the chat appears in both lists, without a reload.
  await say(phone, "Saya mau bicara dengan CS");
  const adminRow = admin.getByTestId("chat-row").filter({ hasText: name });
  const agentRow = agent.getByTestId("chat-row").filter({ hasText: name });
  await expect(adminRow).toBeVisible();
  await expect(agentRow).toBeVisible();
  await expect(adminRow.getByTestId("row-mode")).toHaveText("Agent");

  // The agent watches "Mine"; the admin assigns the chat to her; it appears there live.
  await agent.getByTestId("tab-mine").click();
  await expect(agent.getByTestId("chat-row").filter({ hasText: name })).toHaveCount(0);
  await adminRow.getByRole("link").click();
  await admin.getByTestId("assign-select").selectOption({ label: AGENT.name });
  await expect(admin.getByTestId("system-event").filter({ hasText: `Assigned to ${AGENT.name} by ${ADMIN.name}` })).toBeVisible();
  const mine = agent.getByTestId("chat-row").filter({ hasText: name });
  await expect(mine).toBeVisible();

  // The agent replies; the phone shows it.
  await mine.getByRole("link").click();
  await agent.getByTestId("composer").fill("Halo kak, saya Rina dari CS");
  await agent.getByTestId("send").click();
  await expect(phone.getByTestId("sandbox-messages").getByTestId("message").filter({ hasText: "saya Rina dari CS" })).toBeVisible();

  // The admin pauses the chat; the agent's open conversation shows it live.
  await expect(admin.getByTestId("mode-select")).toHaveValue("agent");
  await admin.getByTestId("mode-select").selectOption("paused");
  await expect(agent.getByTestId("mode-select")).toHaveValue("paused");
  await expect(agent.getByTestId("system-event").filter({ hasText: "Mode changed from AGENT to PAUSED" })).toBeVisible();
});

test("the bot answers in BOT mode and is silent after an agent takes over", async ({ browser }) => {
  const name = `Bayu ${Date.now() % 100000}`;
  const phone = await sandboxPhone(browser, name, uniqueNumber());
  const botBubbles = () => phone.getByTestId("sandbox-messages").locator('[data-direction="out"]');

  await say(phone, "halo");
  await expect(botBubbles()).toHaveCount(1);
  await expect(botBubbles().first()).toContainText("Bot");

  const agent = await signedIn(browser, AGENT);
  await agent.getByTestId("tab-all").click();
  await agent.getByTestId("chat-row").filter({ hasText: name }).getByRole("link").click();
  await expect(agent.getByTestId("mode-select")).toHaveValue("bot");
  await agent.getByTestId("composer").fill("Saya ambil alih ya kak");
  await agent.getByTestId("composer").press("Enter");
  await expect(agent.getByTestId("mode-select")).toHaveValue("agent");
  await expect(botBubbles()).toHaveCount(2);

  // The same greeting again: no bot answer this time.
  await say(phone, "halo");
  // Both customer lines are there (the bot's "Halo kak!" is not one of them)...
  await expect(agent.getByTestId("messages").locator('[data-testid="message"][data-direction="in"]').filter({ hasText: "halo" })).toHaveCount(2);
  // ...and the bot did not answer the second: its answer would be stored with the message, so
  // the conversation would already show it (outgoing: the bot's first answer and the agent's).
  await expect(agent.getByTestId("messages").locator('[data-testid="message"][data-direction="out"]')).toHaveCount(2);
  await expect(botBubbles()).toHaveCount(2);
});

test("a bot menu reaches the sandbox phone numbered, and the customer's number is answered", async ({ browser }) => {
  const phone = await sandboxPhone(browser, `Wulan ${Date.now() % 100000}`, uniqueNumber());
  const botBubbles = () => phone.getByTestId("sandbox-messages").locator('[data-direction="out"]');
  // The demo's greeting offers its topics; the sandbox has no buttons, so they are numbered.
  await say(phone, "halo");
  await expect(botBubbles()).toHaveCount(1);
  await expect(botBubbles().first().getByTestId("option")).toHaveText(["Harga", "Ongkir", "Jam buka"]);
  await say(phone, "2");
  await expect(botBubbles()).toHaveCount(2);
  await expect(botBubbles().nth(1)).toContainText("Ongkir tergantung kota tujuan");
});

test("an agent starts a conversation with a number that never wrote", async ({ browser }) => {
  const number = uniqueNumber();
  const agent = await signedIn(browser, AGENT);
  const start = agent.getByTestId("new-conversation");
  await start.locator("summary").click();
  await start.getByTestId("new-conversation-channel").selectOption({ label: "Sandbox" });
  // Written the way people write Indonesian numbers.
  await start.getByTestId("new-conversation-phone").fill(`0${number.slice(2)}`);
  await start.getByTestId("new-conversation-start").click();
  await expect(agent).toHaveURL(/\/inbox\/\d+$/);
  await expect(agent.getByTestId("chat-title")).toContainText(number.slice(-4));
  await expect(agent.getByTestId("mode-select")).toHaveValue("agent");
  await expect(agent.getByTestId("system-event").filter({ hasText: "Conversation started by" })).toBeVisible();
  await waitHydrated(agent);
  await agent.getByTestId("composer").fill("Halo kak, pesanan Anda sudah dikirim");
  await agent.getByTestId("composer").press("Enter");
  // The customer's phone gets it.
  const phone = await sandboxPhone(browser, "Pelanggan baru", number);
  await expect(phone.getByTestId("sandbox-messages").getByTestId("message").filter({ hasText: "pesanan Anda sudah dikirim" })).toBeVisible();
});

test("an agent reacts to a customer's message and the phone shows it", async ({ browser }) => {
  const name = `Rudi ${Date.now() % 100000}`;
  const phone = await sandboxPhone(browser, name, uniqueNumber());
  await say(phone, "Paketnya sudah sampai, makasih");
  const agent = await signedIn(browser, AGENT);
  await agent.getByTestId("tab-all").click();
  await agent.getByTestId("chat-row").filter({ hasText: name }).getByRole("link").click();
  await waitHydrated(agent);
  const theirs = agent.getByTestId("message").filter({ hasText: "Paketnya sudah sampai" });
  await theirs.getByTestId("react").locator("summary").click();
  await theirs.locator('[data-testid="react-with"][data-emoji="🙏"]').click();
  await expect(theirs.getByTestId("reaction")).toHaveText("🙏");
  // The customer sees it on their own message.
  const mine = phone.getByTestId("sandbox-messages").getByTestId("message").filter({ hasText: "Paketnya sudah sampai" });
  await expect(mine.getByTestId("reaction")).toHaveText("🙏");
  // Taken back: gone on both sides.
  await theirs.getByTestId("react").locator("summary").click();
  await theirs.getByTestId("react-take-back").click();
  await expect(theirs.getByTestId("reaction")).toHaveCount(0);
  await expect(mine.getByTestId("reaction")).toHaveCount(0);
});

// "Load more" tapped twice before its page arrives (a double tap on a phone, a slow network)
// adds that page once: no chat is listed twice, also once a chat of that page changes (a page
// added twice holds each of its chats twice, and a live change moves only one of them).
test("Load more tapped twice adds its page once", async ({ browser }) => {
  // More than a page (50) of chats: customers who never wrote before.
  const stamp = String(Date.now() % 100000).padStart(5, "0");
  const customers = await (await browser.newContext()).newPage();
  const send = async (i: number, text: string) => {
    const phone = `6283${stamp}${String(i).padStart(3, "0")}`;
    const res = await customers.request.post("/api/sandbox/send", { form: { phone, name: `Banyak ${stamp} ${i}`, text } });
    expect(res.ok(), await res.text()).toBe(true);
  };
  for (let i = 0; i < 55; i++) await send(i, "halo");
  const page = await signedIn(browser, ADMIN);
  // The list's answers from now on come slowly, the second tap's later than the first's.
  let asked = 0;
  let answered = 0;
  await page.route("**/api/chats/list*", async (route) => {
    const n = ++asked;
    const response = await route.fetch();
    await new Promise((resolve) => setTimeout(resolve, 500 * (n + 1)));
    await route.fulfill({ response });
    answered++;
  });
  const rows = page.getByTestId("chat-row");
  await expect(rows).toHaveCount(50);
  await page.getByTestId("load-more").dblclick();
  await expect.poll(() => answered).toBeGreaterThanOrEqual(1);
  // A second answer, if a second page was asked for, comes half a second after the first.
  await page.waitForTimeout(1500);
  const listed = () => rows.evaluateAll((list) => list.map((r) => r.getAttribute("data-chat-id")));
  const twice = (ids: (string | null)[]) => ids.filter((id, i) => ids.indexOf(id) !== i);
  const ids = await listed();
  expect(ids.length).toBeGreaterThan(50);
  expect(twice(ids), "chats listed twice").toEqual([]);
  // The oldest of these chats is on the page just added: it changes and moves to the top.
  await send(0, "sekali lagi");
  await expect(rows.first()).toContainText(`Banyak ${stamp} 0`);
  expect(twice(await listed()), "chats listed twice after a change").toEqual([]);
  await customers.context().close();
  await page.context().close();
});
