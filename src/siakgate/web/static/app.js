/* siakgate workstation: a little vanilla JS (no build step). Everything works without it except live
   progress; with it, "pilih semua", the OTP request and the batch's progress update in place. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrfToken() },
      body: body || null
    });
  }

  /* TTE queue: "pilih semua" and the count of selected KKs. */
  function setupQueue() {
    var all = document.getElementById("select-all");
    var boxes = Array.prototype.slice.call(document.querySelectorAll("input.select-kk"));
    var count = document.getElementById("selected-count");
    if (!boxes.length) { return; }
    function update() {
      var n = boxes.filter(function (b) { return b.checked; }).length;
      if (count) { count.textContent = n + " dipilih"; }
      if (all) { all.checked = n === boxes.length; all.indeterminate = n > 0 && n < boxes.length; }
    }
    if (all) {
      all.addEventListener("change", function () {
        boxes.forEach(function (b) { b.checked = all.checked; });
        update();
      });
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  }

  /* Batch page: sign in the background, poll the status every second, show each KK's result. */
  function setupBatch() {
    var page = document.getElementById("batch-page");
    if (!page) { return; }
    var form = document.getElementById("sign-form");
    var secret = document.getElementById("secret");
    var signButton = document.getElementById("sign-button");
    var otpButton = document.getElementById("otp-request-button");
    var otpSent = document.getElementById("otp-sent");
    var errorBox = document.getElementById("sign-error");
    var result = document.getElementById("batch-result");
    var section = document.getElementById("sign-section");
    var label = document.getElementById("secret-label");
    var pollMs = parseInt(page.getAttribute("data-poll-ms"), 10) || 1000;
    var timer = null;

    function showError(message) {
      if (message) { errorBox.textContent = message; errorBox.hidden = false; }
      else { errorBox.textContent = ""; errorBox.hidden = true; }
    }

    function busy(on) {
      if (signButton) { signButton.disabled = on; }
      if (otpButton) { otpButton.disabled = on; }
    }

    function render(status) {
      page.setAttribute("data-state", status.state);
      status.items.forEach(function (item) {
        var li = document.getElementById("batch-item-" + item.application_id);
        if (!li) { return; }
        li.setAttribute("data-state", item.state);
        li.className = "item item-" + item.state.toLowerCase();
        var text = li.querySelector(".item-status");
        if (text) { text.textContent = item.message; }
      });
      if (status.running) {
        busy(true);
        result.hidden = true;
        return;
      }
      busy(false);
      result.setAttribute("data-signed", status.signed);
      result.setAttribute("data-failed", status.failed);
      result.textContent = status.signed + " dari " + status.total + " KK sudah ditandatangani" +
        (status.failed ? "; " + status.failed + " gagal." : ".");
      result.hidden = false;
      showError(status.error ? status.error.message : "");
      if (section) { section.hidden = status.state === "DONE"; }
      if (signButton) { signButton.textContent = "Tandatangani " + (status.total - status.signed) + " KK"; }
    }

    function poll() {
      fetch(page.getAttribute("data-status-url"), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.json();
      }).then(function (status) {
        if (!status) { return; }
        render(status);
        if (status.running) { timer = window.setTimeout(poll, pollMs); } else { timer = null; }
      }).catch(function () {
        timer = window.setTimeout(poll, pollMs * 3);
      });
    }

    if (form) {
      Array.prototype.forEach.call(form.querySelectorAll('input[name="mode"]'), function (radio) {
        radio.addEventListener("change", function () {
          var otp = form.querySelector('input[name="mode"]:checked').value === "otp";
          label.textContent = otp ? "Kode OTP" : "Passphrase";
          secret.setAttribute("inputmode", otp ? "numeric" : "text");
        });
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (!secret.value) { secret.focus(); return; }
        var body = new FormData(form);
        secret.value = "";            /* the secret leaves the page with this request and nowhere else */
        showError("");
        if (result) { result.hidden = true; }  /* the previous attempt's outcome is no longer the news */
        busy(true);
        post(form.action, body).then(function (response) {
          body = null;
          if (response.status === 202) {
            if (timer === null) { poll(); }
            return null;
          }
          return response.json().then(function (problem) {
            busy(false);
            showError(problem.message || "Permintaan ditolak.");
            if (response.status === 401) { window.location.reload(); }
          });
        }).catch(function () {
          busy(false);
          showError("Gateway tidak dapat dihubungi. Periksa jaringan lalu coba lagi.");
        });
      });
    }

    if (otpButton) {
      otpButton.addEventListener("click", function () {
        otpButton.disabled = true;
        showError("");
        post(otpButton.getAttribute("data-url")).then(function (response) {
          return response.json().then(function (body) {
            otpButton.disabled = false;
            if (response.ok) {
              otpSent.hidden = false;
              document.getElementById("mode-otp").click();
              secret.focus();
            } else {
              showError(body.message || "Kode OTP tidak dapat diminta.");
            }
          });
        }).catch(function () {
          otpButton.disabled = false;
          showError("Gateway tidak dapat dihubungi.");
        });
      });
    }

    if (page.getAttribute("data-state") === "SIGNING") { poll(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupQueue();
    setupBatch();
  });
}());
