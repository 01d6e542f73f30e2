// node --test: the auction screen's rules before sending (web/views/auction.js): a bid must be
// a number of yuan above zero, at most the caller's maximum, while running, in the caller's
// own turn, before it ends; the start form's fields; the countdown; the route's section.
import { test } from "node:test";
import assert from "node:assert/strict";

globalThis.document = { documentElement: {}, cookie: "" };
globalThis.localStorage = { getItem: () => null, setItem: () => {} };
const { bidProblem, auctionBody, formatCountdown, turnNumber } = await import("../../web/views/auction.js");
const { parseRoute, allowed, tabsFor } = await import("../../web/routes.js");

const NOW = Date.parse("2026-12-04T10:00:00Z");
function view(extra = {}) {
  return {
    auction_id: 1, status: "running", my_number: 2, my_max_bid_fen: 99_000_00, step_fen: 1_000_00,
    turn: { number: 2, round: 1, starts_at: "2026-12-04T09:59:50Z", ends_at: "2026-12-04T10:00:10Z" },
    bidders: [{ number: 1, price_fen: 90_000_00, is_you: false }, { number: 2, price_fen: 100_000_00, is_you: true }],
    ...extra,
  };
}

test("a bid in the caller's turn at or below the maximum goes out, in fen", () => {
  assert.deepEqual(bidProblem(view(), "99,000", NOW), { problem: null, fen: 99_000_00 });
  assert.deepEqual(bidProblem(view(), "¥98000.5", NOW), { problem: null, fen: 98_000_50 });
});

test("what the rules refuse is refused before sending, each with its sentence", () => {
  assert.equal(bidProblem(view(), "abc", NOW).problem, "auction.refuse.number");
  assert.equal(bidProblem(view(), "0", NOW).problem, "auction.refuse.positive");
  assert.equal(bidProblem(view(), "99000.01", NOW).problem, "auction.refuse.tooHigh");
  assert.equal(bidProblem(view({ status: "pause" }), "90000", NOW).problem, "auction.refuse.notRunning");
  assert.equal(bidProblem(view({ turn: { number: 1, ends_at: "2026-12-04T10:00:10Z" } }), "90000", NOW).problem,
    "auction.refuse.notYourTurn");
  assert.equal(bidProblem(view(), "90000", NOW + 10_000).problem, "auction.refuse.turnOver");
});

test("without my_max_bid_fen the maximum is the own price less the step", () => {
  assert.equal(bidProblem(view({ my_max_bid_fen: null }), "99000.01", NOW).problem, "auction.refuse.tooHigh");
  assert.equal(bidProblem(view({ my_max_bid_fen: null }), "99000", NOW).problem, null);
});

test("the countdown rounds up to whole seconds; the turn's number comes from number or label", () => {
  assert.equal(formatCountdown(65_000), "1:05");
  assert.equal(formatCountdown(200), "0:01");
  assert.equal(formatCountdown(-5), "0:00");
  assert.equal(turnNumber({ label: "供应商 3" }), 3);
  assert.equal(turnNumber({ label: 4 }), 4);
  assert.equal(turnNumber({ number: 2, label: "x" }), 2);
  assert.equal(turnNumber(null), null);
});

test("the start form: defaults go out as the API's body; bad fields are named", () => {
  const form = { rounds: "3", turnMinutes: "2", turnSeconds: "0", pauseSeconds: "0", stepKind: "pct", stepPct: "0.5",
    stepAmount: "", minBidders: "2", startsIn: "0" };
  assert.deepEqual(auctionBody(form).body, { rounds: 3, turn_seconds: 120, pause_seconds: 0, min_bidders: 2,
    starts_in_seconds: 0, min_step_pct: 0.5 });
  assert.deepEqual(auctionBody({ ...form, stepKind: "amount", stepAmount: "1,000" }).body.min_step_fen, 100_000);
  const bad = auctionBody({ ...form, rounds: "11", turnMinutes: "0", turnSeconds: "3", stepPct: "60", minBidders: "1" });
  assert.deepEqual(bad.problems.map((p) => p.field), ["rounds", "turn_seconds", "min_bidders", "min_step_pct"]);
});

test("the auction page belongs to the works section; staff and suppliers may open it", () => {
  const route = parseRoute("#/auctions/7");
  assert.equal(route.section, "works");
  assert.equal(route.params.id, "7");
  assert.equal(allowed({ capabilities: ["quotes.submit"] }, route), true);
  assert.equal(allowed({ capabilities: ["works.view"] }, route), true);
  assert.equal(allowed({ capabilities: ["meetings.view"] }, route), false);
  const committee = { capabilities: ["works.view", "delivery.view"] };
  assert.equal(tabsFor(committee, route).length, 2);
});

test("bid times read on the estate's wall clock, to the second", async () => {
  const { formatTimeOfDay, setTimeZone } = await import("../../web/lib/format.js");
  setTimeZone("Asia/Shanghai");
  assert.equal(formatTimeOfDay("2026-12-04T10:00:05Z"), "18:00:05");
  setTimeZone("Europe/Berlin");
  assert.equal(formatTimeOfDay("2026-12-04T10:00:05+00:00"), "11:00:05");
  setTimeZone("Asia/Shanghai");
});
