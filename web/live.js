// Live events for one estate, the one publish/subscribe module of the browser app.
//
// LiveClient is a WebSocket client that keeps the last seq, reconnects with exponential
// back-off and jitter, and resumes with ?after=<seq> so nothing is missed and nothing is
// seen twice; it needs no DOM (Node >= 20 runs its tests). The Preact binding at the end
// gives the views one client per page: <LiveProvider estateId>, useLiveEvent(prefixes, fn),
// useLiveStatus(), usePresence(meetingId) and the reconnecting <LiveBanner />.
//
//   const live = connectLive(estateId, {
//     onEvent(e) {},          // every event frame {seq, type, at, actor, data}, in seq order
//     onControl(frame) {},    // hello / caught_up / presence / error / pong frames
//     onStatus(status, detail) {},  // "connecting" | "live" | "reconnecting" | "off"
//   });
//   const off = live.on("ballot.", (e) => ...);  // exact type, a prefix ending in ".", or "*"
//   live.onControl(fn); live.onStatus(fn);         // more listeners; each returns an unsubscribe
//   live.join(meetingId); live.leave(meetingId); live.close();
//
// Status: "connecting" before the first hello; "live" once the server said hello;
// "reconnecting" while waiting to retry (detail: {attempt, delayMs, code, reason});
// "off" after close() or when the server refused us (4401 signed out, 4403 forbidden),
// which retrying cannot fix; on 4401 options.onSignedOut("revoked" | "ended") is called
// (the provider passes api.js's signedOut, so the app shows its sign-in screen).
// Close code 4008 means "too slow": we resume at once.
import { html, createContext, useContext, useEffect, useMemo, useRef, useState } from "./lib/html.js";
import { t } from "./lib/i18n.js";
import { api, signedOut } from "./lib/api.js";

export const CLOSE_TOO_SLOW = 4008;
export const CLOSE_UNAUTHENTICATED = 4401;
export const CLOSE_FORBIDDEN = 4403;
const FATAL_CODES = new Set([CLOSE_UNAUTHENTICATED, CLOSE_FORBIDDEN]);

const DEFAULTS = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  factor: 2,
  heartbeatMs: 15_000, // replaced by the server's hello.heartbeat_s
  connectTimeoutMs: 10_000, // a socket neither open nor closed by then is given up and retried
  silenceFactor: 2.5, // no frame for this many heartbeats → the connection is dead
};

/** Delay before retry `attempt` (0-based): "equal jitter", between half and all of the cap. */
export function backoffDelay(attempt, { initialDelayMs, maxDelayMs, factor } = DEFAULTS, random = Math.random) {
  const cap = Math.min(maxDelayMs, initialDelayMs * factor ** attempt);
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/** The socket address for an estate, resuming after `after` when it is a number. */
export function liveUrl(estateId, { after = null, token = null, base = null } = {}) {
  const loc = globalThis.location;
  const origin = base ?? (loc ? `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}` : "ws://localhost");
  const url = new URL(`/ws/estates/${encodeURIComponent(estateId)}`, origin);
  if (after !== null && after !== undefined) url.searchParams.set("after", String(after));
  if (token) url.searchParams.set("token", token);
  return url.toString();
}

export class LiveClient {
  /**
   * @param {number|string} estateId
   * @param {object} [options]
   * @param {number|null} [options.after] resume after this seq; omitted → start at the head
   * @param {string} [options.token] bearer token for non-browser use (browsers send the cookie)
   * @param {string} [options.base] "ws(s)://host:port" when not the page's own origin
   */
  constructor(estateId, options = {}) {
    this.estateId = estateId;
    this.options = { ...DEFAULTS, ...options };
    this.lastSeq = options.after ?? null;
    this.status = "connecting";
    this.attempt = 0;
    this.meetings = new Set();
    this.listeners = new Map(); // type → Set(fn)
    this.statusListeners = new Set();
    this.controlListeners = new Set();
    this.socket = null;
    this.retryTimer = null;
    this.silenceTimer = null;
    this.pingTimer = null;
    this.closed = false;
    this.heartbeatMs = this.options.heartbeatMs;
    this._timers = {
      set: options.setTimeout ?? globalThis.setTimeout.bind(globalThis),
      clear: options.clearTimeout ?? globalThis.clearTimeout.bind(globalThis),
      setInterval: options.setInterval ?? globalThis.setInterval.bind(globalThis),
      clearInterval: options.clearInterval ?? globalThis.clearInterval.bind(globalThis),
    };
    if (options.onEvent) this.on("*", options.onEvent);
    if (options.onStatus) this.onStatus(options.onStatus);
    if (options.onControl) this.onControl(options.onControl);
    this.connectTimer = null;
    this._onOnline = () => this.reconnectNow();
    this._onVisible = () => {
      if (globalThis.document?.visibilityState !== "hidden") this.reconnectNow();
    };
  }

  /** Listen to events of `type` ("*" for all, "quote." for a prefix); returns an unsubscribe. */
  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
    return () => this.listeners.get(type)?.delete(fn);
  }

  /** Listen to status changes: fn(status, detail); returns an unsubscribe. */
  onStatus(fn) {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  /** Listen to control frames (hello, presence, error ...): fn(frame); returns an unsubscribe. */
  onControl(fn) {
    this.controlListeners.add(fn);
    return () => this.controlListeners.delete(fn);
  }

  start() {
    globalThis.addEventListener?.("online", this._onOnline);
    globalThis.document?.addEventListener?.("visibilitychange", this._onVisible);
    this._connect();
    return this;
  }

  /** Enter a meeting room; kept across reconnects until leave(). */
  join(meetingId) {
    this.meetings.add(meetingId);
    this.send({ type: "join", meeting_id: meetingId });
  }

  leave(meetingId) {
    this.meetings.delete(meetingId);
    this.send({ type: "leave", meeting_id: meetingId });
  }

  /** Send a client frame if connected; frames sent while disconnected are dropped. */
  send(frame) {
    const ws = this.socket;
    if (ws && ws.readyState === 1) ws.send(JSON.stringify(frame));
  }

  /**
   * Skip any pending back-off (the phone is back online, or the page visible again). A socket
   * still opening was started before that, perhaps offline: it is dropped for a fresh one.
   */
  reconnectNow() {
    if (this.closed || this.status === "live") return;
    const pending = this.socket;
    if (pending && pending.readyState === 1) return; // open, its hello is on the way
    this._timers.clear(this.retryTimer);
    this.retryTimer = null;
    if (pending) this._abandon(pending);
    this.status = "connecting";
    this._connect();
  }

  close() {
    this.closed = true;
    globalThis.removeEventListener?.("online", this._onOnline);
    globalThis.document?.removeEventListener?.("visibilitychange", this._onVisible);
    this._stopTimers();
    this._timers.clear(this.retryTimer);
    const ws = this.socket;
    this.socket = null;
    if (ws) ws.close(1000, "client closed");
    this._setStatus("off", { code: 1000, reason: "client closed" });
  }

  _connect() {
    const WS = this.options.WebSocket ?? globalThis.WebSocket;
    const url = liveUrl(this.estateId, {
      after: this.lastSeq,
      token: this.options.token,
      base: this.options.base,
    });
    let ws;
    try {
      ws = new WS(url);
    } catch (error) {
      this._scheduleRetry({ code: 0, reason: String(error) });
      return;
    }
    this.socket = ws;
    this._timers.clear(this.connectTimer);
    this.connectTimer = this._timers.set(() => {
      // Neither open nor refused (a half-open network, a server not yet accepting): retry.
      this.connectTimer = null;
      if (ws !== this.socket || ws.readyState !== 0) return;
      this._abandon(ws);
      this._scheduleRetry({ code: 4000, reason: "connect timeout" });
    }, this.options.connectTimeoutMs);
    ws.onopen = () => {
      if (ws !== this.socket) return;
      this._timers.clear(this.connectTimer);
      this.connectTimer = null;
      this._armSilence();
    };
    ws.onmessage = (message) => {
      if (ws !== this.socket) return;
      this._armSilence();
      this._receive(message.data);
    };
    ws.onclose = (event) => {
      if (ws !== this.socket) return;
      this.socket = null;
      this._stopTimers();
      if (this.closed) return;
      if (FATAL_CODES.has(event.code)) {
        this.closed = true;
        this._setStatus("off", { code: event.code, reason: event.reason });
        if (event.code === CLOSE_UNAUTHENTICATED && this.options.onSignedOut) {
          this.options.onSignedOut(/revoked/.test(event.reason || "") ? "revoked" : "ended");
        }
        return;
      }
      if (event.code === CLOSE_TOO_SLOW) this.attempt = 0;
      this._scheduleRetry({ code: event.code, reason: event.reason });
    };
    ws.onerror = () => {}; // a close event always follows
  }

  _receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof frame.seq === "number") {
      if (this.lastSeq !== null && frame.seq <= this.lastSeq) return; // already seen
      this.lastSeq = frame.seq;
      this._dispatch(frame);
      return;
    }
    if (frame.type === "hello") {
      // The server starts right after `after` (its head when we gave none, or when ours was
      // ahead of it, e.g. after a restore): from now on that is our position.
      if (typeof frame.after === "number") this.lastSeq = frame.after;
      if (frame.heartbeat_s > 0) this.heartbeatMs = frame.heartbeat_s * 1000;
      this.attempt = 0;
      this._armSilence();
      this._startPings();
      for (const meetingId of this.meetings) this.send({ type: "join", meeting_id: meetingId });
      this._setStatus("live", { head: frame.head, after: frame.after });
    }
    notify(this.controlListeners, [frame], "live control listener failed");
  }

  _dispatch(event) {
    for (const [type, fns] of this.listeners) {
      const matches = type === "*" || type === event.type || (type.endsWith(".") && event.type.startsWith(type));
      if (!matches) continue;
      notify(fns, [event], "live event listener failed");
    }
  }

  _scheduleRetry({ code, reason }) {
    const delayMs = backoffDelay(this.attempt, this.options, this.options.random ?? Math.random);
    this._setStatus("reconnecting", { attempt: this.attempt, delayMs, code, reason });
    this.attempt += 1;
    this.retryTimer = this._timers.set(() => {
      this.retryTimer = null;
      if (!this.closed) {
        this.status = "connecting";
        this._connect();
      }
    }, delayMs);
  }

  _armSilence() {
    this._timers.clear(this.silenceTimer);
    const limit = this.heartbeatMs * this.options.silenceFactor;
    this.silenceTimer = this._timers.set(() => {
      // Nothing heard for several heartbeats: the network is gone without a close frame.
      const ws = this.socket;
      if (!ws) return;
      this.socket = null;
      this._stopTimers();
      try {
        ws.close(4000, "heartbeat timeout");
      } catch {}
      this._scheduleRetry({ code: 4000, reason: "heartbeat timeout" });
    }, limit);
  }

  /** Forget a socket that is not open yet; its late events are ignored (it is no longer ours). */
  _abandon(ws) {
    if (ws === this.socket) this.socket = null;
    this._timers.clear(this.connectTimer);
    this.connectTimer = null;
    try {
      ws.close();
    } catch {}
  }

  _startPings() {
    this._timers.clearInterval(this.pingTimer);
    this.pingTimer = this._timers.setInterval(() => this.send({ type: "ping" }), this.heartbeatMs);
  }

  _stopTimers() {
    this._timers.clear(this.connectTimer);
    this.connectTimer = null;
    this._timers.clear(this.silenceTimer);
    this._timers.clearInterval(this.pingTimer);
    this.silenceTimer = null;
    this.pingTimer = null;
  }

  _setStatus(status, detail = {}) {
    this.status = status;
    notify(this.statusListeners, [status, detail], "live status listener failed");
  }
}

/** Call every listener; one that throws does not stop the others. */
function notify(listeners, args, what) {
  for (const fn of [...listeners]) {
    try {
      fn(...args);
    } catch (error) {
      console.error(what, error);
    }
  }
}

/** Create and start a client (see the top of this file). */
export function connectLive(estateId, options = {}) {
  return new LiveClient(estateId, options).start();
}

// The Preact binding: one client per page, created with the page's estate and started
// once mounted; views subscribe through the hooks below and unsubscribe when they unmount.

const LiveContext = createContext(null);

/** Opens the estate's live connection for everything inside it (no estate: none, "off"). */
export function LiveProvider({ estateId, children }) {
  // Made during render (listeners and rooms of child views may register before the socket
  // opens: join() is remembered and sent on hello); started and closed by the effect.
  const client = useMemo(
    () => (estateId ? new LiveClient(estateId, { onSignedOut: signedOut }) : null), [estateId]);
  useEffect(() => {
    if (!client) return undefined;
    client.start();
    return () => client.close();
  }, [client]);
  return html`<${LiveContext.Provider} value=${client}>${children}</${LiveContext.Provider}>`;
}

/** Call handler(event) for every live event whose type starts with one of `prefixes`. */
export function useLiveEvent(prefixes, handler) {
  const client = useContext(LiveContext);
  const saved = useRef(handler);
  saved.current = handler;
  const key = Array.isArray(prefixes) ? prefixes.join("|") : String(prefixes);
  useEffect(() => {
    if (!client) return undefined;
    const list = key.split("|");
    return client.on("*", (event) => {
      if (list.some((p) => String(event.type || "").startsWith(p))) saved.current(event);
    });
  }, [client, key]);
}

export function useLiveStatus() {
  const client = useContext(LiveContext);
  const [status, setStatus] = useState(client ? client.status : "off");
  useEffect(() => {
    if (!client) return undefined;
    setStatus(client.status);
    return client.onStatus((next) => setStatus(next));
  }, [client]);
  return status;
}

/**
 * Join a meeting room's presence and follow who is in it: the list comes from
 * GET /api/meetings/{id}/presence, the presence frame answering our join, and the
 * presence.joined / presence.left events of other members.
 */
export function usePresence(meetingId) {
  const client = useContext(LiveContext);
  const [members, setMembers] = useState([]);
  useEffect(() => {
    if (!client || !meetingId) return undefined;
    const id = Number(meetingId);
    let alive = true;
    const refresh = () => api(`/api/meetings/${id}/presence`).then(
      (r) => alive && setMembers(r.members || []), () => {});
    const offFrame = client.onControl((frame) => {
      if (frame.type === "presence" && Number(frame.meeting_id) === id) setMembers(frame.members || []);
    });
    const offEvent = client.on("presence.", (event) => {
      if (Number((event.data || {}).meeting_id) === id) refresh();
    });
    client.join(id);
    refresh();
    return () => {
      alive = false;
      offFrame();
      offEvent();
      client.leave(id);
    };
  }, [client, meetingId]);
  return members;
}

/** Shown while the socket is down and the client is reconnecting. */
export function LiveBanner() {
  const status = useLiveStatus();
  if (status !== "reconnecting") return null;
  return html`<div class="banner" role="status" data-testid="reconnecting">${t("live.reconnecting")}</div>`;
}

export default LiveClient;
