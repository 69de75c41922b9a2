/* The Service page: /desk/api/service/figures drawn with Chart.js (vendored, served from /desk/vendor). */
"use strict";

(() => {
  const { notice, api, duration, percent, words, startFigures } = Desk;
  const $ = (id) => document.getElementById(id);
  const charts = {};

  function draw(id, config) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new Chart($(id), config);
    $(id).dataset.ready = "true";
  }

  function overTime(daily) {
    draw("service-over-time", {
      type: "line",
      data: {
        labels: daily.map((day) => day.date),
        datasets: [
          { label: "Contained (%)", yAxisID: "share", spanGaps: true, borderColor: "#2563eb",
            data: daily.map((day) => (day.containment_rate === null ? null : day.containment_rate * 100)) },
          { label: "Satisfaction (1-5)", yAxisID: "rating", spanGaps: true, borderColor: "#16a34a",
            data: daily.map((day) => day.satisfaction_mean) },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          share: { position: "left", min: 0, max: 100, title: { display: true, text: "%" } },
          rating: { position: "right", min: 1, max: 5, grid: { drawOnChartArea: false } },
        },
      },
    });
  }

  function byReason(reasons) {
    draw("service-by-reason", {
      type: "bar",
      data: {
        labels: reasons.map((r) => words(r.reason)),
        datasets: [{ label: "Handoffs", backgroundColor: "#f59e0b", data: reasons.map((r) => r.count) }],
      },
      options: { animation: false, maintainAspectRatio: false, indexAxis: "y",
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  async function refresh() {
    const days = encodeURIComponent($("service-days").value);
    $("service-export-json").href = `/desk/api/service/figures?days=${days}`;
    $("service-export-csv").href = `/desk/api/service/figures.csv?days=${days}`;
    const figures = await api("GET", `/desk/api/service/figures?days=${days}`);
    $("service-contacts").textContent = figures.contacts;
    $("service-containment").textContent = percent(figures.containment_rate);
    $("service-fcr").textContent = percent(figures.first_contact_resolution_rate);
    $("service-handoff").textContent = percent(figures.handoff_rate);
    $("service-ttr").textContent = duration(figures.time_to_resolution_seconds.median);
    const satisfaction = figures.satisfaction;
    $("service-satisfaction").textContent =
      satisfaction.mean === null ? "-" : `${satisfaction.mean} (${satisfaction.answers})`;
    overTime(figures.daily || []);
    byReason(figures.handoffs_by_reason || []);
    notice("");
  }

  startFigures("service-days", refresh);
})();
