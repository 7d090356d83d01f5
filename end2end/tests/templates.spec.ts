import { test, expect } from "@playwright/test";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { AddressInfo } from "node:net";
import { ADMIN, login, openHydrated, waitHydrated } from "./helpers";

const PHONE_NUMBER_ID = "106540352242922";
const WABA = "102290129340398";

/**
 * A mock of Meta's Graph API: the number's info (connection test), the business account's
 * templates (fixture `meta_template_list.json`), and `POST /{pnid}/messages`.
 */
function graphMock(token: string) {
  // Messages sent (read receipts, `status: "read"`, go to the same endpoint and are left out).
  const sent: any[] = [];
  // Files uploaded (`POST /{pnid}/media`, multipart), as text.
  const uploads: string[] = [];
  const templates = fs.readFileSync(path.join(__dirname, "..", "..", "whatsapp", "testdata", "graph", "meta_template_list.json"), "utf8");
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(typeof body === "string" ? body : JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${token}`) {
        return json(401, { error: { message: "Invalid OAuth access token", type: "OAuthException", code: 190 } });
      }
      const url = new URL(req.url ?? "/", "http://x");
      if (req.method === "GET" && url.pathname === `/v25.0/${PHONE_NUMBER_ID}`) {
        return json(200, { display_phone_number: "+62 812-3450-0000", verified_name: "Toko Sinar", quality_rating: "GREEN", status: "CONNECTED", id: PHONE_NUMBER_ID });
      }
      if (req.method === "GET" && url.pathname === `/v25.0/${WABA}/message_templates`) {
        return json(200, templates);
      }
      if (req.method === "POST" && url.pathname === `/v25.0/${PHONE_NUMBER_ID}/media`) {
        uploads.push(raw);
        return json(200, { id: `e2e-media-${uploads.length}` });
      }
      if (req.method === "POST" && url.pathname === `/v25.0/${PHONE_NUMBER_ID}/messages`) {
        const body = JSON.parse(raw);
        if (body.status === "read") {
          return json(200, { success: true });
        }
        sent.push(body);
        return json(200, { messaging_product: "whatsapp", contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: `wamid.e2e${sent.length}` }] });
      }
      json(404, { error: { message: "Unknown path", type: "GraphMethodException", code: 100 } });
    });
  });
  return { server, sent, uploads };
}

// A Meta chat whose customer last wrote 25 hours ago: the composer offers the synced templates
// instead of free text; an empty variable is refused by name; the preview is the text the
// customer gets; the template reaches Meta in its format and the bubble shows the text.
test("past the 24-hour window a Meta chat offers templates and sends one", async ({ browser, request }) => {
  test.setTimeout(60_000);
  const token = "e2e-meta-token-0123456789";
  const appSecret = "e2e-meta-app-secret";
  const mock = graphMock(token);
  await new Promise<void>((ok) => mock.server.listen(0, "127.0.0.1", ok));
  const graphUrl = `http://127.0.0.1:${(mock.server.address() as AddressInfo).port}/v25.0`;
  const suffix = Date.now() % 100000;
  const channelName = `Meta Sinar ${suffix}`;

  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const admin = await context.newPage();
  await login(admin, ADMIN.username, ADMIN.password);
  await expect(admin.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  await openHydrated(admin, "/admin/channels");
  const add = admin.getByTestId("add-meta");
  await add.locator("summary").click();
  await add.locator('input[name="name"]').fill(channelName);
  await add.locator('input[name="phone_number_id"]').fill(`${PHONE_NUMBER_ID}`);
  await add.locator('input[name="business_account_id"]').fill(WABA);
  await add.locator('input[name="graph_url"]').fill(graphUrl);
  await add.locator('input[name="access_token"]').fill(token);
  await add.locator('input[name="app_secret"]').fill(appSecret);
  // The card's template count is held back: "Sync templates" must not move when it arrives (it
  // did, and a click meant for it landed on the count).
  let releaseCounts!: () => void;
  const counts = new Promise<void>((resolve) => (releaseCounts = resolve));
  let countsAsked = 0;
  await admin.route("**/api/admin/channels/templates", async (route) => {
    countsAsked++;
    const response = await route.fetch();
    await counts;
    await route.fulfill({ response });
  });
  await add.getByTestId("save-channel").click();
  const card = admin.getByTestId(`channel-${channelName}`);
  await expect(card.getByTestId("channel-state")).toHaveAttribute("data-state", "connected");
  await expect.poll(() => countsAsked).toBeGreaterThanOrEqual(1);
  const sync = card.getByTestId("sync-templates");
  const before = await sync.boundingBox();
  expect(before).not.toBeNull();
  releaseCounts();
  await expect(card.getByTestId("template-count")).toContainText("0 approved of 0");
  expect(await sync.boundingBox()).toEqual(before);

  // "Sync templates" stores Meta's three templates.
  await card.getByTestId("sync-templates").click();
  await expect(card.getByTestId("template-count")).toContainText("3 approved of 3");
  const webhookUrl = await card.getByTestId("webhook-url").inputValue();

  // The customer's last message is 25 hours old.
  const customer = `Rina ${suffix}`;
  const phone = `62814${String(Date.now()).slice(-7)}`;
  const body = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{ id: WABA, changes: [{ field: "messages", value: {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "6281234500000", phone_number_id: PHONE_NUMBER_ID },
      contacts: [{ profile: { name: customer }, wa_id: phone }],
      messages: [{ from: phone, id: `wamid.old${suffix}`, timestamp: String(Math.floor(Date.now() / 1000) - 25 * 3600),
                   type: "text", text: { body: "Pesanan saya INV-2231 sudah diproses?" } }],
    } }] }],
  });
  const signature = "sha256=" + crypto.createHmac("sha256", appSecret).update(body).digest("hex");
  const res = await request.post(webhookUrl, { data: body, headers: { "content-type": "application/json", "x-hub-signature-256": signature } });
  expect(res.status()).toBe(200);

  await openHydrated(admin, "/inbox");
  await admin.getByTestId("tab-all").click();
  // Its last message is a day old: other tests' chats may fill the first page, so search for it.
  await admin.getByTestId("search").fill(customer);
  await admin.getByTestId("search").press("Enter");
  await admin.getByTestId("chat-row").filter({ hasText: customer }).getByRole("link").click();
  await expect(admin.getByTestId("chat-title")).toHaveText(customer);
  await waitHydrated(admin);
  // No free text past the window: the composer is a template picker.
  const picker = admin.getByTestId("template-picker");
  await expect(picker).toBeVisible();
  await expect(admin.getByTestId("composer")).toHaveCount(0);
  await picker.getByTestId("template-select").selectOption({ label: "konfirmasi_pesanan (id, utility)" });
  const fields = picker.getByTestId("template-var");
  await expect(fields).toHaveCount(2);
  await expect(fields.nth(0)).toHaveAttribute("placeholder", "Rina");
  await fields.nth(0).fill("Rina");
  // An empty variable is refused before anything is sent, by name.
  await picker.getByTestId("template-send").click();
  await expect(picker.locator(".error")).toContainText("{{2}}");
  expect(mock.sent.length).toBe(0);
  await fields.nth(1).fill("INV-2231");
  const text = "Halo Rina, pesanan INV-2231 sudah kami terima dan sedang kami proses. Terima kasih sudah belanja di Toko Sinar!\n\nToko Sinar";
  await expect(picker.getByTestId("template-preview")).toHaveText(text);
  await picker.getByTestId("template-send").click();

  await expect.poll(() => mock.sent.length).toBe(1);
  expect(mock.sent[0].type).toBe("template");
  expect(mock.sent[0].template).toEqual({
    name: "konfirmasi_pesanan", language: { code: "id" },
    components: [{ type: "body", parameters: [{ type: "text", text: "Rina" }, { type: "text", text: "INV-2231" }] }],
  });
  const bubble = admin.getByTestId("messages").getByTestId("message").filter({ hasText: "pesanan INV-2231 sudah kami terima" });
  await expect(bubble).toHaveAttribute("data-status", "sent");
  await expect(bubble.locator(".body")).toHaveText(text);

  // A template with a photo header: the agent attaches the photo instead of giving a link.
  await picker.getByTestId("template-select").selectOption({ label: "promo_gajian_gambar (id, marketing)" });
  await picker.getByTestId("template-file").setInputFiles(path.join(__dirname, "..", "fixtures", "receipt.png"));
  await expect(picker.getByTestId("template-file-name")).toContainText("receipt.png");
  const promoFields = picker.getByTestId("template-var");
  await promoFields.nth(1).fill("Budi");
  await expect(picker.getByTestId("template-preview")).toContainText("Hai Budi! Promo gajian");
  await expect(picker.getByTestId("template-preview")).not.toContainText("receipt.png");
  await picker.getByTestId("template-send").click();
  await expect.poll(() => mock.sent.length).toBe(2);
  expect(mock.uploads.length).toBe(1);
  expect(mock.uploads[0]).toContain("image/png");
  expect(mock.sent[1].template.components[0]).toEqual({ type: "header", parameters: [{ type: "image", image: { id: "e2e-media-1" } }] });
  const promo = admin.getByTestId("messages").getByTestId("message").filter({ hasText: "Hai Budi! Promo gajian" });
  await expect(promo).toHaveAttribute("data-status", "sent");
  await expect.poll(() => promo.getByTestId("media-image").evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(64);

  await context.close();
  mock.server.close();
});
