// node --test: the ballot queue (web/lib/ballot_queue.js) and the fetch wrapper's network
// failures (web/lib/api.js): a ballot without an answer stays queued under one idempotency
// key until the server answers; 503 keeps it, a 4xx is final; the browser's words never show.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

const I18N = new URL("../../web/i18n/", import.meta.url);
const store = new Map();
globalThis.localStorage = {
  get length() { return store.size; },
  key: (i) => [...store.keys()][i] ?? null,
  getItem: (k) => (store.has(k) ? store.get(k) : null),
  setItem: (k, v) => store.set(k, String(v)),
  removeItem: (k) => store.delete(k),
};
globalThis.document = { documentElement: {}, cookie: "" };
const sent = []; // bodies of the ballot POSTs
let answer = null; // () => response, or throws
globalThis.fetch = async (path, init = {}) => {
  if (String(path).startsWith("/i18n/")) {
    const text = await readFile(new URL(String(path).replace("/i18n/", ""), I18N), "utf-8");
    return { ok: true, json: async () => JSON.parse(text) };
  }
  sent.push(JSON.parse(init.body));
  return answer();
};
function reply(status, body) {
  return () => ({
    ok: status < 400, status, statusText: "", headers: { get: () => "application/json" },
    json: async () => body,
  });
}
const offline = () => { throw new TypeError("Failed to fetch"); };

const { setLang } = await import("../../web/lib/i18n.js");
const { api, ApiError } = await import("../../web/lib/api.js");
const { castBallot, flushBallots, queuedFor, queuedBallots, startBallotQueue } = await import("../../web/lib/ballot_queue.js");

const RECEIPT = { motion_id: 7, replayed: false, ballots: [{ receipt: "K7QX-M2PA-9C", choice: "no" }] };

before(() => setLang("zh-CN", { persist: false }));

test("no answer from the server reads in the page's language, never the browser's words", async () => {
  answer = offline;
  await assert.rejects(api("/api/motions/7/ballots", { method: "POST", body: {} }), (err) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 0);
    assert.doesNotMatch([err.message, ...Object.values(err.problem)].join(" "), /Failed to fetch|[A-Za-z]{3,}/);
    assert.match(err.message, /[\u4e00-\u9fff]/);
    return true;
  });
  sent.length = 0;
});

test("a ballot without an answer stays queued and is sent again with the same key", async () => {
  startBallotQueue(3);
  answer = offline;
  const first = await castBallot({ motionId: 7, memberId: 3, choice: "no" });
  assert.equal(first.state, "queued");
  const entry = queuedFor(7, 3);
  assert.equal(entry.choice, "no");
  assert.equal(entry.reason, "network");
  assert.match(entry.key, /^[A-Za-z0-9_-]{8,64}$/);
  answer = reply(503, { code: "database_unavailable", params: { retry_after_s: 3 } });
  await flushBallots();
  assert.equal(queuedFor(7, 3).reason, "server");
  answer = reply(201, { ...RECEIPT, replayed: true });
  await flushBallots();
  assert.equal(queuedBallots().length, 0);
  assert.deepEqual(sent.map((b) => b.idempotency_key), [entry.key, entry.key, entry.key]);
  sent.length = 0;
});

test("a 4xx is final: the ballot is dropped and the error returned", async () => {
  answer = reply(409, { code: "motion_closed", params: {} });
  const outcome = await castBallot({ motionId: 8, memberId: 3, choice: "yes" });
  assert.equal(outcome.state, "failed");
  assert.equal(outcome.error.status, 409);
  assert.equal(queuedBallots().length, 0);
  sent.length = 0;
});

test("a new choice replaces the queued one; another member's ballot is never sent", async () => {
  answer = offline;
  await castBallot({ motionId: 9, memberId: 3, choice: "yes" });
  await castBallot({ motionId: 9, memberId: 3, choice: "abstain" });
  assert.equal(queuedBallots().length, 1);
  assert.equal(queuedFor(9, 3).choice, "abstain");
  localStorage.setItem("planner.ballot.9.b-someone-else-0000", JSON.stringify(
    { motionId: 9, memberId: 4, choice: "no", key: "b-someone-else-0000", queuedAt: 0 }));
  sent.length = 0;
  answer = reply(201, RECEIPT);
  await flushBallots();
  assert.deepEqual(sent.map((b) => b.choice), ["abstain"]);
  assert.equal(queuedFor(9, 4).choice, "no"); // kept for its own member
});

test("a proxy's ballots per represented owner are queued apart and name their units", async () => {
  for (const e of queuedBallots()) localStorage.removeItem(e.storageKey);
  answer = offline;
  await castBallot({ motionId: 11, memberId: 5, choice: "yes" });
  await castBallot({ motionId: 11, memberId: 5, choice: "yes", householdIds: [4, 3] });
  await castBallot({ motionId: 11, memberId: 5, choice: "no", householdIds: [6] });
  await castBallot({ motionId: 11, memberId: 5, choice: "abstain", householdIds: [3, 4] });
  assert.equal(queuedBallots().length, 3);
  assert.equal(queuedFor(11, 5).choice, "yes");
  assert.equal(queuedFor(11, 5, [3, 4]).choice, "abstain");
  assert.equal(queuedFor(11, 5, [6]).choice, "no");
  sent.length = 0;
  startBallotQueue(5);
  answer = reply(201, RECEIPT);
  await flushBallots();
  assert.equal(queuedBallots().length, 0);
  const bodies = Object.fromEntries(sent.map((b) => [b.choice, b.household_ids]));
  assert.deepEqual(bodies, { yes: undefined, abstain: [3, 4], no: [6] });
  sent.length = 0;
});
