// node --test: the natural order of building and unit names (web/lib/format.js), the same
// as the server's (planner/estates/natural_order.py, tests/unit/estates/test_natural_order.py).
import { test } from "node:test";
import assert from "node:assert/strict";

const { naturalCompare, byBuildingAndUnit } = await import("../../web/lib/format.js");

test("buildings: 1栋, 2栋, …, 10栋", () => {
  const names = ["10栋", "2栋", "1栋", "9栋", "11栋", "3栋"];
  assert.deepEqual([...names].sort(naturalCompare), ["1栋", "2栋", "3栋", "9栋", "10栋", "11栋"]);
});

test("units: stairwell, then floor and door, by value", () => {
  const units = ["10-101", "2-301", "2-1001", "1-102", "1-101", "B10", "B2"];
  assert.deepEqual([...units].sort(naturalCompare),
    ["1-101", "1-102", "2-301", "2-1001", "10-101", "B2", "B10"]);
});

test("households: by building, then unit", () => {
  const rows = [
    { building: "10栋", unit: "1-101" }, { building: "2栋", unit: "1-201" },
    { building: "2栋", unit: "1-102" }, { building: "1栋", unit: "3-101" },
  ];
  assert.deepEqual([...rows].sort(byBuildingAndUnit).map((r) => `${r.building} ${r.unit}`),
    ["1栋 3-101", "2栋 1-102", "2栋 1-201", "10栋 1-101"]);
});
