import { test, expect } from "@playwright/test";
import * as path from "path";
import { AGENT, login, newCustomer, say, waitHydrated } from "./helpers";

const fixture = (name: string) => path.join(__dirname, "..", "fixtures", name);

// Files both ways through the sandbox channel, with the conversation open while they arrive:
// the photo's bubble turns from "Loading…" into the picture live, the voice note plays in the
// page, the agent's quoted reply and PDF reach the phone.
test("photos, voice notes and documents go both ways, and a reply quotes the customer's message", async ({ browser }) => {
  const { name, phone } = await newCustomer(browser, "Tari");
  await say(phone, "Halo, saya mau kirim bukti transfer");

  const context = await browser.newContext();
  const agent = await context.newPage();
  await login(agent, AGENT.username, AGENT.password);
  await expect(agent.getByTestId("inbox")).toHaveAttribute("data-ready", "true");
  await agent.getByTestId("tab-unassigned").click();
  await agent.getByTestId("chat-row").filter({ hasText: name }).getByRole("link").click();
  await expect(agent.getByTestId("chat-title")).toHaveText(name);
  await waitHydrated(agent);
  const messages = agent.getByTestId("messages");

  // The customer sends a photo with a caption, then a voice note.
  await phone.getByTestId("sandbox-attach").setInputFiles(fixture("receipt.png"));
  await expect(phone.getByTestId("sandbox-file")).toContainText("receipt.png");
  await phone.getByTestId("sandbox-text").fill("Ini buktinya");
  await phone.getByTestId("sandbox-send").click();
  await expect(phone.getByTestId("sandbox-file")).toHaveCount(0);
  await phone.getByTestId("sandbox-attach").setInputFiles(fixture("voice-note.ogg"));
  await phone.getByTestId("sandbox-send").click();
  await expect(phone.getByTestId("sandbox-file")).toHaveCount(0);

  // The agent sees the thumbnail, decoded (not a broken image)...
  const photo = messages.getByTestId("message").filter({ hasText: "Ini buktinya" });
  const img = photo.getByTestId("media-image");
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(64);
  // ...and plays the voice note in the page.
  const audio = messages.getByTestId("media-audio");
  await expect(audio).toHaveAttribute("data-voice", "true");
  await audio.evaluate((el: HTMLAudioElement) => {
    el.muted = true;
    return el.play();
  });
  await expect.poll(() => audio.evaluate((el: HTMLAudioElement) => el.currentTime)).toBeGreaterThan(0);

  // The agent replies to the photo: the reply shows the quote, and so does the phone.
  await photo.hover();
  await photo.getByTestId("reply-to").click();
  await expect(agent.getByTestId("composer-quote")).toContainText("Ini buktinya");
  await agent.getByTestId("composer").fill("Sudah kami terima, kak");
  await agent.getByTestId("composer").press("Enter");
  await expect(agent.getByTestId("composer-quote")).toHaveCount(0);
  const reply = messages.getByTestId("message").filter({ hasText: "Sudah kami terima" });
  await expect(reply.getByTestId("quoted")).toContainText("Ini buktinya");
  const phoneReply = phone.getByTestId("sandbox-messages").getByTestId("message").filter({ hasText: "Sudah kami terima" });
  await expect(phoneReply.getByTestId("quoted")).toContainText("Ini buktinya");

  // The agent sends a PDF with a caption; the phone shows it and can open it.
  await agent.getByTestId("attach").setInputFiles(fixture("invoice.pdf"));
  await expect(agent.getByTestId("composer-file")).toContainText("invoice.pdf");
  await agent.getByTestId("composer").fill("Invoicenya, kak");
  await agent.getByTestId("send").click();
  await expect(agent.getByTestId("composer-file")).toHaveCount(0);
  const sent = messages.getByTestId("message").filter({ hasText: "Invoicenya, kak" });
  await expect(sent.getByTestId("media-document")).toContainText("invoice.pdf");
  await expect(sent).toHaveAttribute("data-status", /sent|delivered|read/);
  const phoneDoc = phone.getByTestId("sandbox-messages").getByTestId("media-document");
  await expect(phoneDoc).toContainText("invoice.pdf");
  const href = await phoneDoc.getAttribute("href");
  const file = await phone.request.get(href!);
  expect(file.status()).toBe(200);
  expect(file.headers()["content-type"]).toBe("application/pdf");

  // A file WhatsApp does not carry is refused before it is uploaded, with the reason.
  await agent.getByTestId("attach").setInputFiles({ name: "setup.exe", mimeType: "application/x-msdownload", buffer: Buffer.from("MZ") });
  await expect(agent.locator(".error")).toContainText("does not carry this type of file");
  await expect(agent.getByTestId("composer-file")).toHaveCount(0);

  await phone.context().close();
  await context.close();
});
