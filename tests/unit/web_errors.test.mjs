// node --test: server errors read by code in the interface's language (web/lib/errors.js),
// and the one route table (web/routes.js): paths, sections and the navigation by capability.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

const I18N = new URL("../../web/i18n/", import.meta.url);
globalThis.document = { documentElement: {}, cookie: "" };
globalThis.localStorage = { getItem: () => null, setItem: () => {} };
globalThis.fetch = async (path) => {
  const text = await readFile(new URL(String(path).replace("/i18n/", ""), I18N), "utf-8");
  return { ok: true, json: async () => JSON.parse(text) };
};

const { setLang } = await import("../../web/lib/i18n.js");
const { errorSentence, fieldLabel, fieldProblem, statusHeading } = await import("../../web/lib/errors.js");
const { parseRoute, navFor, inSection } = await import("../../web/routes.js");

const ASCII_SENTENCE = /[A-Za-z]+(?:\s+[A-Za-z]+){2,}/;

before(() => setLang("zh-CN", { persist: false }));

test("a code reads as its Chinese sentence, parameters filled and translated", async () => {
  await setLang("zh-CN", { persist: false });
  assert.equal(errorSentence("too_small", { min: "0" }, 400), "须为不小于 0 的整数");
  assert.equal(errorSentence("wrong_type", { expected: "int", got: "str" }, 400), "应为整数，收到的是文本");
  assert.equal(errorSentence("role_not_allowed", { role: "committee" }, 403), "您的角色（业委会委员）不能执行此操作");
  assert.equal(
    errorSentence("wrong_status", { what: "meeting", status: "scheduled", needed: "open" }, 409),
    "会议当前为“待召开”，此操作需要“进行中”",
  );
});

test("a status without `what` reads as one of the thing the code names, else as a plain state", async () => {
  await setLang("zh-CN", { persist: false });
  assert.equal(errorSentence("auction_not_running", { status: "pause" }, 409), "竞价现在不接受出价（轮间休息）");
  assert.match(errorSentence("auction_not_open", { status: "approved", opens_at: null }, 409), /已批准/);
});

test("English text from the server never shows in Chinese", async () => {
  await setLang("zh-CN", { persist: false });
  const invalid = errorSentence("invalid", { reason: "the lower bound is above the upper bound" }, 400);
  assert.doesNotMatch(invalid, ASCII_SENTENCE);
  assert.doesNotMatch(errorSentence("bad_csv", { row: 3, reason: "area must be positive" }, 400), ASCII_SENTENCE);
});

test("an unknown code or a missing parameter reads as the status's generic sentence", async () => {
  await setLang("zh-CN", { persist: false });
  assert.equal(errorSentence("no_such_code", {}, 409), "此操作与当前状态冲突，请刷新后重试");
  assert.equal(errorSentence(undefined, {}, 418), "操作未能完成，请稍后再试");
  assert.equal(errorSentence("stale_round", { round: 2 }, 409), "此操作与当前状态冲突，请刷新后重试");
  assert.equal(statusHeading(403), "无权执行此操作");
  assert.equal(statusHeading(418), "出错了");
});

test("field paths read as labels", async () => {
  await setLang("zh-CN", { persist: false });
  assert.equal(fieldLabel("estimate_fen"), "估算金额");
  assert.equal(fieldLabel("lines[2].quantity"), "报价行 #3 数量");
  assert.deepEqual(fieldProblem({ field: "title", code: "too_long", reason: "Expected `str` of length <= 200", params: { max: "200" } }),
    { field: "title", label: "标题", text: "最多 200 个字" });
});

test("the English interface reads the English sentences", async () => {
  await setLang("en", { persist: false });
  assert.equal(errorSentence("invalid", { reason: "the lower bound is above the upper bound" }, 400),
    "The value is not valid (the lower bound is above the upper bound)");
  assert.equal(errorSentence("wrong_type", { expected: "int", got: "str" }, 400), "Expected a whole number, got text");
  await setLang("zh-CN", { persist: false });
});

test("hash paths find their view and section", () => {
  const room = parseRoute("#/meetings/12?x=1");
  assert.equal(room.view.name, "MeetingRoom");
  assert.equal(room.section, "meetings");
  assert.deepEqual(room.params, { id: "12" });
  assert.deepEqual(room.query, { x: "1" });
  assert.equal(parseRoute("").view.name, "Home");
  assert.equal(parseRoute("#/supplier/quotes/3").section, "supplier");
  assert.equal(parseRoute("#/funding/7").view.name, "FundingPlan");
  assert.equal(parseRoute("#/nowhere").view, null);
});

test("the navigation follows the capabilities", () => {
  const labels = (capabilities) => navFor({ capabilities }).map((l) => l.label);
  assert.deepEqual(labels(["quotes.submit"]), ["nav.home", "nav.supplier"]);
  assert.deepEqual(labels(["meetings.view", "ballots.cast", "share.own"]), ["nav.home", "nav.meetings", "nav.my"]);
  assert.deepEqual(
    labels(["meetings.view", "meetings.manage", "works.view", "funding.view", "households.view", "members.manage"]),
    ["nav.home", "nav.meetings", "nav.works", "nav.group.money", "nav.households", "nav.members"],
  );
  const works = navFor({ capabilities: ["works.view"] }).find((l) => l.label === "nav.works");
  assert.equal(works.href, "#/works");
  assert.ok(inSection(parseRoute("#/works/4"), works));
  assert.ok(!inSection(parseRoute("#/funding"), works));
});
