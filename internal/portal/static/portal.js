// kefu portal: checks a request against the shop's policy as the customer
// fills it in, so they see at once whether it is eligible and why. The
// form works without this file (the "check" button does the same).
(function () {
  "use strict";
  var form = document.getElementById("request-form");
  if (!form || !window.fetch || !window.FormData) return;
  var panel = document.getElementById("decision");
  var timer = null;
  function check() {
    var data = new FormData(form);
    data.delete("photos"); // the check needs no photos; do not upload them twice
    data.delete("action");
    fetch(form.getAttribute("data-check"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) panel.innerHTML = html; })
      .catch(function () {});
  }
  form.addEventListener("change", function (e) {
    if (e.target && e.target.name === "photos") return;
    clearTimeout(timer);
    timer = setTimeout(check, 150);
  });
})();
