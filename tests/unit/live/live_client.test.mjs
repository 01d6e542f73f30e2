// Unit tests for web/live.js with a fake WebSocket and fake timers (node --test).
import test from "node:test";
import assert from "node:assert/strict";
import { LiveClient, backoffDelay, liveUrl } from "../../../web/live.js";

class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeSocket.all.push(this);
  }
  open() { this.readyState = 1; this.onopen?.({}); }
  frame(obj) { this.onmessage?.({ data: JSON.stringify(obj) }); }
  send(text) { this.sent.push(JSON.parse(text)); }
  close(code = 1000, reason = "") { this.serverClose(code, reason); }
  serverClose(code, reason = "") {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

function fakeTimers() {
  let now = 0;
  let next = 1;
  const pending = new Map();
  return {
    setTimeout: (fn, ms) => { const id = next++; pending.set(id, { fn, at: now + ms }); return id; },
    clearTimeout: (id) => pending.delete(id),
    setInterval: (fn, ms) => { const id = next++; pending.set(id, { fn, at: now + ms, every: ms }); return id; },
    clearInterval: (id) => pending.delete(id),
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        const [id, t] = due;
        now = t.at;
        if (t.every) t.at += t.every; else pending.delete(id);
        t.fn();
      }
      now = until;
    },
  };
}

function makeClient(options = {}) {
  FakeSocket.all = [];
  const timers = fakeTimers();
  const events = [];
  const statuses = [];
  const client = new LiveClient(7, {
    WebSocket: FakeSocket, base: "ws://svc:8000", random: () => 0.5,
    onEvent: (e) => events.push(e.seq), onStatus: (s, d) => statuses.push([s, d]),
    ...timers, ...options,
  }).start();
  return { client, timers, events, statuses, sockets: FakeSocket.all };
}

const hello = (head, after = head) => ({ type: "hello", estate_id: 7, head, after, heartbeat_s: 10 });
const ev = (seq, type = "ballot.cast") => ({ seq, type, at: "2026-11-26T09:00:00Z", actor: 1, data: {} });

test("url carries after and token only when given", () => {
  assert.equal(liveUrl(7, { base: "ws://h:1" }), "ws://h:1/ws/estates/7");
  assert.equal(liveUrl(7, { base: "wss://h", after: 0, token: "t k" }), "wss://h/ws/estates/7?after=0&token=t+k");
});

test("back-off grows exponentially with jitter and is capped", () => {
  const opts = { initialDelayMs: 500, maxDelayMs: 30_000, factor: 2 };
  assert.equal(backoffDelay(0, opts, () => 0), 250);
  assert.equal(backoffDelay(0, opts, () => 1), 500);
  assert.equal(backoffDelay(3, opts, () => 1), 4000);
  assert.equal(backoffDelay(20, opts, () => 1), 30_000);
  assert.equal(backoffDelay(20, opts, () => 0), 15_000);
});

test("starts at the head, keeps the last seq and resumes after it, dropping duplicates", () => {
  const { timers, events, statuses, sockets } = makeClient();
  assert.equal(sockets[0].url, "ws://svc:8000/ws/estates/7");
  sockets[0].open();
  sockets[0].frame(hello(4));
  sockets[0].frame(ev(5));
  sockets[0].frame(ev(6));
  sockets[0].serverClose(1006);
  assert.equal(statuses.at(-1)[0], "reconnecting");
  timers.advance(500);
  assert.equal(sockets.length, 2);
  assert.equal(sockets[1].url, "ws://svc:8000/ws/estates/7?after=6");
  sockets[1].open();
  sockets[1].frame(hello(8, 6));
  sockets[1].frame(ev(6)); // a duplicate the client must ignore
  sockets[1].frame(ev(7));
  sockets[1].frame(ev(8));
  assert.deepEqual(events, [5, 6, 7, 8]);
  assert.deepEqual(statuses.map((s) => s[0]), ["live", "reconnecting", "live"]);
});

test("retries back off while the server is down, and reset after a hello", () => {
  const { timers, statuses, sockets } = makeClient({ after: 3 });
  sockets[0].serverClose(1006);
  timers.advance(375);
  sockets[1].serverClose(1006);
  timers.advance(750);
  sockets[2].serverClose(1006);
  const delays = statuses.filter((s) => s[0] === "reconnecting").map((s) => s[1].delayMs);
  assert.deepEqual(delays, [375, 750, 1500]);
  timers.advance(1500);
  sockets[3].open();
  sockets[3].frame(hello(3, 3));
  sockets[3].serverClose(1012);
  assert.equal(statuses.at(-1)[1].delayMs, 375);
});

test("too slow (4008) resumes at once from the last seq", () => {
  const { timers, sockets, statuses } = makeClient({ after: 0 });
  sockets[0].open();
  sockets[0].frame(hello(10, 0));
  sockets[0].frame(ev(1));
  sockets[0].serverClose(4008, "too slow, resume with after=1");
  assert.equal(statuses.at(-1)[1].code, 4008);
  timers.advance(375);
  assert.equal(sockets[1].url, "ws://svc:8000/ws/estates/7?after=1");
});

test("forbidden (4403) stops retrying and reports off", () => {
  const { timers, sockets, statuses } = makeClient();
  sockets[0].serverClose(4403, "forbidden");
  timers.advance(60_000);
  assert.equal(sockets.length, 1);
  assert.deepEqual(statuses.at(-1), ["off", { code: 4403, reason: "forbidden" }]);
});

test("signed out (4401) stops retrying and tells onSignedOut whether it was a revocation", () => {
  const told = [];
  const revoked = makeClient({ onSignedOut: (reason) => told.push(reason) });
  revoked.sockets[0].serverClose(4401, "membership revoked");
  revoked.timers.advance(60_000);
  assert.equal(revoked.sockets.length, 1);
  const ended = makeClient({ onSignedOut: (reason) => told.push(reason) });
  ended.sockets[0].serverClose(4401, "session ended or expired, sign in again");
  const forbidden = makeClient({ onSignedOut: (reason) => told.push(reason) });
  forbidden.sockets[0].serverClose(4403, "forbidden");
  assert.deepEqual(told, ["revoked", "ended"]);
});

test("silence longer than the heartbeat window drops the socket and reconnects", () => {
  const { timers, sockets, statuses } = makeClient();
  sockets[0].open();
  sockets[0].frame(hello(0));
  timers.advance(10_000);
  assert.deepEqual(sockets[0].sent, [{ type: "ping" }]);
  sockets[0].frame({ type: "heartbeat", head: 0 });
  timers.advance(24_000);
  assert.equal(sockets.length, 1);
  timers.advance(2_000);
  assert.equal(statuses.at(-1)[1].reason, "heartbeat timeout");
  timers.advance(500);
  assert.equal(sockets.length, 2);
});

test("type, prefix and wildcard listeners; meetings are re-joined after reconnect", () => {
  const { client, timers, sockets } = makeClient();
  const seen = [];
  client.on("quote.revised", (e) => seen.push(["exact", e.seq]));
  const off = client.on("quote.", (e) => seen.push(["prefix", e.seq]));
  sockets[0].open();
  sockets[0].frame(hello(0));
  client.join(3);
  sockets[0].frame(ev(1, "quote.revised"));
  off();
  sockets[0].frame(ev(2, "quote.awarded"));
  sockets[0].frame(ev(3, "ballot.cast"));
  assert.deepEqual(seen, [["exact", 1], ["prefix", 1]]);
  assert.deepEqual(sockets[0].sent, [{ type: "join", meeting_id: 3 }]);
  sockets[0].serverClose(1006);
  timers.advance(500);
  sockets[1].open();
  sockets[1].frame(hello(3, 3));
  assert.deepEqual(sockets[1].sent, [{ type: "join", meeting_id: 3 }]);
});

test("close() stops everything", () => {
  const { client, timers, sockets, statuses } = makeClient();
  sockets[0].open();
  sockets[0].frame(hello(0));
  client.close();
  timers.advance(120_000);
  assert.equal(sockets.length, 1);
  assert.equal(statuses.at(-1)[0], "off");
});

test("a server behind the client's seq (restored database) resets the position", () => {
  const { sockets, events } = makeClient({ after: 50 });
  sockets[0].open();
  sockets[0].frame(hello(3, 3));
  sockets[0].frame(ev(4));
  assert.deepEqual(events, [4]);
});

test("a socket that neither opens nor fails within the connect timeout is dropped and retried", () => {
  const { timers, sockets, statuses } = makeClient({ after: 4 });
  timers.advance(9_999);
  assert.equal(sockets.length, 1);
  timers.advance(1);
  assert.equal(sockets[0].readyState, 3);
  assert.equal(statuses.at(-1)[0], "reconnecting");
  assert.equal(statuses.at(-1)[1].reason, "connect timeout");
  timers.advance(500);
  assert.equal(sockets.length, 2);
  assert.equal(sockets[1].url, "ws://svc:8000/ws/estates/7?after=4");
  sockets[1].open();
  sockets[1].frame(hello(4));
  timers.advance(20_000); // an open socket is never timed out as "connecting" (silence: 25 s)
  assert.equal(sockets.length, 2);
  assert.equal(statuses.at(-1)[0], "live");
});

test("back online: the back-off is skipped, and a socket still opening is replaced", () => {
  const { client, timers, sockets, statuses } = makeClient({ after: 2 });
  sockets[0].open();
  sockets[0].frame(hello(2));
  client.reconnectNow(); // live: nothing to do
  assert.equal(sockets.length, 1);
  sockets[0].serverClose(1012);
  for (let i = 1; i <= 6; i += 1) { // the server stays away: the back-off grows to seconds
    timers.advance(statuses.at(-1)[1].delayMs);
    sockets[i].serverClose(1006);
  }
  assert.ok(statuses.at(-1)[1].delayMs >= 16_000);
  client.reconnectNow();
  assert.equal(sockets.length, 8);
  client.reconnectNow(); // still opening (started offline, say): replaced, its close ignored
  assert.equal(sockets.length, 9);
  assert.equal(sockets[7].readyState, 3);
  assert.equal(statuses.at(-1)[0], "reconnecting"); // the dropped socket did not schedule a retry
  sockets[8].open();
  client.reconnectNow(); // open, hello on the way: kept
  assert.equal(sockets.length, 9);
  sockets[8].frame(hello(2));
  assert.equal(statuses.at(-1)[0], "live");
  timers.advance(20_000);
  assert.equal(sockets.length, 9);
});
