/* The volunteer pages (/me/): registers the service worker and keeps claims made without a
   signal in a queue on the phone (localStorage), sending them to the API when the signal
   returns. Each claim keeps the client_uuid of its form fill (the page gives one; the same
   content sent again, by a double tap or a resend after a lost answer, reuses it), so the
   server answers a repeat with the first claim instead of refusing it as an overlap.
   Every text shown comes translated from the page (#me-config); none is written here. */
(function () {
  "use strict";
  var configEl = document.getElementById("me-config");
  if (!configEl) return;
  var CONFIG = JSON.parse(configEl.textContent);
  var S = CONFIG.strings;
  var RETRY_MS = 20000;

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

  var SENT_KEY = CONFIG.sentKey;
  var SENT_KEPT = 30;

  function signature(payload) {
    // what makes two sends the same claim: who, what and when
    return [payload.senior, payload.service_type, payload.started_at, payload.ended_at].join("|");
  }

  function loadSent() {
    try {
      return JSON.parse(window.localStorage.getItem(SENT_KEY)) || [];
    } catch (e) {
      return [];
    }
  }

  function rememberSent(payload) {
    var sig = signature(payload);
    var sent = loadSent().filter(function (s) { return s.sig !== sig; });
    sent.push({ sig: sig, uuid: payload.client_uuid });
    window.localStorage.setItem(SENT_KEY, JSON.stringify(sent.slice(-SENT_KEPT)));
  }

  function sentAs(payload) {
    var sig = signature(payload);
    var found = loadSent().filter(function (s) { return s.sig === sig; })[0];
    return found ? found.uuid : null;
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

  function showClaim(claim) {
    // the claim the server took, at the top of the page's list of claims, without a reload
    var list = document.getElementById("me-claims");
    if (!list || !claim || !claim.id) return;
    if (list.querySelector("li[data-id='" + claim.id + "']")) return;
    var none = list.querySelector(".me-none");
    if (none) none.remove();
    var li = document.createElement("li");
    li.className = "me-claim me-new";
    li.dataset.status = claim.status;
    li.dataset.id = claim.id;
    var row = document.createElement("div");
    row.className = "me-row";
    var who = document.createElement("strong");
    who.textContent = claim.senior_name;
    var tag = document.createElement("span");
    tag.className = "me-status me-status-" + claim.status;
    tag.textContent = S.statuses[claim.status] || claim.status;
    row.appendChild(who);
    row.appendChild(tag);
    var what = document.createElement("div");
    what.className = "me-row muted";
    var service = document.createElement("span");
    service.textContent = S.services[claim.service_type] || claim.service_type;
    var hours = document.createElement("span");
    hours.textContent = claim.hours + " " + S.hours;
    what.appendChild(service);
    what.appendChild(hours);
    var when = document.createElement("div");
    when.className = "muted";
    when.textContent = localText(claim.started_at) + " – " + localText(claim.ended_at).slice(11);
    li.appendChild(row);
    li.appendChild(what);
    li.appendChild(when);
    list.insertBefore(li, list.firstChild);
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function localText(iso) {
    // "2026-11-29T08:00:00+08:00" as the page writes times: "2026-11-29 08:00"
    var d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso || "");
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
      pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function localValue(d) {
    // a Date as the value of an <input type=datetime-local>
    return localText(d.toISOString()).replace(" ", "T");
  }

  function plusMinutes(value, minutes) {
    // "2026-11-29T08:00" + 90 = "2026-11-29T09:30", on the wall clock (no time zone maths)
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
    if (!m) return value;
    var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5] + minutes));
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) +
      "T" + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
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
    var body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (response.ok) return { outcome: "sent", claim: body };
    if (response.status === 401 || response.status === 403) {
      // logged out or a stale token: keep the claim, it is sent after the next login
      return { outcome: "login", message: messagesOf(body) };
    }
    if (response.status >= 400 && response.status < 500) {
      return { outcome: "refused", message: messagesOf(body) };
    }
    return { outcome: "later" };
  }

  var chain = Promise.resolve();

  function flush() {
    // one pass after another: a send waits for the pass already running, never skips it
    var pass = chain.then(flushOnce, flushOnce);
    chain = pass;
    return pass;
  }

  async function flushOnce() {
    var result = { sent: 0, refused: [], stopped: null };
    try {
      var queue = load();
      for (var i = 0; i < queue.length; i++) {
        var item = queue[i];
        var answer = await send(item);
        if (answer.outcome === "sent") {
          drop(item.payload.client_uuid);
          rememberSent(item.payload);
          showClaim(answer.claim);
          result.sent += 1;
        } else if (answer.outcome === "refused" && sentAs(item.payload)) {
          // the same claim went through before (an older copy with another uuid): it is
          // there, so this is a success, not a refusal
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
    var button = form.querySelector("button[type=submit]");
    var start = form.elements.started_at;
    var duration = form.elements.duration;
    var startTouched = false;
    // a form fill's own uuid, made here: the page may come from the offline cache, where the
    // uuid the server wrote into it was already used by an earlier fill
    form.elements.client_uuid.value = newUuid();

    function followDuration() {
      // until the volunteer sets the start, the service is one that has just ended
      if (startTouched || !duration) return;
      var minutes = Number(duration.value) || 0;
      var d = new Date(Date.now() - minutes * 60000);
      d.setMinutes(d.getMinutes() - (d.getMinutes() % 5), 0, 0);
      start.value = localValue(d);
    }
    start.addEventListener("input", function () { startTouched = true; });
    if (duration) duration.addEventListener("change", followDuration);

    var busy = false;
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (busy) return; // a second tap while the first is on its way
      if (!form.reportValidity()) return;
      busy = true;
      if (button) button.disabled = true;
      try {
        await submit();
      } finally {
        busy = false;
        if (button) button.disabled = false;
      }
    });

    async function submit() {
      var payload = {
        client_uuid: form.elements.client_uuid.value || newUuid(),
        senior: Number(form.elements.senior.value),
        service_type: form.elements.service_type.value,
        started_at: start.value,
        ended_at: duration ? plusMinutes(start.value, Number(duration.value)) : "",
        notes: form.elements.notes.value,
      };
      var sig = signature(payload);
      var queue = load();
      var waiting = queue.filter(function (item) { return signature(item.payload) === sig; })[0];
      if (waiting) {
        payload = waiting.payload; // already on the phone: one claim, not two
      } else {
        // the same content as a claim sent before is that claim (the server answers it);
        // other content never reuses a uuid already given to a claim
        var used = queue.some(function (item) {
          return item.payload.client_uuid === payload.client_uuid;
        }) || loadSent().some(function (s) { return s.uuid === payload.client_uuid; });
        payload.client_uuid = sentAs(payload) || (used ? newUuid() : payload.client_uuid);
        form.elements.client_uuid.value = payload.client_uuid;
        queue.push({
          payload: payload,
          seniorName: selectedText(form.elements.senior),
          serviceLabel: selectedText(form.elements.service_type),
          queuedAt: new Date().toISOString(),
        });
        save(queue); // on the phone first: nothing is lost if the page closes now
      }
      render();
      showStatus(S.sending, "");
      await flush();
      var stillQueued = load().some(function (item) {
        return item.payload.client_uuid === payload.client_uuid;
      });
      var status = document.getElementById("me-status");
      if (stillQueued && (navigator.onLine === false || (status && status.textContent === S.sending))) {
        showStatus(S.savedOffline, "queued");
      }
      if (!stillQueued && sentAs(payload) === payload.client_uuid) {
        // taken: the next claim is a new form fill with its own uuid
        form.elements.client_uuid.value = newUuid();
        form.elements.notes.value = "";
      }
    }
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
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active && navigator.onLine !== false) {
        registration.active.postMessage("precache");
      }
    });
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
