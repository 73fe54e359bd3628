// Small helpers over Chart.js: a line or bar chart from a json_script block.
//
//   lineChart(canvasId, dataId, labelKey, series)   series: [[key, label, axis?], ...]
//   barChart(canvasId, dataId, labelKey, series)
//
// What every chart gets (issue 18):
// - a minimum height: the canvas sits in a box of at least 240 px (a wide chart no longer shrinks to a sliver);
// - one axis per unit: series with the same `axis` (default "y") share it; a second axis only when a series asks
//   for one, titled with its series' label; forecast and actual therefore share an axis unless told otherwise;
// - stars in order with ★ labels: when every label is a star (0-5, "unrated", "s4", "4★"), the rows are sorted
//   unrated, 0★ … 5★ and labelled so, whatever order the data came in;
// - an empty state that says what to do (the canvas's data-empty text, else a default in the page's language).

const CHART_TEXT = {
  "zh-hans": { empty: "暂无数据。夜间批处理运行后这里会显示图表；也可以换一个月份或放宽筛选条件。", unrated: "未评级" },
  en: { empty: "No data yet. The chart fills after the nightly jobs have run; or pick another month or widen the filters.", unrated: "Unrated" },
};

function chartText() {
  const lang = (document.documentElement.lang || "zh-hans").toLowerCase();
  return CHART_TEXT[lang] || (lang.startsWith("zh") ? CHART_TEXT["zh-hans"] : CHART_TEXT.en);
}

const STAR_LABEL = /^(?:s?([0-5])★?|unrated|none|null|未评级|—|-)$/i;

function starRank(value) {
  const m = String(value ?? "unrated").trim().match(STAR_LABEL);
  if (!m) return null;
  return m[1] === undefined ? -1 : Number(m[1]);
}

// Rows whose labels are all stars: every star 0★ … 5★ on the axis (a star without rows shows empty, so the axis
// is the same on every load), unrated first when present, with ★ labels. Others are left as they came.
function orderStars(rows, labelKey) {
  const ranks = rows.map(r => starRank(r[labelKey]));
  if (!rows.length || ranks.some(r => r === null)) return { rows, labels: rows.map(r => r[labelKey]) };
  const text = chartText();
  const present = new Set(ranks);
  const sorted = rows.map((r, i) => [ranks[i], r]);
  for (let star = 0; star <= 5; star++) if (!present.has(star)) sorted.push([star, {}]);
  sorted.sort((a, b) => a[0] - b[0]);
  return { rows: sorted.map(([, r]) => r), labels: sorted.map(([rank]) => (rank < 0 ? text.unrated : `${rank}★`)) };
}

function chartBox(canvas) {
  let box = canvas.parentElement;
  if (!box || !box.classList.contains("chart-box")) {
    box = document.createElement("div");
    box.className = "chart-box";
    canvas.parentNode.insertBefore(box, canvas);
    box.appendChild(canvas);
  }
  const asked = Number(canvas.dataset.height || 0);
  box.style.height = `${Math.max(240, asked)}px`;
  return box;
}

function showEmpty(canvas) {
  const note = document.createElement("div");
  note.className = "chart-empty";
  note.setAttribute("role", "status");
  note.textContent = canvas.dataset.empty || chartText().empty;
  canvas.replaceWith(note);
}

// An axis whose every value is a whole number (lines, customers) ticks in whole numbers, never 0.2 of a line.
function scalesFor(series, rows) {
  const axes = [...new Set(series.map(([, , axis]) => axis || "y"))];
  const scales = {};
  axes.forEach((axis, i) => {
    const onAxis = series.filter(([, , a]) => (a || "y") === axis);
    const labels = onAxis.map(([, label]) => label);
    const whole = rows.every(r => onAxis.every(([key]) => r[key] == null || Number.isInteger(Number(r[key]))));
    scales[axis] = {
      beginAtZero: true,
      position: i === 0 ? "left" : "right",
      grid: { drawOnChartArea: i === 0 },
      title: { display: axes.length > 1, text: labels.join(" / ") },
      ...(whole ? { ticks: { precision: 0 } } : {}),
    };
  });
  return scales;
}

function drawChart(type, canvasId, dataId, labelKey, series) {
  const canvas = document.getElementById(canvasId);
  const source = document.getElementById(dataId);
  if (!canvas) return null;
  const data = source ? JSON.parse(source.textContent) : [];
  if (!Array.isArray(data) || !data.length) {
    showEmpty(canvas);
    return null;
  }
  chartBox(canvas);
  const { rows, labels } = orderStars(data, labelKey);
  return new Chart(canvas, {
    type,
    data: {
      labels,
      datasets: series.map(([key, label, axis]) => ({
        label,
        data: rows.map(r => (r[key] === null || r[key] === undefined ? null : Number(r[key]))),
        yAxisID: axis || "y",
        ...(type === "line" ? { tension: 0.2, spanGaps: true } : {}),
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      scales: scalesFor(series, rows),
    },
  });
}

function lineChart(canvasId, dataId, labelKey, series) {
  return drawChart("line", canvasId, dataId, labelKey, series);
}

function barChart(canvasId, dataId, labelKey, series) {
  return drawChart("bar", canvasId, dataId, labelKey, series);
}
