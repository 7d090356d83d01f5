import { test, expect } from "@playwright/test";
import { Validator } from "@seriousme/openapi-schema-validator";
import * as http from "node:http";
import * as crypto from "node:crypto";
import { ADMIN, login, openHydrated, sandboxPhone } from "./helpers";

/** An admin signed in, in a context of their own. */
async function adminPage(browser: import("@playwright/test").Browser) {
  const context = await browser.newContext();
  const admin = await context.newPage();
  await login(admin, ADMIN.username, ADMIN.password);
  await expect(admin.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  return { context, admin };
}

// The playground sends through the API as a key: a text and a photo reach the sandbox phone,
// the answer and the same call as curl show beside the form, and the log follows their states
// live until the phone has them.
test("an admin makes a key and the playground sends a text and a photo the log shows delivered", async ({ browser }) => {
  const { context, admin } = await adminPage(browser);
  await openHydrated(admin, "/admin/api-keys");
  const name = `Playground ${Date.now() % 100000}`;
  await admin.getByTestId("api-key-name").fill(name);
  await admin.getByTestId("create-api-key").click();
  await expect(admin.getByTestId("new-key-value")).toHaveText(/^ik_[0-9a-f]{48}$/);
  const key = (await admin.getByTestId("new-key-value").textContent()) ?? "";

  await openHydrated(admin, "/admin/playground");
  await admin.getByTestId("pg-key").selectOption({ label: `${name} (${key.slice(0, 11)}…)` });
  await admin.getByTestId("pg-channel").selectOption({ label: "Sandbox" });
  const local = String(10_000_000 + (Date.now() % 89_999_999)).slice(0, 8);
  const number = `62813${local}`;
  await admin.getByTestId("pg-to").fill(`0813 ${local.slice(0, 4)} ${local.slice(4)}`);
  await expect(admin.getByTestId("pg-normalised")).toHaveText(`→ ${number}`);
  const text = `Pesanan ${local} sudah dikirim`;
  await admin.getByTestId("pg-text").fill(text);
  await expect(admin.getByTestId("pg-curl")).toContainText(`X-API-KEY: ${key.slice(0, 11)}…`);
  await expect(admin.getByTestId("pg-curl")).toContainText("/api/v1/messages");
  await admin.getByTestId("pg-send").click();
  await expect(admin.getByTestId("pg-answer")).toContainText('"status": "queued"');

  await admin.getByTestId("pg-kind-image").check();
  await admin.getByTestId("pg-file").setInputFiles("fixtures/receipt.png");
  await expect(admin.getByTestId("pg-base64")).toHaveValue(/^data:image\/png;base64,/);
  const caption = `Resi ${local}`;
  await admin.getByTestId("pg-text").fill(caption);
  await admin.getByTestId("pg-send").click();
  await expect(admin.getByTestId("pg-log-row").filter({ hasText: caption })).toHaveCount(1);

  // The customer's phone shows both; the log says so without a reload.
  const phone = await sandboxPhone(browser, "Pembeli", number);
  await expect(phone.getByTestId("sandbox-messages")).toContainText(text);
  await expect(phone.getByTestId("sandbox-messages").locator("img")).toHaveCount(1);
  const sent = admin.getByTestId("pg-log-row").filter({ hasText: text });
  const photo = admin.getByTestId("pg-log-row").filter({ hasText: caption });
  await expect(sent).toHaveAttribute("data-status", /^(delivered|read)$/);
  await expect(photo).toHaveAttribute("data-status", /^(delivered|read)$/);
  await expect(photo).toHaveAttribute("data-kind", "image");
  await context.close();
  await phone.context().close();
});

// The OpenAPI document validates against the OpenAPI 3.1 schema.
test("the OpenAPI document validates", async ({ request }) => {
  const res = await request.get("/api/v1/openapi.json");
  expect(res.status()).toBe(200);
  const doc = await res.json();
  expect(doc.openapi).toBe("3.1.0");
  const validator = new Validator();
  const result = await validator.validate(doc);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
});

// An admin adds a webhook endpoint (a receiver on this machine; the tests allow private
// addresses) and sends a test event: it arrives signed over its raw body and the log says so.
test("an admin adds a webhook endpoint and its test event arrives signed", async ({ browser }) => {
  const received: { body: Buffer; signature: string; id: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({
        body: Buffer.concat(chunks),
        signature: String(req.headers["x-signature"] ?? ""),
        id: String(req.headers["x-webhook-id"] ?? ""),
      });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as import("node:net").AddressInfo).port;
  const secret = `e2e-secret-${Date.now()}`;
  const { context, admin } = await adminPage(browser);
  await openHydrated(admin, "/admin/webhooks");
  await admin.getByTestId("webhook-url-input").fill(`http://127.0.0.1:${port}/hook`);
  await admin.getByTestId("webhook-secret-input").fill(secret);
  await admin.getByTestId("create-webhook").click();
  await expect(admin.getByTestId("new-webhook-secret")).toHaveText(secret);
  const endpoint = admin.getByTestId("webhook").filter({ hasText: `127.0.0.1:${port}` });
  await endpoint.getByTestId("webhook-test").click();
  await expect(endpoint.getByTestId("delivery").filter({ hasText: "webhook.test" })).toHaveAttribute("data-state", "delivered");
  const test = received.find((r) => JSON.parse(r.body.toString()).event === "webhook.test")!;
  expect(test.signature).toBe(crypto.createHmac("sha256", secret).update(test.body).digest("hex"));
  expect(JSON.parse(test.body.toString()).id).toBe(test.id);
  await context.close();
  server.close();
});
