// The live reverse auction (issue 20): after the sealed bids open, the committee may start a
// short auction among the bidders. Bidders are shown by number only (供应商 1, 2, …) until it
// finishes; in each round they take turns from the highest price to the lowest, and a bid must
// lower the bidder's own price by at least the step.
//
// The server is the clock: every view (GET /api/auctions/{id}) carries `server_now`, and the
// page keeps the offset between it and the browser's clock, so the countdown ticks locally
// every 250 ms on the server's time. Every auction.* live event re-reads the view; a turn whose
// end has passed without news re-reads it too (a missed event cannot freeze the screen).
//
// Screens: AuctionPage (#/auctions/{id}): the bidder's (phone-first: countdown, whose turn,
// own price, lowest price, place, step, the bid field that refuses what the rules refuse before
// sending and asks before the irreversible bid) and the committee's (the same board with
// identities, the settings, cancel). AuctionsCard: on the work's page, the auctions of the work
// and (committee) the form that starts one. AuctionLinks: the supplier desk's link to them.
import { html, useState, useEffect, useRef } from "../lib/html.js";
import { t } from "../lib/i18n.js";
import { api, itemsOf } from "../lib/api.js";
import { ErrorBox, Loading, useApi, useAction, Money, Status, Confirm } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";
import { formatDateTime, formatFen, formatTimeOfDay, fenToYuanString, parseYuan } from "../lib/format.js";
import { can } from "../lib/access.js";

export const AUCTION_STATUSES = ["scheduled", "running", "pause", "finished", "cancelled"];
const ACTIVE = new Set(["scheduled", "running", "pause"]);
const TICK_MS = 250;

function sameAuction(event, id) {
  return String((event.data || {}).auction_id) === String(id);
}

/** The number of the bidder whose turn it is: the view's `turn.number`, else its label. */
export function turnNumber(turn) {
  if (!turn) return null;
  if (Number.isInteger(turn.number)) return turn.number;
  if (Number.isInteger(turn.label)) return turn.label;
  const m = /(\d+)/.exec(String(turn.label ?? ""));
  return m ? Number(m[1]) : null;
}

/** Milliseconds → "1:05" (minutes:seconds), counting whole seconds up: 0.2 s left reads 0:01. */
export function formatCountdown(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  return `${minutes}:${String(total % 60).padStart(2, "0")}`;
}

/** Seconds → "2:00" style for settings. */
function formatSeconds(seconds) {
  return formatCountdown(Number(seconds || 0) * 1000);
}

/** The label of a bidder: "供应商 3". */
export function bidderLabel(number) {
  return t("auction.label", { n: number });
}

/**
 * Why a bid of `text` yuan may not be sent now (a translated sentence), or null with the fen.
 * The same rules the server applies: a number of yuan above zero, at most the caller's
 * maximum (own price − step), while the auction runs, in the caller's own turn, before it ends.
 */
export function bidProblem(view, text, nowMs) {
  let fen;
  try {
    fen = parseYuan(text);
  } catch {
    return { problem: t("auction.refuse.number") };
  }
  if (fen <= 0) return { problem: t("auction.refuse.positive") };
  const max = maxBid(view);
  if (max !== null && fen > max) {
    return { problem: t("auction.refuse.tooHigh", { max: formatFen(Math.max(0, max)), step: formatFen(view.step_fen ?? 0) }) };
  }
  if (view.status !== "running") return { problem: t("auction.refuse.notRunning") };
  const turn = turnNumber(view.turn);
  if (turn !== view.my_number) {
    return { problem: turn === null ? t("auction.refuse.noTurn") : t("auction.refuse.notYourTurn", { label: bidderLabel(turn) }) };
  }
  if (view.turn && view.turn.ends_at && Date.parse(view.turn.ends_at) <= nowMs) {
    return { problem: t("auction.refuse.turnOver") };
  }
  return { problem: null, fen };
}

/** The highest total the caller may bid now: the view's, else own price − step. */
function maxBid(view) {
  if (view.my_max_bid_fen !== null && view.my_max_bid_fen !== undefined) return Number(view.my_max_bid_fen);
  const mine = mineOf(view);
  if (!mine || mine.price_fen === null || mine.price_fen === undefined) return null;
  return Number(mine.price_fen) - Number(view.step_fen || 0);
}

function mineOf(view) {
  return itemsOf(view.bidders).find((b) => b.is_you || (view.my_number !== null && b.number === view.my_number)) || null;
}

/** Local clock ticking every 250 ms, corrected to the server's clock by the view's `server_now`. */
function useServerNow(view) {
  const offset = useRef(0);
  const [local, setLocal] = useState(Date.now());
  const stamp = view && view.server_now;
  useEffect(() => {
    if (!stamp) return;
    const server = Date.parse(stamp);
    if (!Number.isNaN(server)) offset.current = server - Date.now();
  }, [stamp]);
  useEffect(() => {
    const timer = setInterval(() => setLocal(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return local + offset.current;
}

/** The moment the screen counts down to, and what it means. */
function target(view) {
  if (view.status === "running" && view.turn) return { at: view.turn.ends_at, kind: "turn" };
  if (view.status === "scheduled") return { at: view.starts_at, kind: "start" };
  if (view.status === "pause") return { at: view.next_round_at || (view.turn && view.turn.starts_at) || null, kind: "pause" };
  return { at: null, kind: view.status };
}

// ---------------------------------------------------------------- the auction page

export function AuctionPage({ me, params }) {
  const auction = useApi(`/api/auctions/${params.id}`);
  const view = auction.data;
  const now = useServerNow(view);
  const work = useApi(view ? `/api/works/${view.work_id}` : null);
  useLiveEvent(["auction."], (event) => { if (sameAuction(event, params.id)) auction.reload(); });
  // A turn (or the start, or a pause) that ended with no event yet: ask again, once per moment.
  const asked = useRef(null);
  const due = view ? target(view).at : null;
  useEffect(() => {
    if (!due || !ACTIVE.has(view.status)) return;
    if (now > Date.parse(due) + 1500 && asked.current !== due) {
      asked.current = due;
      auction.reload();
    }
  }, [now, due]);
  if (auction.loading && !view) return html`<${Loading} />`;
  if (!view) return html`<${ErrorBox} error=${auction.error} />`;
  const bidder = view.my_number !== null && view.my_number !== undefined;
  const staff = !bidder && can(me, "works.view");
  const title = work.data && work.data.title;
  const back = can(me, "works.view") ? `#/works/${view.work_id}` : "#/supplier";
  return html`<p><a href=${back} data-testid="auction-back">← ${title || t("auction.backToWork")}</a></p>
    <h1 data-testid="auction-title">${t("auction.title")}${title ? html` <span class="muted">· ${title}</span>` : null}</h1>
    <p data-testid="auction-status"><${Status} kind="auction" value=${view.status} />
      ${view.round ? html`<span class="muted"> · ${t("auction.roundOf", { n: view.round, of: view.rounds })}</span>` : null}</p>
    <${ErrorBox} error=${auction.error} />
    <${TurnCard} view=${view} now=${now} />
    ${bidder ? html`<${MyCard} view=${view} now=${now} onBid=${auction.reload} />` : null}
    ${view.status === "finished" ? html`<p class="ok" data-testid="auction-finished">${view.result_round
      ? t("auction.finishedRound", { n: view.result_round }) : t("auction.finished")}</p>` : null}
    ${view.status === "cancelled" ? html`<p class="notice" data-testid="auction-cancelled">${t("auction.cancelledNote")}</p>` : null}
    <${BoardCard} view=${view} staff=${staff} />
    <${HistoryCard} view=${view} />
    ${staff ? html`<${SettingsCard} view=${view} />` : null}
    ${staff && can(me, "quotes.negotiate") && ACTIVE.has(view.status)
      ? html`<${CancelAuction} view=${view} onDone=${auction.reload} />` : null}`;
}

/** The big countdown: whose turn it is and how long it has left (your turn: highlighted). */
function TurnCard({ view, now }) {
  const goal = target(view);
  const left = goal.at ? Date.parse(goal.at) - now : null;
  const turn = turnNumber(view.turn);
  const mine = view.my_number !== null && view.my_number !== undefined && turn === view.my_number && view.status === "running";
  // a phone that can vibrates once when the bidder's turn begins (the page may be in a pocket)
  const turnKey = mine ? `${view.turn.round}-${turn}` : null;
  useEffect(() => {
    if (turnKey && globalThis.navigator && typeof navigator.vibrate === "function") navigator.vibrate(200);
  }, [turnKey]);
  let heading;
  if (goal.kind === "turn") heading = mine ? t("auction.yourTurn") : t("auction.turnOf", { label: bidderLabel(turn) });
  else if (goal.kind === "start") heading = t("auction.startsIn");
  else if (goal.kind === "pause") heading = t("auction.pause");
  else heading = null;
  if (!heading) return null;
  return html`<section class=${`card auction-turn${mine ? " highlight" : ""}`} aria-labelledby="turn-h" data-testid="auction-turn"
    data-mine=${mine ? "true" : "false"} data-round=${view.turn ? view.turn.round : view.round} data-kind=${goal.kind}>
    <h2 id="turn-h" aria-live="polite" data-testid=${mine ? "your-turn" : "turn-of"}>${heading}</h2>
    ${left !== null ? html`<p class="auction-clock" role="timer" aria-live="off" data-testid="countdown">${formatCountdown(left)}</p>` : null}
    ${goal.kind === "start" && view.starts_at ? html`<p class="muted">${t("auction.startsAt", { at: formatDateTime(view.starts_at) })}</p>` : null}
    ${goal.kind === "turn" && view.order && view.order.length ? html`<p class="muted" data-testid="turn-order">${t("auction.order", {
      list: view.order.map(bidderLabel).join(t("common.listSeparator")) })}</p>` : null}
  </section>`;
}

/** The bidder's own figures and the bid form. */
function MyCard({ view, now, onBid }) {
  const mine = mineOf(view);
  const count = itemsOf(view.bidders).length;
  return html`<section class="card" aria-labelledby="my-h" data-testid="auction-mine">
    <h2 id="my-h">${t("auction.youAre", { label: bidderLabel(view.my_number) })}</h2>
    <dl class="kv auction-figures">
      <dt>${view.status === "finished" ? t("auction.myFinal") : t("auction.myPrice")}</dt><dd data-testid="my-price"><${Money} fen=${mine ? mine.price_fen : null} /></dd>
      <dt>${t("auction.lowest")}</dt><dd data-testid="lowest-price"><${Money} fen=${view.lowest_fen} /></dd>
      <dt>${t("auction.place")}</dt><dd data-testid="my-place">${mine && mine.place ? t("auction.placeOf", { place: mine.place, n: count }) : "—"}</dd>
      <dt>${t("auction.step")}</dt><dd data-testid="step"><${Money} fen=${view.step_fen} wan=${false} /></dd>
    </dl>
    ${ACTIVE.has(view.status) ? html`<${BidForm} view=${view} now=${now} onBid=${onBid} />` : null}
  </section>`;
}

function BidForm({ view, now, onBid }) {
  const action = useAction();
  const [text, setText] = useState("");
  const [refusal, setRefusal] = useState(null);
  const [asking, setAsking] = useState(null);
  const [sent, setSent] = useState(null);
  const max = maxBid(view);
  const check = (e) => {
    e.preventDefault();
    setSent(null);
    action.setError(null);
    const { problem, fen } = bidProblem(view, text, now);
    setRefusal(problem);
    if (!problem) setAsking(fen);
  };
  const send = async () => {
    const fen = asking;
    setAsking(null);
    const { problem } = bidProblem(view, fenToYuanString(fen), now);
    if (problem) { setRefusal(problem); return; }
    const res = await action.run(() => api(`/api/auctions/${view.auction_id}/bids`, { method: "POST", body: { total_fen: fen } }));
    if (res !== undefined) { setText(""); setSent(fen); }
    onBid(); // refused too: the view we judged by may be stale (the turn moved on)
  };
  return html`<form onSubmit=${check} data-testid="bid-form" novalidate>
    <label for="bid-yuan">${t("auction.bidYuan")}</label>
    <input id="bid-yuan" inputmode="decimal" autocomplete="off" data-testid="bid-input" value=${text}
      aria-describedby="bid-hint" aria-invalid=${refusal ? "true" : undefined}
      onInput=${(e) => { setText(e.currentTarget.value); setRefusal(null); }} />
    <p class="muted" id="bid-hint" data-testid="bid-hint">${max !== null
      ? t("auction.maxHint", { max: formatFen(Math.max(0, max)) }) : t("auction.noBidYet")}</p>
    ${refusal ? html`<p class="error" role="alert" data-testid="bid-refused">${refusal}</p>` : null}
    ${asking !== null ? html`<${Confirm} testid="confirm-bid" lines=${[t("auction.confirmBid", { total: formatFen(asking) }), t("auction.confirmFinal")]}
      yes=${t("auction.bidYes")} onYes=${send} onNo=${() => setAsking(null)} />`
      : html`<div class="actions"><button class="primary auction-bid" type="submit" data-testid="bid-submit" disabled=${action.busy}>
        ${t("auction.bid")}</button></div>`}
    ${sent !== null ? html`<p class="ok" role="status" data-testid="bid-sent">${t("auction.bidSent", { total: formatFen(sent) })}</p>` : null}
    <${ErrorBox} error=${action.error} />
  </form>`;
}

/** Every bidder by number with the current price and place (names: the committee, or the end). */
function BoardCard({ view, staff }) {
  const turn = view.status === "running" ? turnNumber(view.turn) : null;
  const bidders = itemsOf(view.bidders);
  return html`<section class="card" aria-labelledby="board-h" data-testid="auction-board">
    <h2 id="board-h">${t("auction.bidders")}</h2>
    ${!staff && view.status !== "finished" ? html`<p class="muted">${t("auction.anonymous")}</p>` : null}
    <ul class="plain auction-board">${bidders.map((b) => html`<li key=${b.number} data-testid="bidder" data-number=${b.number}
        class=${`${b.is_you ? "you" : ""}${b.number === turn ? " now" : ""}`}>
      <div class="auction-who"><strong>${bidderLabel(b.number)}</strong>
        ${b.is_you ? html` <span class="badge badge-open">${t("auction.you")}</span>` : null}
        ${b.number === turn ? html` <span class="badge" data-testid="bidding-now">${t("auction.biddingNow")}</span>` : null}
        ${b.supplier_name ? html`<div class="muted" data-testid="bidder-name">${b.supplier_name}</div>` : null}</div>
      <div class="auction-price num"><span data-testid="bidder-price"><${Money} fen=${b.price_fen} wan=${false} /></span>
        <div class="muted">${b.place ? t("auction.placeN", { n: b.place }) : ""}${b.start_fen !== null && b.start_fen !== undefined
          && b.start_fen !== b.price_fen ? html` · ${t("auction.startedAt", { total: formatFen(b.start_fen) })}` : null}</div></div>
    </li>`)}</ul>
  </section>`;
}

function HistoryCard({ view }) {
  const bids = itemsOf(view.bids).slice().reverse();
  return html`<section class="card" aria-labelledby="hist-h" data-testid="auction-history">
    <h2 id="hist-h">${t("auction.history")}</h2>
    ${bids.length === 0 ? html`<p class="muted">${t("auction.noBids")}</p>`
      : html`<ul class="plain">${bids.map((b, i) => html`<li key=${i} data-testid="history-bid">
        ${t("auction.roundN", { n: b.round })} · ${bidderLabel(b.number)} · <strong><${Money} fen=${b.total_fen} wan=${false} /></strong>
        <span class="muted"> · ${formatTimeOfDay(b.at)}</span></li>`)}</ul>`}
  </section>`;
}

function SettingsCard({ view }) {
  const step = view.min_step_fen !== null && view.min_step_fen !== undefined
    ? formatFen(view.min_step_fen) : t("auction.stepPct", { pct: view.min_step_pct });
  return html`<section class="card" aria-labelledby="set-h" data-testid="auction-settings">
    <h2 id="set-h">${t("auction.settings")}</h2>
    <dl class="kv">
      <dt>${t("auction.rounds")}</dt><dd>${view.rounds}</dd>
      <dt>${t("auction.turnLength")}</dt><dd>${formatSeconds(view.turn_seconds)}</dd>
      <dt>${t("auction.pauseLength")}</dt><dd>${formatSeconds(view.pause_seconds)}</dd>
      <dt>${t("auction.minStep")}</dt><dd>${step}</dd>
      <dt>${t("auction.minBidders")}</dt><dd>${view.min_bidders}</dd>
      <dt>${t("auction.startsAtLabel")}</dt><dd>${formatDateTime(view.starts_at)}</dd>
      ${view.ends_at ? html`<dt>${t("auction.endsAtLabel")}</dt><dd>${formatDateTime(view.ends_at)}</dd>` : null}
    </dl>
  </section>`;
}

function CancelAuction({ view, onDone }) {
  const action = useAction();
  const [asking, setAsking] = useState(false);
  const run = async () => {
    setAsking(false);
    const res = await action.run(() => api(`/api/auctions/${view.auction_id}/cancel`, { method: "POST" }));
    if (res !== undefined) onDone();
  };
  return html`<div class="card" data-testid="auction-controls">
    ${asking ? html`<${Confirm} testid="confirm-cancel-auction" lines=${[t("auction.cancelWhat"), t("auction.cancelFinal")]}
      yes=${t("auction.cancelYes")} onYes=${run} onNo=${() => setAsking(false)} />`
      : html`<div class="actions"><button type="button" data-testid="cancel-auction" disabled=${action.busy}
        onClick=${() => setAsking(true)}>${t("auction.cancel")}</button></div>`}
    <${ErrorBox} error=${action.error} />
  </div>`;
}

// ---------------------------------------------------------------- on the work's page

function useWorkAuctions(workId) {
  const list = useApi(`/api/works/${workId}/auctions`);
  useLiveEvent(["auction."], (event) => {
    if (String((event.data || {}).work_id) === String(workId)) list.reload();
  });
  return list;
}

function AuctionList({ items }) {
  return html`<ul class="plain" data-testid="auction-links">${items.map((a) => html`<li key=${a.auction_id}>
    <a href=${`#/auctions/${a.auction_id}`} data-testid="auction-link">${t(ACTIVE.has(a.status) ? "auction.openLive" : "auction.open")}</a>
    <${Status} kind="auction" value=${a.status} />
    <span class="muted"> · ${formatDateTime(a.starts_at)}</span></li>`)}</ul>`;
}

/** For the supplier desk: the links to the work's auctions (nothing when there is none). */
export function AuctionLinks({ workId }) {
  const list = useWorkAuctions(workId);
  const items = list.error ? [] : itemsOf(list.data);
  if (!items.length) return null;
  return html`<div data-testid="supplier-auctions"><p><strong>${t("auction.title")}</strong></p><${AuctionList} items=${items} /></div>`;
}

/** On the work's page: its auctions, and for the committee the form that starts one. */
export function AuctionsCard({ me, work }) {
  const list = useWorkAuctions(work.id);
  const items = list.error ? [] : itemsOf(list.data);
  const manager = can(me, "quotes.negotiate");
  const busy = items.some((a) => ACTIVE.has(a.status));
  const startable = manager && !busy && work.status === "quoting";
  if (!items.length && !startable) return null;
  const sealed = Boolean(work.sealed);
  return html`<section class="card" aria-labelledby="auctions-h" data-testid="work-auctions">
    <h2 id="auctions-h">${t("auction.title")}</h2>
    ${items.length ? html`<${AuctionList} items=${items} />` : html`<p class="muted">${t("auction.intro")}</p>`}
    ${startable && sealed ? html`<p class="notice" data-testid="auction-after-opening">${t("auction.afterOpening", {
      at: formatDateTime(work.sealed_until) })}</p>` : null}
    ${startable && !sealed ? html`<${StartAuction} workId=${work.id} />` : null}
  </section>`;
}

const INT = /^\d+$/;
const PCT = /^\d{1,2}(?:\.\d{1,3})?$/;

/**
 * The start form's fields → {body} or {problems: [{field, text}]}: rounds 1–10, a turn of
 * 5 s to 60 min, a pause of 0–60 min, a step in percent (over 0, at most 50) or in yuan
 * (over 0), 2–50 bidders, a start in 0–24 h.
 */
export function auctionBody(form) {
  const problems = [];
  const int = (field, value, lo, hi, key) => {
    const s = String(value ?? "").trim();
    if (!INT.test(s) || Number(s) < lo || Number(s) > hi) { problems.push({ field, text: t(key, { lo, hi }) }); return null; }
    return Number(s);
  };
  const rounds = int("rounds", form.rounds, 1, 10, "auction.bad.rounds");
  const minutes = int("turn_minutes", form.turnMinutes || "0", 0, 60, "auction.bad.minutes");
  const seconds = int("turn_seconds", form.turnSeconds || "0", 0, 59, "auction.bad.seconds");
  let turnSeconds = null;
  if (minutes !== null && seconds !== null) {
    turnSeconds = minutes * 60 + seconds;
    if (turnSeconds < 5 || turnSeconds > 3600) { problems.push({ field: "turn_seconds", text: t("auction.bad.turn") }); turnSeconds = null; }
  }
  const pause = int("pause_seconds", form.pauseSeconds || "0", 0, 3600, "auction.bad.pause");
  const minBidders = int("min_bidders", form.minBidders, 2, 50, "auction.bad.minBidders");
  const startsIn = int("starts_in_seconds", form.startsIn || "0", 0, 86400, "auction.bad.startsIn");
  const body = { rounds, turn_seconds: turnSeconds, pause_seconds: pause, min_bidders: minBidders, starts_in_seconds: startsIn };
  if (form.stepKind === "amount") {
    let fen = null;
    try { fen = parseYuan(form.stepAmount); } catch { fen = null; }
    if (fen === null || fen <= 0) problems.push({ field: "min_step_fen", text: t("auction.bad.stepAmount") });
    else body.min_step_fen = fen;
  } else {
    const s = String(form.stepPct ?? "").trim();
    if (!PCT.test(s) || Number(s) <= 0 || Number(s) > 50) problems.push({ field: "min_step_pct", text: t("auction.bad.stepPct") });
    else body.min_step_pct = Number(s);
  }
  return problems.length ? { problems } : { body };
}

function StartAuction({ workId }) {
  const action = useAction();
  const [form, setForm] = useState({ rounds: "3", turnMinutes: "2", turnSeconds: "0", pauseSeconds: "0",
    stepKind: "pct", stepPct: "0.5", stepAmount: "", minBidders: "2", startsIn: "0" });
  const [problems, setProblems] = useState([]);
  const [asking, setAsking] = useState(null);
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const bad = (field) => (problems.some((p) => p.field === field) ? "true" : undefined);
  const check = (e) => {
    e.preventDefault();
    const { body, problems: found } = auctionBody(form);
    setProblems(found || []);
    if (body) setAsking(body);
  };
  const start = async () => {
    const body = asking;
    setAsking(null);
    const created = await action.run(() => api(`/api/works/${workId}/auctions`, { method: "POST", body }));
    if (created && created.auction_id) location.hash = `#/auctions/${created.auction_id}`;
  };
  const field = (id, key, label, testid, extra = {}) => html`<div>
    <label for=${id}>${label}</label>
    <input id=${id} inputmode=${extra.inputmode || "numeric"} data-testid=${testid} value=${form[key]}
      aria-invalid=${bad(extra.field || testid)} onInput=${set(key)} /></div>`;
  return html`<details class="card" data-testid="start-auction"><summary>${t("auction.start")}</summary>
    <form onSubmit=${check} novalidate>
      <p class="muted">${t("auction.startHint")}</p>
      ${field("au-rounds", "rounds", t("auction.rounds"), "rounds")}
      <fieldset><legend>${t("auction.turnLength")}</legend>
        <div class="auction-pair">
          ${field("au-min", "turnMinutes", t("auction.minutes"), "turn_minutes")}
          ${field("au-sec", "turnSeconds", t("auction.seconds"), "turn_seconds")}
        </div></fieldset>
      ${field("au-pause", "pauseSeconds", t("auction.pauseSeconds"), "pause_seconds")}
      <fieldset><legend>${t("auction.minStep")}</legend>
        <label class="check"><input type="radio" name="au-step" value="pct" data-testid="step-pct-kind" checked=${form.stepKind === "pct"}
          onChange=${() => setForm({ ...form, stepKind: "pct" })} /> ${t("auction.stepByPct")}</label>
        <label class="check"><input type="radio" name="au-step" value="amount" data-testid="step-amount-kind" checked=${form.stepKind === "amount"}
          onChange=${() => setForm({ ...form, stepKind: "amount" })} /> ${t("auction.stepByAmount")}</label>
        ${form.stepKind === "amount"
          ? field("au-step-amount", "stepAmount", t("auction.stepYuan"), "min_step_fen", { inputmode: "decimal" })
          : field("au-step-pct", "stepPct", t("auction.stepPctLabel"), "min_step_pct", { inputmode: "decimal" })}
      </fieldset>
      ${field("au-bidders", "minBidders", t("auction.minBidders"), "min_bidders")}
      ${field("au-starts", "startsIn", t("auction.startsInSeconds"), "starts_in_seconds")}
      ${problems.length ? html`<ul class="error" role="alert" data-testid="auction-form-problems">${problems.map((p) => html`<li key=${p.field}>${p.text}</li>`)}</ul>` : null}
      ${asking ? html`<${Confirm} testid="confirm-start-auction" lines=${[t("auction.startWhat", {
        rounds: asking.rounds, turn: formatSeconds(asking.turn_seconds) }), t("auction.startFinal")]}
        yes=${t("auction.startYes")} onYes=${start} onNo=${() => setAsking(null)} />`
        : html`<div class="actions"><button class="primary" type="submit" data-testid="start-auction-submit" disabled=${action.busy}>
          ${t("auction.start")}</button></div>`}
      <${ErrorBox} error=${action.error} />
    </form></details>`;
}
