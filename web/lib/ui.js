// Small shared pieces of the interface: money, errors, loading, bars, data hooks.
import { html, useState, useEffect, useCallback, useRef } from "./html.js";
import { t, getLang, tMaybe } from "./i18n.js";
import { formatFen, formatWan } from "./format.js";
import { ApiError, api } from "./api.js";
import { errorSentence, fieldProblem, statusHeading } from "./errors.js";

/** ¥1,700,000.00, with （170万元） beside large sums when the interface is in Chinese. */
export function Money({ fen, wan = true }) {
  if (fen === null || fen === undefined) return html`<span class="money">—</span>`;
  const big = wan && getLang() === "zh-CN" ? formatWan(fen) : null;
  return html`<span class="money">${formatFen(fen)}${big
    ? html` <span class="wan">（${big}）</span>` : null}</span>`;
}

/**
 * An error in the interface's language: for an ApiError, the heading of its status, the
 * sentence of its code (or the server's bilingual problem list) and each failing field.
 */
export function ErrorBox({ error }) {
  if (!error) return null;
  if (error instanceof ApiError) {
    const p = error.problem;
    const problems = Array.isArray(p.problems) ? p.problems : (p.details && Array.isArray(p.details.problems) ? p.details.problems : []);
    const fields = error.fieldErrors.map(fieldProblem);
    return html`<div class="error" role="alert" data-code=${p.code || undefined}>
      <strong>${statusHeading(error.status)}</strong>
      ${problems.length ? html`<ul data-testid="problems">${problems.map((x) => html`<li>${bilingual(x)}</li>`)}</ul>`
        : fields.length ? null : html`<p>${errorSentence(p.code, p.params, error.status)}</p>`}
      ${fields.length ? html`<ul>${fields.map((f) => html`<li>${f.label}${t("common.colon")}${f.text}</li>`)}</ul>` : null}
    </div>`;
  }
  if (error instanceof RangeError) {
    return html`<div class="error" role="alert"><strong>${t("failure.badNumber")}</strong></div>`;
  }
  // A failure inside the page itself: its message is English, shown to English readers only.
  return html`<div class="error" role="alert"><strong>${t("failure.generic")}</strong>
    ${getLang() === "en" && error && error.message ? html`<p>${error.message}</p>` : null}</div>`;
}

/** Text the server gives in both languages ({zh, en}), in the interface's language. */
export function bilingual(value) {
  if (!value || typeof value === "string") return value || "";
  return getLang() === "en" ? (value.en || value.zh || "") : (value.zh || value.en || "");
}

/** Plan versions in ascending order (the API may list the newest first). */
export function byVersion(plans) {
  return plans.slice().sort((a, b) => Number(a.version) - Number(b.version));
}

/** The one loading state: a card or page whose data is on its way says so (never "none yet"
 * before the answer came). */
/** An irreversible step, asked again with what it will do (the first button stays focusable). */
export function Confirm({ testid, lines, yes, onYes, onNo }) {
  return html`<div class="notice confirm" role="alertdialog" aria-labelledby=${`${testid}-text`} data-testid=${testid}>
    <div id=${`${testid}-text`}>${lines.map((line, i) => html`<p key=${i}>${line}</p>`)}</div>
    <div class="actions"><button type="button" class="primary" data-testid=${`${testid}-yes`} onClick=${onYes}>${yes}</button>
      <button type="button" data-testid=${`${testid}-no`} onClick=${onNo}>${t("common.cancel")}</button></div></div>`;
}

export function Loading() {
  return html`<p class="loading" role="status" aria-live="polite" data-testid="loading">
    <span class="spinner" aria-hidden="true"></span>${t("common.loading")}</p>`;
}

/** For a card that waits for data: <Loading/> while any of the `useApi` requests has neither
 * data nor an error yet, else null. A reload keeps showing the data it has.
 * Use: `${whileLoading(works) || html`…the card's content…`}` */
export function whileLoading(...requests) {
  return requests.some((r) => r && r.loading && !r.data && !r.error) ? html`<${Loading} />` : null;
}

/** Fetch `path` now and whenever `reload()` is called or `path` changes. */
export function useApi(path) {
  const [state, setState] = useState({ data: null, error: null, loading: !!path });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return undefined;
    let alive = true;
    setState((s) => ({ ...s, loading: true }));
    api(path).then(
      (data) => alive && setState({ data, error: null, loading: false }),
      (error) => alive && setState({ data: null, error, loading: false }),
    );
    return () => { alive = false; };
  }, [path, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const setData = useCallback((data) => setState({ data, error: null, loading: false }), []);
  return { ...state, reload, setData };
}

/** Run an unsafe call, tracking busy state and the error for the form that made it. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = useCallback(async (fn) => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, setError };
}

/** A horizontal bar with an optional threshold line; value/threshold in [0, 1]. */
export function Bar({ value, threshold, label, valueText, thresholdText, testid }) {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 1000) / 10;
  return html`<div class="bar" data-testid=${testid}>
    <div class="bar-label"><span>${label}</span><span class="bar-value">${valueText}</span></div>
    <div class="bar-track" role="meter" aria-label=${label} aria-valuemin="0" aria-valuemax="100"
         aria-valuenow=${pct} aria-valuetext=${valueText}>
      <div class="bar-fill" style=${{ width: `${pct}%` }}></div>
      ${threshold !== undefined && threshold !== null ? html`<div class="bar-threshold"
          style=${{ left: `${Math.round(threshold * 1000) / 10}%` }} title=${thresholdText}></div>` : null}
    </div>
    ${thresholdText ? html`<div class="bar-note">${thresholdText}</div>` : null}
  </div>`;
}

/** Chart.js on a canvas, re-created when `config` changes. Chart.js is loaded on first use. */
export function ChartCanvas({ config, label, height = 260, testid }) {
  const ref = useRef(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let chart = null;
    let alive = true;
    loadChart().then((Chart) => {
      if (!alive || !ref.current) return;
      chart = new Chart(ref.current, config);
      setReady(true);
    });
    return () => { alive = false; if (chart) chart.destroy(); };
  }, [config]);
  return html`<div class="chart" style=${{ height: `${height}px` }} data-testid=${testid}
    data-ready=${ready ? "true" : "false"}>
    <canvas ref=${ref} role="img" aria-label=${label}></canvas></div>`;
}

let chartPromise = null;
export function loadChart() {
  if (!chartPromise) {
    chartPromise = import("../vendor/chart.umd.min.js").then(() => globalThis.Chart);
  }
  return chartPromise;
}

/** Translated status badge for server status values (work, quote, motion, plan). */
export function Status({ kind, value }) {
  return html`<span class=${`badge badge-${value}`}>${tMaybe(`status.${kind}.${value}`, value)}</span>`;
}
