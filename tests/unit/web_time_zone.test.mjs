// node --test: dates and times shown in the estate's zone, not the runtime's (web/lib/format.js,
// issue 16). Run with TZ=UTC by tests/unit/test_browser_js.py; the results must not depend on it.
import { test } from "node:test";
import assert from "node:assert/strict";

const f = await import("../../web/lib/format.js");

test("Shanghai by default: 11:30 UTC is 19:30 the same day, 16:30 UTC the next day", () => {
  f.setTimeZone(null);
  assert.equal(f.timeZone(), "Asia/Shanghai");
  assert.equal(f.formatDateTime("2026-05-16T11:30:00Z"), "2026-05-16 19:30");
  assert.equal(f.formatDateTime("2026-05-16T11:30:00+00:00"), "2026-05-16 19:30");
  assert.equal(f.formatDate("2026-05-16T16:30:00Z"), "2026-05-17");
  assert.equal(f.formatDateTime("2026-05-16T16:30:00Z"), "2026-05-17 00:30");
  // No daylight saving in Shanghai: +08:00 in January and in July.
  assert.equal(f.formatDateTime("2026-01-15T04:00:00Z"), "2026-01-15 12:00");
  assert.equal(f.formatDateTime("2026-07-15T04:00:00Z"), "2026-07-15 12:00");
});

test("a zone with daylight saving: New York is -05:00 in winter, -04:00 in summer", () => {
  assert.equal(f.formatDateTime("2026-01-15T17:00:00Z", "America/New_York"), "2026-01-15 12:00");
  assert.equal(f.formatDateTime("2026-07-15T16:00:00Z", "America/New_York"), "2026-07-15 12:00");
  // The spring-forward hour: 06:59 UTC is 01:59 EST, 07:00 UTC is 03:00 EDT.
  assert.equal(f.formatDateTime("2026-03-08T06:59:00Z", "America/New_York"), "2026-03-08 01:59");
  assert.equal(f.formatDateTime("2026-03-08T07:00:00Z", "America/New_York"), "2026-03-08 03:00");
  assert.equal(f.formatDate("2026-01-16T03:00:00Z", "America/New_York"), "2026-01-15");
});

test("the estate's zone, once set, is used everywhere; an unknown zone is ignored", () => {
  f.setTimeZone("Europe/Berlin");
  assert.equal(f.formatDateTime("2026-07-01T10:00:00Z"), "2026-07-01 12:00");
  assert.equal(f.formatDateTime("2026-12-01T10:00:00Z"), "2026-12-01 11:00");
  f.setTimeZone("Mars/Olympus_Mons");
  assert.equal(f.timeZone(), "Europe/Berlin");
  f.setTimeZone("Asia/Shanghai");
  assert.equal(f.formatDateTime("2026-07-01T10:00:00Z"), "2026-07-01 18:00");
});

test("a date-only value is a calendar day already; junk is shown as it came", () => {
  assert.equal(f.formatDate("2026-05-16"), "2026-05-16");
  assert.equal(f.formatDateTime(""), "");
  assert.equal(f.formatDate("not a date"), "not a date");
});

test("datetime-local inputs are the estate's wall clock both ways", () => {
  f.setTimeZone("Asia/Shanghai");
  assert.equal(f.zonedInputToISO("2026-05-16T19:30"), "2026-05-16T11:30:00.000Z");
  assert.equal(f.isoToZonedInput("2026-05-16T11:30:00Z"), "2026-05-16T19:30");
  assert.equal(f.zonedInputToISO("2026-01-15T12:00", "America/New_York"), "2026-01-15T17:00:00.000Z");
  assert.equal(f.zonedInputToISO("2026-07-15T12:00", "America/New_York"), "2026-07-15T16:00:00.000Z");
  assert.equal(f.zonedInputToISO("garbage"), null);
});
