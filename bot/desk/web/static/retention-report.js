/* The self-contained file of `bot analytics report`: the report inlined in #report-data, drawn
   by RetentionView with the inlined Chart.js (the file opens offline). */
"use strict";

(() => {
  const report = JSON.parse(document.getElementById("report-data").textContent);
  RetentionView.render(report);
})();
