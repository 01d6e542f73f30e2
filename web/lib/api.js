// Calls to the service from the signed-in browser. The session rides in an HttpOnly
// cookie; unsafe methods also send the X-CSRF-Token header copied from the readable
// `planner_csrf` cookie. Errors arrive as problem+json and are thrown as ApiError.
// When no answer comes (offline, the server unreachable, `timeoutMs` passed) the ApiError has
// status 0 and a message in the page's language: the browser's own words ("Failed to fetch")
// are never kept, so no view can show them.
import { t } from "./i18n.js";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function readCookie(name) {
  for (const part of document.cookie.split(";")) {
    const [k, ...rest] = part.trim().split("=");
    if (k === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

// A sign-in that ends while the app is open (an API call answered 401, the live socket
// closed 4401): the app listens and shows the sign-in screen with the reason, instead of
// each view's "please sign in" error. Reasons: "revoked" (the member's sign-in was revoked)
// or "ended" (expired, signed out elsewhere, or revoked without our knowing which).
const signedOutListeners = new Set();

export function onSignedOut(fn) {
  signedOutListeners.add(fn);
  return () => signedOutListeners.delete(fn);
}

export function signedOut(reason = "ended") {
  for (const fn of signedOutListeners) fn(reason === "revoked" ? "revoked" : "ended");
}

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
  get fieldErrors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

/**
 * api("/api/me"), api(`/api/motions/${id}/ballots`, {method: "POST", body: {...}}).
 * Resolves to the decoded JSON (or null for 204); rejects with ApiError.
 */
export async function api(path, { method = "GET", body, rawBody, headers = {}, raw = false, timeoutMs = 0 } = {}) {
  const h = { Accept: "application/json, application/problem+json", ...headers };
  const upper = method.toUpperCase();
  if (UNSAFE.has(upper)) {
    const token = readCookie("planner_csrf");
    if (token) h["X-CSRF-Token"] = token;
  }
  let payload = rawBody;
  if (body !== undefined) {
    h["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let res;
  const abort = timeoutMs > 0 && typeof AbortController !== "undefined" ? new AbortController() : null;
  const timer = abort ? setTimeout(() => abort.abort(), timeoutMs) : null;
  try {
    res = await fetch(path, { method: upper, credentials: "same-origin", headers: h, body: payload,
      signal: abort ? abort.signal : undefined });
  } catch {
    throw networkError();
  } finally {
    if (timer) clearTimeout(timer);
  }
  if (!res.ok) {
    let problem = null;
    try {
      problem = await res.json();
    } catch {
      problem = { title: res.statusText };
    }
    if (res.status === 401) {
      signedOut(problem && problem.code === "signin_link_revoked" ? "revoked" : "ended");
    }
    throw new ApiError(res.status, problem);
  }
  if (raw) return res;
  if (res.status === 204) return null;
  const type = res.headers.get("Content-Type") || "";
  try {
    return await (type.includes("json") ? res.json() : res.text());
  } catch (err) {
    if (err instanceof SyntaxError) throw err;
    throw networkError(); // the connection dropped while the answer was read
  }
}

/** No answer from the server: status 0, said in the page's language. */
export function networkError() {
  const sentence = t("failure.sentence.0");
  const error = new ApiError(0, { title: t("failure.status.0"), detail: sentence });
  error.message = `${t("failure.status.0")}${t("common.colon")}${sentence}`;
  return error;
}

/** Lists come as a bare array or as {items: [...]}. */
export function itemsOf(result) {
  if (Array.isArray(result)) return result;
  if (result && Array.isArray(result.items)) return result.items;
  return [];
}
