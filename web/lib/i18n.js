// Translations: Simplified Chinese by default, English on request; the choice sticks in
// localStorage and in the `planner_lang` cookie, which the server's sign-in page reads (and
// sets when the person picks a language there), so both speak the same language.
// Every visible string goes through t(key). A key missing from the loaded
// language is shown as the key itself and recorded in `missingKeys` (tests read it).

export const LANGUAGES = ["zh-CN", "en"];
const STORAGE_KEY = "planner.lang";
const COOKIE_KEY = "planner_lang";

let currentLang = "zh-CN";
let dictionary = {};
const listeners = new Set();
export const missingKeys = new Set();
globalThis.__plannerMissingKeys = missingKeys;

function storedLang() {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (LANGUAGES.includes(v)) return v;
  } catch {
    /* private mode: fall back to the cookie */
  }
  return cookieLang();
}

function cookieLang() {
  const found = (globalThis.document?.cookie || "").split(";")
    .map((part) => part.trim().split("="))
    .find(([k]) => k === COOKIE_KEY);
  const v = found ? decodeURIComponent(found[1] || "") : null;
  return LANGUAGES.includes(v) ? v : null;
}

async function fetchDictionary(lang) {
  const res = await fetch(`/i18n/${lang}.json`, { credentials: "same-origin" });
  if (!res.ok) throw new Error(`translations for ${lang}: HTTP ${res.status}`);
  return res.json();
}

/** Load the stored (or default) language; call once before the first render. */
export async function initI18n() {
  await setLang(storedLang() || "zh-CN", { persist: false });
}

export function getLang() {
  return currentLang;
}

export async function setLang(lang, { persist = true } = {}) {
  if (!LANGUAGES.includes(lang)) throw new RangeError(`unknown language ${lang}`);
  dictionary = await fetchDictionary(lang);
  currentLang = lang;
  missingKeys.clear();
  document.documentElement.lang = lang;
  if (persist) {
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      /* private mode: the choice lasts for this page only */
    }
    document.cookie = `${COOKIE_KEY}=${lang}; path=/; max-age=31536000; samesite=lax`;
  }
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Translate a key; "{name}" placeholders are filled from params. */
export function t(key, params) {
  let s = dictionary[key];
  if (typeof s !== "string") {
    missingKeys.add(key);
    return key;
  }
  if (params) {
    s = s.replace(/\{(\w+)\}/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole);
  }
  return s;
}

/** t() for a key that may not exist (e.g. a status value from the server): falls back to `fallback`. */
export function tMaybe(key, fallback, params) {
  return hasKey(key) ? t(key, params) : fallback;
}

/** True when the loaded language has `key`. */
export function hasKey(key) {
  return typeof dictionary[key] === "string";
}
