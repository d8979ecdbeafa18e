// The tags admin page, once in Chinese (a supervisor) and once in English
// (an admin): find this run's tags, rename one, merge it into another (a
// ticket carrying both keeps one), see a refusal explained, delete with a
// confirm, and an agent refused with the roles named. The tags are made for
// the run through the API so the demo's own stay as they were.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, signIn, shot, api, BASE, TOKEN } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const langs = [
  { locale: "zh-CN", lang: "zh-CN", user: "lead@demo.test", a: "坏件", b: "破损", renamed: "改名为", same: "新名称和原名称相同" },
  { locale: "en-US", lang: "en", user: "admin@demo.test", a: "broken", b: "damaged", renamed: "Renamed", same: "same as the old one" },
];

for (const L of langs) {
  test(`tags admin in ${L.locale}`, { skip: !TOKEN && "KEFU_TOKEN not set" }, async () => {
    const stamp = Date.now().toString(36);
    const A = `${L.a}-${stamp}`, B = `${L.b}-${stamp}`, A2 = `${L.a}2-${stamp}`;
    const customer = { name: "标签顾客", email: `tags-${stamp}@example.cn`, language: "zh-CN" };
    const ids = [];
    for (const tags of [[A, B], [A], [B]]) {
      const r = await api("POST", "/api/v1/tickets", { subject: "屏幕有划痕，能换一台吗", channel: "email", customer, tags, message: { body: "收到就有划痕" } });
      ids.push((r.ticket || r).id);
    }

    const { ctx, page } = await signIn(browser, L.user, L.locale);
    page.on("dialog", (d) => d.accept());
    if ((await page.getAttribute("html", "lang")) !== L.lang) {
      await Promise.all([page.waitForLoadState("load"), page.click(".top .me button.link >> nth=0")]);
    }
    assert.equal(await page.getAttribute("html", "lang"), L.lang);
    // Reached from the admin area's tabs.
    await page.goto(BASE + "/admin/categories");
    await Promise.all([page.waitForURL(/\/admin\/tags$/), page.click(".tabs a[href='/admin/tags']")]);
    assert.equal(await page.locator(".tabs a.on").getAttribute("href"), "/admin/tags");
    assert.ok(await page.locator("tr[data-tag]").count() > 3, "the demo's tags are listed");
    await shot(page, `tags-${L.locale}`);

    // Search finds this run's two tags with their counts.
    await page.fill(".tag-search input[name=q]", stamp);
    await Promise.all([page.waitForURL(/q=/), page.click(".tag-search button")]);
    const row = (tag) => page.locator(`tr[data-tag="${tag}"]`);
    assert.equal(await page.locator("tr[data-tag]").count(), 2);
    assert.equal(await row(A).locator("td.num").innerText(), "2");
    assert.equal(await row(B).locator("td.num").innerText(), "2");
    // Sorting by name puts them in order; again reverses it.
    await Promise.all([page.waitForURL(/sort=name/), page.click("th a.sort >> nth=0")]);
    const names = await page.locator("tr[data-tag]").evaluateAll((rs) => rs.map((r) => r.dataset.tag));
    assert.deepEqual(names, [A, B].sort());

    // A refusal is explained on the page and changes nothing.
    await Promise.all([page.waitForLoadState("load"), row(A).locator("button[value=rename]").click()]);
    assert.ok((await page.locator("p.error").innerText()).includes(L.same));
    assert.equal(await row(A).locator("td.num").innerText(), "2");

    // Rename A → A2.
    await row(A).locator("input[name=name]").fill(A2);
    await Promise.all([page.waitForURL(/done=rename/), row(A).locator("button[value=rename]").click()]);
    const flash = await page.locator(".flash").innerText();
    assert.ok(flash.includes(A2) && flash.includes(L.renamed) && flash.includes("2"), flash);
    assert.equal(await row(A).count(), 0);
    assert.equal(await row(A2).locator("td.num").innerText(), "2");
    await shot(page, `tags-renamed-${L.locale}`);

    // Merge A2 into B: the ticket carrying both keeps one B.
    await row(A2).locator("input[name=name]").fill(B);
    await Promise.all([page.waitForURL(/done=merge/), row(A2).locator("button[value=merge]").click()]);
    assert.equal(await row(A2).count(), 0);
    assert.equal(await row(B).locator("td.num").innerText(), "3");
    assert.deepEqual((await api("GET", `/api/v1/tickets/${ids[0]}`)).tags, [B]);

    // Delete B after the confirm: this run's tags are gone, and the empty state says so.
    await Promise.all([page.waitForURL(/done=delete/), row(B).locator("form[data-confirm] button").click()]);
    assert.equal(await page.locator("tr[data-tag]").count(), 0);
    assert.ok(await page.locator(".empty").isVisible());
    for (const id of ids) assert.deepEqual((await api("GET", `/api/v1/tickets/${id}`)).tags, []);
    // Each change is in the ticket's activity trail.
    const act = await api("GET", `/api/v1/tickets/${ids[0]}/activity`);
    const tagChanges = (act.items || act.data || act).filter((e) => e.type === "ticket.updated" && e.data?.changes?.tags);
    assert.equal(tagChanges.length, 3, "rename, merge and delete each wrote an event");
    await shot(page, `tags-empty-${L.locale}`);
    await ctx.close();

    // An agent is refused with the roles that may do it.
    const agent = await signIn(browser, "agent@demo.test", L.locale);
    const res = await agent.page.goto(BASE + "/admin/tags");
    assert.equal(res.status(), 403);
    // (in the agent's own language setting, which other tests may have switched)
    const says = await agent.page.locator("main").innerText();
    assert.ok(says.includes("主管") || says.includes("Supervisor"), says);
    await agent.ctx.close();
  });
}
