// node --test: the solve form's percentages (web/lib/percent.js): typed percent → the API's
// exact share string, and the gauge's scale that holds both the band and the share.
import { test } from "node:test";
import assert from "node:assert/strict";

const { pctToShare, gaugeScale } = await import("../../web/lib/percent.js");

test("percent → share string, exactly (no floats)", () => {
  assert.equal(pctToShare("20"), "0.20");
  assert.equal(pctToShare("30"), "0.30");
  assert.equal(pctToShare(" 20.5 % "), "0.205");
  assert.equal(pctToShare("7"), "0.07");
  assert.equal(pctToShare("0.5"), "0.005");
  assert.equal(pctToShare("100"), "1.00");
  assert.equal(pctToShare("33,33"), "0.3333");
  assert.equal(pctToShare("12.345678"), "0.12345678");
  assert.equal(pctToShare("20％"), "0.20");
});

test("anything else is refused", () => {
  for (const bad of ["", "abc", "-5", "1e2", "20%%", "1000", "0.20.1"]) {
    assert.throws(() => pctToShare(bad), RangeError, bad);
  }
});

test("the gauge holds the band and the share", () => {
  assert.deepEqual(gaugeScale(0.2, 0.3, 0.25), { top: 0.5, ticks: [0, 0.1, 0.2, 0.3, 0.4, 0.5] });
  const wide = gaugeScale(0.2, 0.8, 0.753);
  assert.equal(wide.top, 0.8);
  assert.deepEqual(wide.ticks, [0, 0.2, 0.4, 0.6, 0.8]);
  assert.equal(gaugeScale(0.2, 0.3, 0.753).top, 0.8);
  assert.equal(gaugeScale(0.2, 0.3, 1.2).top, 1);
  assert.deepEqual(gaugeScale(0.2, 0.3, 0.91).ticks, [0, 0.2, 0.4, 0.6, 0.8, 1]);
});
