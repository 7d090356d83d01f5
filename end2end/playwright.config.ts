// Browser tests against the debug server (built by `cargo leptos build`), on its own port and
// database. Chromium is Debian's (/usr/bin/chromium); Playwright never downloads a browser.
import { defineConfig } from "@playwright/test";

const port = 3100;

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  workers: 1,
  // No retries: a test that fails once fails the run. Failures keep a trace (test-results/).
  retries: 0,
  reporter: "list",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  projects: [{ name: "chromium" }],
  webServer: {
    command: "./target/debug/server",
    cwd: "..",
    url: `http://127.0.0.1:${port}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? "postgres://inbox_test:inbox_test@127.0.0.1:5432/inbox_e2e",
      INBOX_DEMO: "1",
      INBOX_DATA_DIR: "target/e2e-data",
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_OUTPUT_NAME: "inbox",
      RUST_LOG: "warn",
      // The webhook test's receiver listens on this machine.
      INBOX_WEBHOOK_ALLOW_PRIVATE: "true",
      // No connection tests on a timer: a channel an earlier test left behind (its mock gone)
      // would fail one at a random moment, and the change it announces refetches every open
      // list, which the tests that count fetches would see. Tests ask for a test when they
      // want one, as an admin does.
      INBOX_CHANNEL_CHECK_MINUTES: "0",
    },
  },
});
