// The agent's after-sales case panel, once in Chinese and once in English:
// open a ticket with a requested case, read the policy's recommendation,
// evaluate a new proposal (nothing is created), and approve the case.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, signIn, shot, BASE, api } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// requestedCase finds a demo case still requested whose stored decision a
// supervisor may approve as it stands, skipping the ones already used.
const used = new Set();
async function requestedCase() {
  const { items } = await api("GET", "/api/v1/cases?status=requested&limit=200");
  const c = items.find((c) => !used.has(c.id) && c.decision && c.decision.eligible && !c.decision.needs_approval && c.decision.recommended);
  assert.ok(c, "the demo shop has a requested, eligible case");
  used.add(c.id);
  return c;
}

const langs = [
  { locale: "zh-CN", lang: "zh-CN", recommended: "建议方案", approved: "已同意", eligible: "符合政策" },
  { locale: "en-US", lang: "en", recommended: "Recommended", approved: "Approved", eligible: "Eligible" },
];

for (const L of langs) {
  test(`case panel in ${L.locale}`, async () => {
    const c = await requestedCase();
    const { ctx, page } = await signIn(browser, "lead@demo.test", L.locale);
    if ((await page.getAttribute("html", "lang")) !== L.lang) {
      await Promise.all([page.waitForLoadState("load"), page.click(".top .me button.link >> nth=0")]);
    }
    assert.equal(await page.getAttribute("html", "lang"), L.lang);
    await page.goto(`${BASE}/tickets/${c.ticket_id}`);
    const card = page.locator(`#case-${c.id}`);
    await card.waitFor();
    // The stored evaluation: eligibility and the recommended remedy in this language.
    const decision = await card.locator(".decision").innerText();
    assert.ok(decision.includes(L.eligible) && decision.includes(L.recommended), `decision shown: ${decision}`);
    const rec = L.lang === "en" ? c.decision.recommended.en : c.decision.recommended.zh;
    assert.ok(decision.includes(rec), `recommendation "${rec}" in "${decision}"`);

    // Evaluate a proposal for the first item: the decision appears, no case is made.
    const before = (await api("GET", `/api/v1/tickets/${c.ticket_id}/cases`)).items.length;
    await page.click("#newcase summary");
    await page.locator("#newcase input[name=item]").first().check();
    await page.selectOption("#newcase select[name=kind]", c.kind);
    await page.selectOption("#newcase select[name=reason]", c.reason);
    await Promise.all([page.waitForLoadState("load"), page.click("#newcase button:not(.primary)")]);
    await page.locator("#evaluation").waitFor();
    const ev = await page.locator("#evaluation").innerText();
    assert.ok(ev.length > 10, `evaluation shown: ${ev}`);
    assert.equal((await api("GET", `/api/v1/tickets/${c.ticket_id}/cases`)).items.length, before, "evaluating created nothing");
    await page.locator("#cases").scrollIntoViewIfNeeded();
    await page.locator("#cases").screenshot({ path: new URL(`../artifacts/case-panel-${L.locale}.png`, import.meta.url).pathname });

    // Approve the requested case from its card.
    await page.goto(`${BASE}/tickets/${c.ticket_id}`);
    await Promise.all([page.waitForLoadState("load"), card.locator("button[data-move=approved]").click()]);
    await page.locator(`#case-${c.id}.case-approved`).waitFor();
    assert.ok((await page.locator(`#case-${c.id} .case-st`).innerText()).includes(L.approved));
    const got = await api("GET", `/api/v1/cases/${c.id}`);
    assert.equal(got.status, "approved");
    await shot(page, `case-approved-${L.locale}`);
    await ctx.close();
  });
}
