// The admin's email channel page in both languages: the demo channel is
// listed with its last fetch and error, its form never shows a password,
// and agents are refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, signIn, shot, BASE } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const L of [{ locale: "zh-CN", lang: "zh-CN", title: "邮件渠道" }, { locale: "en-US", lang: "en", title: "Email channels" }]) {
  test(`email channels page in ${L.locale}`, async () => {
    const { ctx, page } = await signIn(browser, "admin@demo.test", L.locale);
    if ((await page.getAttribute("html", "lang")) !== L.lang) {
      await Promise.all([page.waitForLoadState("load"), page.click(".top .me button.link >> nth=0")]);
    }
    await page.click(`.top nav a[href="/settings/channels"]`);
    assert.equal(await page.locator("h1").innerText(), L.title);
    assert.ok((await page.locator("#channel-list").innerText()).includes("support@demo.test"), "the demo channel is listed");
    await page.click(`#channel-list a[href^="/settings/channels?edit="]`);
    assert.equal(await page.inputValue("#channel-form input[name=address]"), "support@demo.test");
    for (const f of ["imap_password", "smtp_password"]) {
      assert.equal(await page.inputValue(`#channel-form input[name=${f}]`), "", `${f} is never rendered back`);
    }
    await shot(page, `channels-${L.locale}`);
    await ctx.close();
  });
}

test("agents may not open the channel settings", async () => {
  const { ctx, page } = await signIn(browser, "agent@demo.test", "zh-CN");
  assert.equal(await page.locator(`.top nav a[href="/settings/channels"]`).count(), 0);
  const res = await page.goto(BASE + "/settings/channels");
  assert.equal(res.status(), 403);
  await ctx.close();
});
