// Jalon autosave: each item's form saves on its own shortly after the person stops typing or
// leaves a field. Without this script the same forms post normally; with it, nothing a person
// types is lost on a bad network:
// - every change is kept in localStorage until the server confirms it, and offered back after a
//   reload or a crash;
// - one save at a time per form; each carries this tab's id and a growing sequence number, so
//   the server ignores a late, older save;
// - a save refused as stale (409) or invalid (400) swaps in the server's HTML for the item, which
//   shows the other person's version or the error next to the field;
// - a failed save says so, offers a retry, and retries by itself when the network comes back.
(function () {
  "use strict";
  var text = document.getElementById("autosave-text");
  if (!text || !window.fetch || !window.FormData) return;
  var T = text.dataset;
  var CLIENT = Math.random().toString(36).slice(2) + Date.now().toString(36);
  var seq = 0;
  var DELAY = 900;
  var failed = new Set();

  function storageKey(form) { return "jalon:draft:" + form.dataset.key; }
  function entries(form) {
    var out = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "version") out.push([name, String(value)]);
    });
    return out;
  }
  function snapshot(form) { return JSON.stringify(entries(form)); }
  function stash(form) {
    try {
      localStorage.setItem(storageKey(form), JSON.stringify({
        entries: entries(form), version: form.elements.version ? form.elements.version.value : "",
        at: new Date().toISOString()
      }));
    } catch (e) { /* storage full or disabled: the server save still runs */ }
  }
  function unstash(form) { try { localStorage.removeItem(storageKey(form)); } catch (e) {} }
  function readStash(form) {
    try { return JSON.parse(localStorage.getItem(storageKey(form)) || "null"); } catch (e) { return null; }
  }
  function fill(form, values) {
    var used = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "version") return;
      var mine = values.filter(function (p) { return p[0] === el.name; }).map(function (p) { return p[1]; });
      if (el.type === "checkbox" || el.type === "radio") { el.checked = mine.indexOf(el.value) !== -1; return; }
      if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = mine.indexOf(o.value) !== -1; });
        return;
      }
      var i = used[el.name] || 0;
      used[el.name] = i + 1;
      if (mine[i] !== undefined) el.value = mine[i];
    });
  }
  function statusOf(form) { return form.querySelector("[data-status]"); }
  function say(form, state, message, retry) {
    var s = statusOf(form);
    if (!s) return;
    s.className = "status " + state;
    s.textContent = message;
    if (retry) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "link"; b.textContent = T.retry;
      b.style.marginLeft = ".5rem";
      b.addEventListener("click", function () { save(form); });
      s.appendChild(b);
    }
  }
  function savedText(data) {
    return T.saved.replace("{time}", data.saved_time || "").replace("{by}", data.by || "");
  }

  function save(form) {
    if (!document.body.contains(form)) return;
    clearTimeout(form._timer);
    if (form._busy) { form._again = true; return; }
    var sent = snapshot(form);
    if (sent === form._confirmed) { unstash(form); return; }
    form._busy = true;
    var body = new FormData(form);
    body.set("client", CLIENT);
    body.set("seq", String(++seq));
    say(form, "saving", T.saving);
    fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Jalon-Autosave": "1", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (r) {
      form._busy = false;
      failed.delete(form);
      if (r.status === 200) {
        if (form.elements.version && !r.data.ignored) form.elements.version.value = r.data.version;
        form._confirmed = sent;
        if (snapshot(form) === sent) unstash(form);
        say(form, "saved", savedText(r.data));
        if (form._again) { form._again = false; save(form); }
      } else if (r.data && r.data.html) {
        replaceItem(form, r.data.html);
      } else {
        say(form, "failed", (r.data && r.data.error) || T.failed, true);
      }
    }).catch(function () {
      form._busy = false;
      failed.add(form);
      say(form, "failed", T.failed, true);
    });
  }

  function replaceItem(form, html) {
    var item = form.closest("[data-item]");
    if (!item) return;
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.firstElementChild;
    item.replaceWith(fresh);
    setup(fresh);
    var alert = fresh.querySelector("[role=alert]");
    if (alert) {
      var details = alert.closest("details");
      if (details) details.open = true;
      alert.setAttribute("tabindex", "-1");
      alert.focus();
    }
  }

  function takeTheirs(link) {
    var item = link.closest("[data-item]");
    item.querySelectorAll("form[data-key]").forEach(unstash);
    fetch(item.dataset.fragment, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.text();
    }).then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var fresh = holder.firstElementChild;
      item.replaceWith(fresh);
      setup(fresh);
    }).catch(function () { window.location = link.href; });
  }

  function offerDraft(form) {
    var draft = readStash(form);
    if (!draft || !draft.entries) return;
    if (JSON.stringify(draft.entries) === snapshot(form)) { unstash(form); return; }
    var box = document.createElement("div");
    box.className = "draft";
    box.setAttribute("role", "status");
    var when = new Date(draft.at);
    var p = document.createElement("p");
    p.textContent = T.draft.replace("{time}", isNaN(when) ? "" : when.toLocaleString());
    var restore = document.createElement("button");
    restore.type = "button"; restore.textContent = T.restore;
    var discard = document.createElement("button");
    discard.type = "button"; discard.className = "secondary"; discard.textContent = T.discard;
    discard.style.marginLeft = ".5rem";
    box.appendChild(p); box.appendChild(restore); box.appendChild(discard);
    form.parentNode.insertBefore(box, form);
    var details = form.closest("details");
    if (details) details.open = true;
    restore.addEventListener("click", function () {
      fill(form, draft.entries);
      if (form.elements.version && draft.version !== "") form.elements.version.value = draft.version;
      box.remove();
      if (form.hasAttribute("data-autosave")) save(form); else stash(form);
    });
    discard.addEventListener("click", function () { unstash(form); box.remove(); });
  }

  function setup(root) {
    root.querySelectorAll("form[data-autosave]").forEach(function (form) {
      // A form shown after a refused save holds the person's unsaved version.
      form._confirmed = form.hasAttribute("data-unsaved") ? null : snapshot(form);
      form.addEventListener("input", function (e) {
        stash(form);
        say(form, "", T.unsaved);
        clearTimeout(form._timer);
        var quick = e.target.type === "radio" || e.target.type === "checkbox" || e.target.tagName === "SELECT";
        form._timer = setTimeout(function () { save(form); }, quick ? 150 : DELAY);
      });
      form.addEventListener("focusout", function () {
        if (snapshot(form) !== form._confirmed) save(form);
      });
      form.addEventListener("submit", function (e) { e.preventDefault(); save(form); });
      offerDraft(form);
    });
    root.querySelectorAll("form[data-draft]").forEach(function (form) {
      form.addEventListener("input", function () { stash(form); });
      form.addEventListener("submit", function () { unstash(form); });
      offerDraft(form);
    });
    root.querySelectorAll("[data-take-theirs]").forEach(function (link) {
      link.addEventListener("click", function (e) { e.preventDefault(); takeTheirs(link); });
    });
  }

  setup(document);
  window.addEventListener("online", function () { failed.forEach(save); });
  setInterval(function () { if (navigator.onLine !== false) failed.forEach(save); }, 15000);
  window.addEventListener("beforeunload", function (e) {
    var pending = Array.prototype.some.call(document.querySelectorAll("form[data-autosave]"), function (f) {
      return f._busy || snapshot(f) !== f._confirmed;
    });
    if (pending) { e.preventDefault(); e.returnValue = ""; }
  });
})();
