// Money, areas and dates for display. Money arrives as integer fen (JSON numbers or
// strings); all arithmetic here is BigInt or string work, never floating point.

function toBigInt(fen) {
  if (typeof fen === "bigint") return fen;
  if (typeof fen === "number") {
    if (!Number.isSafeInteger(fen)) throw new RangeError(`not an integer fen amount: ${fen}`);
    return BigInt(fen);
  }
  if (typeof fen === "string" && /^-?\d+$/.test(fen.trim())) return BigInt(fen.trim());
  throw new RangeError(`not an integer fen amount: ${fen}`);
}

function groupThousands(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** 170000000 → "¥1,700,000.00"; negative amounts get a leading minus. */
export function formatFen(fen) {
  let v = toBigInt(fen);
  const negative = v < 0n;
  if (negative) v = -v;
  const yuan = groupThousands((v / 100n).toString());
  const cents = (v % 100n).toString().padStart(2, "0");
  return `${negative ? "-" : ""}¥${yuan}.${cents}`;
}

/** Yuan with two decimals and no symbol or grouping, e.g. for form inputs: 170000000 → "1700000.00". */
export function fenToYuanString(fen) {
  let v = toBigInt(fen);
  const negative = v < 0n;
  if (negative) v = -v;
  return `${negative ? "-" : ""}${(v / 100n).toString()}.${(v % 100n).toString().padStart(2, "0")}`;
}

/** 万元 form for sums of at least 10,000 yuan, rounded half up to 0.01万: 170000000 → "170万元". Smaller sums → null. */
export function formatWan(fen) {
  let v = toBigInt(fen);
  const negative = v < 0n;
  if (negative) v = -v;
  if (v < 1000000n) return null;
  const hundredths = (v + 5000n) / 10000n; // 1万元 = 1,000,000 fen; hundredths of 万 = 10,000 fen
  const whole = (hundredths / 100n).toString();
  const frac = (hundredths % 100n).toString().padStart(2, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${frac ? "." + frac : ""}万元`;
}

/** "1,700,000.5" or "1700000.50" → 170000050 (a safe integer). Throws RangeError on anything else. */
export function parseYuan(text) {
  const s = String(text).trim().replace(/[,，\s]/g, "").replace(/^¥/, "");
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) throw new RangeError(`not an amount in yuan: ${text}`);
  const fen = BigInt(m[2]) * 100n + BigInt((m[3] || "").padEnd(2, "0"));
  const signed = m[1] ? -fen : fen;
  if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`amount too large: ${text}`);
  }
  return Number(signed);
}

/** Sum of fen amounts as BigInt (for totals computed live in forms). */
export function sumFen(values) {
  return values.reduce((acc, v) => acc + toBigInt(v), 0n);
}

/** quantity (decimal string, up to 3 places) × unit price in fen → fen, rounded half up, as BigInt. */
export function lineTotalFen(quantity, unitPriceFen) {
  const m = /^(\d+)(?:\.(\d{1,3}))?$/.exec(String(quantity).trim());
  if (!m) throw new RangeError(`not a quantity: ${quantity}`);
  const frac = (m[2] || "").padEnd(3, "0");
  const thousandths = BigInt(m[1]) * 1000n + BigInt(frac);
  return (thousandths * toBigInt(unitPriceFen) + 500n) / 1000n;
}

/** "86.5" / "86.50" / 86.5 → "86.50 m²" (areas come as decimal strings). */
export function formatArea(area) {
  const s = String(area);
  const m = /^(-?\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return `${s} m²`;
  return `${groupThousands(m[1])}.${(m[2] || "").padEnd(2, "0").slice(0, 2)} m²`;
}

function pad(n) {
  return String(n).padStart(2, "0");
}

// Times people read are the estate's wall clock, not the browser's: a committee member
// abroad, or a browser set to UTC, still sees the meeting at 19:30 Shanghai time. The API
// sends ISO 8601 with an offset; the app sets the estate's zone once it knows the estate.
export const DEFAULT_TIME_ZONE = "Asia/Shanghai";
let estateZone = DEFAULT_TIME_ZONE;
const formatters = new Map();

/** Set the zone every date and time is shown in (an IANA name; unknown names are ignored). */
export function setTimeZone(zone) {
  const name = zone || DEFAULT_TIME_ZONE;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
  } catch {
    return estateZone;
  }
  estateZone = name;
  return estateZone;
}

/** The zone dates and times are shown in. */
export function timeZone() {
  return estateZone;
}

function wallClock(date, zone) {
  const name = zone || estateZone;
  let f = formatters.get(name);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: name, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
    });
    formatters.set(name, f);
  }
  const parts = {};
  for (const p of f.formatToParts(date)) parts[p.type] = p.value;
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour) % 24, minute: Number(parts.minute), second: Number(parts.second),
  };
}

/** ISO timestamp or date → "2024-09-28": the calendar day in the estate's zone (or ``zone``). */
export function formatDate(value, zone) {
  if (!value) return "";
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const w = wallClock(d, zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/** ISO timestamp → "2024-09-28 14:05": the wall clock in the estate's zone (or ``zone``). */
export function formatDateTime(value, zone) {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const w = wallClock(d, zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}`;
}

/** ISO timestamp → "14:05:09": the time of day in the estate's zone (or ``zone``), to the second. */
export function formatTimeOfDay(value, zone) {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const w = wallClock(d, zone);
  return `${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** A ``datetime-local`` input's "2026-05-16T19:30", read as the estate's wall clock → ISO (UTC). */
export function zonedInputToISO(value, zone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(String(value || "").trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x || 0));
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  // The zone's offset at that moment, found twice so a wall clock near a DST change settles.
  let guess = asUtc;
  for (let i = 0; i < 2; i += 1) {
    const w = wallClock(new Date(guess), zone);
    const shown = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
    guess = asUtc - (shown - guess);
  }
  return new Date(guess).toISOString();
}

/** ISO timestamp → "2026-05-16T19:30" for a ``datetime-local`` input, in the estate's zone. */
export function isoToZonedInput(value, zone) {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return "";
  const w = wallClock(d, zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** Percentage strings from the API ("-52.8") → "-52.8%"; shares "0.2345" → "23.45%". */
export function formatPct(pct) {
  if (pct === null || pct === undefined || pct === "") return "";
  return `${pct}%`;
}

export function shareToPct(share, places = 1) {
  // share is a decimal string like "0.2345"; shift two places with string arithmetic.
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(share));
  if (!m) return String(share);
  const digits = (m[3] || "").padEnd(places + 2 + 1, "0");
  const scaled = BigInt(m[2] + digits.slice(0, places + 2 + 1)); // one extra digit for rounding
  const rounded = (scaled + 5n) / 10n;
  const s = rounded.toString().padStart(places + 1, "0");
  const whole = s.slice(0, s.length - places) || "0";
  const frac = places ? "." + s.slice(s.length - places) : "";
  return `${m[1]}${whole}${frac}%`;
}

/**
 * The residents' share of a plan as a percentage, computed from the exact fen totals
 * (rounding the API's four-place share string again would turn 22.846 % into 22.9 %).
 */
export function planSharePct(plan, places = 1) {
  const num = BigInt(plan.residents_total_fen ?? 0);
  const den = BigInt(plan.total_cost_fen ?? 0);
  if (den === 0n) return shareToPct(plan.residents_share ?? "0", places);
  const scale = 10n ** BigInt(places + 2);
  const scaled = (num * scale * 2n + den) / (2n * den); // half up
  const s = scaled.toString().padStart(places + 1, "0");
  const whole = s.slice(0, s.length - places) || "0";
  return `${whole}${places ? "." + s.slice(s.length - places) : ""}%`;
}

/** Ratio a/b of two decimal strings as a number in [0, 1] for drawing bars only (never for decisions). */
export function ratioForBar(a, b) {
  const x = Number(a);
  const y = Number(b);
  if (!y || !Number.isFinite(x) || !Number.isFinite(y)) return 0;
  return Math.max(0, Math.min(1, x / y));
}

const DIGITS = "零壹贰叁肆伍陆柒捌玖";
const SMALL_UNITS = ["", "拾", "佰", "仟"];
const BIG_UNITS = ["", "万", "亿", "万亿"];

/** 人民币大写 for payment notices: 170000 fen → "人民币壹仟柒佰元整". */
export function toChineseCapital(fen) {
  let v = toBigInt(fen);
  const negative = v < 0n;
  if (negative) v = -v;
  const yuan = v / 100n;
  const jiao = Number((v / 10n) % 10n);
  const fenDigit = Number(v % 10n);
  let text = "";
  if (yuan > 0n) {
    const groups = [];
    for (let y = yuan; y > 0n; y /= 10000n) groups.push(Number(y % 10000n));
    let needZero = false;
    for (let g = groups.length - 1; g >= 0; g -= 1) {
      const group = groups[g];
      if (group === 0) { needZero = text !== ""; continue; }
      if (needZero || (text !== "" && group < 1000)) text += "零";
      needZero = false;
      let zero = false;
      for (let i = 3; i >= 0; i -= 1) {
        const d = Math.floor(group / 10 ** i) % 10;
        if (d === 0) { zero = text !== "" ; continue; }
        if (zero && !text.endsWith("零")) text += "零";
        zero = false;
        text += DIGITS[d] + SMALL_UNITS[i];
      }
      text = text.replace(/零+$/, "") + BIG_UNITS[g];
    }
    text += "元";
  }
  if (jiao === 0 && fenDigit === 0) {
    text = (text || "零元") + "整";
  } else {
    if (jiao) text += DIGITS[jiao] + "角";
    else if (text) text += "零";
    if (fenDigit) text += DIGITS[fenDigit] + "分";
    else text += "整";
  }
  return `人民币${negative ? "负" : ""}${text}`;
}

/** Natural order of names: "1栋" < "2栋" < "10栋", "2-301" < "10-101" (runs of digits by
 * value, the rest as text); the server orders its lists the same way. */
export function naturalCompare(a, b) {
  const pa = String(a ?? "").split(/(\d+)/).filter(Boolean);
  const pb = String(b ?? "").split(/(\d+)/).filter(Boolean);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const da = /^\d/.test(pa[i]);
    const db = /^\d/.test(pb[i]);
    if (da !== db) return da ? -1 : 1;
    if (da) {
      const diff = Number(pa[i]) - Number(pb[i]);
      if (diff) return diff;
    }
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** Households (or anything with building and unit) in natural building, then unit order. */
export function byBuildingAndUnit(a, b) {
  return naturalCompare(a.building, b.building) || naturalCompare(a.unit, b.unit);
}
