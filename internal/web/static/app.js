// kefu workspace behaviour: keyboard, live updates, presence, canned
// responses, lightbox. Plain JavaScript; htmx does the partial updates.
(function () {
  "use strict";
  var body = document.body;
  function csrf() {
    try { return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; } catch (e) { return ""; }
  }
  // announce tells colleagues on this ticket that we view it or type in it.
  // Viewing is sent at most once a second: newcomers are answered, and
  // several arriving together should not set off a storm.
  var lastViewing = 0;
  function announce(state) {
    var tpe = document.querySelector("[data-ticket]");
    if (!tpe) return;
    if (state === "viewing") { if (Date.now() - lastViewing < 1000) return; lastViewing = Date.now(); }
    var fd = new URLSearchParams(); fd.set("state", state);
    fetch("/tickets/" + tpe.getAttribute("data-ticket") + "/presence", { method: "POST", headers: { "X-CSRF-Token": csrf() }, body: fd, credentials: "same-origin" }).catch(function () {});
  }
  function typingInField(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }

  // Inbox: rows open on click; j/k move, Enter opens, x selects, f filters.
  // Everywhere: / goes to the search box.
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-href]"));
  var cur = -1;
  function mark(i) {
    if (!rows.length) return;
    if (cur >= 0) rows[cur].classList.remove("cur");
    cur = Math.max(0, Math.min(rows.length - 1, i));
    rows[cur].classList.add("cur");
    rows[cur].scrollIntoView({ block: "nearest" });
  }
  rows.forEach(function (tr) {
    tr.addEventListener("click", function (e) {
      if (e.target.closest("a,input,button,select")) return;
      location.href = tr.getAttribute("data-href");
    });
  });
  var all = document.querySelector("[data-all]");
  if (all) all.addEventListener("change", function () {
    document.querySelectorAll("input[name=ids]").forEach(function (c) { c.checked = all.checked; });
  });

  var composer = document.getElementById("composer");
  var textarea = document.getElementById("body");
  function setMode(kind) {
    if (!composer) return;
    var radio = composer.querySelector("input[name=kind][value=" + kind + "]");
    if (radio) { radio.checked = true; }
    composer.classList.toggle("note", kind === "note");
    if (textarea) textarea.placeholder = textarea.getAttribute("data-ph-" + kind) || textarea.placeholder;
    if (textarea) textarea.focus();
  }
  if (composer) {
    composer.addEventListener("change", function (e) {
      if (e.target.name === "kind") setMode(e.target.value);
    });
    var checked = composer.querySelector("input[name=kind]:checked");
    if (checked) composer.classList.toggle("note", checked.value === "note");
    composer.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); composer.requestSubmit(); }
    });
    composer.addEventListener("submit", function () {
      var b = document.getElementById("send"); if (b) b.disabled = true;
    });
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (typingInField(e)) { if (e.key === "Escape") e.target.blur(); return; }
    switch (e.key) {
      case "j": mark(cur + 1); break;
      case "k": mark(cur - 1); break;
      case "Enter": if (cur >= 0) location.href = rows[cur].getAttribute("data-href"); break;
      case "x": if (cur >= 0) { var c = rows[cur].querySelector("input[name=ids]"); if (c) c.checked = !c.checked; } break;
      case "/": var sq = document.getElementById("search-q"); if (sq) { e.preventDefault(); sq.focus(); sq.select(); } break;
      case "f": var f = document.querySelector("#filters input[name=tag], #filters select"); if (f) { e.preventDefault(); f.focus(); } break;
      case "a": var as = document.querySelector(".props select[name=assignee_id]"); if (as) { e.preventDefault(); as.focus(); } break;
      case "s": var ss = document.querySelector(".props select[name=status]"); if (ss) { e.preventDefault(); ss.focus(); } break;
      case "?": var ov = document.getElementById("shortcuts"); if (ov) { e.preventDefault(); ov.hidden = !ov.hidden; } break;
      case "Escape": var o2 = document.getElementById("shortcuts"); if (o2) o2.hidden = true; break;
      case "r": if (composer) { e.preventDefault(); setMode("reply"); } break;
      case "n": if (composer) { e.preventDefault(); setMode("note"); } break;
      case "z": var zm = document.getElementById("snooze-menu"); if (zm) { e.preventDefault(); zm.open = !zm.open; var zb = zm.querySelector("button"); if (zm.open && zb) zb.focus(); } break;
      case "g": location.href = "/"; break;
      default: return;
    }
  });

  // Canned responses: insert the filled-in text at the cursor.
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-insert]");
    if (!b || !textarea) return;
    var text = b.getAttribute("data-insert");
    var s = textarea.selectionStart || 0, en = textarea.selectionEnd || 0;
    textarea.value = textarea.value.slice(0, s) + text + textarea.value.slice(en);
    textarea.selectionStart = textarea.selectionEnd = s + text.length;
    var d = document.getElementById("canned"); if (d) d.open = false;
    textarea.focus();
  });

  // Lightbox for photo attachments.
  var lb = document.getElementById("lightbox");
  document.addEventListener("click", function (e) {
    var a = e.target.closest("a[data-lightbox]");
    if (a && lb) { e.preventDefault(); lb.querySelector("img").src = a.href; lb.hidden = false; return; }
    if (lb && !lb.hidden && e.target.closest("#lightbox")) lb.hidden = true;
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && lb) lb.hidden = true; });

  // The shortcut overlay closes on its button or a click outside its box.
  document.addEventListener("click", function (e) {
    var ov = document.getElementById("shortcuts");
    if (ov && !ov.hidden && (e.target.closest("[data-close-overlay]") || e.target === ov)) ov.hidden = true;
  });

  // Forms that cannot be undone (merge) ask first.
  document.addEventListener("submit", function (e) {
    var f = e.target.closest("form[data-confirm]");
    if (f && !window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
  }, true);

  body.addEventListener("kefu:saved", function () { flash("✓"); });
  function flash(text) {
    var f = document.createElement("div"); f.className = "flash toast"; f.textContent = text;
    body.appendChild(f); setTimeout(function () { f.remove(); }, 1500);
  }

  // Live updates over Server-Sent Events: the page's own topic, plus the
  // chat queue and the agent's own chats on every page, for notifications.
  var liveEl = document.querySelector("[data-live]");
  var isAgent = body.hasAttribute("data-chat");
  var tp = document.querySelector("[data-ticket]");
  var ticketID = tp ? +tp.getAttribute("data-ticket") : 0;
  var topics = [];
  if (liveEl) topics.push(liveEl.getAttribute("data-live"));
  if (isAgent) { topics.push("chats"); topics.push("user." + body.getAttribute("data-user")); }
  var baseTitle = document.title, alerts = 0;
  function beep() {
    try {
      var C = window.AudioContext || window.webkitAudioContext; if (!C) return;
      var ac = beep.ac || (beep.ac = new C()), o = ac.createOscillator(), g = ac.createGain();
      o.frequency.value = 880; g.gain.value = 0.08; o.connect(g); g.connect(ac.destination);
      o.start(); o.stop(ac.currentTime + 0.18);
    } catch (e) {}
  }
  function notify(text) {
    beep();
    if (document.hidden || !tp) { alerts++; document.title = "(" + alerts + ") " + text + " · " + baseTitle; }
    flash(text);
  }
  if (topics.length && window.EventSource) {
    var es = new EventSource("/live?" + topics.map(function (t) { return "topic=" + encodeURIComponent(t); }).join("&"));
    var refreshTimer = 0;
    function refreshConversation() {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(function () { if (window.htmx) htmx.trigger(body, "kefu:messages"); }, 60);
    }
    // A new stream carries what is committed from now on: after a dropped
    // connection, reload what the page shows so nothing between is missed.
    var streamOpened = false;
    es.addEventListener("open", function () {
      if (streamOpened && window.htmx) {
        htmx.trigger(body, "kefu:messages"); htmx.trigger(body, "kefu:chats"); htmx.trigger(body, "kefu:inbox");
      }
      streamOpened = true;
    });
    es.addEventListener("messages", function (ev) {
      var m = JSON.parse(ev.data);
      if (m.topic === "ticket." + ticketID) refreshConversation();
      if (document.hidden && m.topic === "ticket." + ticketID) document.title = "● " + document.title.replace(/^● /, "");
    });
    es.addEventListener("ticket", function () { if (window.htmx) htmx.trigger(body, "kefu:inbox"); });
    es.addEventListener("chat", function (ev) {
      var m = JSON.parse(ev.data), d = m.data || {}, here = ticketID && m.ticket_id === ticketID;
      switch (m.type) {
        case "chat.state":
          if (window.htmx) htmx.trigger(body, "kefu:chats");
          if (m.topic === "chats" && d.state === "waiting") notify(body.getAttribute("data-new-chat"));
          else if (m.topic === "user." + body.getAttribute("data-user") && d.state === "active" && !here) notify(body.getAttribute("data-new-chat"));
          if (here) refreshConversation();
          break;
        case "chat.entry":
          if (here) refreshConversation();
          if (d.from === "visitor" && m.topic !== "ticket." + ticketID && (!here || document.hidden)) notify(body.getAttribute("data-new-msg"));
          else if (d.from === "visitor" && here && document.hidden) notify(body.getAttribute("data-new-msg"));
          break;
        case "chat.marks":
          if (here) refreshConversation();
          break;
        case "chat.typing":
          var ty = document.getElementById("visitor-typing");
          if (here && ty && d.from === "visitor") {
            ty.hidden = !d.on; clearTimeout(ty._t); ty._t = setTimeout(function () { ty.hidden = true; }, 5000);
          }
          break;
        case "chat.visitor":
          var vo = document.getElementById("visitor-online");
          if (here && vo) { vo.textContent = d.online ? "● " : "○ "; vo.classList.toggle("on", !!d.online); }
          break;
      }
    });
    var presenceBox = document.getElementById("presence");
    var seen = {};
    // Once listening, say we are here: colleagues already on the ticket
    // answer at once (below), so both sides know within a second rather
    // than at the next heartbeat. Also on every reconnect.
    if (tp) es.addEventListener("open", function () { announce("viewing"); });
    es.addEventListener("presence", function (ev) {
      if (!presenceBox) return;
      var m = JSON.parse(ev.data), d = m.data || {};
      if (d.state === "left") { delete seen[m.user_id]; renderPresence(); return; }
      var isNew = !seen[m.user_id];
      seen[m.user_id] = { name: d.name, state: d.state, at: Date.now() };
      if (isNew) announce("viewing"); // a newcomer learns we are here too
      renderPresence();
    });
    function renderPresence() {
      if (!presenceBox) return;
      var parts = [], now = Date.now(), typing = false;
      Object.keys(seen).forEach(function (k) {
        var p = seen[k];
        if (now - p.at > (p.state === "typing" ? 6000 : 25000)) { delete seen[k]; return; }
        typing = typing || p.state === "typing";
        var fmt = presenceBox.getAttribute(p.state === "typing" ? "data-typing" : "data-viewing") || "%s";
        parts.push((p.state === "typing" ? "✎ " : "👁 ") + fmt.replace("%s", p.name));
      });
      presenceBox.textContent = parts.join(" · ");
      presenceBox.classList.toggle("warn", parts.length > 0);
      presenceBox.classList.toggle("typing", typing);
    }
    setInterval(renderPresence, 3000);
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { alerts = 0; document.title = baseTitle; chatSeen(); }
  });

  // Chat presence: the header's status menu, and a heartbeat while a page is open.
  var statusForm = document.getElementById("chat-status");
  if (statusForm) statusForm.addEventListener("change", function () { statusForm.submit(); });
  function post(url, params) {
    var fd = new URLSearchParams(params || {});
    return fetch(url, { method: "POST", headers: { "X-CSRF-Token": csrf() }, body: fd, credentials: "same-origin" });
  }
  if (isAgent) {
    post("/me/heartbeat").catch(function () {});
    setInterval(function () { post("/me/heartbeat").catch(function () {}); }, 30000);
  }

  // A chat ticket: Enter sends without leaving the page, and the page tells
  // the visitor how far the agent has read.
  function chatSeen() {
    var strip = document.getElementById("chatstrip");
    if (!strip || !ticketID) return;
    post("/tickets/" + ticketID + "/chat/seen", { seq: strip.getAttribute("data-last"), read: document.hidden ? "0" : "1" }).catch(function () {});
  }
  if (tp && tp.hasAttribute("data-chat")) {
    chatSeen();
    body.addEventListener("htmx:afterSwap", function (e) { if (e.target && e.target.id === "conversation") { chatSeen(); scrollConversation(); } });
    function scrollConversation() { var c = document.getElementById("conversation"); if (c) c.scrollTop = c.scrollHeight; }
    scrollConversation();
    if (composer && textarea) {
      textarea.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.isComposing) { e.preventDefault(); composer.requestSubmit(); }
      });
      composer.addEventListener("submit", function (e) {
        e.preventDefault();
        var fd = new FormData(composer), b = document.getElementById("send");
        if (!String(fd.get("body") || "").trim() && !(composer.querySelector("input[type=file]").files || []).length) { if (b) b.disabled = false; return; }
        fetch(composer.action, { method: "POST", body: fd, credentials: "same-origin", headers: { "X-Requested-With": "fetch", "X-CSRF-Token": csrf() } })
          .then(function (r) {
            if (b) b.disabled = false;
            if (!r.ok) return r.text().then(function (t) { flash(t.slice(0, 200)); });
            textarea.value = ""; composer.querySelector("input[type=file]").value = "";
            refreshConversationNow();
          }, function () { if (b) b.disabled = false; flash("✗"); });
      }, true);
    }
  }
  function refreshConversationNow() { if (window.htmx) htmx.trigger(body, "kefu:messages"); }


  // Tell colleagues on the same ticket that we are here, and when we type.
  if (tp) {
    var lastTyping = 0;
    if (!window.EventSource) announce("viewing"); // else on the stream's "open"
    // Leaving: a beacon survives the page going away (it cannot set the
    // CSRF header, so the token goes in the form).
    window.addEventListener("pagehide", function () {
      if (!navigator.sendBeacon) return;
      var fd = new URLSearchParams(); fd.set("state", "left"); fd.set("csrf", csrf());
      navigator.sendBeacon("/tickets/" + tp.getAttribute("data-ticket") + "/presence", fd);
    });
    setInterval(function () { if (!document.hidden) announce("viewing"); }, 10000);
    if (textarea) textarea.addEventListener("input", function () {
      var now = Date.now(); if (now - lastTyping > 2500) { lastTyping = now; announce("typing"); }
    });
  }
})();
