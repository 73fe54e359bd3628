// Behaviour that would otherwise be inline (the CSP allows no inline handlers).
document.querySelectorAll("[data-submit-on-change]").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});

// Tom Select's "nothing found" line, in the page's language (the element's data-no-results), for both kinds below.
function noResults(el) {
  return function () {
    var div = document.createElement("div");
    div.className = "no-results";
    div.textContent = el.dataset.noResults || "";
    return div;
  };
}

// Filter forms' multi-selects as compact searchable dropdowns (Tom Select, vendored under static/vendor/tom-select;
// core.generic_views.searchable_filters marks them and gives their texts in the page's language).
if (window.TomSelect) {
  document.querySelectorAll("select[data-tom-select]").forEach(function (el) {
    var ts = new TomSelect(el, {
      plugins: { remove_button: { title: el.dataset.removeTitle || "" } },
      placeholder: el.dataset.placeholder || "",
      hidePlaceholder: true,
      maxOptions: null,
      render: {
        no_results: noResults(el)
      }
    });
    // The search box's default 7rem would wrap a narrow filter onto a second line while it has the focus and
    // back on blur, moving the form under the pointer (a click on "Filter" right after picking missed it).
    ts.control_input.style.minWidth = "2rem";
  });
}

// Name pickers (core.forms.LookupInput): a plain input holding an id (or a login name) becomes a Tom Select that
// asks the page's JSON lookup (data-lookup: customers or staff in the user's scope) as the user types, and shows
// the picked one's name; the form still posts the id, which the server checks. Without JS the input stays as is.
if (window.TomSelect) {
  document.querySelectorAll("input[data-lookup]").forEach(function (el) {
    var url = el.dataset.lookup, valueField = el.dataset.lookupValue || "id", current = el.value.trim();
    function ask(params, callback) {
      fetch(url + "?" + new URLSearchParams(params).toString(),
            { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { callback(data.results || []); })
        .catch(function () { callback([]); });
    }
    function line(item, escape) {
      return "<div>" + escape(item.text) + (item.sub ? ' <small class="text-muted">' + escape(item.sub) + "</small>" : "") + "</div>";
    }
    var ts = new TomSelect(el, {
      maxItems: 1,
      create: false,
      persist: false,
      valueField: valueField,
      labelField: "text",
      searchField: ["text", "sub"],
      score: function () { return function () { return 1; }; },  // the server searched: show all it found
      placeholder: el.dataset.placeholder || "",
      plugins: { remove_button: { title: el.dataset.removeTitle || "" } },
      loadThrottle: 250,
      shouldLoad: function (query) { return query.trim().length > 0; },
      load: function (query, callback) {
        var self = this;
        ask({ q: query }, function (results) { self.clearOptions(); callback(results); });
      },
      render: {
        option: line,
        item: line,
        no_results: noResults(el)
      }
    });
    ts.control_input.style.minWidth = "2rem";
    if (current) {  // the value the page came with (a filter, a form shown again): its name instead of the id
      var key = {};
      key[valueField] = current;
      ask(key, function (results) {
        if (results.length) {
          ts.updateOption(current, results[0]);
          ts.refreshItems();
        }
      });
    }
  });
}
