// Admin pages for deadlines and automation: an admin creates a business
// calendar with a holiday (by hand and from an iCalendar file, previewed
// first), an SLA policy on it, and an automation rule, then dry-runs the
// rule against a demo ticket. In Chinese and in English, with screenshots.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, signIn, shot, BASE } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const ics = [
  "BEGIN:VCALENDAR", "VERSION:2.0",
  "BEGIN:VEVENT", "DTSTART;VALUE=DATE:20260501", "DTEND;VALUE=DATE:20260504", "SUMMARY:劳动节 Labour Day", "END:VEVENT",
  "BEGIN:VEVENT", "DTSTART;VALUE=DATE:20260509", "SUMMARY:劳动节补班 Make-up workday", "END:VEVENT",
  "END:VCALENDAR", ""].join("\r\n");

for (const L of [
  { locale: "zh-CN", lang: "zh-CN", cal: "深圳客服日历", holiday: "国庆节", policy: "电话加急", rule: "加急打标签", matches: "条件满足", passed: "通过" },
  { locale: "en-US", lang: "en", cal: "London support", holiday: "Bank holiday", policy: "Phone urgent", rule: "Tag urgent tickets", matches: "it matches", passed: "passed" },
]) {
  test(`calendar, policy, rule and dry run in ${L.locale}`, async () => {
    const { ctx, page } = await signIn(browser, "admin@demo.test", L.locale);
    if ((await page.getAttribute("html", "lang")) !== L.lang) {
      await Promise.all([page.waitForLoadState("load"), page.click(".top .me button.link >> nth=0")]);
    }
    // A demo ticket's number, for the dry run.
    await page.goto(BASE + "/?view=all");
    const number = (await page.locator("tr[data-href] td.num").first().innerText()).replace("#", "").trim();

    // The admin nav leads to the calendars.
    await page.goto(BASE + "/admin/users");
    await Promise.all([page.waitForURL(/\/admin\/calendars$/), page.click("nav.tabs a[href='/admin/calendars']")]);
    await page.fill(".calendar-form input[name=name]", L.cal);
    await page.fill(".calendar-form input[name=hours_mon]", "09:00-12:00, 13:00-18:00");
    await page.fill(".calendar-form input[name=hours_sat]", "10:00-16:00");
    // Overlapping intervals are refused with the reason, keeping the form.
    await page.fill(".calendar-form input[name=hours_tue]", "09:00-12:00, 11:00-18:00");
    await Promise.all([page.waitForLoadState("load"), page.click(".calendar-form button.primary")]);
    assert.match(await page.locator("p.error").innerText(), /overlap/);
    assert.equal(await page.inputValue(".calendar-form input[name=name]"), L.cal);
    await page.fill(".calendar-form input[name=hours_tue]", "09:00-18:00");
    await Promise.all([page.waitForURL(/\/admin\/calendars\/\d+$/), page.click(".calendar-form button.primary")]);
    const calURL = page.url();

    // A holiday by hand.
    await page.fill(".add-day input[name=date]", "2026-10-01");
    await page.selectOption(".add-day select[name=kind]", "holiday");
    await page.fill(".add-day input[name=name]", L.holiday);
    await Promise.all([page.waitForLoadState("load"), page.click(".add-day button")]);
    await page.locator("table.days tr", { hasText: L.holiday }).waitFor();

    // An iCalendar file: the preview lists the days, the import adds them.
    await page.setInputFiles(".import input[type=file]", { name: "holidays.ics", mimeType: "text/calendar", buffer: Buffer.from(ics) });
    await Promise.all([page.waitForLoadState("load"), page.click(".import button")]);
    const preview = page.locator(".preview");
    await preview.waitFor();
    await preview.scrollIntoViewIfNeeded();
    assert.equal(await preview.locator("tbody tr").count(), 4, "four days in the preview");
    await shot(page, `rules-calendar-import-${L.locale}`);
    await Promise.all([page.waitForURL(calURL), preview.locator("button.primary").click()]);
    await page.goto(calURL + "?year=2026");
    assert.equal(await page.locator("table.days tbody tr").count(), 5, "the holiday and the four imported days");
    await shot(page, `rules-calendar-${L.locale}`);

    // A policy on that calendar.
    await page.click("nav.tabs a[href='/admin/sla']");
    await page.waitForURL(/\/admin\/sla$/);
    const pf = page.locator("form.policy-form");
    await pf.locator("input[name=name]").fill(L.policy);
    await pf.locator("input[name=channels][value=phone]").check();
    await pf.locator("input[name=priorities][value=urgent]").check();
    await pf.locator("select[name=calendar_id]").selectOption({ label: L.cal });
    await pf.locator("input[name=first_response_minutes]").fill("30");
    await pf.locator("input[name=resolution_minutes]").fill("240");
    await pf.locator("input[name=notify_lead]").check();
    await Promise.all([page.waitForURL(/\/admin\/sla$/), pf.locator("button.primary").click()]);
    const row = page.locator(`table.policies tr[data-policy="${L.policy}"]`);
    await row.waitFor();
    assert.ok((await row.innerText()).includes(L.cal), "the policy names its calendar");
    // Move it to the top.
    for (let i = 0; i < 5 && (await page.locator("table.policies tbody tr").first().getAttribute("data-policy")) !== L.policy; i++) {
      await Promise.all([page.waitForLoadState("load"), row.locator("button[value=up]").click()]);
    }
    assert.equal(await page.locator("table.policies tbody tr").first().getAttribute("data-policy"), L.policy);
    await shot(page, `rules-policies-${L.locale}`);

    // A rule, written with rows, not JSON.
    await page.click("nav.tabs a[href='/admin/rules']");
    await page.waitForURL(/\/admin\/rules$/);
    const rf = page.locator("form.rule-form");
    await rf.locator("input[name=name]").fill(L.rule);
    await rf.locator("input[name=trigger][value='ticket.created']").check();
    await rf.locator("input[name=c_field]").nth(0).fill("ticket.status");
    await rf.locator("select[name=c_op]").nth(0).selectOption("ne");
    await rf.locator("input[name=c_value]").nth(0).fill("closed");
    await rf.locator("select[name=a_type]").nth(0).selectOption("add_tags");
    await rf.locator("input[name=a_value]").nth(0).fill("e2e");
    await rf.locator("select[name=a_type]").nth(1).selectOption("set");
    await rf.locator("input[name=a_field]").nth(1).fill("priority");
    await rf.locator("input[name=a_value]").nth(1).fill("high");
    await Promise.all([page.waitForURL(/\/admin\/rules$/), rf.locator("button[value=save]").click()]);
    const ruleRow = page.locator(`table.automation tr[data-rule="${L.rule}"]`);
    await ruleRow.waitFor();

    // Dry run against the demo ticket: it matches and says what it would do.
    await Promise.all([page.waitForLoadState("load"), ruleRow.locator("a[href*='edit=']").click()]);
    await page.fill("form.rule-form input[name=ticket_number]", number);
    await Promise.all([page.waitForLoadState("load"), page.click("form.rule-form button[value=dryrun]")]);
    const dry = page.locator(".dryrun");
    await dry.waitFor();
    const text = await dry.innerText();
    assert.ok(text.includes(L.matches), "the rule matches the demo ticket");
    assert.ok(text.includes(L.passed), "the condition is shown as passed");
    assert.ok(text.includes("priority = high"), "the actions it would take are listed");
    await shot(page, `rules-dryrun-${L.locale}`);

    // Leave the demo as it was: the rule would tag and raise every new
    // ticket of the tests that follow. Deleting asks first.
    await page.goto(`${BASE}/admin/rules`);
    let asked = "";
    page.once("dialog", (d) => { asked = d.message(); d.accept(); });
    await ruleRow.locator("form[action$='/delete'] button").click();
    await ruleRow.waitFor({ state: "detached" });
    assert.ok(asked.includes(L.rule), `the delete confirm names the rule: ${asked}`);
    await page.goto(`${BASE}/admin/sla`);
    page.once("dialog", (d) => d.accept());
    await row.locator("form[action$='/delete'] button").click();
    await row.waitFor({ state: "detached" });
    await ctx.close();
  });
}
