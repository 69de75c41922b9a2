/* Shared by the desk pages: DOM building without innerHTML, the JSON API with CSRF, notices. */
"use strict";

const Desk = (() => {
  let csrfToken = null;

  /* el("li", {class: "msg", dataset: {id: 3}}, "text", child): text is always a text node. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key === "on") for (const [event, fn] of Object.entries(value)) node.addEventListener(event, fn);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function notice(text, isError) {
    const box = document.getElementById("notice");
    if (!box) return;
    box.textContent = text || "";
    box.classList.toggle("error", Boolean(isError));
    box.hidden = !text;
  }

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(method, path, body, extraHeaders) {
    const headers = { Accept: "application/json", ...(extraHeaders || {}) };
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      if (csrfToken) headers["X-CSRF-Token"] = csrfToken;
    }
    const response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      window.location.assign("/desk/login");
      throw new ApiError(401, "not_logged_in", "Your session has ended.");
    }
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      const error = (data && data.error) || {};
      throw new ApiError(response.status, error.code || "http_error", error.message || response.statusText);
    }
    return data;
  }

  async function me() {
    const who = await api("GET", "/desk/api/me");
    csrfToken = who.csrf_token;
    return who;
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "-";
    const s = Math.round(seconds);
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60 ? `${s % 60} s` : ""}`.trim();
    return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  }

  function percent(rate) {
    return rate === null || rate === undefined ? "-" : `${Math.round(rate * 100)} %`;
  }

  function time(iso) {
    if (!iso) return "";
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function words(code) {
    return String(code || "").replace(/_/g, " ");
  }

  /* A supervisor's figures page (Service, Retention): when the chart library is there, signs in
     and draws with `refresh`, and again whenever the control `controlId` changes. */
  function startFigures(controlId, refresh) {
    const failed = (error) => notice(error.message || "The figures could not be loaded.", true);
    document.addEventListener("DOMContentLoaded", () => {
      if (typeof Chart === "undefined") {
        notice("The chart library is missing: run make setup.", true);
        return;
      }
      me().then(refresh).catch(failed);
      document.getElementById(controlId).addEventListener("change", () => refresh().catch(failed));
    });
  }

  return { el, clear, notice, api, me, duration, percent, time, words, startFigures, ApiError };
})();
