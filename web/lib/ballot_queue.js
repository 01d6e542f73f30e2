// Ballots on their way to the server, kept in localStorage until it answers (issue 16: an
// owner votes in a hall with a weak network). Each cast gets a random idempotency key and one
// storage entry `planner.ballot.<motion>.<key>`; it is sent with that key until the server
// answers, so a retry after a lost answer is never recorded twice (the server answers the
// first cast's receipts, `replayed: true`). A network failure, a timeout or a 503 (the
// database is down) keeps it queued; it is sent again on the browser's `online` event, when
// the live socket is back (the meeting room calls flushBallots) and with backoff. Any other
// error is final: the entry is dropped and the error is shown. A reload keeps the queue; an
// entry is sent only while its own member is signed in (never as someone else).
// A proxy casting for a represented owner (issue 17, a split) names that owner's units
// (`householdIds`): each such group is its own slot, queued and answered apart from the
// member's own ballot on the same motion.
import { api, ApiError } from "./api.js";

const PREFIX = "planner.ballot.";
const TIMEOUT_MS = 15000;
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;

const listeners = new Set();
const inFlight = new Set(); // storage keys being sent
const finals = new Map(); // motion id → {error} or {result, choice}: the last word, for the view
let member = null; // the signed-in member's id: only their entries are sent
let timer = null;
let attempt = 0;
let started = false;

function storage() {
  try {
    return globalThis.localStorage || null;
  } catch {
    return null;
  }
}

function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `b-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function notify() {
  for (const fn of [...listeners]) {
    try {
      fn();
    } catch (err) {
      console.error("ballot queue listener", err);
    }
  }
}

/** The slot a ballot fills: its motion, and the units named by a proxy (none: the member's own). */
export function slotOf(motionId, householdIds) {
  const ids = Array.isArray(householdIds) && householdIds.length
    ? householdIds.map(Number).sort((a, b) => a - b).join(",") : "";
  return ids ? `${motionId}:${ids}` : String(motionId);
}

/** Every queued ballot, oldest first: {storageKey, motionId, memberId, choice, key, queuedAt, reason, householdIds?}. */
export function queuedBallots() {
  const store = storage();
  if (!store) return [];
  const found = [];
  for (let i = 0; i < store.length; i += 1) {
    const name = store.key(i);
    if (!name || !name.startsWith(PREFIX)) continue;
    try {
      found.push({ ...JSON.parse(store.getItem(name)), storageKey: name });
    } catch {
      store.removeItem(name);
    }
  }
  return found.sort((a, b) => a.queuedAt - b.queuedAt);
}

/** The member's ballot still queued for a motion (the newest), or null; with `householdIds`,
 * the one cast for those units as their proxy. */
export function queuedFor(motionId, memberId, householdIds) {
  const slot = slotOf(motionId, householdIds);
  const mine = queuedBallots().filter((e) => slotOf(e.motionId, e.householdIds) === slot
    && String(e.memberId) === String(memberId));
  return mine.length ? mine[mine.length - 1] : null;
}

function save(entry) {
  const { storageKey, ...data } = entry;
  const store = storage();
  if (store) store.setItem(storageKey, JSON.stringify(data));
}

function drop(entry) {
  const store = storage();
  if (store) store.removeItem(entry.storageKey);
}

/** Whether a failure means "try again later" (no answer, a timeout, 502–504) or is final. */
export function isRetryable(err) {
  return err instanceof ApiError && (err.status === 0 || err.status === 502 || err.status === 503
    || err.status === 504);
}

function retryAfterMs(err) {
  const params = err && err.problem && err.problem.params;
  const seconds = Number(params && params.retry_after_s);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

function schedule(minDelay = 0) {
  if (timer || !queuedBallots().some((e) => String(e.memberId) === String(member))) return;
  const delay = Math.max(minDelay, Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt));
  attempt += 1;
  timer = setTimeout(() => {
    timer = null;
    flushBallots();
  }, delay);
}

/**
 * Send one queued entry. Resolves to {state: "sent", result} (the entry is gone),
 * {state: "queued", error} (kept; retried later) or {state: "failed", error} (dropped).
 */
async function send(entry) {
  if (inFlight.has(entry.storageKey)) return { state: "busy" };
  inFlight.add(entry.storageKey);
  try {
    const body = { choice: entry.choice, idempotency_key: entry.key };
    if (Array.isArray(entry.householdIds) && entry.householdIds.length) body.household_ids = entry.householdIds;
    const result = await api(`/api/motions/${entry.motionId}/ballots`, {
      method: "POST", body, timeoutMs: TIMEOUT_MS,
    });
    drop(entry);
    attempt = 0;
    finals.set(slotOf(entry.motionId, entry.householdIds), { result, choice: entry.choice });
    return { state: "sent", result };
  } catch (err) {
    if (isRetryable(err)) {
      const reason = err.status === 0 ? "network" : "server";
      if (entry.reason !== reason && queuedBallots().some((e) => e.storageKey === entry.storageKey)) {
        entry.reason = reason;
        save(entry);
      }
      schedule(retryAfterMs(err));
      return { state: "queued", error: err };
    }
    drop(entry);
    finals.set(slotOf(entry.motionId, entry.householdIds), { error: err, choice: entry.choice });
    return { state: "failed", error: err };
  } finally {
    inFlight.delete(entry.storageKey);
    notify();
  }
}

/**
 * Cast a ballot: queue it (replacing the member's older queued ballot for the same slot: the
 * new one is the later choice and would count anyway), then send it once. `householdIds`:
 * the units of a represented owner, for a proxy's ballot (omitted: the member's own units).
 */
export async function castBallot({ motionId, memberId, choice, householdIds }) {
  startBallotQueue(memberId);
  const slot = slotOf(motionId, householdIds);
  for (const old of queuedBallots()) {
    if (slotOf(old.motionId, old.householdIds) === slot && String(old.memberId) === String(memberId)
      && !inFlight.has(old.storageKey)) drop(old);
  }
  const key = newKey();
  const entry = { storageKey: `${PREFIX}${motionId}.${key}`, motionId, memberId, choice, key,
    queuedAt: Date.now(), reason: null };
  if (Array.isArray(householdIds) && householdIds.length) entry.householdIds = householdIds.map(Number);
  save(entry);
  finals.delete(slot);
  notify();
  return send(entry);
}

/** Send every queued ballot of the signed-in member now (on `online`, a live reconnect, a timer). */
export async function flushBallots() {
  if (timer) {
    clearTimeout(timer);
    timer = null;
  }
  const mine = queuedBallots().filter((e) => String(e.memberId) === String(member));
  for (const entry of mine) await send(entry);
}

/** What last became of a motion's ballot sent from the queue (sent, or refused for good);
 * with `householdIds`, the proxy's ballot for those units. */
export function lastOutcome(motionId, householdIds) {
  return finals.get(slotOf(motionId, householdIds)) || null;
}

export function forgetOutcome(motionId, householdIds) {
  finals.delete(slotOf(motionId, householdIds));
}

/** Follow the queue's changes; returns an unsubscribe. */
export function onBallotQueue(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Begin retrying the member's queued ballots (idempotent; called by the meeting room). */
export function startBallotQueue(memberId) {
  member = memberId;
  if (!started && typeof window !== "undefined") {
    started = true;
    window.addEventListener("online", () => {
      attempt = 0;
      flushBallots();
    });
  }
  schedule();
}
