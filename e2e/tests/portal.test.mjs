// The customer portal on a phone, in Chinese and English: a buyer signs in
// with an order number and phone or email, opens a colour-difference
// request with a photo and sees at once that it is eligible and that an
// exchange is suggested; the agent (through the API) approves the exchange;
// the buyer enters the return tracking number; the warehouse passes the
// inspection; kefu's signed webhook reaches the shop's system, which
// confirms through the signed callback; the buyer sees every step and
// rates it. A request outside the policy is refused with the reason.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import crypto from "node:crypto";
import zlib from "node:zlib";
import { launch, shot, BASE, api } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// A demo order the buyer can sign in with: delivered `minDays`–`maxDays`
// ago, with no case yet, and the contact to type. The demo shop is drawn
// relative to now, so the test looks rather than hard-coding an order.
async function demoOrder(minDays, maxDays) {
  const now = Date.now();
  let cursor = "";
  for (let pages = 0; pages < 20; pages++) {
    const page = await api("GET", "/api/v1/orders?limit=200" + (cursor ? "&cursor=" + cursor : ""));
    for (const o of page.items) {
      if (!o.delivered_at || !o.items.length) continue;
      const days = (now - Date.parse(o.delivered_at)) / 86400000;
      if (days < minDays || days > maxDays) continue;
      if ((await api("GET", `/api/v1/cases?order_id=${o.id}`)).items.length) continue;
      const c = await api("GET", `/api/v1/customers/${o.customer_id}`);
      const id = c.identities.find((i) => i.kind === "phone") || c.identities.find((i) => i.kind === "email");
      if (id) return { order: o, contact: id.value };
    }
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  throw new Error(`no demo order delivered ${minDays}–${maxDays} days ago without a case`);
}

// A small PNG: a blue-grey gradient, like a photo of a shirt.
function photo() {
  const w = 120, h = 90, rows = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) row.set([40 + y, 70 + x / 3, 130], 1 + x * 3);
    rows.push(row);
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32 ? zlib.crc32(body) : crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0))]);
}

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (const b of buf) { c = (crc ^ b) & 0xff; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; crc = (crc >>> 8) ^ c; }
  return (crc ^ 0xffffffff) >>> 0;
}

// The shop's system: accepts kefu's signed webhook and confirms it through
// the signed callback, as a real shop would.
async function shopSystem(secret) {
  const seen = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", async () => {
      const sig = Object.fromEntries(req.headers["x-kefu-signature"].split(",").map((p) => p.split("=")));
      const mac = crypto.createHmac("sha256", secret).update(sig.t + "." + body).digest("hex");
      seen.push({ event: req.headers["x-kefu-event-id"], valid: mac === sig.v1 });
      res.writeHead(mac === sig.v1 ? 202 : 401).end();
      if (mac !== sig.v1) return;
      const confirm = JSON.stringify({ event_id: JSON.parse(body).event_id, reference: "EX-E2E-1" });
      const t = Math.floor(Date.now() / 1000);
      const v1 = crypto.createHmac("sha256", secret).update(t + "." + confirm).digest("hex");
      await fetch(BASE + "/api/v1/cases/confirmations", { method: "POST", body: confirm,
        headers: { "Content-Type": "application/json", "X-Kefu-Signature": `t=${t},v1=${v1}` } });
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { server, seen, url: `http://127.0.0.1:${server.address().port}/kefu` };
}

async function phone(locale) {
  const ctx = await browser.newContext({ locale, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  return { ctx, page };
}

async function portalSignIn(page, order, contact) {
  await page.goto(BASE + "/portal/");
  await page.fill("input[name=order]", order);
  await page.fill("input[name=contact]", contact);
  await Promise.all([page.waitForURL(BASE + "/portal/orders"), page.click("[data-testid=signin-form] button.primary")]);
}

test("a colour-difference request from the portal to a rated exchange", { timeout: 120000 }, async () => {
  const { order, contact } = await demoOrder(0.2, 6);
  const hook = await api("PUT", "/api/v1/aftersale/webhook", { url: "http://127.0.0.1:1/unset" });
  const shop = await shopSystem(hook.secret);
  await api("PUT", "/api/v1/aftersale/webhook", { url: shop.url });
  const { ctx, page } = await phone("zh-CN");
  await portalSignIn(page, order.number, contact);
  await page.goto(BASE + "/portal/orders?lang=zh-CN"); // the page's language, whatever the buyer's setting
  await shot(page, "portal-orders-zh-CN");
  await Promise.all([page.waitForURL(/\/request$/), page.click(`[data-testid=request-${order.number}]`)]);
  await page.selectOption("[data-testid=reason]", "product.colour_difference");
  await page.check("input[name=kind][value=return_refund]");
  await page.fill("[data-testid=description]", "收到的衣服颜色比详情页深很多");
  await page.setInputFiles("[data-testid=photos]", { name: "colour.png", mimeType: "image/png", buffer: photo() });
  // The live check: eligible, and an exchange at the shop's cost is suggested.
  await page.locator("[data-testid=decision][data-eligible=true]").waitFor();
  assert.match(await page.locator("[data-testid=recommended]").innerText(), /换货/);
  await page.locator("[data-testid=decision]").scrollIntoViewIfNeeded();
  await shot(page, "portal-request-checked-zh-CN");
  await Promise.all([page.waitForURL(/\/portal\/cases\/\d+$/), page.click("[data-testid=submit]")]);
  const caseID = Number(page.url().split("/").pop());
  assert.equal((await page.locator("[data-testid=case-status]").innerText()).trim(), "已提交");

  // The agent's side, through the API: the recommended exchange, approved.
  const detail = await api("GET", `/api/v1/cases/${caseID}`);
  assert.equal(detail.channel, "portal");
  assert.equal(detail.decision.recommended.kind, "exchange");
  assert.equal(detail.evidence.length, 1);
  await api("POST", `/api/v1/cases/${caseID}/transitions`, { to: "approved", kind: "exchange" });

  await page.reload();
  await page.fill("[data-testid=tracking-form] input[name=tracking_number]", "SF1400000000042");
  await Promise.all([page.waitForURL(BASE + `/portal/cases/${caseID}`), page.click("[data-testid=tracking-form] button")]);
  assert.equal((await page.locator("[data-testid=case-status]").innerText()).trim(), "等待退货到仓");
  await shot(page, "portal-case-awaiting-return-zh-CN");

  // The warehouse receives and passes the inspection; kefu sends the exchange to the shop.
  await api("POST", `/api/v1/cases/${caseID}/transitions`, { to: "received" });
  const task = (await api("GET", `/api/v1/case-tasks?case_id=${caseID}&status=open`)).items.find((t) => t.kind === "inspect");
  assert.ok(task, "an inspection task for the warehouse");
  await api("POST", `/api/v1/case-tasks/${task.id}/complete`, { result: "pass", answer: "吊牌完好，确认色差" });
  let executed;
  for (let i = 0; i < 40 && !executed; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const c = await api("GET", `/api/v1/cases/${caseID}`);
    if (c.status === "executed") executed = c;
  }
  assert.ok(executed, "the shop confirmed the exchange");
  assert.equal(executed.shop_reference, "EX-E2E-1");
  assert.ok(shop.seen.length >= 1 && shop.seen.every((s) => s.valid), "every webhook was signed");

  // The buyer sees each step and rates it.
  await page.reload();
  assert.match(await page.locator("[data-testid=timeline]").innerText(), /新的商品已经为您发出/);
  await page.check("[data-testid=rate-form] input[name=rating][value='5']");
  await Promise.all([page.waitForURL(BASE + `/portal/cases/${caseID}`), page.click("[data-testid=rate-form] button")]);
  assert.equal((await page.locator("[data-testid=case-status]").innerText()).trim(), "已完成");
  await shot(page, "portal-case-completed-zh-CN");
  await Promise.all([page.waitForLoadState("load"), page.click("[data-testid=lang-switch]")]);
  assert.equal((await page.locator("[data-testid=case-status]").innerText()).trim(), "Completed");
  await shot(page, "portal-case-completed-en");

  await ctx.close();
  shop.server.close();
  await api("PUT", "/api/v1/aftersale/webhook", { url: "" });
});

test("a request outside the policy is refused with the reason, in English", async () => {
  const { order, contact } = await demoOrder(9, 60);
  const { ctx, page } = await phone("en-US");
  await portalSignIn(page, order.number, contact);
  await page.goto(BASE + "/portal/orders?lang=en");
  await Promise.all([page.waitForURL(/\/request$/), page.click(`[data-testid=request-${order.number}]`)]);
  await page.selectOption("[data-testid=reason]", "buyer.seven_day_return");
  await page.check("input[name=kind][value=return_refund]");
  await page.fill("[data-testid=description]", "I changed my mind");
  await page.locator("[data-testid=decision][data-eligible=false]").waitFor();
  assert.match(await page.locator("[data-testid=decision]").innerText(), /no-reason window closed/);
  await page.click("[data-testid=submit]");
  await page.locator("[data-testid=decision][data-eligible=false]").waitFor();
  assert.ok(page.url().endsWith("/request"), "still on the form");
  await page.locator("[data-testid=decision]").scrollIntoViewIfNeeded();
  await shot(page, "portal-refused-en");
  const cases = (await api("GET", `/api/v1/cases?order_id=${order.id}`)).items;
  assert.equal(cases.length, 0, "nothing was created");
  await ctx.close();
});
