import { test, expect } from "@playwright/test";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { ADMIN, login, openHydrated } from "./helpers";

/**
 * A Whapi mock speaking its wire format: `GET /health` (authorised), `POST /messages/text`,
 * `POST /messages/interactive` (buttons), `PUT /messages/{id}` (mark read) and
 * `PUT /presences/{chat}` (typing).
 */
function whapiMock(token: string) {
  const sent: { to: string; body: string }[] = [];
  const interactive: any[] = [];
  const puts: { path: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${token}`) {
        return json(401, { error: { code: 401, message: "Unauthorized" } });
      }
      if (req.method === "GET" && req.url?.startsWith("/health")) {
        return json(200, { status: { code: 4, text: "AUTH" }, user: { id: "6281234500099", name: "Toko E2E" } });
      }
      if (req.method === "POST" && req.url === "/messages/text") {
        const msg = JSON.parse(raw);
        sent.push(msg);
        return json(201, { sent: true, message: { id: `e2e-sent-${sent.length}`, from_me: true, type: "text", status: "pending" } });
      }
      if (req.method === "POST" && req.url === "/messages/interactive") {
        interactive.push(JSON.parse(raw));
        return json(201, { sent: true, message: { id: `e2e-menu-${interactive.length}`, from_me: true, type: "interactive", status: "pending" } });
      }
      if (req.method === "PUT" && (req.url?.startsWith("/messages/") || req.url?.startsWith("/presences/"))) {
        puts.push({ path: req.url, body: raw });
        return json(200, { success: true });
      }
      json(404, { error: { code: 404, message: "not found" } });
    });
  });
  return { server, sent, puts, interactive };
}

// An admin connects a Whapi number on the Channels page: the connection test passes, the
// webhook URL is copied, a customer message posted there shows up live in the inbox under the
// channel's name, and the reply leaves through that channel's provider.
test("an admin adds a Whapi channel, and its webhook and replies work", async ({ browser, request }) => {
  test.setTimeout(60_000);
  const token = "e2e-whapi-token-0123456789";
  const mock = whapiMock(token);
  await new Promise<void>((ok) => mock.server.listen(0, "127.0.0.1", ok));
  const mockUrl = `http://127.0.0.1:${(mock.server.address() as AddressInfo).port}`;
  const suffix = Date.now() % 100000;
  const channelName = `CS Bandung ${suffix}`;

  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const admin = await context.newPage();
  await login(admin, ADMIN.username, ADMIN.password);
  await expect(admin.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  await openHydrated(admin, "/admin/channels");
  const add = admin.getByTestId("add-whapi");
  await add.locator("summary").click();
  await add.getByTestId("whapi-name").fill(channelName);
  await add.getByTestId("whapi-base-url").fill(mockUrl);
  await add.getByTestId("whapi-token").fill(token);
  await add.getByTestId("save-whapi").click();

  const card = admin.getByTestId(`channel-${channelName}`);
  await expect(card.getByTestId("channel-state")).toHaveAttribute("data-state", "connected");
  await expect(card.getByTestId("channel-state")).toContainText("Toko E2E");
  await expect(card).not.toContainText(token);
  await card.getByTestId("copy-webhook").click();
  const webhookUrl = await admin.evaluate(() => navigator.clipboard.readText());
  expect(webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/[0-9a-f]{64}$/);
  await expect(card.getByTestId("webhook-url")).toHaveValue(webhookUrl);

  // The inbox is open when the customer writes.
  await openHydrated(admin, "/inbox");
  await admin.getByTestId("tab-all").click();
  const customer = `Budi ${suffix}`;
  const phone = `62813${String(Date.now()).slice(-7)}`;
  const res = await request.post(webhookUrl, {
    data: {
      messages: [{
        id: `e2e-in-${suffix}`, from_me: false, type: "text", chat_id: `${phone}@s.whatsapp.net`,
        timestamp: Math.floor(Date.now() / 1000), source: "mobile",
        text: { body: "halo, ini lewat Whapi" }, from: phone, from_name: customer,
      }],
      event: { type: "messages", event: "post" },
      channel_id: "MANTIS-E2E",
    },
  });
  expect(res.status()).toBe(200);
  const row = admin.getByTestId("chat-row").filter({ hasText: customer });
  await expect(row).toBeVisible();
  await expect(row).toContainText(channelName);

  // The chat list can be narrowed to this channel.
  await admin.getByTestId("channel-filter").selectOption({ label: channelName });
  await expect(admin.getByTestId("chat-row")).toHaveCount(1);
  await expect(row).toBeVisible();

  await row.getByRole("link").click();
  await expect(admin.getByTestId("chat-title")).toHaveText(customer);
  // Opening the chat gives the customer blue ticks, once.
  const markRead = `/messages/e2e-in-${suffix}`;
  await expect.poll(() => mock.puts.filter((p) => p.path === markRead).length).toBe(1);
  // Typing shows "typing…" to the customer.
  await admin.getByTestId("composer").pressSequentially("Baik kak, kami cek");
  await expect
    .poll(() => mock.puts.filter((p) => p.path === `/presences/${phone}` && JSON.parse(p.body).presence === "typing").length)
    .toBe(1);
  await admin.getByTestId("composer").press("Enter");
  await expect.poll(() => mock.sent.filter((m) => m.body === "Baik kak, kami cek").length).toBe(1);
  expect(mock.sent.find((m) => m.body === "Baik kak, kami cek")?.to).toBe(phone);
  expect(mock.puts.filter((p) => p.path === markRead).length).toBe(1);

  // A message that arrives while the tab is in the background is marked read when the tab
  // comes back to the front, not before.
  await admin.evaluate(() => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
    document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
  });
  const later = await request.post(webhookUrl, {
    data: {
      messages: [{
        id: `e2e-in2-${suffix}`, from_me: false, type: "text", chat_id: `${phone}@s.whatsapp.net`,
        timestamp: Math.floor(Date.now() / 1000), source: "mobile",
        text: { body: "masih di sana?" }, from: phone, from_name: customer,
      }],
      event: { type: "messages", event: "post" },
      channel_id: "MANTIS-E2E",
    },
  });
  expect(later.status()).toBe(200);
  await expect(admin.getByTestId("message").filter({ hasText: "masih di sana?" })).toBeVisible();
  await admin.evaluate(() => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => false });
    document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
  });
  await expect.poll(() => mock.puts.filter((p) => p.path === `/messages/e2e-in2-${suffix}`).length).toBe(1);

  // Buttons: the composer adds them under the text; a fourth cannot be added; Whapi gets its
  // format; the bubble shows them; the customer's tap shows its title under the quote.
  await admin.getByTestId("options-toggle").click();
  const titles = admin.getByTestId("option-title");
  await titles.nth(0).fill("Sudah sampai");
  await titles.nth(1).fill("Belum");
  await admin.getByTestId("option-add").click();
  await titles.nth(2).fill("Bicara dgn CS");
  await expect(admin.getByTestId("option-add")).toBeDisabled();
  await admin.getByTestId("composer").fill("Paketnya sudah sampai kak?");
  await admin.getByTestId("send").click();
  await expect.poll(() => mock.interactive.length).toBe(1);
  expect(mock.interactive[0].type).toBe("button");
  expect(mock.interactive[0].to).toBe(phone);
  expect(mock.interactive[0].body).toEqual({ text: "Paketnya sudah sampai kak?" });
  expect(mock.interactive[0].action.buttons.map((b: any) => b.title)).toEqual(["Sudah sampai", "Belum", "Bicara dgn CS"]);
  const menu = admin.getByTestId("message").filter({ hasText: "Paketnya sudah sampai kak?" });
  await expect(menu.getByTestId("option")).toHaveText(["Sudah sampai", "Belum", "Bicara dgn CS"]);
  await expect(admin.getByTestId("composer-options")).toBeHidden();
  const tap = await request.post(webhookUrl, {
    data: {
      messages: [{
        id: `e2e-tap-${suffix}`, from_me: false, type: "reply", chat_id: `${phone}@s.whatsapp.net`,
        timestamp: Math.floor(Date.now() / 1000), from: phone, from_name: customer,
        reply: { type: "buttons_reply", buttons_reply: { id: "ButtonsV3:Sudah sampai", title: "Sudah sampai" } },
        context: { quoted_id: "e2e-menu-1" },
      }],
      event: { type: "messages", event: "post" },
      channel_id: "MANTIS-E2E",
    },
  });
  expect(tap.status()).toBe(200);
  const answer = admin.getByTestId("message").filter({ has: admin.locator(".body", { hasText: /^Sudah sampai$/ }) });
  await expect(answer).toHaveAttribute("data-direction", "in");
  await expect(answer.getByTestId("quoted")).toContainText("Paketnya sudah sampai kak?");

  // The channel's behaviour switches: typing off, a 3 s bot reply delay; kept after a reload.
  await openHydrated(admin, "/admin/channels");
  await expect(admin.getByTestId("channel-list")).toHaveAttribute("data-synced", "true");
  const settings = card.getByTestId("channel-settings");
  await settings.getByTestId("setting-typing").uncheck();
  await settings.getByTestId("setting-reply-delay").fill("3");
  const saved = admin.waitForResponse((r) => r.url().includes("/admin/channels/settings"));
  await settings.getByTestId("save-settings").click();
  expect((await saved).status()).toBe(200);
  await openHydrated(admin, "/admin/channels");
  await expect(admin.getByTestId("channel-list")).toHaveAttribute("data-synced", "true");
  await expect(card.getByTestId("setting-typing")).not.toBeChecked();
  await expect(card.getByTestId("setting-read-receipts")).toBeChecked();
  await expect(card.getByTestId("setting-reply-delay")).toHaveValue("3");

  // What an admin is typing on a card survives the card's changes: disabling and enabling the
  // channel redraws its state and its button, not the open edit form nor an unsaved switch.
  const edit = card.locator("details.channel-edit");
  await edit.locator("summary").click();
  await edit.getByTestId("whapi-name").fill(`${channelName} baru`);
  await settings.getByTestId("setting-bot").uncheck();
  await card.getByTestId("toggle-channel").click();
  await expect(card.getByTestId("channel-state")).toHaveAttribute("data-state", "disabled");
  await expect(edit).toHaveAttribute("open", "");
  await expect(edit.getByTestId("whapi-name")).toHaveValue(`${channelName} baru`);
  await expect(settings.getByTestId("setting-bot")).not.toBeChecked();
  await card.getByTestId("toggle-channel").click();
  await expect(card.getByTestId("channel-state")).toHaveAttribute("data-state", "connected");
  await expect(edit.getByTestId("whapi-name")).toHaveValue(`${channelName} baru`);
  await expect(settings.getByTestId("setting-bot")).not.toBeChecked();
  // Saving the edit renames the card; its form shows the saved name.
  await edit.getByTestId("save-whapi").click();
  const renamed = admin.getByTestId(`channel-${channelName} baru`);
  await expect(renamed.getByTestId("channel-state")).toHaveAttribute("data-state", "connected");
  const renamedEdit = renamed.locator("details.channel-edit");
  await expect(renamedEdit.getByTestId("whapi-name")).toHaveValue(`${channelName} baru`);
  // A token saved again (its hint reads the same) leaves the field empty, as after any save.
  await renamedEdit.getByTestId("whapi-token").fill(token);
  const resaved = admin.waitForResponse((r) => r.url().includes("/admin/channels/save"));
  await renamedEdit.getByTestId("save-whapi").click();
  expect((await resaved).status()).toBe(200);
  await expect(renamedEdit.getByTestId("whapi-token")).toHaveValue("");
  await expect(renamedEdit.getByTestId("whapi-name")).toHaveValue(`${channelName} baru`);
  // The switch was not saved: a reload shows it as it is stored.
  await openHydrated(admin, "/admin/channels");
  await expect(admin.getByTestId("channel-list")).toHaveAttribute("data-synced", "true");
  await expect(renamed.getByTestId("setting-bot")).toBeChecked();

  await context.close();
  mock.server.close();
});
