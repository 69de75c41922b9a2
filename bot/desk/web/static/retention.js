/* The Retention page: /desk/api/analytics/report for the chosen horizon, drawn by RetentionView.
   The back end keeps a computed report for `cache_seconds` (bot/analytics/cache.py): the page
   loads it again when that has passed, and Refresh asks for a new computation (the back end
   answers the kept one when it is younger than half a minute). */
"use strict";

(() => {
  const { notice, api, startFigures } = Desk;
  const $ = (id) => document.getElementById(id);
  const MIN_RELOAD_MS = 30000;
  let reload = null;
  let shown = null; // computed_at of the report on the page

  function draw(report) {
    RetentionView.render(report);
    shown = report.computed_at;
    notice(report.decisions ? "" : "No offer decisions with outcomes yet.");
    clearTimeout(reload);
    if (report.cache_seconds) {
      const expires = Date.parse(report.computed_at) + report.cache_seconds * 1000;
      reload = setTimeout(() => refresh().catch(() => {}), Math.max(expires - Date.now() + 5000, MIN_RELOAD_MS));
    }
  }

  async function refresh() {
    const horizon = encodeURIComponent($("retention-horizon").value);
    $("retention-export-json").href = `/desk/api/analytics/report?horizon=${horizon}`;
    $("retention-export-json").download = `retention-${horizon}-days.json`;
    $("retention-export-csv").href = `/desk/api/analytics/experiments.csv?horizon=${horizon}`;
    notice("Computing the figures...");
    draw(await api("GET", `/desk/api/analytics/report?horizon=${horizon}`));
  }

  async function recompute() {
    const button = $("retention-refresh");
    const horizon = encodeURIComponent($("retention-horizon").value);
    button.disabled = true;
    notice("Computing the figures again...");
    try {
      const before = shown;
      const report = await api("POST", `/desk/api/analytics/report/refresh?horizon=${horizon}`);
      draw(report);
      if (report.computed_at === before) {
        notice("These figures were computed less than half a minute ago: they are the latest.");
      }
    } catch (error) {
      notice(error.message || "The figures could not be computed.", true);
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("DOMContentLoaded", () => $("retention-refresh").addEventListener("click", recompute));
  startFigures("retention-horizon", refresh);
})();
