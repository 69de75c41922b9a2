/* The supervisor's figures from /desk/api/stats, refreshed every 15 seconds. */
"use strict";

(() => {
  const { el, clear, notice, api, me, duration, percent, words } = Desk;
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function countTable(id, counts) {
    const body = clear($(id).tBodies[0]);
    const entries = Object.entries(counts || {}).sort((a, b) => b[1] - a[1]);
    if (!entries.length) body.append(el("tr", {}, el("td", { class: "muted" }, "None yet")));
    for (const [key, count] of entries) {
      body.append(el("tr", { dataset: { key } }, el("td", {}, words(key)), el("td", { class: "num" }, count)));
    }
  }

  function hourLabel(hour) {
    const date = new Date(hour);
    return Number.isNaN(date.getTime()) ? String(hour) : date.toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" });
  }

  function chart(hourly) {
    const box = clear($("stats-chart"));
    const step = 30;
    const width = step * Math.max(1, hourly.length);
    const height = 140;
    const peak = Math.max(1, ...hourly.map((h) => h.handoffs));
    const picture = svg("svg", { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none" });
    hourly.forEach((hour, index) => {
      const x = index * step + 1;
      const barWidth = Math.max(1, step - 2);
      const total = ((height - 20) * hour.handoffs) / peak;
      const lost = ((height - 20) * hour.abandoned) / peak;
      const bar = svg("rect", { class: "bar", x, y: height - total, width: barWidth, height: total });
      bar.append(svg("title", {}, `${hourLabel(hour.hour)}: ${hour.handoffs} handoffs, ${hour.abandoned} abandoned`));
      picture.append(bar);
      if (lost > 0) picture.append(svg("rect", { class: "bar abandoned", x, y: height - lost, width: barWidth, height: lost }));
    });
    box.append(picture);
    $("stats-chart-caption").textContent =
      `Handoffs per hour, oldest first (the tallest bar is ${peak}); abandoned ones in amber.`;
  }

  function hourlyTable(hourly) {
    const body = clear($("stats-hourly").tBodies[0]);
    for (const hour of hourly) {
      body.append(el("tr", {},
        el("td", {}, hourLabel(hour.hour)),
        el("td", { class: "num" }, hour.handoffs),
        el("td", { class: "num" }, hour.answered),
        el("td", { class: "num" }, hour.abandoned),
        el("td", { class: "num" }, duration(hour.wait_p50_seconds)),
        el("td", { class: "num" }, percent(hour.service_level_20s))));
    }
  }

  async function refresh() {
    const hours = $("stats-hours").value;
    const stats = await api("GET", `/desk/api/stats?hours=${encodeURIComponent(hours)}`);
    $("stats-queue-length").textContent = stats.queue_length;
    $("stats-agents-on-duty").textContent = stats.agents_on_duty;
    $("stats-wait-p50").textContent = duration(stats.wait_p50_seconds);
    $("stats-wait-p90").textContent = duration(stats.wait_p90_seconds);
    $("stats-service-level").textContent = percent(stats.service_level_20s);
    $("stats-abandonment").textContent = percent(stats.abandonment_rate);
    countTable("stats-by-reason", stats.handoffs_by_reason);
    countTable("stats-outcomes", stats.outcomes);
    const hourly = stats.hourly || [];
    chart(hourly);
    hourlyTable(hourly);
    $("stats-updated").textContent = `Updated ${new Date().toLocaleTimeString()}.`;
    notice("");
  }

  function failed(error) {
    notice(error.message || "The figures could not be loaded.", true);
  }

  document.addEventListener("DOMContentLoaded", () => {
    me().then(refresh).catch(failed);
    $("stats-hours").addEventListener("change", () => refresh().catch(failed));
    setInterval(() => refresh().catch(failed), 15000);
  });
})();
