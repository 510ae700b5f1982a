/* searchapp: progressive enhancement only (every page works without this file).
 * Search-as-you-type: names (people, places, organisations, sources, speakers) from /api/suggest,
 * inserted into the query as field searches, e.g. person:"Sergey Lavrov".
 * Builds DOM with textContent only: nothing from the server is parsed as HTML. */
(function () {
  "use strict";

  var FIELD_LABELS = { people: "person", places: "place", orgs: "organisation", sources: "source", speakers: "speaker" };
  var DELAY_MS = 120;

  function init() {
    var input = document.getElementById("q");
    var list = document.getElementById("q-suggestions");
    if (!input || !list || !window.fetch) { return; }
    var url = input.getAttribute("data-suggest-url");
    var timer = null;
    var controller = null;
    var items = [];
    var active = -1;

    // The word being typed: from the last space (outside quotes) up to the caret.
    function currentToken() {
      var caret = input.selectionStart === null ? input.value.length : input.selectionStart;
      var before = input.value.slice(0, caret);
      var quotes = (before.match(/"/g) || []).length;
      if (quotes % 2 === 1) { return null; }          // inside a phrase: leave it alone
      var start = before.search(/\S+$/);
      if (start < 0) { return null; }
      var word = before.slice(start);
      if (word.indexOf(":") >= 0 || word.indexOf('"') >= 0 || /^(AND|OR|NOT)$/.test(word)) { return null; }
      if (word.replace(/[^\w\u00C0-\uFFFF]/g, "").length < 2) { return null; }
      return { start: start, end: caret, text: word };
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      items = [];
      active = -1;
      while (list.firstChild) { list.removeChild(list.firstChild); }
    }

    function highlight(index) {
      active = index;
      for (var i = 0; i < list.children.length; i++) {
        list.children[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (index >= 0 && list.children[index]) {
        input.setAttribute("aria-activedescendant", list.children[index].id);
        list.children[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var token = currentToken();
      var item = items[index];
      if (!item) { return; }
      var value = input.value;
      var start = token ? token.start : value.length;
      var end = token ? token.end : value.length;
      var insert = item.query + " ";
      input.value = value.slice(0, start) + insert + value.slice(end).replace(/^\s+/, "");
      var caret = start + insert.length;
      input.setSelectionRange(caret, caret);
      close();
      input.focus();
    }

    function render(suggestions) {
      // a later answer for the same word must not drop the name the user has moved to
      var kept = active >= 0 && items[active] ? items[active].name + "\u0000" + items[active].field : null;
      close();
      items = suggestions;
      if (!items.length) { return; }
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = "q-suggestion-" + i;
        li.className = "suggestion-item";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.className = "suggestion-name";
        name.textContent = item.name;
        var field = document.createElement("span");
        field.className = "suggestion-field";
        field.textContent = FIELD_LABELS[item.field] || item.field;
        var count = document.createElement("span");
        count.className = "suggestion-count";
        count.textContent = item.count + " " + (item.unit || "");
        li.appendChild(name);
        li.appendChild(field);
        li.appendChild(count);
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();   // keep the focus in the box
          choose(i);
        });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      items.forEach(function (item, i) {
        if (kept !== null && item.name + "\u0000" + item.field === kept) { highlight(i); }
      });
    }

    function lookup() {
      var token = currentToken();
      if (!token) { close(); return; }
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      var address = url + "?limit=8&prefix=" + encodeURIComponent(token.text);
      fetch(address, { signal: controller ? controller.signal : undefined, headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) {
          var now = currentToken();
          if (!now || now.text !== token.text) { return; }  // the user typed on
          render(data.suggestions || []);
        })
        .catch(function () { /* aborted or offline: no suggestions */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookup, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      if (list.hidden || !items.length) { return; }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();   // pick the name; a second Enter searches
        choose(active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      } else if (event.key === "Tab" && active >= 0) {
        event.preventDefault();
        choose(active);
      }
    });

    input.addEventListener("blur", function () { window.setTimeout(close, 100); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
