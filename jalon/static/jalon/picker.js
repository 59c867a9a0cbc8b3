// The indicator library in place on step 6, loaded by together.js on the first click of « Choose
// from the library » (without a script that link opens the library's own page: a GET search
// with a POST button per indicator). The same search and results are fetched from that page
// (`fragment=1`) and shown under the list; typing searches as one goes. « Use this indicator »
// stays a plain form post: the server adds the record and sends the person to it.
(function () {
  "use strict";
  var panel = null, opener = null, timer = 0, asked = 0;

  function load(url, focus) {
    var mine = ++asked, address = new URL(url, location.href);
    address.searchParams.set("fragment", "1");
    fetch(address, {credentials: "same-origin"}).then(function (response) {
      return response.text();
    }).then(function (html) {
      if (mine !== asked) return;  // a later search was asked meanwhile
      var holder = document.createElement("template");
      holder.innerHTML = html;
      var fresh = holder.content.querySelector("#library-panel");
      if (!fresh) { location.href = url; return; }
      if (!panel || !document.body.contains(panel)) {
        panel = fresh;
        opener.parentNode.insertAdjacentElement("afterend", panel);
        if (focus) panel.querySelector("input[name=q]").focus();
        return;
      }
      panel.querySelector("#library-results").replaceWith(fresh.querySelector("#library-results"));
      var all = panel.querySelector("input[name=all]"), theirs = fresh.querySelector("input[name=all]");
      if (all && !theirs) all.remove();
      if (theirs && !all) panel.querySelector(".search-row").appendChild(theirs);
    }).catch(function () { location.href = url; });  // offline: the page says so
  }

  function searchUrl(form) {
    return form.action + "?" + new URLSearchParams(new FormData(form)).toString();
  }

  window.jalonPicker = function (link) {
    opener = link;
    if (panel && document.body.contains(panel)) {
      panel.hidden = !panel.hidden;
      link.setAttribute("aria-expanded", String(!panel.hidden));
      return;
    }
    if (!document.querySelector("link[data-library-css]")) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = link.getAttribute("data-picker-css");
      css.setAttribute("data-library-css", "");
      document.head.appendChild(css);
    }
    link.setAttribute("aria-expanded", "true");
    load(link.href, true);
  };

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-picker]");
    var more = event.target.closest("#library-panel a[data-library-link]");
    if (event.ctrlKey || event.metaKey || (!link && !more)) return;
    event.preventDefault();
    if (more) load(more.href);
    else window.jalonPicker(link);
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-library-search") || !form.closest("#library-panel")) return;
    event.preventDefault();
    clearTimeout(timer);
    load(searchUrl(form));
  });
  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (!form || !form.hasAttribute("data-library-search")) return;
    clearTimeout(timer);
    timer = setTimeout(function () { load(searchUrl(form)); }, 300);
  });
})();
