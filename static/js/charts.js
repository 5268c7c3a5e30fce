// Line charts drawn from data the page carries in <script type="application/json"> elements.
// NOTE: JSON script elements are never executed, so the CSP (script-src 'self' + nonce)
// allows them; the chart library itself is loaded as a plain script with the page's nonce
// before this module runs (module scripts are deferred).
// Every chart has its data table beside it on the page: the chart only enhances.
//
// Markup:  <div class="app-chart" data-chart="ID" hidden><canvas ...></canvas></div>
//          <script type="application/json" id="ID">{"labels": [...], "series": [...]}</script>
// Each series: {"label": "...", "values": [number|null, ...], "dashed": bool}

// Colours from the GOV.UK palette; series also differ by line style and point shape,
// so colour is never the only way to tell them apart.
const COLOURS = ["#1d70b8", "#0b0c0c", "#d4351c", "#00703c"];
const POINTS = ["circle", "rect", "triangle", "crossRot"];

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
  const datasets = data.series.map((series, index) => ({
    label: series.label,
    data: series.values,
    borderColor: COLOURS[index % COLOURS.length],
    backgroundColor: COLOURS[index % COLOURS.length],
    borderDash: series.dashed ? [6, 4] : [],
    pointStyle: POINTS[index % POINTS.length],
    pointRadius: 4,
    spanGaps: true,
    tension: 0,
  }));
  // eslint-disable-next-line no-new
  new window.Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: true,
      aspectRatio: 2,
      plugins: {
        legend: { position: "bottom", labels: { usePointStyle: true } },
        tooltip: { mode: "index", intersect: false },
      },
      scales: {
        y: { title: { display: Boolean(data.unit), text: data.unit || "" } },
      },
    },
  });
}

document.querySelectorAll("[data-chart]").forEach(drawChart);
