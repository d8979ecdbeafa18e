// The collision warning, in Chinese and in English: two agents open the same
// ticket in two browsers; each sees the other there (well before the
// 10-second heartbeat, so the one who came first is not missed), and when
// one types in the composer the other sees "typing"; when one leaves, the
// other's warning goes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, signIn, shot, BASE } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const langs = [
  { locale: "zh-CN", lang: "zh-CN", viewing: "也在看这张工单", typing: "正在输入回复" },
  { locale: "en-US", lang: "en", viewing: "is also viewing this ticket", typing: "is typing a reply" },
];

async function inLanguage(page, lang) {
  if ((await page.getAttribute("html", "lang")) !== lang) {
    await Promise.all([page.waitForLoadState("load"), page.click(".top .me button.link >> nth=0")]);
  }
  assert.equal(await page.getAttribute("html", "lang"), lang);
}

const nameOf = async (page) => (await page.locator(".top .who").innerText()).split("·")[0].trim();

for (const L of langs) {
  test(`collision warning in ${L.locale}`, async () => {
    const a = await signIn(browser, "agent@demo.test", L.locale);
    const b = await signIn(browser, "lead@demo.test", L.locale);
    await inLanguage(a.page, L.lang);
    await inLanguage(b.page, L.lang);
    const aName = await nameOf(a.page), bName = await nameOf(b.page);
    // A ticket the agent can work, opened by the agent first.
    await a.page.goto(BASE + "/?view=all");
    const href = await a.page.locator("tr[data-href]").first().getAttribute("data-href");
    await a.page.goto(BASE + href);
    await a.page.locator("#body").waitFor();
    // Past the first announcement: only an answer to the newcomer can tell
    // them that the agent is here before the next heartbeat.
    await a.page.waitForTimeout(1500);
    const t0 = Date.now();
    await b.page.goto(BASE + href);
    const aBox = a.page.locator("#presence"), bBox = b.page.locator("#presence");
    await b.page.waitForFunction(([n, w]) => document.getElementById("presence").textContent.includes(n + " " + w) || document.getElementById("presence").textContent.includes(n + w),
      [aName, L.viewing], { timeout: 6000 });
    await a.page.waitForFunction(([n, w]) => document.getElementById("presence").textContent.includes(n), [bName, L.viewing], { timeout: 6000 });
    assert.ok((await aBox.innerText()).includes(L.viewing), "the agent sees the lead viewing");
    assert.ok(Date.now() - t0 < 8000, "both know within the heartbeat interval");
    assert.ok(await bBox.evaluate((e) => e.classList.contains("warn")));
    // The lead types a reply: the agent sees it.
    await b.page.click("#body");
    await b.page.keyboard.type("我来处理 / I'll take it");
    await a.page.waitForFunction(([n, w]) => { const t = document.getElementById("presence").textContent; return t.includes(n) && t.includes(w); },
      [bName, L.typing], { timeout: 6000 });
    assert.ok(await aBox.evaluate((e) => e.classList.contains("typing")));
    await shot(a.page, `presence-${L.locale}`);
    // Typing stays on one side: the lead is not told the agent types.
    assert.ok(!(await bBox.innerText()).includes(L.typing));
    // The lead leaves: the agent's warning goes at once, not after the 25-second timeout.
    await b.page.goto(BASE + "/");
    await a.page.waitForFunction((n) => !document.getElementById("presence").textContent.includes(n), bName, { timeout: 5000 });
    assert.ok(!(await aBox.evaluate((e) => e.classList.contains("warn"))));
    await a.ctx.close();
    await b.ctx.close();
  });
}
