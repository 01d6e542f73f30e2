// The code on a paper ballot sheet (issue 17), as typed or scanned: typed codes are read
// tolerantly (spaces, dashes and lower case do not matter) and a scanned QR may carry a link
// to the entry page with the code in it. The server checks the code's signature.

const SEPARATORS = /[\s\-‐‑‒–—―_·.]+/g;

/** "ab12-cd34 ef" → "AB12CD34EF"; a link "…?code=ab12-cd34" → "AB12CD34"; "" for nothing. */
export function normalizeCode(text) {
  let raw = String(text ?? "").trim();
  const found = /[?&#]code=([^&#\s]+)/i.exec(raw);
  if (found) raw = decodeURIComponent(found[1]);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) raw = raw.replace(/[?#].*$/, "").split("/").filter(Boolean).pop() || "";
  return raw.replace(SEPARATORS, "").toUpperCase();
}

/** "AB12CD34EF" → "AB12 CD34 EF": easier to read aloud and compare with the sheet. */
export function groupCode(code, size = 4) {
  const c = normalizeCode(code);
  const parts = [];
  for (let i = 0; i < c.length; i += size) parts.push(c.slice(i, i + size));
  return parts.join(" ");
}
