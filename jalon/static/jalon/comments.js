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
