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
    var generation = 0;
    var refusal = "";               /* why the last sign request was refused before it started */

    function showError(message) {
      if (message) { errorBox.textContent = message; errorBox.hidden = false; }
      else { errorBox.textContent = ""; errorBox.hidden = true; }
    }

    function busy(on) {
      if (signButton) { signButton.disabled = on; }
      if (otpButton) { otpButton.disabled = on; }
    }

    function resultText(status) {
      var text = status.signed + " dari " + status.total + " KK sudah ditandatangani";
      if (status.running) { return text + " (sedang berjalan…)."; }
      return text + (status.failed ? "; " + status.failed + " gagal." : ".");
    }

    function showItem(li, state, message, item) {
      li.setAttribute("data-state", state);
      li.className = "item item-" + state.toLowerCase();
      var text = li.querySelector(".item-status");
      if (text) { text.textContent = message; }
      var links = li.querySelector(".item-links");
      if (links && item) {
        var signedKk = links.querySelector(".signed-kk");
        var verify = links.querySelector(".verify-link");
        if (item.signed_url && signedKk) { signedKk.setAttribute("href", item.signed_url); }
        if (item.verify_url && verify) { verify.setAttribute("href", item.verify_url); }
        links.hidden = !(item.signed_url && item.verify_url);
      }
    }

    function render(status) {
      page.setAttribute("data-state", status.state);
      status.items.forEach(function (item) {
        var li = document.getElementById("batch-item-" + item.application_id);
        if (li) { showItem(li, item.state, item.message, item); }
      });
      /* "x dari N" stays on screen the whole time, also while the batch is being signed. */
      result.setAttribute("data-signed", status.signed);
      result.setAttribute("data-failed", status.running ? 0 : status.failed);
      result.textContent = resultText(status);
      result.hidden = false;
      if (status.running) {
        busy(true);
        return;
      }
      busy(false);
      showError(status.error ? status.error.message : refusal);
      if (section) { section.hidden = status.state === "DONE"; }
      var left = status.total - status.signed;
      if (signButton) { signButton.textContent = "Tandatangani " + left + " KK"; }
      var count = document.getElementById("sign-count");
      if (count) { count.textContent = left + " KK"; }
    }

    /* A new attempt starts clean: no KK shows the previous attempt's failure while this one runs. */
    function startAttempt() {
      generation += 1;
      refusal = "";
      var items = Array.prototype.slice.call(document.querySelectorAll("#progress-list li.item"));
      var signed = 0;
      items.forEach(function (li) {
        if (li.getAttribute("data-state") === "SIGNED") { signed += 1; return; }
        showItem(li, "SIGNING", "Sedang ditandatangani…", null);
      });
      page.setAttribute("data-state", "SIGNING");
      result.setAttribute("data-signed", signed);
      result.setAttribute("data-failed", 0);
      result.textContent = resultText({ signed: signed, total: items.length, running: true, failed: 0 });
      result.hidden = false;
    }

    function poll() {
      var asked = generation;
      fetch(page.getAttribute("data-status-url"), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.json();
      }).then(function (status) {
        if (!status) { return; }
        if (asked !== generation) { timer = null; poll(); return; }  /* asked before this attempt began */
        render(status);
        if (status.running) { timer = window.setTimeout(poll, pollMs); } else { timer = null; }
      }).catch(function () {
        timer = window.setTimeout(poll, pollMs * 3);
      });
    }

    if (form) {
      Array.prototype.forEach.call(form.querySelectorAll('input[type="radio"][name="mode"]'), function (radio) {
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
        busy(true);
        startAttempt();               /* the previous attempt's outcome is no longer the news */
        post(form.action, body).then(function (response) {
          body = null;
          if (response.status === 202) {
            if (timer === null) { poll(); }
            return null;
          }
          return response.json().then(function (problem) {
            if (response.status === 401) { window.location.reload(); return; }
            generation += 1;
            refusal = problem.message || "Permintaan ditolak.";
            showError(refusal);
            if (timer === null) { poll(); }   /* show the batch as it really is again */
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
