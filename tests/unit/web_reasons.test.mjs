// node --test: the Chinese reading of the server's usual 400 reasons (web/lib/reasons.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { localReason } from "../../web/lib/reasons.js";

test("money and lengths read as Chinese", () => {
  assert.equal(localReason("Expected `int` >= 0", "zh-CN"), "须为不小于 0 的整数");
  assert.equal(localReason("Expected `int`, got `str`", "zh-CN"), "应为整数，收到的是文本");
  assert.equal(localReason("Expected `int`, got `float`", "zh-CN"), "应为整数，收到的是数字");
  assert.equal(localReason("Expected `str` of length <= 200", "zh-CN"), "最多 200 个字");
  assert.equal(localReason("Object contains unknown field `foo`", "zh-CN"), "不认识的字段 foo");
  assert.equal(localReason("Expected `str` matching regex '\\S'", "zh-CN"), "不能只有空白");
});

test("English and unknown reasons pass through", () => {
  assert.equal(localReason("Expected `int` >= 0", "en"), "Expected `int` >= 0");
  assert.equal(localReason('must be "zh" or "en"', "zh-CN"), 'must be "zh" or "en"');
  assert.equal(localReason(undefined, "zh-CN"), "");
});
