// The phone menu: on narrow screens the header's "Menu" link opens the sidebar (#site-nav) as
// a panel. Without this file the link's #site-nav target opens it through CSS (:target) and
// the panel's "Close menu" link closes it. With it: "Menu" is a button with aria-expanded,
// the page does not jump, focus moves into the panel and back, and Escape, a click outside
// or focus leaving the panel closes it.
(function () {
  "use strict";

  var toggle = document.querySelector(".menu-link");
  var panel = document.getElementById("site-nav");
  if (!toggle || !panel) { return; }
  var closer = panel.querySelector(".menu-close");

  toggle.setAttribute("role", "button");
  toggle.setAttribute("aria-expanded", "false");

  function isOpen() { return panel.classList.contains("is-open"); }

  function open() {
    panel.classList.add("is-open");
    document.documentElement.classList.add("menu-open");
    toggle.setAttribute("aria-expanded", "true");
    var first = closer || panel.querySelector("a, button, summary");
    if (first) { first.focus(); }
  }

  function close(returnFocus) {
    if (!isOpen()) { return; }
    panel.classList.remove("is-open");
    document.documentElement.classList.remove("menu-open");
    toggle.setAttribute("aria-expanded", "false");
    // A page opened at #site-nav (the no-script way) would stay open through :target.
    if (window.location.hash === "#site-nav") {
      history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    if (returnFocus) { toggle.focus(); }
  }

  toggle.addEventListener("click", function (event) {
    event.preventDefault();
    if (isOpen()) { close(true); } else { open(); }
  });
  // A link with role=button must answer Space as a button does.
  toggle.addEventListener("keydown", function (event) {
    if (event.key === " ") { event.preventDefault(); toggle.click(); }
  });

  if (closer) {
    closer.setAttribute("role", "button");
    closer.addEventListener("click", function (event) {
      event.preventDefault();
      close(true);
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen()) {
      event.preventDefault();
      close(true);
    }
  });

  document.addEventListener("click", function (event) {
    if (isOpen() && !panel.contains(event.target) && !toggle.contains(event.target)) {
      close(false);
    }
  });

  panel.addEventListener("focusout", function (event) {
    var next = event.relatedTarget;
    if (isOpen() && next && !panel.contains(next) && next !== toggle) { close(false); }
  });

  // Arrived at #site-nav (a bookmarked or shared link): the same panel, with its behaviour.
  if (window.location.hash === "#site-nav" && toggle.offsetParent !== null) { open(); }

  // Grown past the phone layout while open: nothing should stay locked.
  if (window.matchMedia) {
    var wide = window.matchMedia("(min-width: 901px)");
    var onChange = function () { if (wide.matches) { close(false); } };
    if (wide.addEventListener) { wide.addEventListener("change", onChange); }
  }
})();
