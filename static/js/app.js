// Behaviour that would otherwise be inline (the CSP allows no inline handlers).
document.querySelectorAll("[data-submit-on-change]").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});
