// Behaviour that would otherwise be inline (the CSP allows no inline handlers).
document.querySelectorAll("[data-submit-on-change]").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});

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
        no_results: function () {
          var div = document.createElement("div");
          div.className = "no-results";
          div.textContent = el.dataset.noResults || "";
          return div;
        }
      }
    });
    // The search box's default 7rem would wrap a narrow filter onto a second line while it has the focus and
    // back on blur, moving the form under the pointer (a click on "Filter" right after picking missed it).
    ts.control_input.style.minWidth = "2rem";
  });
}
