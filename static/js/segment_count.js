// Live segment count on the campaign form: the segment fields (data-segment) are sent to the
// segment-count endpoint, which runs the same query as the launch and the export. A campaign's page and its
// edit form ask it once shown (data-count-url, data-count-on-load): the page itself does not count.
(function () {
  const form = document.getElementById("campaign-form");
  const out = document.getElementById("segment-count");
  if (out && out.dataset.countUrl) {
    fetch(out.dataset.countUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { out.textContent = data.count !== undefined ? data.count.toLocaleString() : "?"; });
  }
  if (!form || !out) return;
  let timer = null;
  function refresh() {
    const params = new URLSearchParams();
    form.querySelectorAll("[data-segment]").forEach(function (el) {
      if (el.multiple) {
        Array.from(el.selectedOptions).forEach(function (o) { params.append(el.name, o.value); });
      } else if (el.value !== "") {
        params.append(el.name, el.value);
      }
    });
    fetch(out.dataset.url + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { out.textContent = data.count !== undefined ? data.count.toLocaleString() : "?"; });
  }
  if (out.dataset.countOnLoad) refresh();
  form.addEventListener("change", function (e) {
    if (!e.target.dataset.segment) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();
