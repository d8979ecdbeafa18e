// Deadlines in the workspace: the inbox shows when each ticket is due, the
// "at risk" view lists what passes soonest, and a ticket page shows its SLA
// targets and promises; an agent promises a follow-up in two hours and
// sees it there. In Chinese and in English, with screenshots.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, signIn, shot, BASE } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const L of [{ locale: "zh-CN", first: "首次响应", promises: "承诺" }, { locale: "en-US", first: "First response", promises: "Promises" }]) {
  test(`due times, at risk and promises in ${L.locale}`, async () => {
    const { ctx, page } = await signIn(browser, "lead@demo.test", L.locale);
    const want = L.locale === "en-US" ? "en" : "zh-CN";
    if ((await page.getAttribute("html", "lang")) !== want) {
      await Promise.all([page.waitForLoadState("load"), page.click(".top .me button.link >> nth=0")]);
    }
    await page.goto(BASE + "/?view=all");
    assert.ok(await page.locator("tr[data-href] .due-badge").count() > 0, "the inbox shows due times");
    await shot(page, `deadlines-inbox-${L.locale}`);
    await page.goto(BASE + "/?view=at_risk");
    const risks = page.locator("table.risks tr[data-href]");
    assert.ok(await risks.count() > 0, "the at-risk view lists deadlines");
    await shot(page, `deadlines-at-risk-${L.locale}`);
    // Open the deadline that passes first.
    await Promise.all([page.waitForURL(/\/tickets\/\d+$/), risks.first().locator("a").first().click()]);
    const sla = page.locator("#sla");
    await sla.waitFor();
    assert.ok((await sla.innerText()).includes(L.promises), "the SLA panel lists promises");
    // Promise a follow-up within two hours.
    const note = L.locale === "en-US" ? "check the parcel with the courier" : "联系快递核实包裹";
    await page.selectOption(".promise-form select[name=in]", "2h");
    await page.fill(".promise-form input[name=note]", note);
    await Promise.all([page.waitForLoadState("load"), page.click(".promise-form button")]);
    await page.locator(".promises li.promise", { hasText: note }).waitFor();
    await shot(page, `deadlines-ticket-${L.locale}`);
    await ctx.close();
  });
}
