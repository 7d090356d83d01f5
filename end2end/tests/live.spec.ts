import { test, expect } from "@playwright/test";
import { ADMIN, AGENT, holdFirstAnswer, login, newCustomer, openHydrated, sandboxPhone, say } from "./helpers";

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

// The list's catch-ups (the stream opened, a channel changed) can overlap, and their answers can
// come back in any order. A catch-up's answer that arrives late has not seen what happened since
// it was asked: it must not replace a newer list, nor take a live change away with it. Here the
// first catch-up's answer (the stream's opening) is held while a message arrives and a newer list
// is answered: a second catch-up (a channel tested on the Channels page), or the list asked for
// anew (another tab, then back); then the first is let through.
for (const newer of ["a second catch-up", "the list asked for anew"] as const) {
  test(`a catch-up answered late does not replace a newer list, nor lose a live change: ${newer}`, async ({ browser }) => {
    const { name, phone } = await newCustomer(browser, "Lambat");
    // The customer asks for a person, so the bot is silent and each row shows the customer's text.
    await say(phone, "admin");
    await expect(phone.getByTestId("sandbox-messages").locator('[data-direction="out"]')).toHaveCount(1);
    await say(phone, "pesan lama");
    const page = await (await browser.newContext()).newPage();
    await login(page, ADMIN.username, ADMIN.password);
    await expect(page.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
    // Every answer to the list's fetches from now on is fetched at once; the first is then held.
    const { count, releaseFirst, firstAnswered } = await holdFirstAnswer(page, "**/api/chats/list*");
    // The stream opens on load: its catch-up is the first fetch, answered with the list as it
    // is now, and held. (An admin's list opens on the "All" tab.)
    await openHydrated(page, "/inbox");
    const row = page.getByTestId("chat-row").filter({ hasText: name });
    await expect(row).toContainText("pesan lama");
    // (Another catch-up may follow it, for a channel's periodic check or a reload the server
    // asks for; it is answered at once.)
    await expect.poll(() => count.asked).toBeGreaterThanOrEqual(1);
    // A live change: the row shows the new message at once.
    await say(phone, "pesan baru");
    await expect(row).toContainText("pesan baru");
    const newerList = async (ask: () => Promise<void>) => {
      const before = count.answered;
      await ask();
      await expect.poll(() => count.answered).toBeGreaterThan(before);
    };
    if (newer === "a second catch-up") {
      const channels = await page.context().newPage();
      await openHydrated(channels, "/admin/channels");
      await newerList(() => channels.getByTestId("channel-Sandbox").getByTestId("test-channel").click());
    } else {
      await newerList(() => page.getByTestId("tab-mine").click());
      await newerList(() => page.getByTestId("tab-all").click());
    }
    await expect(row).toContainText("pesan baru");
    // The first catch-up's answer arrives last.
    releaseFirst();
    await firstAnswered;
    await page.waitForTimeout(500);
    await expect(row).toContainText("pesan baru");
    await phone.context().close();
    await page.context().close();
  });
}

// The conversation catches up when its stream opens. Its answer, held up on a slow network,
// may come after a live change to the chat: it must not put the older state back. Here the
// answer is held while the agent pauses the chat.
test("a conversation's catch-up answered after a live change keeps the change", async ({ browser }) => {
  const { name, phone } = await newCustomer(browser, "Tertahan");
  await say(phone, "halo");
  const page = await (await browser.newContext()).newPage();
  await login(page, ADMIN.username, ADMIN.password);
  await expect(page.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  await page.getByTestId("chat-row").filter({ hasText: name }).getByRole("link").click();
  await expect(page.getByTestId("chat-title")).toHaveText(name);
  const path = new URL(page.url()).pathname;
  // The conversation's answers from now on are fetched at once; the first is then held.
  const { count, releaseFirst, firstAnswered } = await holdFirstAnswer(page, "**/api/chats/open*");
  await openHydrated(page, path);
  await expect.poll(() => count.asked).toBeGreaterThanOrEqual(1);
  const mode = page.getByTestId("mode-select");
  await expect(mode).toHaveValue("bot");
  await mode.selectOption("paused");
  await expect(page.getByTestId("messages")).toContainText("PAUSED");
  await expect(mode).toHaveValue("paused");
  releaseFirst();
  await firstAnswered;
  await page.waitForTimeout(500);
  await expect(mode).toHaveValue("paused");
  await phone.context().close();
  await page.context().close();
});

// The header's selects show the chat as it is, also once the agent has picked in them herself:
// a browser keeps an option picked by hand and ignores later changes to the options' `selected`
// attributes (it fell back to the first option, "BOT", when the attribute moved away from it).
// Here the admin picks PAUSED and an assignee, then another admin's changes move the chat away
// and back. A pick the server refuses (an agent deactivated meanwhile) shows the chat as it is.
test("the mode and assignee shown follow the chat after the agent picked them and others changed them", async ({ browser }) => {
  const { name, phone } = await newCustomer(browser, "Pilih");
  await say(phone, "halo");
  // Another admin, who changes the chat through the same server functions the page calls.
  const otherContext = await browser.newContext();
  const other = otherContext.request;
  const signIn = await other.post("/api/login", { form: { username: ADMIN.username, password: ADMIN.password } });
  expect(signIn.ok()).toBeTruthy();
  const leaving = `pergi${Date.now() % 100000}`;
  const created = await other.post("/api/admin/create_user", {
    form: { username: leaving, display_name: `Pergi ${leaving}`, role: "agent", password: "pergi-pergi-123" },
  });
  expect(created.ok(), await created.text()).toBeTruthy();
  const leavingId = String((await created.json()).user_id);
  const page = await (await browser.newContext()).newPage();
  await login(page, ADMIN.username, ADMIN.password);
  await expect(page.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  await page.getByTestId("chat-row").filter({ hasText: name }).getByRole("link").click();
  await expect(page.getByTestId("chat-title")).toHaveText(name);
  const chatId = new URL(page.url()).pathname.split("/").pop()!;
  const mode = page.getByTestId("mode-select");
  const assignee = page.getByTestId("assign-select");
  await expect(page.getByTestId("messages")).toContainText("halo");
  const systemLines = page.getByTestId("messages").getByTestId("system-event");
  let lines = await systemLines.count();
  const change = async (endpoint: string, form: Record<string, string>) => {
    const r = await other.post(`/api/chats/${endpoint}`, { form: { chat_id: chatId, ...form } });
    expect(r.ok(), await r.text()).toBeTruthy();
    lines++;
    await expect(systemLines).toHaveCount(lines);
  };

  await mode.selectOption("paused");
  lines++;
  await expect(systemLines).toHaveCount(lines);
  await expect(mode).toHaveValue("paused");
  await change("set_mode", { mode: "agent" });
  await expect(mode).toHaveValue("agent");
  await change("set_mode", { mode: "paused" });
  await expect(mode).toHaveValue("paused");

  const rina = await assignee.locator("option", { hasText: AGENT.name }).getAttribute("value");
  await assignee.selectOption(rina!);
  lines++;
  await expect(systemLines).toHaveCount(lines);
  await expect(assignee).toHaveValue(rina!);
  await change("assign", {});
  await expect(assignee).toHaveValue("");
  await change("assign", { user_id: rina! });
  await expect(assignee).toHaveValue(rina!);

  // The agent leaves after the page listed her; picking her is refused.
  const off = await other.post("/api/admin/set_user_active", { form: { user_id: leavingId, active: "false" } });
  expect(off.ok(), await off.text()).toBeTruthy();
  await assignee.selectOption(leavingId);
  await expect(page.locator("p.error")).toHaveText("That user is deactivated.");
  await expect(assignee).toHaveValue(rina!);
  await expect(systemLines).toHaveCount(lines);
  await otherContext.close();
  await phone.context().close();
  await page.context().close();
});

// The header's selects are the same elements while the chat's activity changes: a customer
// writing (new preview, time, unread count) must not draw them again, which closed a dropdown the
// admin had open and dropped the pick she was making.
test("the header's selects stay in place while the customer writes", async ({ browser }) => {
  const { name, phone } = await newCustomer(browser, "Tetap");
  await say(phone, "admin");
  const page = await (await browser.newContext()).newPage();
  await login(page, ADMIN.username, ADMIN.password);
  await expect(page.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  await page.getByTestId("chat-row").filter({ hasText: name }).getByRole("link").click();
  await expect(page.getByTestId("chat-title")).toHaveText(name);
  const messages = page.getByTestId("messages");
  await expect(messages).toContainText("admin");
  const mode = page.getByTestId("mode-select");
  const assignee = page.getByTestId("assign-select");
  await expect(assignee.locator("option", { hasText: AGENT.name })).toHaveCount(1);
  // A mark on each element: an element drawn again has none.
  await mode.evaluate((el) => (el.dataset.probe = "1"));
  await assignee.evaluate((el) => (el.dataset.probe = "1"));

  await say(phone, "paket saya belum sampai");
  await expect(messages).toContainText("paket saya belum sampai");
  await expect(page.getByTestId("chat-row").filter({ hasText: name })).toContainText("paket saya belum sampai");
  await say(phone, "tolong dicek");
  await expect(messages).toContainText("tolong dicek");
  await expect(mode).toHaveAttribute("data-probe", "1");
  await expect(assignee).toHaveAttribute("data-probe", "1");

  // A change to what the header shows still reaches it: the chat (with an agent since the
  // customer asked for one) goes back to the bot, and "Hand back" goes.
  await expect(page.getByTestId("hand-back")).toBeVisible();
  await mode.selectOption("bot");
  await expect(page.getByTestId("hand-back")).toHaveCount(0);
  await expect(mode).toHaveValue("bot");
  await phone.context().close();
  await page.context().close();
});
