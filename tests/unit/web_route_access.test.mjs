// node --test: which pages a member may open by link (web/routes.js `allowed`): a page
// needs its section's capability, the work page either the staff's or the supplier's.
import { test } from "node:test";
import assert from "node:assert/strict";

globalThis.document = { documentElement: {}, cookie: "" };
globalThis.localStorage = { getItem: () => null, setItem: () => {} };
const { parseRoute, allowed, navFor, tabsFor, inSection } = await import("../../web/routes.js");

const owner = { capabilities: ["meetings.view", "ballots.cast", "share.own"] };
const supplier = { capabilities: ["quotes.submit"] };
const committee = { capabilities: ["meetings.view", "works.view", "funding.view", "households.view"] };

test("an owner may not open a work, a plan or the households by link", () => {
  for (const hash of ["#/works/4", "#/works", "#/funding/2", "#/households", "#/supplier/quotes/1"]) {
    assert.equal(allowed(owner, parseRoute(hash)), false, hash);
  }
  for (const hash of ["#/", "#/meetings/3", "#/my"]) assert.equal(allowed(owner, parseRoute(hash)), true, hash);
});

test("a supplier may open his quotes and the work, not meetings", () => {
  assert.equal(allowed(supplier, parseRoute("#/supplier/quotes/1")), true);
  assert.equal(allowed(supplier, parseRoute("#/works/4")), true);
  assert.equal(allowed(supplier, parseRoute("#/meetings/3")), false);
});

test("the committee opens the work and the meeting", () => {
  for (const hash of ["#/works/4", "#/meetings/3", "#/funding/2"]) {
    assert.equal(allowed(committee, parseRoute(hash)), true, hash);
  }
});

test("written consultations: members read them, the committee alone enters paper and sees deliveries; the public page needs nobody", () => {
  const member = { capabilities: ["consultations.view", "ballots.cast"] };
  const board = { capabilities: ["consultations.view", "consultations.manage", "paper.enter"] };
  for (const hash of ["#/consultations", "#/consultations/3"]) assert.equal(allowed(member, parseRoute(hash)), true, hash);
  for (const hash of ["#/consultations/3/paper", "#/consultations/3/deliveries"]) {
    assert.equal(allowed(member, parseRoute(hash)), false, hash);
    assert.equal(allowed(board, parseRoute(hash)), true, hash);
  }
  const open = parseRoute("#/c/Zx9-abc_DEF");
  assert.equal(open.public, true);
  assert.equal(open.params.token, "Zx9-abc_DEF");
  assert.equal(allowed({ capabilities: [] }, open), true);
  assert.equal(parseRoute("#/consultations/3").public, false);
  assert.equal(parseRoute("#/consultations/3/paper?code=ab12").query.code, "ab12");
});

test("small wishes (issue 18): a partner unit opens the wishes and its pledges, nothing of the estate's business", () => {
  const partner = { capabilities: ["wishes.view", "wishes.fulfil", "pledges.make"] };
  const resident = { capabilities: ["meetings.view", "ballots.cast", "share.own", "wishes.view", "wishes.post"] };
  for (const hash of ["#/", "#/wishes", "#/wishes/pledges"]) assert.equal(allowed(partner, parseRoute(hash)), true, hash);
  for (const hash of ["#/works", "#/works/4", "#/meetings/3", "#/funding", "#/households", "#/members", "#/my"]) {
    assert.equal(allowed(partner, parseRoute(hash)), false, hash);
  }
  assert.equal(allowed(resident, parseRoute("#/wishes")), true);
  assert.equal(allowed(resident, parseRoute("#/wishes/pledges")), false);
  assert.equal(parseRoute("#/wishes/pledges").section, "wishes");
});

test("sections of a group are one entry of the navigation and tabs on their pages", () => {
  const voter = { capabilities: ["meetings.view", "consultations.view", "choice.view", "share.own"] };
  const nav = navFor(voter);
  const decide = nav.filter((l) => l.label === "nav.group.decide");
  assert.equal(decide.length, 1);
  assert.equal(decide[0].href, "#/meetings");
  assert.ok(!nav.some((l) => l.label === "nav.consultations" || l.label === "nav.choice"));
  const page = parseRoute("#/consultations/3");
  assert.equal(inSection(page, decide[0]), true);
  assert.deepEqual(tabsFor(voter, page).map((l) => l.href), ["#/meetings", "#/consultations", "#/choice"]);
  // one section of a group alone keeps its own name and needs no tabs
  const single = { capabilities: ["meetings.view"] };
  assert.deepEqual(navFor(single).map((l) => l.label), ["nav.home", "nav.meetings"]);
  assert.deepEqual(tabsFor(single, parseRoute("#/meetings")), []);
});

test("the district (issue 21): district staff see the overview and no estate page; others not the overview", () => {
  const district = { capabilities: ["district.view"] };
  const committee = { capabilities: ["meetings.view", "works.view", "funding.view", "members.manage"] };
  assert.equal(allowed(district, parseRoute("#/district")), true);
  assert.equal(parseRoute("#/district").section, "district");
  for (const hash of ["#/works", "#/meetings/3", "#/funding", "#/households", "#/board", "#/disclosure"]) {
    assert.equal(allowed(district, parseRoute(hash)), false, hash);
  }
  assert.ok(navFor(district).some((l) => l.href === "#/district"));
  assert.equal(allowed(committee, parseRoute("#/district")), false);
  assert.ok(!navFor(committee).some((l) => l.href === "#/district"));
});
