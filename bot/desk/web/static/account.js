/* The verified customer's account beside a ticket: facts, invoices explained, findings, more. */
"use strict";

const DeskAccount = (() => {
  const { el, clear, words, time } = Desk;
  const $ = (id) => document.getElementById(id);

  function facts(pairs) {
    const list = el("dl", { class: "facts" });
    for (const [label, value] of pairs) {
      if (value === null || value === undefined || value === "") continue;
      list.append(el("dt", {}, label), el("dd", {}, value));
    }
    return list;
  }

  function money(amount, currency) {
    return amount === null || amount === undefined ? null : `${amount} ${currency || ""}`.trim();
  }

  function renderAccount(account) {
    const box = clear($("account"));
    if (!account) return;
    const balance = account.balance || {};
    const plan = account.plan;
    const contract = account.contract;
    box.append(facts([
      ["Account", account.account_number],
      ["Name", account.name],
      ["Plan", plan ? `${plan.name}, ${money(plan.monthly_price, plan.currency)} a month` : "none"],
      ["Contract", contract ? `${contract.start_date} to ${contract.end_date || "open-ended"}` : null],
      ["Promotion", contract && contract.promo_price ? `${contract.promo_price} until ${contract.promo_end_date}` : null],
      ["Add-ons", (account.add_ons || []).map((a) => a.name).join(", ")],
      ["Balance", money(balance.balance, balance.currency)],
      ["Overdue", balance.overdue && balance.overdue !== "0.00" ? money(balance.overdue, balance.currency) : null],
      ["Next due", balance.next_due_date],
    ]));
  }

  function renderInvoices(invoices) {
    const box = clear($("invoices"));
    const select = clear($("credit-invoice"));
    if (!invoices.length) box.append(el("p", { class: "muted" }, "No invoices yet."));
    invoices.forEach((invoice, index) => {
      select.append(el("option", { value: invoice.number }, invoice.number));
      const lines = el("ul", {});
      for (const line of invoice.lines) {
        lines.append(el("li", { class: "invoice-line", dataset: { lineId: line.id } },
          el("div", { class: "line-top" }, el("span", {}, line.description), el("span", {}, line.amount)),
          el("div", { class: "explanation" }, line.explanation)));
      }
      box.append(el("details", { class: "invoice", open: index === 0, dataset: { invoice: invoice.number } },
        el("summary", {}, `${invoice.number} · ${invoice.period_start} to ${invoice.period_end} · `,
          el("strong", {}, money(invoice.total, invoice.currency)), ` · ${words(invoice.status)}`),
        lines));
    });
  }

  function renderFindings(findings, actions, canAct) {
    const box = clear($("findings"));
    if (!findings.length) box.append(el("p", { class: "muted" }, "Nothing found."));
    for (const finding of findings) {
      const creditable = finding.status === "open" || finding.status === "escalated";
      const button = creditable
        ? el("button", {
          type: "button", class: "finding-credit", disabled: !canAct,
          dataset: { findingId: finding.id },
          on: { click: (event) => actions.creditFinding(finding.id, event.target) },
        }, "Credit")
        : null;
      box.append(el("div", { class: "card finding", dataset: { findingId: finding.id } },
        el("div", { class: "line-top" },
          el("strong", {}, `${words(finding.rule)} · ${money(finding.amount, finding.currency)}`), button),
        el("div", {}, finding.summary),
        el("div", { class: "explanation" }, `${finding.invoice_number} · ${words(finding.status)}`)));
    }
  }

  function renderDisputes(disputes) {
    const box = clear($("disputes"));
    if (!disputes.length) box.append(el("p", { class: "muted" }, "No disputes."));
    for (const dispute of disputes) {
      box.append(el("div", { class: "card" },
        el("div", { class: "line-top" }, el("strong", {}, dispute.line_description),
          el("span", {}, money(dispute.amount, dispute.currency))),
        el("div", { class: "explanation" }, `${dispute.invoice_number} · ${words(dispute.status)} · ${dispute.reason}`)));
    }
  }

  function renderOffers(offers) {
    const box = clear($("offers"));
    if (!offers.length) box.append(el("p", { class: "muted" }, "No offers or discounts."));
    for (const offer of offers) {
      const terms = offer.percent ? `${offer.percent} % (${money(offer.monthly_amount, offer.currency)} a month) for ${offer.months} months` : "no terms";
      box.append(el("div", { class: "card" },
        el("div", { class: "line-top" }, el("strong", {}, `${offer.name}: ${terms}`), el("span", {}, words(offer.status))),
        el("div", { class: "explanation" }, `${words(offer.trigger)} · ${time(offer.created_at)} · ${offer.actor}`)));
    }
  }

  function render(detail, actions) {
    const mine = !document.getElementById("credit-submit").disabled;
    renderAccount(detail.account || null);
    renderInvoices(detail.invoices || []);
    renderFindings(detail.findings || [], actions, mine);
    renderDisputes(detail.disputes || []);
    renderOffers(detail.offers || []);
  }

  return { render };
})();
