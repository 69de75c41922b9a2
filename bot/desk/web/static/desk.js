/* The agent desk: queue, the selected ticket with its live transcript, account, actions. */
"use strict";

(() => {
  const { el, clear, notice, api, me, duration, time, words } = Desk;
  const $ = (id) => document.getElementById(id);
  const state = {
    me: null, tickets: [], fetchedAt: 0, selected: null, detail: null, seen: new Set(), streamOpened: false,
  };

  const REASONS = {
    customer_request: "Asked for a person",
    repeated_fallback: "Bot did not understand",
    verification_locked: "Verification locked",
    beyond_authority: "Beyond the bot's authority",
    upset_customer: "Upset customer",
  };

  function reasonText(reason) {
    return REASONS[reason] || words(reason);
  }

  function failed(error) {
    const text = error.code === "rasa_unavailable"
      ? `The chat system is not reachable right now: ${error.message}`
      : error.message || "Something went wrong.";
    notice(text, true);
  }

  async function run(button, action) {
    if (button) button.disabled = true;
    try {
      notice("");
      await action();
    } catch (error) {
      failed(error);
    } finally {
      if (button) button.disabled = false;
    }
  }

  /* ---- who am I, duty ---- */

  function showDuty(onDuty) {
    $("duty-toggle").checked = onDuty;
    $("duty-label").textContent = onDuty ? "On duty" : "Off duty";
  }

  function showLimits(who) {
    $("credit-limit").textContent = `${who.credit_limit}`;
    const limits = who.discount_limits || {};
    $("discount-limits").textContent =
      `Up to ${limits.max_percent} %, ${limits.max_monthly_amount} a month, for ${limits.max_months} months.`;
  }

  /* ---- queue ---- */

  function claimedByMe(ticket) {
    return Boolean(state.me) && ticket.claimed_by_agent_id === state.me.agent_id;
  }

  /* The conversation's language: the agent answers in it (canned phrases come in it too). */
  const LANGUAGES = { en: "English", sl: "Slovenian" };
  const languageName = (code) => LANGUAGES[code] || String(code || "");

  function languageBadge(ticket) {
    return el("span", { class: "badge lang", "data-testid": "ticket-language", title: languageName(ticket.language) },
      String(ticket.language || "").toUpperCase());
  }

  function claimedName(ticket) {
    return ticket.claimed_by || null;
  }

  function ticketRow(ticket) {
    const high = ticket.priority >= 3;
    const who = ticket.customer_name || "Unverified customer";
    const waited = ticket.waiting_seconds + (Date.now() - state.fetchedAt) / 1000;
    const status = ticket.status === "queued"
      ? el("span", { class: "badge" }, `#${ticket.position} · ${duration(waited)}`)
      : el("span", { class: "badge claimed" }, `${words(ticket.status)}${claimedName(ticket) ? ` · ${claimedName(ticket)}` : ""}`);
    const button = el(
      "button",
      {
        type: "button",
        class: "ticket-row",
        "data-testid": "ticket-row",
        "aria-current": ticket.id === state.selected ? "true" : "false",
        dataset: { ticketId: ticket.id, status: ticket.status },
        on: { click: () => select(ticket.id) },
      },
      el("span", { class: "row-top" }, el("span", { class: "name" }, who, " ", languageBadge(ticket)), status),
      el("span", { class: "muted" },
        el("span", { class: high ? "badge high" : "badge" }, reasonText(ticket.reason)),
        ` ${ticket.account_number ? `Account ${ticket.account_number}` : ""} · ${words(ticket.channel)}`),
    );
    return el("li", {}, button);
  }

  function renderQueue() {
    const list = clear($("queue"));
    state.tickets.forEach((ticket) => list.append(ticketRow(ticket)));
  }

  async function loadQueue() {
    const data = await api("GET", "/desk/api/queue");
    state.tickets = data.tickets;
    state.fetchedAt = Date.now();
    renderQueue();
    const waiting = data.tickets.filter((t) => t.status === "queued").length;
    $("queue-count").textContent = `(${waiting} waiting)`;
    $("queue-agents").textContent = `${data.agents_on_duty} agent${data.agents_on_duty === 1 ? "" : "s"} on duty`;
    $("queue-empty").hidden = data.tickets.length > 0;
  }

  /* ---- the selected ticket ---- */

  function messageItem(message) {
    const sender = message.sender;
    const label = sender === "agent" ? message.agent_name || "Agent"
      : sender === "customer" ? "Customer" : sender === "bot" ? "Assistant" : "Desk";
    return el(
      "li",
      {
        class: `msg msg-${sender}${message.delivered === false ? " undelivered" : ""}`,
        dataset: { messageId: message.id },
      },
      el("span", { class: "who" }, `${label} · ${time(message.at)}${message.delivered === false ? " · not delivered" : ""}`),
      message.text,
    );
  }

  function addMessage(message) {
    if (state.seen.has(message.id)) return;
    state.seen.add(message.id);
    const list = $("transcript");
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.append(messageItem(message));
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  function renderHead(ticket) {
    $("ticket-title").textContent = ticket.customer_name || "Unverified customer";
    const parts = [reasonText(ticket.reason), words(ticket.status), `via ${words(ticket.channel)}`,
      `in ${languageName(ticket.language)}`, `waiting since ${time(ticket.created_at)}`];
    if (claimedName(ticket)) parts.push(`claimed by ${claimedName(ticket)}`);
    if (ticket.callback_window) parts.push(`callback ${ticket.callback_window.label}`);
    $("ticket-meta").textContent = parts.join(" · ");
    $("ticket-summary").textContent = ticket.summary || "";
    $("ticket-language").textContent = languageName(ticket.language);
    $("ticket-language").dataset.language = ticket.language || "";
    const mine = claimedByMe(ticket);
    const open = ticket.status === "queued" || ticket.status === "claimed";
    $("claim").hidden = ticket.status !== "queued";
    for (const id of ["reply-text", "reply-send", "resolve-outcome", "resolve-note", "resolve-hand-back", "resolve-close",
      "credit-submit", "discount-submit"]) {
      $(id).disabled = !(mine && open);
    }
  }

  async function select(ticketId) {
    state.selected = ticketId;
    document.querySelectorAll(".ticket-row").forEach((row) => {
      row.setAttribute("aria-current", Number(row.dataset.ticketId) === ticketId ? "true" : "false");
    });
    await loadDetail();
  }

  async function loadDetail() {
    if (state.selected === null) return;
    const detail = await api("GET", `/desk/api/tickets/${state.selected}`);
    state.detail = detail;
    $("no-ticket").hidden = true;
    $("ticket").hidden = false;
    renderHead(detail);
    renderPhrases(detail);
    state.seen = new Set();
    clear($("transcript"));
    detail.messages.forEach(addMessage);
    $("transcript").scrollTop = $("transcript").scrollHeight;
    DeskAccount.render(detail, { creditFinding });
    $("account-pane").hidden = !detail.account_visible;
    $("no-account").hidden = detail.account_visible;
    $("no-account-text").textContent = detail.verified
      ? "Only the agent who claimed this ticket (or a supervisor) sees the customer's account."
      : "The customer has not verified their identity: no account data is shown.";
  }

  /* Canned phrases in the ticket's language: a click puts one into the reply box to edit and send. */
  function renderPhrases(detail) {
    $("phrases-language").textContent = languageName(detail.language);
    const list = clear($("phrases"));
    (detail.phrases || []).forEach((phrase) => list.append(el("li", {}, el(
      "button",
      {
        type: "button",
        class: "phrase",
        "data-testid": "canned-phrase",
        dataset: { key: phrase.key },
        on: {
          click: () => {
            const box = $("reply-text");
            if (box.disabled) return;
            box.value = box.value.trim() ? `${box.value.trimEnd()} ${phrase.text}` : phrase.text;
            box.focus();
          },
        },
      },
      phrase.text,
    ))));
  }

  /* After a reconnect of the stream: what may have been missed, without redrawing the rest. */
  async function catchUp() {
    await loadQueue();
    if (state.selected === null) return;
    const detail = await api("GET", `/desk/api/tickets/${state.selected}`);
    if (detail.id !== state.selected) return;
    state.detail = detail;
    renderHead(detail);
    detail.messages.forEach(addMessage);
  }

  function unselect() {
    state.selected = null;
    state.detail = null;
    $("ticket").hidden = true;
    $("no-ticket").hidden = false;
    $("account-pane").hidden = true;
    $("no-account").hidden = true;
  }

  /* ---- actions ---- */

  const ticketPath = (suffix) => `/desk/api/tickets/${state.selected}/${suffix}`;

  // One Idempotency-Key per grant the agent means: a retried request grants once.
  const grantKeys = {};
  const grantKey = (name) => (grantKeys[name] ||= crypto.randomUUID());
  const granted = (name) => { delete grantKeys[name]; };

  async function creditFinding(findingId, button) {
    await run(button, async () => {
      const name = `finding-${state.selected}-${findingId}`;
      await api("POST", ticketPath("credits"), { finding_id: findingId }, { "Idempotency-Key": grantKey(name) });
      granted(name);
      notice("Credit granted.");
      await loadDetail();
    });
  }

  function wireActions() {
    $("duty-toggle").addEventListener("change", (event) => run(null, async () => {
      const data = await api("POST", "/desk/api/duty", { on_duty: event.target.checked });
      showDuty(data.on_duty);
      await loadQueue();
    }));
    $("claim").addEventListener("click", (event) => run(event.target, async () => {
      await api("POST", ticketPath("claim"));
      await Promise.all([loadQueue(), loadDetail()]);
    }));
    $("reply-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const text = $("reply-text").value.trim();
      if (!text) return;
      run($("reply-send"), async () => {
        const data = await api("POST", ticketPath("messages"), { text });
        $("reply-text").value = "";
        addMessage(data.message);
      });
    });
    $("reply-text").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        $("reply-form").requestSubmit();
      }
    });
    for (const [id, then] of [["resolve-hand-back", "hand_back"], ["resolve-close", "close"]]) {
      $(id).addEventListener("click", (event) => run(event.target, async () => {
        await api("POST", ticketPath("resolve"), {
          outcome: $("resolve-outcome").value, note: $("resolve-note").value.trim(), then,
        });
        $("resolve-note").value = "";
        notice(then === "hand_back" ? "Resolved; the customer is back with the assistant." : "Resolved and closed.");
        unselect();
        await loadQueue();
      }));
    }
    $("credit-form").addEventListener("submit", (event) => {
      event.preventDefault();
      run($("credit-submit"), async () => {
        const body = {
          amount: $("credit-amount").value.trim(),
          invoice_number: $("credit-invoice").value,
          reason: $("credit-reason").value.trim(),
        };
        const name = `credit-${state.selected}-${JSON.stringify(body)}`;
        await api("POST", ticketPath("credits"), body, { "Idempotency-Key": grantKey(name) });
        granted(name);
        event.target.reset();
        notice("Credit granted.");
        await loadDetail();
      });
    });
    $("discount-form").addEventListener("submit", (event) => {
      event.preventDefault();
      run($("discount-submit"), async () => {
        const body = {
          percent: Number($("discount-percent").value),
          months: Number($("discount-months").value),
          reason: $("discount-reason").value.trim(),
        };
        const name = `discount-${state.selected}-${JSON.stringify(body)}`;
        await api("POST", ticketPath("discounts"), body, { "Idempotency-Key": grantKey(name) });
        granted(name);
        event.target.reset();
        notice("Discount granted.");
        await loadDetail();
      });
    });
  }

  /* ---- live push ---- */

  function listen() {
    const stream = new EventSource("/desk/api/stream");
    const parse = (event) => JSON.parse(event.data || "{}");
    // The server ends each connection after a minute and the browser reconnects by itself.
    stream.addEventListener("open", () => {
      if (state.streamOpened) catchUp().catch(failed);
      state.streamOpened = true;
    });
    stream.addEventListener("queue", () => loadQueue().catch(failed));
    stream.addEventListener("message", (event) => {
      const data = parse(event);
      if (data.ticket_id === state.selected && data.message) addMessage(data.message);
    });
    stream.addEventListener("ticket", (event) => {
      const data = parse(event);
      loadQueue().catch(failed);
      if (data.ticket_id === state.selected) loadDetail().catch(failed);
    });
    stream.addEventListener("error", () => {
      if (stream.readyState === EventSource.CLOSED) {
        me().then(() => setTimeout(listen, 3000)).catch(failed);  // 401 goes to the login page
      }
    });
  }

  async function start() {
    wireActions();
    state.me = await me();
    showDuty(state.me.on_duty);
    showLimits(state.me);
    await loadQueue();
    listen();
    setInterval(renderQueue, 15000);  // waiting times move on without asking the server
  }

  document.addEventListener("DOMContentLoaded", () => start().catch(failed));
})();
