// Percentages the treasurer types and the band gauge draws (the funding solve form).

/**
 * A band or target typed in percent ("20", "20.5", "20 %") → the API's share string
 * ("0.20", "0.205"), exactly: the decimal point moves two places in the text, no floats.
 * Throws RangeError for anything else (the form shows "not a number").
 */
export function pctToShare(text) {
  const m = /^\s*(\d{1,3})(?:[.,](\d{1,6}))?\s*[%％]?\s*$/.exec(String(text));
  if (!m) throw new RangeError(`not a percentage: ${text}`);
  const digits = m[1] + (m[2] || "");
  const point = m[1].length - 2; // where the decimal point goes once divided by 100
  const share = point <= 0 ? `0.${"0".repeat(-point)}${digits}` : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return share.replace(/^0+(?=\d)/, "");
}

/**
 * The residents' share on a scale that holds both the band and the share (0–50 %, or up
 * to the next 10 % above the larger of them, at most 100 %). Drawing only: the figures in
 * words come from the exact strings.
 */
export function gaugeScale(lo, hi, share) {
  const top = Math.min(1, Math.max(0.5, Math.ceil(Math.max(lo, hi, share) * 10 - 1e-9) / 10));
  const step = top <= 0.5 ? 0.1 : 0.2;
  const ticks = [];
  for (let i = 0; i * step <= top + 1e-9; i += 1) ticks.push(Math.round(i * step * 100) / 100);
  if (ticks[ticks.length - 1] < top - 1e-9) ticks.push(top);
  return { top, ticks };
}
