// Shared helpers for kefu's browser tests.
import { chromium } from "playwright-core";
import fs from "node:fs";

export const BASE = process.env.KEFU_URL || "http://127.0.0.1:8080";
export const ARTIFACTS = new URL("./artifacts/", import.meta.url).pathname;
fs.mkdirSync(ARTIFACTS, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

// signIn opens a new context in the given browser language and signs in.
export async function signIn(browser, email, locale) {
  const ctx = await browser.newContext({ locale, viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  await page.goto(BASE + "/login");
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", "demo");
  await Promise.all([page.waitForURL(BASE + "/"), page.click("button.primary")]);
  return { ctx, page };
}

export async function shot(page, name) {
  await page.screenshot({ path: ARTIFACTS + name + ".png", fullPage: false });
}

// TOKEN is the admin API token run.sh makes; tests that need the API skip without it.
export const TOKEN = process.env.KEFU_TOKEN;

// api calls the REST API with TOKEN and returns the JSON answer, throwing on
// an error status so a test fails where the call did.
export async function api(method, path, body) {
  const res = await fetch(BASE + path, {
    method, headers: { Authorization: "Bearer " + TOKEN, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}
