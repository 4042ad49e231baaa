// Small reading aids, each optional: without this file the page reads the same.
// 1. "On this page" follows the reader: the table of contents' link to the section in view
//    gets aria-current="location".
// 2. Each code block gets a "Copy" button (navigator.clipboard), announced through a live
//    region when it has copied.
// Builds every element with textContent: nothing is parsed as HTML.
(function () {
  "use strict";

  function followSections() {
    var toc = document.querySelector(".page-aside .toc");
    if (!toc || !window.IntersectionObserver) { return; }
    var links = {};
    var headings = [];
    Array.prototype.forEach.call(toc.querySelectorAll('a[href^="#"]'), function (a) {
      var id = decodeURIComponent(a.getAttribute("href").slice(1));
      var heading = document.getElementById(id);
      if (heading) {
        links[id] = a;
        headings.push(heading);
      }
    });
    if (!headings.length) { return; }

    var current = null;
    function mark(id) {
      if (id === current) { return; }
      if (current && links[current]) { links[current].removeAttribute("aria-current"); }
      current = id;
      if (id && links[id]) { links[id].setAttribute("aria-current", "location"); }
    }

    // The section in view is the last heading above the top fifth of the window.
    function update() {
      var line = window.innerHeight * 0.2;
      var id = headings[0].id;
      for (var i = 0; i < headings.length; i++) {
        if (headings[i].getBoundingClientRect().top <= line) { id = headings[i].id; } else { break; }
      }
      mark(id);
    }

    // The observer says when a heading crosses the window; the position check decides which.
    var observer = new IntersectionObserver(update, { rootMargin: "0px 0px -80% 0px" });
    headings.forEach(function (h) { observer.observe(h); });
    window.addEventListener("hashchange", update);
    update();
  }

  function copyButtons() {
    if (!navigator.clipboard || !window.isSecureContext) { return; }
    var blocks = document.querySelectorAll(".content pre");
    if (!blocks.length) { return; }

    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    document.body.appendChild(status);

    Array.prototype.forEach.call(blocks, function (pre) {
      var wrap = document.createElement("div");
      wrap.className = "code-wrap";
      pre.parentNode.insertBefore(wrap, pre);
      wrap.appendChild(pre);

      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = "Copy";
      var timer = null;
      button.addEventListener("click", function () {
        var code = pre.querySelector("code") || pre;
        navigator.clipboard.writeText(code.textContent).then(function () {
          button.textContent = "Copied";
          button.setAttribute("data-copied", "");
          status.textContent = "Code copied to the clipboard.";
          clearTimeout(timer);
          timer = setTimeout(function () {
            button.textContent = "Copy";
            button.removeAttribute("data-copied");
            status.textContent = "";
          }, 2000);
        }, function () {
          status.textContent = "Could not copy: select the code and copy it by hand.";
        });
      });
      wrap.appendChild(button);
    });
  }

  function start() {
    followSections();
    copyButtons();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
