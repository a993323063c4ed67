/* The volunteer pages (/me/): registers the service worker and keeps claims made without a
   signal in a queue on the phone (localStorage), sending them to the API when the signal
   returns. Each queued claim keeps the client_uuid it was given when the volunteer pressed
   "send", so sending it again (after a lost answer, say) never makes a second claim.
   Every text shown comes translated from the page (#me-config); none is written here. */
(function () {
  "use strict";
  var configEl = document.getElementById("me-config");
  if (!configEl) return;
  var CONFIG = JSON.parse(configEl.textContent);
  var S = CONFIG.strings;
  var RETRY_MS = 20000;
  var flushing = false;

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(CONFIG.queueKey)) || [];
    } catch (e) {
      return [];
    }
  }

  function save(queue) {
    window.localStorage.setItem(CONFIG.queueKey, JSON.stringify(queue));
  }

  function drop(clientUuid) {
    save(load().filter(function (item) { return item.payload.client_uuid !== clientUuid; }));
  }

  function newUuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // RFC 4122 version 4 from getRandomValues (or Math.random on very old phones)
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showStatus(text, kind) {
    var el = document.getElementById("me-status");
    if (!el) return;
    el.textContent = text;
    el.className = "me-banner" + (kind ? " me-" + kind : "");
    el.hidden = !text;
  }

  function showOffline() {
    var el = document.getElementById("me-offline");
    if (!el) return;
    el.textContent = S.offline;
    el.hidden = navigator.onLine !== false;
  }

  function render() {
    var section = document.getElementById("me-queue");
    if (!section) return;
    var queue = load();
    var list = section.querySelector("ul");
    document.getElementById("me-queue-title").textContent = S.queueTitle;
    list.textContent = "";
    queue.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "me-claim";
      li.dataset.state = "queued";
      li.dataset.clientUuid = item.payload.client_uuid;
      var row = document.createElement("div");
      row.className = "me-row";
      var who = document.createElement("strong");
      who.textContent = item.seniorName;
      var tag = document.createElement("span");
      tag.className = "me-status me-status-queued";
      tag.textContent = S.queued;
      row.appendChild(who);
      row.appendChild(tag);
      var what = document.createElement("div");
      what.className = "muted";
      what.textContent = item.serviceLabel + " · " + item.payload.started_at.replace("T", " ") +
        " – " + item.payload.ended_at.slice(11);
      li.appendChild(row);
      li.appendChild(what);
      list.appendChild(li);
    });
    section.hidden = queue.length === 0;
  }

  function messagesOf(body) {
    if (!body || typeof body !== "object") return "";
    var out = [];
    Object.keys(body).forEach(function (key) {
      var value = body[key];
      out.push(Array.isArray(value) ? value.join(" ") : String(value));
    });
    return out.join(" ");
  }

  async function send(item) {
    // resolves to "sent", "refused" (with .message), "later"; a network error is "later"
    var response;
    try {
      response = await fetch(CONFIG.api, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify(item.payload),
      });
    } catch (e) {
      return { outcome: "later" };
    }
    if (response.ok) return { outcome: "sent" };
    var body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (response.status === 401 || response.status === 403) {
      // logged out or a stale token: keep the claim, it is sent after the next login
      return { outcome: "login", message: messagesOf(body) };
    }
    if (response.status >= 400 && response.status < 500) {
      return { outcome: "refused", message: messagesOf(body) };
    }
    return { outcome: "later" };
  }

  async function flush() {
    if (flushing) return null;
    flushing = true;
    var result = { sent: 0, refused: [], stopped: null };
    try {
      var queue = load();
      for (var i = 0; i < queue.length; i++) {
        var item = queue[i];
        var answer = await send(item);
        if (answer.outcome === "sent") {
          drop(item.payload.client_uuid);
          result.sent += 1;
        } else if (answer.outcome === "refused") {
          drop(item.payload.client_uuid);
          result.refused.push(item.seniorName + ": " + answer.message);
        } else {
          result.stopped = answer;
          break;
        }
      }
    } finally {
      flushing = false;
      render();
    }
    if (result.refused.length) {
      showStatus(S.refused + " " + result.refused.join(" "), "error");
    } else if (result.stopped && result.stopped.outcome === "login") {
      showStatus(S.loginAgain + " " + result.stopped.message, "error");
    } else if (result.sent) {
      showStatus(S.sent, "ok");
    }
    return result;
  }

  function selectedText(select) {
    var option = select.options[select.selectedIndex];
    return option ? option.text : "";
  }

  function wireForm(form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (!form.reportValidity()) return;
      var payload = {
        client_uuid: newUuid(),
        senior: Number(form.elements.senior.value),
        service_type: form.elements.service_type.value,
        started_at: form.elements.started_at.value,
        ended_at: form.elements.ended_at.value,
        notes: form.elements.notes.value,
      };
      var queue = load();
      queue.push({
        payload: payload,
        seniorName: selectedText(form.elements.senior),
        serviceLabel: selectedText(form.elements.service_type),
        queuedAt: new Date().toISOString(),
      });
      save(queue); // on the phone first: nothing is lost if the page closes now
      form.elements.notes.value = "";
      render();
      showStatus(S.sending, "");
      await flush();
      var stillQueued = load().some(function (item) {
        return item.payload.client_uuid === payload.client_uuid;
      });
      if (stillQueued && navigator.onLine === false) {
        showStatus(S.savedOffline, "queued");
      } else if (stillQueued) {
        var status = document.getElementById("me-status");
        if (status && status.textContent === S.sending) showStatus(S.savedOffline, "queued");
      }
    });
  }

  function forgetPagesOnLogout() {
    // a shared phone: the next person must not open this volunteer's pages from the cache
    // (claims not yet sent stay queued under this login's key and go after the next login)
    var logout = document.querySelector("form[action$='/logout/']");
    if (!logout || !window.caches) return;
    logout.addEventListener("submit", function (event) {
      event.preventDefault();
      var submitted = false;
      var done = function () {
        if (!submitted) logout.submit();
        submitted = true;
      };
      window.setTimeout(done, 1500);
      window.caches.keys().then(function (names) {
        return Promise.all(names.filter(function (n) { return n.indexOf("me-") === 0; })
          .map(function (n) { return window.caches.delete(n); }));
      }).then(done, done);
    }, { once: true });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(CONFIG.sw, { scope: CONFIG.scope }).catch(function () {});
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("me-claim-form");
    if (form) wireForm(form);
    forgetPagesOnLogout();
    render();
    showOffline();
    flush();
  });
  window.addEventListener("online", function () {
    showOffline();
    flush();
  });
  window.addEventListener("offline", showOffline);
  window.setInterval(function () {
    if (navigator.onLine !== false) flush();
  }, RETRY_MS);
})();
