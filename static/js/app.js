// Behaviour that would otherwise be inline (the CSP allows no inline handlers).
document.querySelectorAll("[data-submit-on-change]").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});

// Filter forms' multi-selects as compact searchable dropdowns (Tom Select, vendored under static/vendor/tom-select;
// core.generic_views.searchable_filters marks them and gives their texts in the page's language).
if (window.TomSelect) {
  document.querySelectorAll("select[data-tom-select]").forEach(function (el) {
    new TomSelect(el, {
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
  });
}
