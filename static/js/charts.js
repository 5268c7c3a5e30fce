// Line charts drawn from data the page carries in <script type="application/json"> elements.
// NOTE: JSON script elements are never executed, so the CSP (script-src 'self' + nonce)
// allows them; the chart library itself is loaded as a plain script with the page's nonce
// before this module runs (module scripts are deferred).
// Every chart has its data table beside it on the page: the chart only enhances.
//
// Markup:  <div class="app-chart" data-chart="ID" hidden><canvas ...></canvas></div>
//          <script type="application/json" id="ID">{"labels": [...], "series": [...]}</script>
// Each series: {"label": "...", "values": [number|null, ...]} and, optionally,
//   "dashed": true       a dashed line (a trajectory)
//   "dotted": true       a dotted line (a projection)
//   "points_only": true  points without a line (a target at its date)
//   "band": "low"|"high" the edges of a range drawn as a shaded band: "low" first, then "high",
//                        which fills down to it; the legend names the band once (by "high")
//   "tooltip": "..."     what the tooltip calls the series, when not its label (a band's edges)

// Colours from the GOV.UK palette; lines also differ by style and point shape, so colour is
// never the only way to tell them apart.
const COLOURS = ["#1d70b8", "#0b0c0c", "#d4351c", "#00703c", "#4c2c92"];
const POINTS = ["circle", "rect", "triangle", "crossRot", "rectRot"];
const BAND_FILL = "rgba(29, 112, 184, 0.18)"; // GOV.UK blue, light: the table carries the numbers
const BAND_EDGE = "rgba(29, 112, 184, 0.45)";

function bandDataset(series) {
  const high = series.band === "high";
  return {
    label: series.label,
    data: series.values,
    borderColor: BAND_EDGE,
    backgroundColor: BAND_FILL,
    borderWidth: 1,
    pointRadius: 0,
    pointHitRadius: 6,
    fill: high ? "-1" : false,
    spanGaps: false,
    tension: 0,
    hiddenInLegend: !high,
    tooltipLabel: series.tooltip,
  };
}

function lineDataset(series, index, narrow) {
  const colour = COLOURS[index % COLOURS.length];
  const pointRadius = narrow ? 2 : 4;
  let dash = [];
  if (series.dashed) {
    dash = [6, 4];
  } else if (series.dotted) {
    dash = [2, 3];
  }
  return {
    label: series.label,
    data: series.values,
    borderColor: colour,
    backgroundColor: colour,
    borderDash: dash,
    pointStyle: POINTS[index % POINTS.length],
    pointRadius: series.points_only ? 7 : pointRadius,
    showLine: !series.points_only,
    fill: false,
    spanGaps: true,
    tension: 0,
  };
}

function datasetsFor(data, narrow) {
  let line = 0; // bands take no colour or point shape of their own
  return data.series.map((series) => {
    if (series.band) {
      return bandDataset(series);
    }
    const dataset = lineDataset(series, line, narrow);
    line += 1;
    return dataset;
  });
}

function drawChart(container) {
  const source = document.getElementById(container.dataset.chart);
  const canvas = container.querySelector("canvas");
  if (!source || !canvas || typeof window.Chart === "undefined") {
    return;
  }
  let data;
  try {
    data = JSON.parse(source.textContent);
  } catch (error) {
    return;
  }
  container.hidden = false;
  // On a phone a wide chart would be a sliver: taller, with smaller points.
  const narrow = container.clientWidth < 500;
  const datasets = datasetsFor(data, narrow);
  // eslint-disable-next-line no-new
  new window.Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: true,
      aspectRatio: narrow ? 1 : 2,
      plugins: {
        legend: {
          position: "bottom",
          labels: {
            usePointStyle: true,
            filter: (item, chartData) => !chartData.datasets[item.datasetIndex].hiddenInLegend,
          },
        },
        tooltip: {
          mode: "index",
          intersect: false,
          callbacks: {
            label: (item) => `${item.dataset.tooltipLabel || item.dataset.label}: ${item.formattedValue}`,
          },
        },
        filler: { propagate: false },
      },
      scales: {
        y: { title: { display: Boolean(data.unit), text: data.unit || "" } },
      },
    },
  });
}

document.querySelectorAll("[data-chart]").forEach(drawChart);
