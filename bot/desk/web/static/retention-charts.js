/* The retention report drawn into the page: tables with text nodes only, charts with Chart.js.
   Shared by the Retention page (retention.js fetches the report) and the self-contained file of
   `bot analytics report` (retention-report.js reads the report inlined in the file). */
"use strict";

const RetentionView = (() => {
  const { el, clear } = Desk;
  const $ = (id) => document.getElementById(id);
  const charts = {};
  const COLOURS = { works: "#16a34a", harms: "#dc2626", no_effect: "#64748b", not_enough_data: "#f59e0b" };
  const ARM_COLOURS = { offered: "#2563eb", holdout: "#64748b" };

  function draw(id, config) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new Chart($(id), config);
    $(id).dataset.ready = "true";
  }

  const points = (rate) => (rate === null || rate === undefined ? "-" : `${(rate * 100).toFixed(1)}`);
  const signed = (rate) => (rate === null || rate === undefined ? "-" : `${rate > 0 ? "+" : ""}${(rate * 100).toFixed(1)} pp`);
  const percent = (rate) => (rate === null || rate === undefined ? "-" : `${Math.round(rate * 100)} %`);
  const euros = (cents) => (cents === null || cents === undefined ? "-" : `${(cents / 100).toFixed(2)} €`);
  const fixed = (value, digits) => (value === null || value === undefined ? "-" : Number(value).toFixed(digits));
  const name = (code) => String(code || "").replace(/_/g, " ");
  const capital = (text) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
  const label = (effect) => `${name(effect.offer_code)} / ${name(effect.segment)}`;

  function tiles(report) {
    const overall = report.experiments.filter((e) => e.segment === "all");
    $("retention-decisions").textContent = report.decisions;
    $("retention-horizon-days").textContent = `${report.horizon_days} days`;
    $("retention-holdout-share").textContent = percent(report.holdout_share);
    const segments = report.experiments.filter((e) => e.segment !== "all");
    const count = (verdict) => segments.filter((e) => e.verdict === verdict).length;
    $("retention-works").textContent = `${count("works")} of ${segments.length}`;
    $("retention-harms").textContent = `${count("harms")} of ${segments.length}`;
    $("retention-generated").textContent = `${computed(report)}; ${overall.length} offers.`;
  }

  /* The Retention page's answers say when the cache computed them and for how long they are kept
     ("Computed 12:04; refreshes every 5 min"); the report file has only its generated_at (UTC). */
  function computed(report) {
    if (!report.computed_at) return `Computed ${report.generated_at.slice(0, 16).replace("T", " ")} UTC`;
    const seconds = report.cache_seconds;
    const every = !seconds ? "computed on every load"
      : seconds % 60 ? `refreshes every ${seconds} s` : `refreshes every ${seconds / 60} min`;
    return `Computed ${Desk.time(report.computed_at)}; ${every}`;
  }

  function effectsChart(effects) {
    const known = effects.filter((e) => e.difference !== null);
    draw("retention-effects", {
      type: "bar",
      data: {
        labels: known.map(label),
        datasets: [
          { label: "95 % interval", data: known.map((e) => [e.ci_low * 100, e.ci_high * 100]),
            backgroundColor: known.map((e) => `${COLOURS[e.verdict] || "#64748b"}66`),
            borderColor: known.map((e) => COLOURS[e.verdict] || "#64748b"), borderWidth: 1,
            barPercentage: 0.6 },
          { type: "line", label: "Difference", indexAxis: "y", showLine: false, pointRadius: 5,
            pointStyle: "rectRot", backgroundColor: "#0f172a", borderColor: "#0f172a",
            data: known.map((e) => e.difference * 100) },
        ],
      },
      options: {
        indexAxis: "y", animation: false, maintainAspectRatio: false,
        scales: {
          x: { title: { display: true, text: "Retention difference, offered minus holdout (points)" },
            grid: { color: (ctx) => (ctx.tick && ctx.tick.value === 0 ? "#0f172a" : "#e2e8f0") } },
        },
      },
    });
  }

  function effectsTable(effects) {
    const body = clear($("retention-effects-table").tBodies[0]);
    for (const e of effects) {
      body.append(el("tr", { dataset: { offer: e.offer_code, segment: e.segment } },
        el("td", {}, name(e.offer_code)),
        el("td", {}, name(e.segment)),
        el("td", { class: "num" }, `${e.offered.n}, ${percent(e.offered.rate)}`),
        el("td", { class: "num" }, `${e.holdout.n}, ${percent(e.holdout.rate)}`),
        el("td", { class: "num" }, signed(e.difference)),
        el("td", { class: "num" }, e.ci_low === null ? "-" : `${points(e.ci_low)} to ${points(e.ci_high)}`),
        el("td", { class: "num" }, fixed(e.number_needed_to_treat, 1)),
        el("td", { class: "num" }, euros(e.cost_per_retained_cents)),
        el("td", { class: `verdict-${e.verdict}` }, e.verdict_text)));
    }
  }

  function survivalChart(curve) {
    const datasets = [];
    for (const arm of curve.arms) {
      const colour = ARM_COLOURS[arm.arm] || "#0f172a";
      const at = (key) => arm.curve.map((p) => ({ x: p.day, y: p[key] * 100 }));
      datasets.push(
        { label: `${arm.arm} band low`, band: true, data: at("ci_low"), borderWidth: 0, pointRadius: 0, fill: false },
        { label: `${arm.arm} band high`, band: true, data: at("ci_high"), borderWidth: 0, pointRadius: 0,
          fill: "-1", backgroundColor: `${colour}22` },
        { label: `${arm.arm} (n=${arm.n}, ${arm.cancelled} cancelled)`, data: at("survival"),
          borderColor: colour, backgroundColor: colour, pointRadius: 2, stepped: false },
      );
    }
    draw("retention-survival", {
      type: "line",
      data: { datasets },
      options: {
        animation: false, maintainAspectRatio: false,
        scales: {
          x: { type: "linear", title: { display: true, text: "Days after the decision" } },
          y: { min: 0, max: 100, title: { display: true, text: "Not cancelled (%)" } },
        },
        plugins: { legend: { labels: { filter: (item, data) => !data.datasets[item.datasetIndex].band } } },
      },
    });
    const cox = curve.cox;
    if (!cox) {
      $("retention-cox").textContent = "No Cox model: an arm is empty or nobody in it cancelled.";
      return;
    }
    const ratio = cox.hazard_ratios[0];
    const check = cox.proportional_hazards[0];
    $("retention-cox").textContent =
      `Cox hazard ratio, offered vs holdout: ${fixed(ratio.hazard_ratio, 2)} ` +
      `(95 % CI ${fixed(ratio.ci_low, 2)} to ${fixed(ratio.ci_high, 2)}, p=${Number(ratio.p_value).toPrecision(3)}); ` +
      `below 1, offered customers cancel more slowly. Proportional hazards: ` +
      (check.holds
        ? `holds (p=${Number(check.p_value).toPrecision(3)}).`
        : `does not hold (p=${Number(check.p_value).toPrecision(3)}): one ratio does not describe the whole period.`);
  }

  function bestCurve(curves) {
    const smallerArm = (curve) => Math.min(...curve.arms.map((arm) => arm.n));
    let best = 0;
    curves.forEach((curve, index) => {
      if (smallerArm(curve) > smallerArm(curves[best])) best = index;
    });
    return best;
  }

  function survivalChoice(report) {
    const select = $("survival-choice");
    const previous = select.selectedOptions[0]?.textContent;
    clear(select);
    report.survival.forEach((curve, index) => {
      select.append(el("option", { value: String(index) }, label(curve)));
    });
    const keep = [...select.options].find((option) => option.textContent === previous);
    // The supervisor's choice survives a change of horizon; at first, the offer and segment
    // whose smaller arm is largest (the curves best worth reading), not the first in the list.
    select.value = keep ? keep.value : String(bestCurve(report.survival));
    const show = () => {
      const curve = report.survival[Number(select.value)];
      if (curve) survivalChart(curve);
    };
    select.onchange = show;
    show();
  }

  function unavailable(tableId, text) {
    const table = $(tableId);
    clear(table.tBodies[0] || table.createTBody()).append(el("tr", {}, el("td", { class: "muted" }, text)));
  }

  function table(tableId, headings, rows) {
    const node = clear($(tableId));
    node.append(el("thead", {}, el("tr", {}, headings.map(([text, cls]) => el("th", { class: cls }, text)))));
    node.append(el("tbody", {}, rows));
  }

  function qiniChart(uplift) {
    const at = (points) => points.map((p) => ({ x: p.share_targeted * 100, y: p.incremental_retained }));
    draw("retention-qini", {
      type: "line",
      data: {
        datasets: [
          { label: "Uplift model (unseen customers)", data: at(uplift.qini_curve), borderColor: "#2563eb",
            backgroundColor: "#2563eb", pointRadius: 2 },
          { label: "Offering at random", data: at(uplift.random_line), borderColor: "#64748b",
            backgroundColor: "#64748b", borderDash: [6, 4], pointRadius: 0 },
        ],
      },
      options: {
        animation: false, maintainAspectRatio: false,
        scales: {
          x: { type: "linear", min: 0, max: 100, title: { display: true, text: "Customers offered, highest predicted uplift first (%)" } },
          y: { title: { display: true, text: "Extra customers kept" } },
        },
      },
    });
  }

  function uplift(report) {
    $("retention-qini").parentElement.hidden = false;
    qiniChart(report);
    const coefficient = report.qini_coefficient;
    $("retention-qini-summary").textContent =
      (coefficient === null ? "No Qini coefficient: too few customers. " :
        `Qini coefficient ${fixed(coefficient, 3)} (above 0: better than offering at random). `) +
      `${report.n} decisions, ${report.method}. ${capital(report.caveat)}.`;
    table("retention-recommendations",
      [["Offer"], ["Segment"], ["Customers (held out)", "num"], ["Predicted change", "num"], ["Recommendation"]],
      report.recommendations.map((r) => el("tr", { dataset: { offer: r.offer_code, segment: r.segment } },
        el("td", {}, name(r.offer_code)),
        el("td", {}, name(r.segment)),
        el("td", { class: "num" }, `${r.n} (${r.holdout_n})`),
        el("td", { class: "num" }, signed(r.predicted_uplift)),
        el("td", { class: r.recommend ? "verdict-works" : "" }, r.reason))));
  }

  function practices(section) {
    $("retention-practices-caveat-text").textContent = `${capital(section.caveat)}.`;
    const interval = (low, high) => (low === null || low === undefined ? "-" : `${points(low)} to ${points(high)}`);
    table("retention-practices",
      [["Practice"], ["With / without", "num"], ["Raw difference in churn", "num"], ["Adjusted (95 % interval)", "num"], ["What it says"]],
      section.practices.map((p) => el("tr", { dataset: { practice: p.practice } },
        el("td", {}, p.label),
        el("td", { class: "num" }, `${p.exposed_n} / ${p.unexposed_n}`),
        el("td", { class: "num" }, signed(p.naive_difference)),
        el("td", { class: "num" }, p.adjusted_difference === null ? "-" :
          `${signed(p.adjusted_difference)} (${interval(p.ci_low, p.ci_high)})`),
        el("td", {}, p.verdict_text, el("br"), el("span", { class: "muted" }, `Method: ${p.method}.`)))));
  }

  function render(report) {
    tiles(report);
    effectsChart(report.experiments);
    effectsTable(report.experiments);
    survivalChoice(report);
    if (report.uplift === null) {
      $("retention-qini").parentElement.hidden = true;
      unavailable("retention-recommendations", "The uplift model is not available yet.");
    } else {
      uplift(report.uplift);
    }
    if (report.practices === null) {
      unavailable("retention-practices", "The practices analysis is not available yet.");
    } else {
      practices(report.practices);
    }
  }

  return { render, charts };
})();
