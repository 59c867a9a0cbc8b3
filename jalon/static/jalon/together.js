// Working together on a step page: comments posted in place, and who else is typing here.
// Two independent parts; each does nothing when its page element is absent.

// Comments: post a comment, a reply or a resolve, then swap the block in place (no reload).
(function () {
  "use strict";
  var text = document.getElementById("comments-text");
  if (!text || !window.fetch) return;
  function say(form, message) {
    var p = form.querySelector(".error");
    if (!p) p = form.insertBefore(document.createElement("p"), form.firstChild);
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = message || "";
  }
  document.addEventListener("submit", function (event) {
    var form = event.target, block = form.closest("details.comments");
    if (!form.hasAttribute("data-comments") || !block) return;
    event.preventDefault();
    var button = event.submitter || form.querySelector("button");
    button.disabled = true;
    fetch(button.getAttribute("formaction") || form.action, {
      method: "POST", body: new FormData(form), headers: {"X-Jalon-Comments": "1"}
    }).then(function (response) {
      if (!response.ok) return response.json().then(function (data) { say(form, data.error); });
      return response.text().then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.firstElementChild;
        block.replaceWith(fresh);
        fresh.querySelector("summary").focus();
      });
    }).catch(function () { say(form, text.dataset.offline); })
      .then(function () { button.disabled = false; });
  });
})();

// Jalon presence: while this page is visible and the person is in an item (focus inside it), ask
// every 20 s who else is typing in the plan, and say it on their items (« Moussa modifie cette
// réponse »). The server learns who types from the saves autosave already sends; this script
// only reads. Names go in with textContent, never as markup. Without JavaScript nothing shows.
(function () {
  "use strict";
  var source = document.getElementById("presence-source");
  if (!source || !window.fetch) return;
  var URL = source.dataset.url;
  var EVERY = 20000;
  var timer = null;
  var busy = false;
  var last = 0;

  function region(item) {
    var p = item.querySelector(":scope > .presence");
    if (!p) {
      // Made before it is filled, so that screen readers announce the change (aria-live).
      p = document.createElement("p");
      p.className = "presence";
      p.setAttribute("aria-live", "polite");
      var label = item.querySelector(".label");
      if (label) label.insertAdjacentElement("afterend", p); else item.prepend(p);
    }
    return p;
  }
  function show(editing) {
    document.querySelectorAll(".item[data-item]").forEach(function (item) {
      var text = editing[item.dataset.item] || "";
      var p = region(item);
      if (p.textContent !== text) p.textContent = text;
    });
  }
  function inItem() {
    var el = document.activeElement;
    return !!(el && el.closest && el.closest(".item[data-item]"));
  }
  function active() { return document.visibilityState === "visible" && inItem(); }

  function poll() {
    timer = null;
    if (!active() || busy) return;
    busy = true;
    last = Date.now();
    fetch(URL, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && data.editing) show(data.editing); })
      .catch(function () { /* offline: the next poll tries again */ })
      .then(function () { busy = false; schedule(EVERY); });
  }
  function schedule(delay) {
    if (timer || !active()) return;
    timer = setTimeout(poll, Math.max(delay, 0));
  }
  function wake() {
    // Back in an item, or back on the page: ask soon, but not more than every 5 s.
    if (timer) { clearTimeout(timer); timer = null; }
    schedule(Math.max(0, last + 5000 - Date.now()));
  }
  document.addEventListener("focusin", wake);
  document.addEventListener("visibilitychange", wake);
  document.querySelectorAll(".item[data-item]").forEach(region);
})();

// The indicator library of step 6: picker.js is fetched on the first click of its link, so a
// step page carries none of it; without a script the link opens the library's page. After an
// indicator is added from the library (`?from=library`), its card opens to be completed.
(function () {
  "use strict";
  var named = location.hash.length > 1 && document.getElementById(location.hash.slice(1));
  var card = /[?&]from=library/.test(location.search) && named && named.querySelector("details");
  if (card) card.open = true;
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-picker]");
    if (!link || window.jalonPicker || !window.fetch || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    var script = document.createElement("script");
    script.src = link.getAttribute("data-picker");
    script.onload = function () { window.jalonPicker(link); };
    script.onerror = function () { location.href = link.href; };
    document.head.appendChild(script);
  });
})();
