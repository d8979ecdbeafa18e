// Live chat, once in Chinese and once in English: a visitor on the demo
// shop opens the widget, fills the pre-chat form and writes; an agent in a
// second browser sees the chat arrive in the inbox, accepts it, answers from
// the ticket page; the visitor sends a photo; the agent ends the chat and
// the visitor rates it, and the rating shows on the ticket.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, signIn, shot, BASE } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// A small PNG (a red dot) for the upload.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAABgAAAAYCAIAAABvFaqvAAAAJklEQVR4nGK5o6HBQA3ARBVTRg0aNWjUoFGDRg0aNYgiAAgAAP//w5QBX8dR84wAAAAASUVORK5CYII=", "base64");

const langs = [
  { locale: "zh-CN", lang: "zh-CN", name: "王女士", hello: "你好，我的耳机左边没有声音", reply: "您好，请先把耳机放回充电盒重置一下", sent: "已发送", joined: "已接入", ended: "客服已结束本次会话", rated: "感谢您的评价", start: "开始咨询" },
  { locale: "en-US", lang: "en", name: "Ann Lee", hello: "Hi, my earbuds' left side is silent", reply: "Hello! Please put them back in the case to reset them", sent: "Sent", joined: "joined the chat", ended: "The agent ended the chat", rated: "Thank you for your rating", start: "Start chat" },
];

for (const L of langs) {
  test(`live chat in ${L.locale}`, async () => {
    // The agent signs in, speaks the language and goes online.
    const agent = await signIn(browser, "agent@demo.test", L.locale);
    const ap = agent.page;
    if ((await ap.getAttribute("html", "lang")) !== L.lang) {
      await ap.click(".top .me button.link >> nth=0");
      await ap.waitForFunction((l) => document.documentElement.lang === l, L.lang);
    }
    if (!(await ap.locator("#chat-status select.presence-online").count())) {
      await ap.selectOption("#chat-status select", "online");
      await ap.locator("#chat-status select.presence-online").waitFor(); // the page came back with the new status
    }
    await ap.goto(BASE + "/?view=all");
    await ap.locator("#chats").waitFor();

    // The visitor on the shop page.
    const vctx = await browser.newContext({ locale: L.locale, viewport: { width: 1280, height: 860 } });
    const vp = await vctx.newPage();
    vp.setDefaultTimeout(10000);
    const thirdParty = [];
    vp.on("request", (r) => { if (!r.url().startsWith(BASE) && !r.url().startsWith("data:")) thirdParty.push(r.url()); });
    await vp.goto(`${BASE}/demo/shop?lang=${L.lang}`);
    await vp.locator("#kefu-widget button.l").click();
    const w = (sel, opts) => vp.locator("#kefu-widget " + sel, opts);
    // Pre-chat form.
    await w(".f input[name=name]").fill(L.name);
    await w(".f input[name=email]").fill(`visitor-${L.lang}@example.com`);
    await w(".f button.btn").click();
    await w(".c textarea").fill(L.hello);
    await w(".c textarea").press("Enter");
    await w(".m.v", { hasText: L.hello }).waitFor();
    await vp.waitForFunction((t) => [...document.querySelector("#kefu-widget").shadowRoot.querySelectorAll(".k")].some((k) => k.textContent === t), L.sent);

    // The agent's inbox shows it live, with Accept.
    const waiting = ap.locator("#chats li.waiting", { hasText: L.name });
    await waiting.waitFor({ timeout: 10000 });
    await shot(ap, `chat-inbox-${L.locale}`);
    await Promise.all([ap.waitForURL(/\/tickets\/\d+$/), waiting.locator("button.accept").click()]);
    assert.ok((await ap.locator(".msg-customer").last().innerText()).includes(L.hello));
    // The visitor hears that the agent joined.
    await w(".s", { hasText: L.joined }).waitFor();

    // The agent types (the visitor sees it) and answers with Enter.
    await ap.fill("#body", L.reply.slice(0, 5));
    await ap.locator("#body").press("End");
    await ap.type("#body", L.reply.slice(5), { delay: 5 });
    await ap.locator("#body").press("Enter");
    await w(".m.a", { hasText: L.reply }).waitFor();
    // The visitor read it; the agent's page shows it was read.
    await ap.locator(".read-mark").waitFor({ timeout: 10000 });

    // A photo from the visitor arrives on the ticket page.
    await w("input[type=file]").setInputFiles({ name: "defect.png", mimeType: "image/png", buffer: PNG });
    await w(".m.v img").waitFor();
    await ap.locator(".msg-customer .atts img").waitFor({ timeout: 10000 });
    await shot(vp, `chat-widget-${L.locale}`);
    await shot(ap, `chat-ticket-${L.locale}`);

    // The agent ends the chat: the ticket is solved and the visitor rates it.
    await Promise.all([ap.waitForLoadState("load"), ap.click("#chat-end")]);
    await w(".s", { hasText: L.ended }).waitFor();
    await w(".rate .stars button[data-score='5']").click();
    await w(".rate textarea").fill(L.lang === "en" ? "Quick and kind" : "回复很快，态度很好");
    await w(".rate button.btn").click();
    await w(".s", { hasText: L.rated }).waitFor();
    await shot(vp, `chat-rated-${L.locale}`);
    await ap.reload();
    assert.ok((await ap.locator(".chatstrip .rating").innerText()).includes("5/5"));
    assert.equal(await ap.locator(".props select[name=status]").inputValue(), "solved");
    assert.deepEqual(thirdParty, [], "the widget made no third-party requests");

    // History survives a reload of the shop page.
    await vp.reload();
    await vp.locator("#kefu-widget button.l").waitFor();
    if (await w(".p").isHidden()) await vp.locator("#kefu-widget button.l").click();
    await w(".m.a", { hasText: L.reply }).waitFor();
    await vctx.close();
    await agent.ctx.close();
  });
}

test("the widget is small and served with the right type", async () => {
  const res = await fetch(BASE + "/widget.js", { headers: { "Accept-Encoding": "gzip" } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type"), /javascript/);
  const body = await res.arrayBuffer();
  assert.ok(body.byteLength > 1000);
});
