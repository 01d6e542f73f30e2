// Live events for the views: one connection per page (web/live.js, written by the
// live-events slice, does the socket, reconnects and replays from the last seq).
// Views subscribe with useLiveEvent(prefixes, handler) and read the connection state
// for the "reconnecting" banner.
import { html, createContext, useContext, useEffect, useRef, useState } from "./html.js";
import { t } from "./i18n.js";
import { openLive } from "./live-adapter.js";
import { api } from "./api.js";

const LiveContext = createContext(null);

class Hub {
  constructor() {
    this.handlers = new Set();
    this.statusHandlers = new Set();
    this.controlHandlers = new Set();
    this.status = "connecting";
    this.connection = null;
    this.lastSeq = 0;
    this.rooms = new Set();
  }
  emit(event) {
    if (typeof event.seq === "number") this.lastSeq = Math.max(this.lastSeq, event.seq);
    for (const fn of this.handlers) fn(event);
  }
  control(frame) {
    for (const fn of this.controlHandlers) fn(frame);
  }
  setStatus(status) {
    this.status = status;
    for (const fn of this.statusHandlers) fn(status);
  }
  join(meetingId) {
    this.rooms.add(meetingId);
    if (this.connection) this.connection.join(meetingId);
  }
  leave(meetingId) {
    this.rooms.delete(meetingId);
    if (this.connection) this.connection.leave(meetingId);
  }
}

export function LiveProvider({ estateId, children }) {
  const hubRef = useRef(null);
  if (!hubRef.current) hubRef.current = new Hub();
  useEffect(() => {
    const hub = hubRef.current;
    if (!estateId) {
      hub.setStatus("off");
      return undefined;
    }
    let closed = false;
    openLive(estateId, {
      onEvent: (e) => hub.emit(e),
      onControl: (f) => hub.control(f),
      onStatus: (s) => hub.setStatus(s),
    }).then((conn) => {
      if (closed) {
        conn.close();
        return;
      }
      hub.connection = conn;
      for (const id of hub.rooms) conn.join(id); // rooms entered before the socket existed
    }, () => hub.setStatus("off"));
    return () => {
      closed = true;
      if (hub.connection) hub.connection.close();
    };
  }, [estateId]);
  return html`<${LiveContext.Provider} value=${hubRef.current}>${children}</${LiveContext.Provider}>`;
}

/** Call handler(event) for every live event whose type starts with one of `prefixes`. */
export function useLiveEvent(prefixes, handler) {
  const hub = useContext(LiveContext);
  const saved = useRef(handler);
  saved.current = handler;
  const key = Array.isArray(prefixes) ? prefixes.join("|") : String(prefixes);
  useEffect(() => {
    if (!hub) return undefined;
    const list = key.split("|");
    const fn = (event) => {
      if (list.some((p) => String(event.type || "").startsWith(p))) saved.current(event);
    };
    hub.handlers.add(fn);
    return () => hub.handlers.delete(fn);
  }, [hub, key]);
}

export function useLiveStatus() {
  const hub = useContext(LiveContext);
  const [status, setStatus] = useState(hub ? hub.status : "off");
  useEffect(() => {
    if (!hub) return undefined;
    setStatus(hub.status);
    hub.statusHandlers.add(setStatus);
    return () => hub.statusHandlers.delete(setStatus);
  }, [hub]);
  return status;
}

/**
 * Join a meeting room's presence and follow who is in it: the list comes from
 * GET /api/meetings/{id}/presence, the presence frame answering our join, and the
 * presence.joined / presence.left events of other members.
 */
export function usePresence(meetingId) {
  const hub = useContext(LiveContext);
  const [members, setMembers] = useState([]);
  useEffect(() => {
    if (!hub || !meetingId) return undefined;
    const id = Number(meetingId);
    let alive = true;
    const refresh = () => api(`/api/meetings/${id}/presence`).then(
      (r) => alive && setMembers(r.members || []), () => {});
    const onFrame = (frame) => {
      if (frame.type === "presence" && Number(frame.meeting_id) === id) setMembers(frame.members || []);
    };
    const onEvent = (event) => {
      if (String(event.type).startsWith("presence.") && Number((event.data || {}).meeting_id) === id) refresh();
    };
    hub.controlHandlers.add(onFrame);
    hub.handlers.add(onEvent);
    hub.join(id);
    refresh();
    return () => {
      alive = false;
      hub.controlHandlers.delete(onFrame);
      hub.handlers.delete(onEvent);
      hub.leave(id);
    };
  }, [hub, meetingId]);
  return members;
}

/** Shown while the socket is down and the client is reconnecting. */
export function LiveBanner() {
  const status = useLiveStatus();
  if (status !== "reconnecting") return null;
  return html`<div class="banner" role="status" data-testid="reconnecting">${t("live.reconnecting")}</div>`;
}
