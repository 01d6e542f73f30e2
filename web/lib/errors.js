// Server errors in the interface's language, by code. Every error body carries a stable
// `code` and its `params` (planner/errors.py CODES, docs/errors.md), and so does each entry
// of `errors` (one per failing field of a 400). The sentence for a code is the translation
// `error.<code>` with its "{param}"s filled in; a code this page does not know reads as the
// generic sentence of its HTTP status. The English `detail` and `reason` are for API clients
// and logs: they are never shown.
import { t, tMaybe, hasKey } from "./i18n.js";
import { formatFen } from "./format.js";

/** "funding plan" → "funding_plan": the key form of a word the server sends. */
function slug(value) {
  return String(value ?? "").trim().replace(/[\s-]+/g, "_");
}

/** Translation keys for a parameter's value, best first (none: the value is shown as sent).
 * A status without `what` is read as one of the thing the code's first word names
 * (auction_not_running {status: "pause"} → status.auction.pause). */
function wordKeys(name, value, params, code) {
  switch (name) {
    case "role":
    case "target_role":
      return [`role.${value}`];
    case "rule":
      return [`benefit.${value}`];
    case "what":
      return [`thing.${slug(value)}`];
    case "status":
    case "needed":
    case "from":
    case "to":
      return [`status.${slug(params.what)}.${value}`,
        ...(code && !params.what ? [`status.${String(code).split("_")[0]}.${value}`] : []), `state.${value}`];
    case "expected":
    case "got":
      return [`type.${value}`];
    default:
      return [];
  }
}

function localValue(name, value, params, code) {
  if (name === "field") return fieldLabel(value);
  // an amount in fen reads as money (¥1,700,000.00), in either language
  if (name.endsWith("_fen") && /^-?\d+$/.test(String(value ?? ""))) return formatFen(value);
  if (Array.isArray(value)) {
    return value.map((v) => localValue(name, v, params, code)).join(t("common.listSeparator"));
  }
  const key = wordKeys(name, value, params, code).find(hasKey);
  return key ? t(key) : String(value ?? "");
}

/** The parameters with the server's words (roles, states, things, types) translated. */
export function localParams(params, code) {
  const source = params && typeof params === "object" ? params : {};
  return Object.fromEntries(Object.entries(source).map(([name, value]) => [name, localValue(name, value, source, code)]));
}

/**
 * The sentence for `code` with `params`. An unknown code, or a sentence missing one of its
 * parameters, reads as the generic sentence of `status`.
 */
export function errorSentence(code, params, status) {
  if (code && hasKey(`error.${code}`)) {
    const sentence = t(`error.${code}`, localParams(params, code));
    if (!/\{\w+\}/.test(sentence)) return sentence;
  }
  return tMaybe(`failure.sentence.${status}`, t("failure.sentence.other"));
}

/** The heading of an error box for an HTTP status (0: the server could not be reached). */
export function statusHeading(status) {
  return tMaybe(`failure.status.${status}`, t("failure.generic"));
}

/** A field's JSON path in words: "lines[2].quantity" → "报价行 #3 数量"; unknown names as sent. */
export function fieldLabel(path) {
  const parts = String(path ?? "").match(/[^.[\]]+/g) || [];
  return parts.map((part) => (/^\d+$/.test(part) ? `#${Number(part) + 1}` : tMaybe(`field.${part}`, part))).join(" ");
}

/** One entry of a 400's `errors` as {field, label, text}. */
export function fieldProblem(entry) {
  return { field: entry.field, label: fieldLabel(entry.field), text: errorSentence(entry.code, entry.params, 400) };
}
