// The server's 400 reasons come from msgspec's validation in English ("Expected `int` >= 0").
// In the Chinese interface the common ones read as Chinese; anything else is shown as sent.

const TYPES = {
  int: "整数",
  float: "数字",
  decimal: "数字",
  str: "文本",
  bool: "是/否",
  array: "列表",
  object: "对象",
  null: "空值",
};

const typeName = (name) => TYPES[name] || name;

const RULES = [
  [/^Expected `int` >= (-?\d+)$/, (m) => `须为不小于 ${m[1]} 的整数`],
  [/^Expected `int` <= (-?\d+)$/, (m) => `须为不大于 ${m[1]} 的整数`],
  [/^Expected `(?:float|decimal)` >= (\S+)$/, (m) => `须不小于 ${m[1]}`],
  [/^Expected `(?:float|decimal)` <= (\S+)$/, (m) => `须不大于 ${m[1]}`],
  [/^Expected `str` of length >= (\d+)$/, (m) => `至少 ${m[1]} 个字`],
  [/^Expected `str` of length <= (\d+)$/, (m) => `最多 ${m[1]} 个字`],
  [/^Expected `array` of length >= (\d+)$/, (m) => `至少 ${m[1]} 项`],
  [/^Expected `array` of length <= (\d+)$/, (m) => `最多 ${m[1]} 项`],
  [/^Expected `(\w+)`, got `(\w+)`$/, (m) => `应为${typeName(m[1])}，收到的是${typeName(m[2])}`],
  [/^Expected `str` matching regex '\\S'$/, () => "不能只有空白"],
  [/^Object contains unknown field `([^`]+)`$/, (m) => `不认识的字段 ${m[1]}`],
  [/^Object missing required field `([^`]+)`$/, (m) => `缺少必填字段 ${m[1]}`],
];

/** ``reason`` in the interface's language: Chinese for msgspec's usual sentences. */
export function localReason(reason, lang) {
  const text = String(reason ?? "");
  if (lang === "en") return text;
  for (const [pattern, render] of RULES) {
    const m = pattern.exec(text);
    if (m) return render(m);
  }
  return text;
}
