// node --test: why a motion would not pass now (web/lib/tally.js), against Art. 278's
// thresholds as planner/deliberation/rules.py applies them.
import { test } from "node:test";
import assert from "node:assert/strict";

const { shortfalls, hundredths } = await import("../../web/lib/tally.js");

const running = (over) => ({
  total_owners: 3, participating_owners: 1, yes_owners: 0,
  total_area_m2: "320.00", participating_area_m2: "100.00", yes_area_m2: "0.00", ...over,
});

test("areas as hundredths", () => {
  assert.equal(hundredths("1234.5"), 123450);
  assert.equal(hundredths("0.07"), 7);
  assert.equal(hundredths("x"), null);
});

test("one owner of three voted no: participation and consent both short", () => {
  assert.deepEqual(shortfalls(running({}), false), [
    { what: "quorumOwners", owners: 1 },
    { what: "quorumArea", area: "113.34" }, // 2/3 of 320.00 is 213.33…, reached at 213.34
    { what: "consentOwners", owners: 2 }, // 2 yes of 3 voting is more than half
    { what: "consentArea", area: "100.01" },
  ]);
});

test("exactly two thirds and more than half: nothing is short", () => {
  const t = running({ participating_owners: 2, yes_owners: 2, participating_area_m2: "213.34", yes_area_m2: "213.34" });
  assert.deepEqual(shortfalls(t, false), []);
});

test("three quarters for matters 6–8; a hidden tally tells participation only", () => {
  const t = running({ total_owners: 4, participating_owners: 4, yes_owners: 2, total_area_m2: "400.00",
    participating_area_m2: "400.00", yes_area_m2: "300.00" });
  assert.deepEqual(shortfalls(t, true), [{ what: "consentOwners", owners: 4 }]);
  assert.deepEqual(shortfalls({ ...running({}), results_hidden: true, yes_owners: null, yes_area_m2: null }, false),
    [{ what: "quorumOwners", owners: 1 }, { what: "quorumArea", area: "113.34" }]);
});
