// Draws the reports' charts with Chart.js (npm, pinned; served from /vendor/) from the numbers each figure
// carries in data-chart: the same rows as its table and its CSV. Phones get horizontal bars with one row per
// label, short ticks and the legend under the chart; numbers are written the page's way (French: 1 234,5).
const lang = document.documentElement.lang || "fr";
const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
const PALETTE = ["#1f6f50", "#e07b39", "#3a6ea5", "#b84a62", "#8a8f2a", "#6c4f9c", "#2a9d8f", "#7f7f7f"];
const UNITS = { kg: " kg", share: " %", money: " €", days: " j", co2e: " kg CO₂e" };

function withUnit(value, unit) {
  return number.format(value) + (UNITS[unit] || "");
}

function draw(holder) {
  const spec = JSON.parse(holder.dataset.chart);
  const horizontal = spec.type === "hbar";
  const stacked = spec.type === "stacked";
  const rows = spec.labels.length;
  // One row of bars needs about 26 px to stay readable on a 390 px phone.
  holder.style.height = horizontal ? `${Math.max(140, rows * 26 * Math.max(1, spec.series.length * 0.7) + 56)}px` : "260px";
  const datasets = spec.series.map((series, index) => ({
    label: series.label,
    data: series.data,
    unit: series.unit,
    backgroundColor: PALETTE[index % PALETTE.length],
    borderColor: PALETTE[index % PALETTE.length],
    borderWidth: spec.type === "line" ? 2 : 0,
    pointRadius: 2,
    yAxisID: spec.type === "line" && index > 0 ? "y2" : "y",
  }));
  const valueAxis = {
    beginAtZero: true,
    stacked,
    ticks: { callback: (value) => number.format(value), maxTicksLimit: 6 },
  };
  const labelAxis = {
    stacked,
    ticks: {
      autoSkip: !horizontal,
      callback(value) {
        const label = this.getLabelForValue(value);
        return label.length > 22 ? `${label.slice(0, 21)}…` : label;
      },
    },
  };
  const scales = horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis };
  if (spec.type === "line" && datasets.length > 1) {
    scales.y2 = { ...valueAxis, position: "right", grid: { drawOnChartArea: false } };
  }
  new window.Chart(holder.querySelector("canvas"), {
    type: spec.type === "line" ? "line" : "bar",
    data: { labels: spec.labels, datasets },
    options: {
      indexAxis: horizontal ? "y" : "x",
      maintainAspectRatio: false,
      responsive: true,
      animation: false,
      scales,
      plugins: {
        legend: { display: datasets.length > 1, position: "bottom", labels: { boxWidth: 12 } },
        tooltip: {
          callbacks: {
            label: (context) => `${context.dataset.label} : ${withUnit(context.parsed[horizontal ? "x" : "y"], context.dataset.unit)}`,
          },
        },
      },
    },
  });
}

function drawAll() {
  if (!window.Chart) return; // the library is missing: the tables are there
  document.querySelectorAll("[data-chart]").forEach(draw);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
else drawAll();
