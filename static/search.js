// Search as you type in the header box, from GET /api/v1/search.
// Keyboard: "/" focuses the box, arrows move through results, Enter opens the highlighted
// one (or submits the form to the full results page), Escape closes the list and keeps the text.
// Without this file the header box is a plain GET form to /search, which works on its own.
// Builds every element with textContent: nothing from the server is parsed as HTML.
(function () {
  "use strict";

  var input = document.getElementById("site-search");
  if (!input || !window.fetch) { return; }
  var form = input.form;

  // The dropdown's styles live beside this script; CSP allows same-origin stylesheets.
  if (!document.querySelector('link[href="/static/search.css"]')) {
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = "/static/search.css";
    document.head.appendChild(css);
  }

  var list = document.createElement("ul");
  list.id = "site-search-results";
  list.className = "search-suggest";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Search results");
  list.hidden = true;
  form.appendChild(list);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  var KIND_LABELS = {
    guide: "Guide", troubleshooting: "Troubleshooting", module: "Module",
    path: "Training path", resource: "Resource"
  };
  var DEBOUNCE_MS = 150;
  var timer = null;
  var pending = null;
  var active = -1;

  function options() { return list.querySelectorAll('[role="option"]'); }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    var opts = options();
    if (!opts.length) { return; }
    active = (index + opts.length) % opts.length;
    for (var i = 0; i < opts.length; i++) {
      opts[i].setAttribute("aria-selected", i === active ? "true" : "false");
    }
    input.setAttribute("aria-activedescendant", opts[active].id);
    opts[active].scrollIntoView({ block: "nearest" });
  }

  function link(hit, searchId) {
    if (!searchId) { return hit.url; }
    return "/search?sid=" + encodeURIComponent(searchId) + "&open=" + encodeURIComponent(hit.url);
  }

  function option(id, href, title, detail, badge) {
    var li = document.createElement("li");
    li.id = id;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    var a = document.createElement("a");
    a.href = href;
    a.tabIndex = -1;
    var strong = document.createElement("span");
    strong.className = "search-suggest-title";
    strong.textContent = title;
    a.appendChild(strong);
    if (badge) {
      var b = document.createElement("span");
      b.className = "badge badge-" + badge;
      b.textContent = KIND_LABELS[badge] || badge;
      a.appendChild(document.createTextNode(" "));
      a.appendChild(b);
    }
    if (detail) {
      var small = document.createElement("span");
      small.className = "search-suggest-detail";
      small.textContent = detail;
      a.appendChild(small);
    }
    li.appendChild(a);
    return li;
  }

  function show(query, data) {
    list.textContent = "";
    active = -1;
    var hits = data.hits || [];
    hits.forEach(function (hit, i) {
      var trail = (hit.breadcrumb || []).slice();
      if (hit.section) { trail.push(hit.section); }
      list.appendChild(option("search-opt-" + i, link(hit, data.search_id), hit.title,
        trail.join(" › "), hit.kind));
    });
    var all = hits.length
      ? "All " + data.total + " results"
      : (data.did_you_mean ? "Nothing found. Did you mean “" + data.did_you_mean + "”?" : "Nothing found. Open the search page");
    var target = "/search?q=" + encodeURIComponent(hits.length || !data.did_you_mean ? query : data.did_you_mean);
    list.appendChild(option("search-opt-all", target, all, "", ""));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function search() {
    var query = input.value.trim();
    if (query.length < 2) { close(); return; }
    if (pending) { pending.abort(); }
    pending = window.AbortController ? new AbortController() : null;
    fetch("/api/v1/search?limit=8&q=" + encodeURIComponent(query), {
      headers: { "Accept": "application/json" },
      signal: pending ? pending.signal : undefined
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      // Only the answer for what the box still says.
      if (data && input.value.trim() === query && document.activeElement === input) { show(query, data); }
    }).catch(function () { /* aborted or offline: the form still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (list.hidden) { search(); return; }
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      var a = options()[active].querySelector("a");
      if (a) { window.location.assign(a.href); }
    } else if (event.key === "Escape") {
      // Escape closes the list and keeps what was typed (a search box's default would erase it).
      event.preventDefault();
      close();
    }
  });

  input.addEventListener("blur", function () {
    // Let a click on a result land before the list disappears.
    setTimeout(function () { if (!form.contains(document.activeElement)) { close(); } }, 150);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    if (tag === "input" || tag === "textarea" || tag === "select" || (target && target.isContentEditable)) { return; }
    event.preventDefault();
    // On the results page the big box is the one to refine.
    var box = document.getElementById("page-search") || input;
    box.focus();
    box.select();
  });
})();
