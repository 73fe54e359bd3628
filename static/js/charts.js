// Small helper over Chart.js: a line chart from a json_script block.
function lineChart(canvasId, dataId, labelKey, series) {
  const rows = JSON.parse(document.getElementById(dataId).textContent);
  const canvas = document.getElementById(canvasId);
  if (!canvas || !rows.length) return;
  new Chart(canvas, {
    type: "line",
    data: {
      labels: rows.map(r => r[labelKey]),
      datasets: series.map(([key, label]) => ({ label, data: rows.map(r => Number(r[key])), tension: 0.2 })),
    },
    options: { responsive: true, interaction: { mode: "index", intersect: false } },
  });
}

// A bar chart from a json_script block (e.g. arrears by aging bucket).
function barChart(canvasId, dataId, labelKey, series) {
  const rows = JSON.parse(document.getElementById(dataId).textContent);
  const canvas = document.getElementById(canvasId);
  if (!canvas || !rows.length) return;
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: rows.map(r => r[labelKey]),
      datasets: series.map(([key, label, axis]) => ({ label, data: rows.map(r => Number(r[key])), yAxisID: axis || "y" })),
    },
    options: { responsive: true, scales: { y: { beginAtZero: true }, y1: { beginAtZero: true, position: "right" } } },
  });
}
