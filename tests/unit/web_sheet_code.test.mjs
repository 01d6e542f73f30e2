// node --test: sheet codes typed or scanned (web/lib/sheet_code.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { normalizeCode, groupCode } from "../../web/lib/sheet_code.js";

test("spaces, dashes and lower case do not matter", () => {
  for (const typed of ["ab12-cd34-ef", " AB12 CD34 EF ", "ab12cd34ef", "AB12—CD34_EF", "ab12\tcd34\nef"]) {
    assert.equal(normalizeCode(typed), "AB12CD34EF", typed);
  }
});

test("a scanned link gives its code", () => {
  assert.equal(normalizeCode("https://example.org/#/consultations/3/paper?code=ab12-cd34"), "AB12CD34");
  assert.equal(normalizeCode("https://example.org/s/ab12-cd34"), "AB12CD34");
  assert.equal(normalizeCode("HTTPS://EXAMPLE.ORG/S/AB12CD34?x=1"), "AB12CD34");
});

test("nothing is nothing; grouping for reading", () => {
  assert.equal(normalizeCode(""), "");
  assert.equal(normalizeCode(null), "");
  assert.equal(groupCode("ab12cd34ef"), "AB12 CD34 EF");
});
