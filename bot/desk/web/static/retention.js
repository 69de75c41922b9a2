/* The Retention page: /desk/api/analytics/report for the chosen horizon, drawn by RetentionView. */
"use strict";

(() => {
  const { notice, api, startFigures } = Desk;
  const $ = (id) => document.getElementById(id);

  async function refresh() {
    const horizon = encodeURIComponent($("retention-horizon").value);
    $("retention-export-json").href = `/desk/api/analytics/report?horizon=${horizon}`;
    $("retention-export-json").download = `retention-${horizon}-days.json`;
    $("retention-export-csv").href = `/desk/api/analytics/experiments.csv?horizon=${horizon}`;
    notice("Computing the figures...");
    const report = await api("GET", `/desk/api/analytics/report?horizon=${horizon}`);
    RetentionView.render(report);
    notice(report.decisions ? "" : "No offer decisions with outcomes yet.");
  }

  startFigures("retention-horizon", refresh);
})();
