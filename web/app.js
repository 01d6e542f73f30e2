// The app shell: loads translations and the signed-in member, draws the header and the
// navigation the member's capabilities allow, and routes on the URL hash (routes.js).
import { html, render, useState, useEffect } from "./lib/html.js";
import { initI18n, t, getLang, setLang, onLangChange, tMaybe } from "./lib/i18n.js";
import { api, ApiError, onSignedOut, readCookie } from "./lib/api.js";
import { can } from "./lib/access.js";
import { setTimeZone } from "./lib/format.js";
import { ErrorBox, Loading } from "./lib/ui.js";
import { LiveProvider, LiveBanner } from "./live.js";
import { parseRoute, navFor, tabsFor, inSection, allowed } from "./routes.js";
import { SignIn } from "./views/signin.js";
import { Estates } from "./views/estates.js";
import { District } from "./views/district.js";
import { startBallotQueue } from "./lib/ballot_queue.js";

function useHashRoute() {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  return route;
}

function LangToggle() {
  const other = getLang() === "zh-CN" ? "en" : "zh-CN";
  return html`<button type="button" class="lang" data-testid="lang-toggle"
    lang=${other} onClick=${() => setLang(other)}>${t("lang.switchTo")}</button>`;
}

/** District staff (issue 21): no estate of their own, only the district's overview. */
function districtOnly(me) {
  return !me.estate_id && can(me, "district.view") && !can(me, "estates.manage");
}

function Shell({ me, route }) {
  const district = route.section === "district" && allowed(me, route);
  const View = districtOnly(me) ? District : district ? route.view : !me.estate_id ? Estates
    : !route.view ? NotFound : allowed(me, route) ? route.view : NoAccess;
  const estateName = me.estate && me.estate.name;
  const links = districtOnly(me) ? navFor(me).filter((l) => l.section === "district") : navFor(me);
  const tabs = tabsFor(me, route);
  // Ballots still queued on this device (cast offline, lib/ballot_queue.js) go out from any page.
  useEffect(() => { if (me.member_id) startBallotQueue(me.member_id); }, [me.member_id]);
  return html`
    <a class="skip" href="#content" onClick=${(e) => { e.preventDefault(); document.getElementById("content").focus(); }}>${t("nav.skip")}</a>
    <header class="top">
      <a class="brand" href="#/">${t("app.name")}</a>
      <span class="who" data-testid="who">${estateName ? html`<span>${estateName}</span> · ` : null}
        <span>${me.display_name || ""}</span> · <span>${tMaybe(`role.${me.role}`, me.role)}</span></span>
      <${LangToggle} />
      <button type="button" class="lang" data-testid="sign-out" onClick=${signOut}>${t("nav.signOut")}</button>
    </header>
    <nav class="main" aria-label=${t("nav.label")}>
      ${links.map((l) => html`<a href=${l.href}
        aria-current=${inSection(route, l) ? "page" : undefined}>${t(l.label)}</a>`)}
    </nav>
    ${tabs.length ? html`<nav class="sub" aria-label=${t(`nav.group.${route.group}`)}>
      ${tabs.map((l) => html`<a href=${l.href}
        aria-current=${inSection(route, l) ? "page" : undefined}>${t(l.label)}</a>`)}
    </nav>` : null}
    <${LiveBanner} />
    <main id="content" tabindex="-1">
      <${View} me=${me} params=${route.params} query=${route.query} />
    </main>`;
}

async function signOut() {
  try {
    await api("/logout", { method: "POST" });
  } finally {
    location.assign("/");
  }
}

/** A page opened by link that the member's role may not see: one sentence, in the language. */
function NoAccess({ me }) {
  return html`<section class="card" data-testid="no-access" role="alert">
    <h1>${t("failure.noAccess")}</h1>
    <p>${t("failure.noAccessText", { role: tMaybe(`role.${me.role}`, me.role) })}</p>
    <p><a class="button primary" href="#/">${t("nav.home")}</a></p></section>`;
}

function NotFound() {
  return html`<h1>${t("failure.notFound")}</h1><p><a href="#/">${t("nav.home")}</a></p>`;
}

function App() {
  const route = useHashRoute();
  const [, setLangTick] = useState(0);
  const [session, setSession] = useState({ me: null, error: null, loading: true });
  useEffect(() => onLangChange(() => setLangTick((n) => n + 1)), []);
  // Signed out while the app is open (revoked, expired): the sign-in screen saying why;
  // "revoked" (told by the live socket) is kept over a vaguer "ended".
  useEffect(() => onSignedOut((reason) => setSession((s) => ({
    me: null, error: null, loading: false,
    reason: s.reason === "revoked" && !s.me ? "revoked" : reason,
  }))), []);
  useEffect(() => {
    api("/api/me").then(
      async (raw) => {
        const me = normaliseMe(raw);
        if (!me.estate_id && can(me, "estates.manage")) {
          // The global admin works on one estate at a time, chosen on the estates screen.
          const chosen = Number(sessionStorage.getItem("planner.estate")) || null;
          if (chosen) me.estate_id = chosen;
        }
        if (me.estate_id && !(me.estate && me.estate.name)) {
          try {
            me.estate = await api(`/api/estates/${me.estate_id}`);
          } catch {
            /* the name is a nicety; the pages work without it */
          }
        }
        // Every time on every screen is the estate's wall clock (Asia/Shanghai unless set).
        setTimeZone(me.estate && me.estate.time_zone);
        // District staff land on their overview (signing in leads to "/").
        if (districtOnly(me) && !location.hash.startsWith("#/district")) location.replace("#/district");
        setSession({ me, error: null, loading: false });
      },
      // A 401 with the readable CSRF cookie still here: a sign-in this browser had has ended.
      (error) => setSession({
        me: null, error, loading: false, reason: readCookie("planner_csrf") ? "ended" : "missing",
      }),
    );
  }, []);
  useEffect(() => {
    document.title = t("app.title");
  });
  // A public page (a consultation's turnout and result, #/c/<token>) needs no sign-in.
  if (route.public && route.view) {
    const View = route.view;
    return html`<header class="top"><span class="brand">${t("app.name")}</span><span class="who"></span><${LangToggle} /></header>
      <main id="content" tabindex="-1" data-testid="public-page"><${View} params=${route.params} query=${route.query} /></main>`;
  }
  if (session.loading) return html`<main><${Loading} /></main>`;
  if (!session.me) {
    const signedOut = !session.error || (session.error instanceof ApiError && (session.error.status === 401 || session.error.status === 403));
    return html`<header class="top"><span class="brand">${t("app.name")}</span><span class="who"></span><${LangToggle} /></header>
      <main id="content">${signedOut ? html`<${SignIn} reason=${session.reason} />` : html`<${ErrorBox} error=${session.error} />`}</main>`;
  }
  return html`<${LiveProvider} estateId=${session.me.estate_id}>
    <${Shell} me=${session.me} route=${route} />
  </${LiveProvider}>`;
}

/** /api/me may nest the member and estate or flatten them; views read one shape. */
function normaliseMe(raw) {
  const member = raw.member || raw;
  const estate = raw.estate || (member.estate_id ? { id: member.estate_id } : null);
  return {
    ...member,
    role: member.role || raw.role,
    estate,
    estate_id: member.estate_id ?? (estate ? estate.id : null),
    household_ids: member.household_ids || raw.household_ids || [],
    capabilities: member.capabilities || raw.capabilities || [],
    supplier_id: member.supplier_id ?? raw.supplier_id ?? null,
  };
}

/** Mark every table too wide for its card, so the card says it scrolls sideways (app.css). */
function markWideTables(root) {
  for (const wrap of root.querySelectorAll(".table-wrap")) {
    const wide = wrap.scrollWidth > wrap.clientWidth + 1;
    const hint = t("common.scrollHint");
    if (wide && wrap.dataset.scrollHint !== hint) wrap.dataset.scrollHint = hint;
    else if (!wide && wrap.dataset.scrollHint !== undefined) delete wrap.dataset.scrollHint;
  }
}

function watchWideTables(root) {
  let queued = false;
  const check = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; markWideTables(root); });
  };
  new MutationObserver(check).observe(root, { childList: true, subtree: true, characterData: true });
  addEventListener("resize", check);
  onLangChange(check);
}

async function start() {
  await initI18n();
  const box = document.getElementById("app");
  box.textContent = "";
  render(html`<${App} />`, box);
  watchWideTables(box);
}

start().catch((err) => {
  const box = document.getElementById("app");
  box.textContent = `planner: ${err && err.message ? err.message : err}`;
});
