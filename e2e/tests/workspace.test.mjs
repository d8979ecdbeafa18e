// The agent's day in the workspace, once in Chinese and once in English:
// sign in, filter the inbox, open a ticket, reply with a canned response,
// add a note, hand off to the warehouse (who sees the note pinned), change
// the status, and watch a colleague's browser update live.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, signIn, shot, BASE } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const langs = [
  { locale: "zh-CN", reply: "回复客户", status: "已解决", warehouse: "仓库", transfer: "转交", note: "请仓库核实这批货的颜色" },
  { locale: "en-US", reply: "Public reply", status: "Solved", warehouse: "仓库", transfer: "Transfer", note: "Warehouse: please check the batch colour" },
];

for (const L of langs) {
  test(`agent flow in ${L.locale}`, async () => {
    const { ctx, page } = await signIn(browser, "agent@demo.test", L.locale);
    // The user's own setting wins over the browser's; switch it in the header.
    const want = L.locale === "en-US" ? "en" : "zh-CN";
    if ((await page.getAttribute("html", "lang")) !== want) {
      await Promise.all([page.waitForLoadState("load"), page.click(".top .me button.link >> nth=0")]);
    }
    assert.equal(await page.getAttribute("html", "lang"), want);
    // The inbox: rows and live counts.
    await page.goto(BASE + "/?view=all");
    const rows = page.locator("tr[data-href]");
    assert.ok(await rows.count() > 5, "the demo inbox has tickets");
    await shot(page, `inbox-${L.locale}`);
    // Filter: only email tickets.
    await page.selectOption("select[name=channel]", "email");
    await Promise.all([page.waitForURL(/channel=email/), page.click("#filters button")]);
    const n = await rows.count();
    assert.ok(n > 0, "some email tickets");
    assert.equal(await page.locator("tr[data-href] .ch-email").count(), n, "every row is an email ticket");
    // Open the first ticket with the keyboard.
    await page.keyboard.press("j");
    await Promise.all([page.waitForURL(/\/tickets\/\d+$/), page.keyboard.press("Enter")]);
    const url = page.url();
    // A canned response with its placeholders filled in.
    await page.click("#canned summary");
    await page.fill("#canned input[type=search]", "hi");
    const hi = page.locator("#canned-list [data-insert]", { hasText: "/hi" }).first();
    await hi.waitFor();
    await hi.click();
    const text = await page.inputValue("#body");
    assert.ok(text.length > 10 && !text.includes("{{"), `placeholders filled: ${text}`);
    // A colleague (the lead) has the same ticket open.
    const lead = await signIn(browser, "lead@demo.test", L.locale);
    await lead.page.goto(url);
    const before = await lead.page.locator("article.msg").count();
    await page.waitForTimeout(300);
    // Send the reply.
    await Promise.all([page.waitForURL(url), page.click("#send")]);
    await page.locator("article.msg-reply").last().waitFor();
    assert.ok((await page.locator("article.msg-reply").last().innerText()).includes(text.slice(0, 8)));
    // The colleague sees it appear without reloading.
    await lead.page.waitForFunction((n) => document.querySelectorAll("article.msg").length > n, before, { timeout: 8000 });
    await lead.ctx.close();
    // An internal note.
    await page.keyboard.press("n");
    await page.fill("#body", "内部备注 internal note " + L.locale);
    await Promise.all([page.waitForURL(url), page.click("#send")]);
    assert.ok((await page.locator("article.msg-note").last().innerText()).includes("internal note " + L.locale));
    await shot(page, `ticket-${L.locale}`);
    // Hand off to the warehouse with a note.
    await page.click("#transfer summary");
    await page.locator("#transfer select[name=to_team_id]").selectOption({ label: L.warehouse });
    await page.fill("#transfer textarea[name=note]", L.note);
    await Promise.all([page.waitForURL(url), page.click("#transfer button.primary")]);
    assert.ok((await page.locator(".pinned").innerText()).includes(L.note));
    // The warehouse user sees the ticket with the note pinned.
    const wh = await signIn(browser, "warehouse@demo.test", L.locale);
    await wh.page.goto(url);
    assert.ok((await wh.page.locator(".pinned").innerText()).includes(L.note), "pinned for the receiver");
    await shot(wh.page, `handoff-${L.locale}`);
    await wh.ctx.close();
    // Change the status inline.
    await page.selectOption(".props select[name=status]", "solved");
    await page.waitForTimeout(500);
    await page.reload();
    assert.equal(await page.locator(".props select[name=status]").inputValue(), "solved");
    assert.ok((await page.locator(".thead .st").innerText()).includes(L.status));
    await ctx.close();
  });
}

test("signed out visitors go to the sign-in page, and a wrong password is refused", async () => {
  const ctx = await browser.newContext({ locale: "en-US" });
  const page = await ctx.newPage();
  await page.goto(BASE + "/");
  assert.ok(page.url().startsWith(BASE + "/login"));
  await page.fill("input[name=email]", "agent@demo.test");
  await page.fill("input[name=password]", "wrong");
  await page.click("button.primary");
  assert.ok((await page.locator(".error").innerText()).length > 0);
  await ctx.close();
});
