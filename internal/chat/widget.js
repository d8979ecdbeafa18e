/* kefu chat widget: one script tag, no dependencies, no third-party requests.
   <script src="https://KEFU/widget.js" data-channel="KEY" data-lang="zh-CN|en" data-color="#1f6feb" async></script>
   A shop may vouch for a signed-in buyer with window.kefuUser = {id, name, email, phone, ts, sig}
   (sig = hex HMAC-SHA256 of "id|name|email|phone|ts" with the channel secret). */
(function () {
  "use strict";
  if (window.__kefu) return;
  var script = document.currentScript || document.querySelector("script[src*='widget.js']");
  if (!script) return;
  var base = new URL(script.src, location.href).origin;
  var key = script.getAttribute("data-channel") || "";
  var lang = (script.getAttribute("data-lang") || navigator.language || "zh").toLowerCase().indexOf("en") === 0 ? "en" : "zh-CN";
  var attrColor = script.getAttribute("data-color") || "", color = attrColor || "#1f6feb";
  var user = window.kefuUser || null;
  try { if (!user && script.getAttribute("data-user")) user = JSON.parse(script.getAttribute("data-user")); } catch (e) {}

  var TEXT = {
    "zh-CN": {
      title: "在线客服", online: "客服在线，通常几分钟内回复", offline: "客服暂时不在线", waiting: "正在为您接入客服…",
      serving: "%s 为您服务", ph: "输入消息，Enter 发送", send: "发送", attach: "发送图片或文件", emoji: "表情", end: "结束会话",
      close: "收起", typing: "客服正在输入…", sent: "已发送", read: "已读", delivered: "已送达", sending: "发送中…", failed: "发送失败",
      prechat: "开始咨询前，请留下您的联系方式", name: "您的称呼", email: "邮箱", phone: "手机号", order: "订单号（选填）",
      start: "开始咨询", needContact: "请填写邮箱或手机号", leave: "现在没有客服在线（或不在工作时间）。请留言，我们会通过邮件回复您。",
      message: "留言内容", leaveBtn: "提交留言", needEmail: "请填写邮箱，以便我们回复您", joined: "%s 已接入，为您服务",
      transferred: "已为您转接给 %s", ended: "会话已结束", endedAgent: "客服已结束本次会话", rate: "请为本次服务评分",
      comment: "还有什么想告诉我们的？（选填）", submit: "提交评价", rated: "感谢您的评价", offlineNote: "我们会通过邮件回复您%s",
      transcript: "发送聊天记录到邮箱", transcriptAsk: "请输入接收聊天记录的邮箱", transcriptDone: "聊天记录将发送到您的邮箱",
      tooFast: "发送太频繁，请稍候再试", tooLong: "消息太长，最多 %s 字", tooLarge: "文件过大，最大 %s MB", badType: "不支持该文件类型（支持图片、PDF、文本、ZIP）",
      quota: "今天的上传次数或大小已达上限", invalid: "请检查填写的内容", reconnecting: "网络断开，正在重新连接…", you: "我", agent: "客服"
    },
    en: {
      title: "Chat with us", online: "We're online and usually reply in minutes", offline: "We're offline right now", waiting: "Connecting you to an agent…",
      serving: "%s is helping you", ph: "Type a message, Enter to send", send: "Send", attach: "Send a photo or file", emoji: "Emoji", end: "End chat",
      close: "Minimise", typing: "Agent is typing…", sent: "Sent", read: "Read", delivered: "Delivered", sending: "Sending…", failed: "Not sent",
      prechat: "Before we start, how can we reach you?", name: "Your name", email: "Email", phone: "Phone", order: "Order number (optional)",
      start: "Start chat", needContact: "Please give an email or a phone number", leave: "No agent is online right now (or we're outside business hours). Leave a message and we'll reply by email.",
      message: "Your message", leaveBtn: "Leave message", needEmail: "Please give your email so we can reply", joined: "%s joined the chat",
      transferred: "You've been transferred to %s", ended: "The chat has ended", endedAgent: "The agent ended the chat", rate: "How did we do?",
      comment: "Anything else you'd like to tell us? (optional)", submit: "Send rating", rated: "Thank you for your rating", offlineNote: "We'll reply by email%s",
      transcript: "Email me the transcript", transcriptAsk: "Which email should we send the transcript to?", transcriptDone: "The transcript is on its way to your inbox",
      tooFast: "You're sending too fast; please wait a moment", tooLong: "That message is too long (at most %s characters)", tooLarge: "That file is too large (at most %s MB)",
      badType: "That type of file can't be sent (photos, PDF, text and ZIP can)", quota: "You've reached today's upload limit", invalid: "Please check what you entered",
      reconnecting: "Connection lost, reconnecting…", you: "You", agent: "Support"
    }
  }[lang];
  function t(k, a) { return (TEXT[k] || k).replace("%s", a == null ? "" : a); }

  var NS = "kefu:" + key + ":";
  function load(k, d) { try { var v = localStorage.getItem(NS + k); return v == null ? d : JSON.parse(v); } catch (e) { return d; } }
  function save(k, v) { try { localStorage.setItem(NS + k, JSON.stringify(v)); } catch (e) {} }

  var token = load("token", ""), profile = load("profile", null), pending = load("pending", []);
  var ws = null, seq = 0, conv = 0, st = "idle", online = true, prechat = false, identified = false, ticket = 0;
  var agentRead = 0, agentRecv = 0, maxMB = 10, maxLen = 2000, open = load("open", false), unread = 0, backoff = 500;
  var rated = {}, lastEnded = null, typingTimer = 0, lastTyping = 0, seenTimer = 0, connected = false;

  // ---- DOM (in a shadow root, so the shop's styles and ours never meet) ----
  var host = document.createElement("div");
  host.id = "kefu-widget";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var css = ":host{all:initial}[hidden]{display:none!important}*{box-sizing:border-box;font:14px/1.45 -apple-system,'PingFang SC','Microsoft YaHei',sans-serif}" +
    ".l{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;color:#fff;font-size:26px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483646}" +
    ".b{position:absolute;top:-4px;right:-4px;background:#e03131;color:#fff;border-radius:10px;min-width:20px;height:20px;font-size:12px;line-height:20px;padding:0 5px}" +
    ".p{position:fixed;right:20px;bottom:88px;width:360px;max-width:calc(100vw - 24px);height:540px;max-height:calc(100vh - 110px);background:#fff;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);display:flex;flex-direction:column;overflow:hidden;z-index:2147483647}" +
    ".h{color:#fff;padding:12px 14px;display:flex;align-items:center;gap:8px}.h b{font-size:16px;flex:1}.h small{display:block;font-size:12px;opacity:.9}" +
    ".h button{background:rgba(255,255,255,.2);border:0;color:#fff;border-radius:6px;padding:4px 8px;cursor:pointer;font-size:12px}" +
    ".g{flex:1;overflow-y:auto;padding:12px;background:#f6f7f9}.m{max-width:80%;margin:6px 0;padding:8px 11px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}" +
    ".v{margin-left:auto;color:#fff;border-bottom-right-radius:3px}.a{background:#fff;border:1px solid #e3e5e8;border-bottom-left-radius:3px}" +
    ".n{font-size:11px;color:#868e96;margin:0 2px}.v+.k{text-align:right}.k{font-size:11px;color:#868e96;margin:-2px 4px 4px}.k.r{color:#2f9e44}" +
    ".s{text-align:center;color:#868e96;font-size:12px;margin:10px 0}.m img{max-width:200px;max-height:200px;border-radius:6px;display:block;margin-top:4px}.m a{color:inherit}" +
    ".pend{opacity:.6}.fail{outline:2px solid #e03131}.ty{font-size:12px;color:#868e96;padding:0 14px;height:18px}.e{color:#c92a2a;font-size:12px;padding:4px 14px}" +
    ".f{padding:12px;border-top:1px solid #eee;background:#fff}.f input,.f textarea{width:100%;margin:4px 0;padding:7px 9px;border:1px solid #ced4da;border-radius:6px}" +
    ".f p{margin:0 0 6px;color:#495057}.btn{border:0;color:#fff;border-radius:6px;padding:8px 14px;cursor:pointer;margin-top:4px}" +
    ".c{display:flex;gap:6px;align-items:flex-end;padding:8px;border-top:1px solid #eee;background:#fff}.c textarea{flex:1;resize:none;border:1px solid #ced4da;border-radius:8px;padding:7px;height:38px;max-height:100px}" +
    ".ic{background:none;border:0;font-size:20px;cursor:pointer;padding:4px}.em{display:grid;grid-template-columns:repeat(8,1fr);padding:6px;border-top:1px solid #eee;background:#fff}.em button{background:none;border:0;font-size:20px;cursor:pointer}" +
    ".stars button{background:none;border:0;font-size:26px;cursor:pointer;color:#ced4da}.stars button.on{color:#f59f00}.lnk{background:none;border:0;color:#1c7ed6;cursor:pointer;padding:0;font-size:12px}";
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
  var style = el("style"); style.textContent = css; root.appendChild(style);
  var launcher = el("button", "l", "💬"); launcher.setAttribute("aria-label", t("title"));
  var badge = el("span", "b"); badge.hidden = true; launcher.appendChild(badge);
  var panel = el("div", "p"); panel.hidden = true; panel.setAttribute("role", "dialog"); panel.setAttribute("aria-label", t("title"));
  var head = el("div", "h"), title = el("b", null, t("title")), status = el("small");
  title.appendChild(status);
  var endBtn = el("button", "end", t("end")), closeBtn = el("button", "x", "—"); closeBtn.title = t("close");
  head.appendChild(title); head.appendChild(endBtn); head.appendChild(closeBtn);
  var log = el("div", "g"); log.setAttribute("aria-live", "polite");
  var typingEl = el("div", "ty"), errEl = el("div", "e"), forms = el("div", "f"), emojis = el("div", "em");
  errEl.hidden = true; forms.hidden = true; emojis.hidden = true;
  "😀 😂 😊 😍 🤔 😅 😭 😡 👍 👎 🙏 👌 ❤️ 🎉 📦 🚚 💰 ✅ ❌ ⏰ 📷 😥 🙂 👋".split(" ").forEach(function (x) {
    var b = el("button", null, x); b.type = "button"; b.onclick = function () { insert(x); }; emojis.appendChild(b);
  });
  var composer = el("div", "c"), input = el("textarea"), emojiBtn = el("button", "ic", "😊"), attachBtn = el("button", "ic", "📎"), sendBtn = el("button", "btn send", t("send"));
  input.placeholder = t("ph"); input.maxLength = maxLen; input.setAttribute("aria-label", t("ph"));
  emojiBtn.title = t("emoji"); attachBtn.title = t("attach"); emojiBtn.type = attachBtn.type = sendBtn.type = "button";
  var file = el("input"); file.type = "file"; file.hidden = true; file.accept = "image/*,.pdf,.txt,.zip";
  composer.appendChild(emojiBtn); composer.appendChild(attachBtn); composer.appendChild(input); composer.appendChild(sendBtn); composer.appendChild(file);
  [head, log, typingEl, errEl, forms, emojis, composer].forEach(function (x) { panel.appendChild(x); });
  root.appendChild(panel); root.appendChild(launcher);
  function paint(c) {
    color = attrColor || c || color;
    [launcher, head].forEach(function (x) { x.style.background = color; });
    root.querySelectorAll(".btn").forEach(function (x) { x.style.background = color; });
    root.querySelectorAll(".v").forEach(function (x) { x.style.background = color; });
  }
  (document.body ? Promise.resolve() : new Promise(function (r) { document.addEventListener("DOMContentLoaded", r); })).then(function () {
    document.body.appendChild(host); paint(); if (open) show(true);
  });

  // ---- behaviour ----
  function show(on) {
    open = on; save("open", on); panel.hidden = !on;
    if (on) { unread = 0; badge.hidden = true; input.focus(); scroll(); seen(); }
  }
  launcher.onclick = function () { show(!open); };
  closeBtn.onclick = function () { show(false); };
  endBtn.onclick = function () { if (st === "waiting" || st === "active") frame({ t: "end" }); };
  emojiBtn.onclick = function () { emojis.hidden = !emojis.hidden; };
  attachBtn.onclick = function () { file.click(); };
  file.onchange = function () { if (file.files[0]) upload(file.files[0]); file.value = ""; };
  sendBtn.onclick = function () { submit(); };
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  });
  input.addEventListener("input", function () {
    var now = Date.now();
    if (now - lastTyping > 2500) { lastTyping = now; frame({ t: "typing", on: true }); }
  });
  document.addEventListener("visibilitychange", seen);
  function insert(x) {
    var s = input.selectionStart || input.value.length;
    input.value = input.value.slice(0, s) + x + input.value.slice(input.selectionEnd || s);
    input.focus();
  }
  function scroll() { log.scrollTop = log.scrollHeight; }
  function error(msg) {
    errEl.textContent = msg || ""; errEl.hidden = !msg;
    if (msg) setTimeout(function () { if (errEl.textContent === msg) errEl.hidden = true; }, 6000);
  }
  function cid() {
    var a = new Uint8Array(12); (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function frame(f) { if (ws && ws.readyState === 1 && connected) { ws.send(JSON.stringify(f)); return true; } return false; }

  function submit() {
    var body = input.value.trim();
    if (!body) return;
    if (body.length > maxLen) { error(t("tooLong", maxLen)); return; }
    input.value = ""; emojis.hidden = true;
    queue(body);
  }
  function queue(body) {
    var m = { cid: cid(), body: body };
    pending.push(m); save("pending", pending);
    bubble(m);
    frame({ t: "msg", cid: m.cid, body: m.body });
  }
  function bubble(m) {
    var b = el("div", "m v pend", m.body); b.id = "c" + m.cid; b.style.background = color;
    var k = el("div", "k", t("sending")); k.id = "k" + m.cid;
    log.appendChild(b); log.appendChild(k); scroll();
  }
  function done(id) {
    pending = pending.filter(function (m) { return m.cid !== id; }); save("pending", pending);
  }

  function upload(f) {
    if (f.size > maxMB * 1048576) { error(t("tooLarge", maxMB)); return; }
    var m = { cid: cid(), body: "📎 " + f.name };
    bubble(m);
    var fd = new FormData();
    fd.append("token", token); fd.append("cid", m.cid); fd.append("lang", lang); fd.append("file", f);
    if (profile) fd.append("profile", JSON.stringify(profile));
    if (user) fd.append("user", JSON.stringify(user));
    fetch(base + "/chat/upload?channel=" + encodeURIComponent(key), { method: "POST", body: fd }).then(function (r) { return r.json(); })
      .then(function (a) {
        if (a.t !== "ack") return failed(a);
        acked(a);
        if (!conv && ws) ws.close(); // the upload started the conversation: reconnect to follow it
      }, function () { failed({ cid: m.cid, code: "internal" }); });
  }
  function failed(a) {
    var b = root.getElementById ? root.getElementById("c" + a.cid) : null;
    var msg = { rate_limited: t("tooFast"), too_long: t("tooLong", maxLen), file_too_large: t("tooLarge", maxMB), file_type: t("badType"), quota: t("quota"), invalid: t("invalid") }[a.code];
    if (a.code === "rate_limited" || a.code === "internal" || !a.code) {
      error(msg || t("reconnecting"));
      return; // still pending: sent again on the next connection or retry
    }
    error(msg || a.message);
    if (b) { b.classList.add("fail"); var k = root.getElementById("k" + a.cid); if (k) k.textContent = t("failed"); }
    done(a.cid);
  }
  function acked(a) {
    done(a.cid);
    var k = root.getElementById("k" + a.cid);
    if (k) { k.textContent = t("sent"); k.setAttribute("data-seq", a.seq); }
    var b = root.getElementById("c" + a.cid);
    if (b) { b.classList.remove("pend"); b.setAttribute("data-seq", a.seq); }
    marks();
  }

  function entry(e) {
    if (e.seq <= seq) return;
    seq = e.seq;
    if (e.ticket) ticket = e.ticket;
    if (e.kind === "sys") return system(e);
    var mine = e.from === "visitor", b = e.cid && root.getElementById("c" + e.cid);
    if (b) { b.remove(); var ok = root.getElementById("k" + e.cid); if (ok) ok.remove(); done(e.cid); }
    if (!mine) { var n = el("div", "n", e.name || t("agent")); log.appendChild(n); }
    b = el("div", "m " + (mine ? "v" : "a"), e.body);
    if (mine) b.style.background = color;
    b.setAttribute("data-seq", e.seq);
    if (e.cid) b.id = "c" + e.cid;
    (e.files || []).forEach(function (f) {
      var url = base + f.url;
      if (/^image\/(png|jpeg|gif|webp)/.test(f.type)) {
        var a = el("a"); a.href = url; a.target = "_blank"; a.rel = "noopener";
        var img = el("img"); img.src = url; img.alt = f.name; a.appendChild(img); b.appendChild(a);
      } else { var l = el("a", null, "📎 " + f.name); l.href = url; l.target = "_blank"; l.rel = "noopener"; b.appendChild(el("br")); b.appendChild(l); }
    });
    log.appendChild(b);
    if (mine) { var k = el("div", "k", t("sent")); k.setAttribute("data-seq", e.seq); if (e.cid) k.id = "k" + e.cid; log.appendChild(k); }
    else {
      typingEl.textContent = "";
      if (!open || document.hidden) { unread++; badge.textContent = unread; badge.hidden = open; }
    }
    marks(); scroll(); seen();
  }
  function system(e) {
    var text = {
      joined: t("joined", e.name), transferred: t("transferred", e.name || e.team), offline: t("offlineNote", e.email ? " (" + e.email + ")" : ""),
      ended: e.by === "agent" ? t("endedAgent") : t("ended"), rated: t("rated") + " " + "★★★★★".slice(0, e.score || 0)
    }[e.body] || e.body;
    log.appendChild(el("div", "s", text));
    if (e.body === "ended") { lastEnded = e.ticket; rating(); }
    if (e.body === "rated") { rated[e.ticket] = true; var r = root.querySelector(".rate"); if (r && lastEnded === e.ticket) r.remove(); }
    scroll();
  }
  function rating() {
    var old = root.querySelector(".rate"); if (old) old.remove();
    var tk = lastEnded;
    if (!tk || rated[tk]) return;
    var box = el("div", "s rate"), stars = el("div", "stars"), score = 0;
    box.appendChild(el("div", null, t("rate")));
    for (var i = 1; i <= 5; i++) (function (n) {
      var s = el("button", null, "★"); s.type = "button"; s.setAttribute("aria-label", n + "/5"); s.setAttribute("data-score", n);
      s.onclick = function () { score = n; stars.querySelectorAll("button").forEach(function (x, j) { x.classList.toggle("on", j < n); }); };
      stars.appendChild(s);
    })(i);
    var c = el("textarea"); c.placeholder = t("comment"); c.rows = 2; c.style.width = "100%";
    var go = el("button", "btn", t("submit")); go.style.background = color;
    go.onclick = function () { if (score && frame({ t: "rate", ticket: tk, score: score, comment: c.value })) go.disabled = true; };
    var tr = el("button", "lnk", t("transcript"));
    tr.onclick = function () {
      var to = (profile && profile.email) || prompt(t("transcriptAsk"));
      if (to) frame({ t: "transcript", email: to });
    };
    box.appendChild(stars); box.appendChild(c); box.appendChild(go); box.appendChild(el("br")); box.appendChild(tr);
    log.appendChild(box); scroll();
  }
  function marks() {
    root.querySelectorAll(".k[data-seq]").forEach(function (k) {
      var s = +k.getAttribute("data-seq");
      k.textContent = s <= agentRead ? t("read") : s <= agentRecv ? t("delivered") : t("sent");
      k.classList.toggle("r", s <= agentRead);
    });
  }
  function seen() {
    clearTimeout(seenTimer);
    seenTimer = setTimeout(function () {
      if (seq) frame({ t: "seen", recv: seq, read: open && !document.hidden ? seq : 0 });
    }, 300);
  }
  function header() {
    status.textContent = st === "active" && agentName ? t("serving", agentName) : st === "waiting" ? t("waiting") : online ? t("online") : t("offline");
    endBtn.hidden = !(st === "waiting" || st === "active");
    // Ask who the visitor is before a new chat; take a message when nobody is online.
    var fresh = st === "idle" || st === "ended";
    forms.innerHTML = ""; forms.hidden = true; composer.hidden = false;
    if (fresh && !online) form(true);
    else if (fresh && prechat && !profile && !identified) form(false);
  }
  var agentName = "";
  function form(offline) {
    forms.hidden = false; composer.hidden = true;
    forms.appendChild(el("p", null, offline ? t("leave") : t("prechat")));
    var f = {};
    var fields = offline ? ["name", "email", "phone", "order", "message"] : ["name", "email", "phone", "order"];
    fields.forEach(function (n) {
      var i = el(n === "message" ? "textarea" : "input"); i.name = n; i.placeholder = t(n);
      if (n === "email") i.type = "email";
      if (profile && profile[n]) i.value = profile[n];
      f[n] = i; forms.appendChild(i);
    });
    var go = el("button", "btn", offline ? t("leaveBtn") : t("start")); go.style.background = color;
    go.onclick = function () {
      var p = { name: f.name.value.trim(), email: f.email.value.trim(), phone: f.phone.value.trim(), order: f.order.value.trim() };
      if (offline && !p.email) return error(t("needEmail"));
      if (!p.email && !p.phone) return error(t("needContact"));
      if (offline && !f.message.value.trim()) return f.message.focus();
      profile = p; save("profile", p); frame({ t: "profile", profile: p });
      forms.hidden = true; composer.hidden = false;
      if (offline) queue(f.message.value.trim()); else input.focus();
    };
    forms.appendChild(go);
  }

  function connect() {
    connected = false;
    var u = base.replace(/^http/, "ws") + "/chat/ws?channel=" + encodeURIComponent(key);
    try { ws = new WebSocket(u); } catch (e) { return retry(); }
    ws.onopen = function () { ws.send(JSON.stringify({ t: "hello", token: token, seq: seq, lang: lang, profile: profile, user: user })); };
    ws.onmessage = function (ev) {
      var f; try { f = JSON.parse(ev.data); } catch (e) { return; }
      switch (f.t) {
        case "welcome":
          connected = true; backoff = 500; error("");
          token = f.token; save("token", token);
          if (f.reset) { log.innerHTML = ""; seq = 0; }
          if (f.from > seq) seq = f.from;
          conv = f.conv; st = f.state; online = f.online; prechat = f.prechat; identified = f.identified;
          agentName = f.agent || ""; agentRead = f.agent_read; agentRecv = f.agent_recv; maxMB = f.max_upload_mb; maxLen = f.max_message;
          if (f.ticket) ticket = f.ticket;
          title.firstChild.textContent = f.name || t("title");
          paint(f.color); header();
          pending.forEach(function (m) { frame({ t: "msg", cid: m.cid, body: m.body }); });
          break;
        case "e": entry(f); break;
        case "ack": acked(f); break;
        case "error": f.cid ? failed(f) : error({ rate_limited: t("tooFast"), invalid: t("invalid") }[f.code] || f.message); break;
        case "state":
          var was = st; st = f.state; agentName = f.agent || ""; if (f.ticket_id) ticket = f.ticket_id; header();
          if (was !== st && st === "active") typingEl.textContent = "";
          break;
        case "marks": agentRead = f.agent_read; agentRecv = f.agent_recv; marks(); break;
        case "typing":
          if (f.from === "agent") {
            typingEl.textContent = t("typing"); clearTimeout(typingTimer);
            typingTimer = setTimeout(function () { typingEl.textContent = ""; }, 5000);
          }
          break;
        case "rated": rated[f.ticket] = true; var r = root.querySelector(".rate"); if (r) r.remove(); break;
        case "transcript_queued": error(t("transcriptDone")); break;
      }
    };
    ws.onclose = function () { connected = false; retry(); };
  }
  function retry() {
    if (pending.length || open) error(t("reconnecting"));
    setTimeout(connect, backoff + Math.random() * 300);
    backoff = Math.min(backoff * 2, 15000);
  }
  pending.forEach(bubble);
  connect();
  // Re-send messages the server has not acknowledged (e.g. after "too fast").
  setInterval(function () { pending.forEach(function (m) { frame({ t: "msg", cid: m.cid, body: m.body }); }); }, 8000);
  window.__kefu = { open: function () { show(true); }, close: function () { show(false); } };
})();
