// Merge from the ticket page's panel: a customer writes twice, the lead sees
// the other open ticket beside the first and merges it in one click; the
// merged ticket then points to the survivor and the customer is told once.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, signIn, shot, BASE, api, TOKEN } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("merge a duplicate from the customer panel", { skip: !TOKEN && "KEFU_TOKEN not set" }, async () => {
  const email = `dup-${Date.now()}@example.cn`;
  const customer = { name: "重复顾客", email, language: "zh-CN" };
  const first = await api("POST", "/api/v1/tickets", { subject: "耳机没声音", channel: "email", customer, message: { body: "左耳没声音" } });
  const second = await api("POST", "/api/v1/tickets", { subject: "耳机没声音（再问）", channel: "email", customer, message: { body: "怎么还没回复" } });
  const survivorID = (first.ticket || first).id, dupID = (second.ticket || second).id;

  const { ctx, page } = await signIn(browser, "lead@demo.test", "zh-CN");
  page.on("dialog", (d) => d.accept());
  await page.goto(BASE + "/tickets/" + survivorID);
  const form = page.locator(`#relations form:has(input[name=source_id][value="${dupID}"])`);
  await form.waitFor();
  await shot(page, "merge-panel-zh-CN");
  await Promise.all([page.waitForURL(BASE + "/tickets/" + survivorID), form.locator("button").click()]);
  // The duplicate's message moved here, with one notice to the customer.
  assert.ok((await page.locator("#conversation").innerText()).includes("怎么还没回复"));
  assert.equal(await page.locator("article.msg-reply", { hasText: "统一处理" }).count(), 1);
  // The merged ticket points to the survivor.
  await page.goto(BASE + "/tickets/" + dupID);
  const banner = page.locator(".banner.merged a");
  assert.equal(await banner.getAttribute("href"), "/tickets/" + survivorID);
  // The shortcut overlay opens with ? and closes with Escape.
  await page.keyboard.press("?");
  assert.ok(await page.locator("#shortcuts").isVisible());
  await page.keyboard.press("Escape");
  assert.ok(!(await page.locator("#shortcuts").isVisible()));
  // The pages around the workspace, for a look at the artefacts.
  for (const [path, name] of [["/customers", "customers"], ["/settings", "settings"], ["/admin/categories", "categories"]]) {
    await page.goto(BASE + path);
    assert.equal(await page.locator(".page h1").count(), 1, path);
    await shot(page, name);
  }
  await ctx.close();
});
