// Written consultations (书面征求意见, issue 17): the committee's list, create form and
// consultation page (timeline, publish / close early / announce, live turnout, printable
// pages), the owner's notice, ballots and result, and the public page without sign-in.
// A consultation is a meeting of kind written_consultation: its motions take ordinary
// ballots (the offline queue of lib/ballot_queue.js) and tallies.
import { html, useState, useEffect, useCallback, useMemo, useRef } from "../lib/html.js";
import { t, getLang } from "../lib/i18n.js";
import { api, itemsOf, ApiError } from "../lib/api.js";
import { ErrorBox, Loading, useApi, useAction, Bar, Status, whileLoading, Confirm, bilingual } from "../lib/ui.js";
import { useLiveEvent, useLiveStatus } from "../live.js";
import { castBallot, flushBallots, forgetOutcome, lastOutcome, onBallotQueue, queuedFor, startBallotQueue }
  from "../lib/ballot_queue.js";
import { formatArea, formatDateTime, ratioForBar, timeZone, zonedInputToISO, isoToZonedInput, DEFAULT_TIME_ZONE, setTimeZone }
  from "../lib/format.js";
import { can } from "../lib/access.js";

export const STEPS = ["draft", "noticed", "open", "closed", "announced"];
const CHOICES = ["yes", "no", "abstain"];
// Live events after which the turnout and the consultation are fetched again.
export const TURNOUT_EVENTS = ["ballot.cast", "tally.updated", "turnout.updated", "paper.entry", "consultation."];

/** "zh" or "en" for the printable pages' ?lang= */
export function pageLang() {
  return getLang() === "en" ? "en" : "zh";
}

function zoneName() {
  return timeZone() === DEFAULT_TIME_ZONE ? t("time.shanghai") : timeZone();
}

/** The voting window in the estate's zone: "2026-12-20 09:00 – 2027-01-04 18:00 (北京时间)". */
export function Window({ c }) {
  return html`<span data-testid="consult-window">${formatDateTime(c.opens_at)} – ${formatDateTime(c.closes_at)}
    <span class="muted"> (${zoneName()})</span></span>`;
}

// ---------------------------------------------------------------- list and create

export function ConsultationsList({ me }) {
  const list = useApi(`/api/estates/${me.estate_id}/consultations`);
  useLiveEvent(["consultation."], list.reload);
  const items = itemsOf(list.data);
  return html`<h1>${t("consult.title")}</h1>
    ${can(me, "consultations.manage") ? html`<${NewConsultation} me=${me} />` : null}
    <${ErrorBox} error=${list.error} />
    ${whileLoading(list) || (items.length === 0 ? html`<p class="muted" data-testid="consultations-none">${t("consult.none")}</p>`
      : html`<ul class="plain card" data-testid="consultations">${items.map((c) => html`<li key=${c.id} data-testid="consultation-item">
          <a href=${`#/consultations/${c.id}`}>${c.title}</a> <${Status} kind="consultation" value=${c.status} />
          <div class="muted"><${Window} c=${c} /></div>
        </li>`)}</ul>`)}`;
}

function newMotionRow() {
  return { title: "", matter: "5" };
}

/** The create form; with `draft`, the same fields of a draft to change (PATCH; its motions
 * are added on its page). */
function NewConsultation({ me, draft = null, onSaved }) {
  const estate = me.estate || {};
  const action = useAction();
  const buildings = useApi(`/api/estates/${me.estate_id}/buildings`);
  const ruleSets = useApi("/api/rule-sets");
  const [title, setTitle] = useState(draft ? draft.title : "");
  const [scope, setScope] = useState(draft ? draft.scope_building_ids : []);
  const [opens, setOpens] = useState(draft ? isoToZonedInput(draft.opens_at) : "");
  const [closes, setCloses] = useState(draft ? isoToZonedInput(draft.closes_at) : "");
  const [noticeDays, setNoticeDays] = useState(draft ? draft.notice_days : (estate.notice_days ?? ""));
  const [bothChannels, setBothChannels] = useState(draft ? draft.both_channels : "last");
  const [ruleSet, setRuleSet] = useState(draft ? draft.rule_set : "");
  const [openBallot, setOpenBallot] = useState(draft ? draft.open_ballot : false);
  const [motions, setMotions] = useState([newMotionRow()]);
  const setMotion = (i, patch) => setMotions((rows) => rows.map((row, j) => (j === i ? { ...row, ...patch } : row)));
  const toggleBuilding = (id) => setScope((ids) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]));
  const days = noticeDays === "" ? (estate.notice_days ?? 15) : Number(noticeDays);
  const submit = async (e) => {
    e.preventDefault();
    const body = { title, scope_building_ids: scope, both_channels: bothChannels, open_ballot: openBallot };
    // a draft's times go only when changed (the input shows minutes; the seconds stay)
    if (!draft || opens !== isoToZonedInput(draft.opens_at)) body.opens_at = zonedInputToISO(opens);
    if (!draft || closes !== isoToZonedInput(draft.closes_at)) body.closes_at = zonedInputToISO(closes);
    if (!draft) body.motions = motions.filter((m) => m.title.trim()).map((m) => ({ title: m.title.trim(), matter: Number(m.matter) }));
    if (noticeDays !== "") body.notice_days = Number(noticeDays);
    if (ruleSet) body.rule_set = ruleSet;
    if (draft) {
      const saved = await action.run(() => api(`/api/consultations/${draft.id}`, { method: "PATCH", body }));
      if (saved && onSaved) onSaved(saved);
      return;
    }
    const created = await action.run(() => api(`/api/estates/${me.estate_id}/consultations`, { method: "POST", body }));
    if (created && created.id) location.hash = `#/consultations/${created.id}`;
  };
  return html`<details class="card" data-testid=${draft ? "edit-consultation" : "new-consultation"}><summary>${t(draft ? "consult.edit" : "consult.new")}</summary>
    <form onSubmit=${submit}>
      <label for="c-title">${t("consult.titleLabel")}</label>
      <input id="c-title" required maxlength="200" value=${title} onInput=${(e) => setTitle(e.currentTarget.value)} />
      <fieldset><legend>${t("consult.scope")}</legend>
        <p class="muted">${t("consult.scopeHint")}</p>
        ${whileLoading(buildings) || itemsOf(buildings.data).map((b) => html`<label class="check" key=${b.id}>
          <input type="checkbox" checked=${scope.includes(b.id)} onChange=${() => toggleBuilding(b.id)} /> ${b.name}</label>`)}
      </fieldset>
      <label for="c-notice-days">${t("consult.noticeDays")}</label>
      <input id="c-notice-days" type="number" min="0" max="90" inputmode="numeric" placeholder=${String(estate.notice_days ?? 15)}
        value=${noticeDays} onInput=${(e) => setNoticeDays(e.currentTarget.value)} />
      <p class="muted" data-testid="earliest-open">${t("consult.earliest", { days, at: formatDateTime(new Date(Date.now() + days * 86400000).toISOString()) })}</p>
      <label for="c-opens">${t("consult.opensAt")} <span class="muted">(${zoneName()})</span></label>
      <input id="c-opens" type="datetime-local" step="1" required value=${opens} onInput=${(e) => setOpens(e.currentTarget.value)} />
      <label for="c-closes">${t("consult.closesAt")} <span class="muted">(${zoneName()})</span></label>
      <input id="c-closes" type="datetime-local" step="1" required value=${closes} onInput=${(e) => setCloses(e.currentTarget.value)} />
      <fieldset><legend>${t("consult.bothChannels")}</legend>
        ${["last", "paper"].map((v) => html`<label class="check" key=${v}>
          <input type="radio" name="both-channels" value=${v} checked=${bothChannels === v} onChange=${() => setBothChannels(v)} />
          ${t(`consult.both.${v}`)}</label>`)}
      </fieldset>
      <label for="c-rule-set">${t("consult.ruleSet")}</label>
      <select id="c-rule-set" value=${ruleSet} onChange=${(e) => setRuleSet(e.currentTarget.value)}>
        <option value="">${t("consult.ruleSetDefault")}</option>
        ${itemsOf(ruleSets.data).map((r) => html`<option value=${r.name} key=${r.name}>${getLang() === "en" ? r.title_en : r.title_zh}</option>`)}
      </select>
      <label class="check"><input type="checkbox" id="c-open-ballot" checked=${openBallot} onChange=${(e) => setOpenBallot(e.currentTarget.checked)} />
        ${t("consult.openBallot")}</label>
      <p class="muted">${t(openBallot ? "consult.openBallotYes" : "consult.openBallotNo")}</p>
      ${draft ? null : html`<fieldset data-testid="new-motions"><legend>${t("consult.motions")}</legend>
        ${motions.map((m, i) => html`<div class="motion-row" key=${i}>
          <label for=${`c-motion-${i}`}>${t("consult.motionN", { n: i + 1 })}</label>
          <input id=${`c-motion-${i}`} data-testid="motion-title" value=${m.title} required=${i === 0}
            onInput=${(e) => setMotion(i, { title: e.currentTarget.value })} />
          <label for=${`c-matter-${i}`}>${t("motion.matterLabel")}</label>
          <select id=${`c-matter-${i}`} data-testid="motion-matter" value=${m.matter} onChange=${(e) => setMotion(i, { matter: e.currentTarget.value })}>
            ${[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => html`<option value=${String(n)}>${n}. ${t(`matter.${n}`)}</option>`)}
          </select>
          <p class="muted" data-testid="matter-words">${t(`matter.${m.matter}`)}</p>
          ${motions.length > 1 ? html`<button type="button" class="linkish" onClick=${() => setMotions((rows) => rows.filter((_, j) => j !== i))}>
            ${t("consult.removeMotion")}</button>` : null}
        </div>`)}
        <button type="button" data-testid="add-motion-row" onClick=${() => setMotions((rows) => [...rows, newMotionRow()])}>${t("consult.addMotion")}</button>
      </fieldset>`}
      <div class="actions"><button class="primary" type="submit" data-testid=${draft ? "save-consultation" : "create-consultation"}
        disabled=${action.busy}>${t(draft ? "consult.save" : "consult.create")}</button></div>
      <${ErrorBox} error=${action.error} />
    </form></details>`;
}

// ---------------------------------------------------------------- turnout

/** The turnout of a consultation: GET /turnout, or (before that route exists on a server)
 * the same figures read from the first motion's tally. Refetched on the live events. */
export function useTurnout(c) {
  const id = c && c.id;
  const turnout = useApi(id ? `/api/consultations/${id}/turnout` : null);
  const missing = turnout.error instanceof ApiError && turnout.error.status === 404;
  const firstMotion = c && itemsOf(c.motions)[0];
  const tally = useApi(missing && firstMotion && c.status !== "draft" ? `/api/motions/${firstMotion.id}/tally` : null);
  const reload = useCallback(() => { turnout.reload(); tally.reload(); }, [turnout.reload, tally.reload]);
  // a burst of ballots (a paper batch, a busy evening) is one refetch, not one per ballot
  const timer = useRef(null);
  useEffect(() => () => clearTimeout(timer.current), []);
  useLiveEvent(TURNOUT_EVENTS, (event) => {
    if (event.type === "turnout.updated" && event.data && String(event.data.consultation_id) === String(id) && event.data.overall) {
      turnout.setData(event.data);
      return;
    }
    clearTimeout(timer.current);
    timer.current = setTimeout(reload, 250);
  });
  if (!missing) return { data: turnout.data, error: turnout.error, loading: turnout.loading, reload };
  const tl = tally.data;
  const data = tl ? {
    consultation_id: id, status: c.status,
    overall: { owners: tl.participating_owners, total_owners: tl.total_owners, area_m2: tl.participating_area_m2, total_area_m2: tl.total_area_m2 },
    by_building: [], by_channel: tl.by_channel || {}, motions: [tl],
  } : null;
  return { data, error: tally.error, loading: tally.loading, reload };
}

const TWO_THIRDS = 2 / 3;

/** Turnout by area and head count against the 2/3 lines, per building and per channel. */
export function Turnout({ data, title }) {
  if (!data || !data.overall) return null;
  const o = data.overall;
  const line = t("consult.twoThirds");
  const channels = data.by_channel || {};
  return html`<section class="card" data-testid="turnout" aria-labelledby="turnout-h" aria-live="polite">
    <h2 id="turnout-h">${title || t("consult.turnout")}</h2>
    <${Bar} testid="turnout-area" label=${t("consult.turnoutArea")} value=${ratioForBar(o.area_m2, o.total_area_m2)}
      threshold=${TWO_THIRDS} valueText=${`${formatArea(o.area_m2)} / ${formatArea(o.total_area_m2)}`} thresholdText=${line} />
    <${Bar} testid="turnout-owners" label=${t("consult.turnoutOwners")} value=${ratioForBar(o.owners, o.total_owners)}
      threshold=${TWO_THIRDS} valueText=${t("tally.ofOwners", { n: o.owners, total: o.total_owners })} thresholdText=${line} />
    <p class="muted" data-testid="turnout-owners-text">${t("consult.turnoutLine", { n: o.owners, total: o.total_owners,
      area: formatArea(o.area_m2), totalArea: formatArea(o.total_area_m2) })}</p>
    <h3>${t("consult.byChannel")}</h3>
    <dl class="kv" data-testid="turnout-channels">${["online", "paper", "proxy"].map((ch) => html`
      <dt>${t(`consult.channel.${ch}`)}</dt>
      <dd data-testid=${`channel-${ch}`}>${t("consult.channelLine", { n: (channels[ch] || {}).owners ?? 0, area: formatArea((channels[ch] || {}).area_m2 ?? "0") })}</dd>`)}
    </dl>
    ${itemsOf(data.by_building).length ? html`<h3>${t("consult.byBuilding")}</h3>
      <ul class="plain" data-testid="turnout-buildings">${itemsOf(data.by_building).map((b) => html`<li key=${b.building_id}>
        <${Bar} label=${b.building} value=${ratioForBar(b.owners, b.total_owners)} threshold=${TWO_THIRDS}
          valueText=${`${t("tally.ofOwners", { n: b.owners, total: b.total_owners })} · ${formatArea(b.area_m2)} / ${formatArea(b.total_area_m2)}`} />
      </li>`)}</ul>` : null}
  </section>`;
}

/** Each motion's result (or running figures where the choices may show). */
export function Results({ motions, tallies, closed }) {
  const byId = Object.fromEntries(itemsOf(tallies).map((x) => [String(x.motion_id), x]));
  return html`<section class="card" data-testid="results" aria-labelledby="results-h">
    <h2 id="results-h">${t(closed ? "consult.result" : "consult.running")}</h2>
    <ol class="plain">${itemsOf(motions).map((m) => {
      const x = byId[String(m.id)] || {};
      const hidden = x.yes_owners === null || x.yes_owners === undefined;
      return html`<li key=${m.id} data-testid="motion-result">
        <strong>${m.title}</strong> <span class="muted">· ${t("motion.matterN", { n: m.matter })}</span>
        ${hidden ? html`<p class="muted">${t(closed ? "consult.noFigures" : "tally.hidden")}</p>` : html`
          <p>${t("tally.counts", { yes: x.yes_owners, no: x.no_owners ?? 0, abstain: x.abstain_owners ?? 0 })}
            · ${t("tally.yesArea")} ${formatArea(x.yes_area_m2)}</p>
          ${closed && x.passed !== null && x.passed !== undefined ? html`<p class=${`result ${x.passed ? "passed" : "failed"}`} data-testid="result">
            ${x.passed ? t("tally.passed") : t("tally.failed")}${x.quorum_met ? "" : ` · ${t("tally.quorumNotMet")}`}</p>` : null}`}
      </li>`;
    })}</ol>
  </section>`;
}

// ---------------------------------------------------------------- the consultation page

export function ConsultationPage({ me, params }) {
  const c = useApi(`/api/consultations/${params.id}`);
  useLiveEvent(["consultation."], (event) => {
    const d = event.data || {};
    if (String(d.id ?? d.consultation_id) === String(params.id)) c.reload();
  });
  const turnout = useTurnout(c.data);
  if (c.loading && !c.data) return html`<${Loading} />`;
  if (c.error) return html`<${ErrorBox} error=${c.error} />`;
  const x = c.data;
  const manage = can(me, "consultations.manage");
  const closed = x.status === "closed" || x.status === "announced";
  return html`<h1 data-testid="consult-title">${x.title}</h1>
    <p><${Status} kind="consultation" value=${x.status} /> <span class="muted"> · <${Window} c=${x} /></span></p>
    ${manage ? html`<${Timeline} c=${x} />
      <${Controls} me=${me} c=${x} onDone=${c.reload} />
      <${Links} me=${me} c=${x} />` : null}
    <${Notice} c=${x} />
    ${x.status === "open" && can(me, "ballots.cast") ? html`<${Voting} me=${me} c=${x} />` : null}
    <${ErrorBox} error=${x.status !== "draft" ? turnout.error : null} />
    ${x.status !== "draft" ? html`<${Turnout} data=${turnout.data} />` : null}
    ${manage && x.status !== "draft" ? html`<${Conflicts} c=${x} />` : null}
    ${x.status !== "draft" && (closed || x.open_ballot) && turnout.data
      ? html`<${Results} motions=${x.motions} tallies=${turnout.data.motions} closed=${closed} />` : null}
    ${closed ? html`<p class="actions"><a class="button" target="_blank" rel="noopener" data-testid="announcement-link"
      href=${`/api/consultations/${x.id}/announcement.html?lang=${pageLang()}`}>${t("consult.announcement")}</a></p>` : null}`;
}

/** draft → noticed → open → closed → announced, each with its time (planned or done). */
function Timeline({ c }) {
  const at = {
    draft: c.created_at, noticed: c.published_at, open: c.opened_at || c.opens_at,
    closed: c.closed_at || c.closes_at, announced: c.announced_at,
  };
  const current = STEPS.indexOf(c.status);
  return html`<ol class="timeline" data-testid="timeline">${STEPS.map((s, i) => html`<li key=${s}
      class=${i < current ? "done" : i === current ? "current" : "todo"} aria-current=${i === current ? "step" : undefined}
      data-step=${s}>
      <strong>${t(`status.consultation.${s}`)}</strong>
      ${at[s] ? html`<span class="muted"> ${i > current ? t("consult.planned") : ""}${formatDateTime(at[s])}</span>` : null}
      ${s === "closed" && c.closed_at ? html`<span class="muted"> · ${c.closed_by ? t("consult.closedEarly") : t("consult.closedItself")}</span>` : null}
    </li>`)}</ol>`;
}

function Controls({ me, c, onDone }) {
  const action = useAction();
  const [asking, setAsking] = useState(null); // "publish" | "close" | "announce"
  const run = async (verb) => {
    setAsking(null);
    const res = await action.run(() => api(`/api/consultations/${c.id}/${verb}`, { method: "POST" }));
    if (res !== undefined) onDone();
  };
  const lines = {
    publish: [t("consult.publishWhat", { opens: formatDateTime(c.opens_at), closes: formatDateTime(c.closes_at) }),
      t("consult.publishFinal"), t("consult.publishNotice", { days: c.notice_days })],
    close: [t("consult.closeWhat"), t("consult.closeOnlyAll"), t("consult.closeFinal")],
    announce: [t("consult.announceWhat"), t("consult.announceFinal")],
  };
  const verb = c.status === "draft" ? "publish" : c.status === "open" ? "close" : c.status === "closed" ? "announce" : null;
  if (!verb) return null;
  return html`<div class="card" data-testid="consult-controls">
    ${c.status === "draft" ? html`<${NewConsultation} me=${me} draft=${c} onSaved=${onDone} />
      <${AddMotion} c=${c} onDone=${onDone} />` : null}
    ${verb && asking !== verb ? html`<div class="actions"><button type="button" class=${verb === "close" ? "" : "primary"}
      data-testid=${`${verb}-consultation`} disabled=${action.busy} onClick=${() => setAsking(verb)}>${t(`consult.${verb}`)}</button></div>` : null}
    ${asking ? html`<${Confirm} testid=${`confirm-${asking}`} lines=${lines[asking]} yes=${t(`consult.${asking}Confirm`)}
      onYes=${() => run(asking)} onNo=${() => setAsking(null)} />` : null}
    <${ErrorBox} error=${action.error} />
  </div>`;
}

function AddMotion({ c, onDone }) {
  const action = useAction();
  const [title, setTitle] = useState("");
  const [matter, setMatter] = useState("5");
  const submit = async (e) => {
    e.preventDefault();
    const res = await action.run(() => api(`/api/consultations/${c.id}/motions`, { method: "POST", body: { title, matter: Number(matter) } }));
    if (res !== undefined) { setTitle(""); onDone(); }
  };
  return html`<details><summary>${t("motion.new")}</summary><form onSubmit=${submit}>
    <label for="cm-title">${t("motion.titleLabel")}</label>
    <input id="cm-title" required value=${title} onInput=${(e) => setTitle(e.currentTarget.value)} />
    <label for="cm-matter">${t("motion.matterLabel")}</label>
    <select id="cm-matter" value=${matter} onChange=${(e) => setMatter(e.currentTarget.value)}>
      ${[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => html`<option value=${String(n)}>${n}. ${t(`matter.${n}`)}</option>`)}
    </select>
    <div class="actions"><button class="primary" type="submit" disabled=${action.busy}>${t("motion.add")}</button></div>
    <${ErrorBox} error=${action.error} />
  </form></details>`;
}

/** The printable pages and the downloads, each where it makes sense. */
function Links({ me, c }) {
  const lang = pageLang();
  const base = `/api/consultations/${c.id}`;
  const closed = c.status === "closed" || c.status === "announced";
  const link = (href, key, testid) => html`<li><a target="_blank" rel="noopener" data-testid=${testid} href=${href}>${t(key)}</a></li>`;
  return html`<section class="card" data-testid="consult-links" aria-labelledby="links-h">
    <h2 id="links-h">${t("consult.pages")}</h2>
    <ul class="plain links">
      ${link(`${base}/notice.html?lang=${lang}`, "consult.printNotice", "notice-link")}
      ${c.status !== "draft" && can(me, "paper.enter") ? html`
        ${link(`${base}/sheets.html?lang=${lang}`, "consult.printSheets", "sheets-link")}
        <li><a href=${`#/consultations/${c.id}/paper`} data-testid="paper-link">${t("consult.paperEntry")}</a></li>` : null}
      ${c.status !== "draft" ? html`<li><a href=${`#/consultations/${c.id}/deliveries`} data-testid="deliveries-link">${t("consult.deliveries")}</a></li>
        ${link(`${base}/unreached.html?lang=${lang}`, "consult.doorToDoor", "unreached-link")}` : null}
      ${closed ? html`${link(`${base}/announcement.html?lang=${lang}`, "consult.announcement", "announcement-print-link")}
        <li><a download data-testid="record-json" href=${`${base}/record`}>${t("consult.recordJson")}</a></li>
        <li><a download data-testid="record-csv" href=${`${base}/record?format=csv`}>${t("consult.recordCsv")}</a></li>` : null}
      ${c.status !== "draft" && c.public_token ? html`<li><a data-testid="public-link" href=${`#/c/${c.public_token}`}>${t("consult.publicPage")}</a></li>` : null}
    </ul>
  </section>`;
}

/** The notice as the owner reads it (the printable one records its delivery server-side). */
function Notice({ c }) {
  const rules = useApi("/api/rule-sets");
  const rule = itemsOf(rules.data).find((r) => r.name === c.rule_set);
  return html`<section class="card notice-sheet" data-testid="consult-notice" aria-labelledby="notice-h">
    <h2 id="notice-h">${t("consult.notice")}</h2>
    <dl class="kv stack">
      <dt>${t("consult.window")}</dt><dd><${Window} c=${c} /></dd>
      <dt>${t("consult.ruleSet")}</dt><dd>${rule ? (getLang() === "en" ? rule.title_en : rule.title_zh) : c.rule_set}</dd>
      <dt>${t("consult.bothChannels")}</dt><dd>${t(`consult.both.${c.both_channels}`)}</dd>
      <dt>${t("consult.ballotKind")}</dt><dd>${t(c.open_ballot ? "consult.openBallotYes" : "consult.openBallotNo")}</dd>
    </dl>
    <h3>${t("consult.motions")}</h3>
    <ol>${itemsOf(c.motions).map((m) => html`<li key=${m.id}>${m.title}
      <div class="muted">${t("motion.matterN", { n: m.matter })}: ${t(`matter.${m.matter}`)}</div></li>`)}</ol>
    ${c.status !== "draft" ? html`<p><a target="_blank" rel="noopener" data-testid="owner-notice-link"
      href=${`/api/consultations/${c.id}/notice.html?lang=${pageLang()}`}>${t("consult.readNotice")}</a></p>` : null}
  </section>`;
}

// ---------------------------------------------------------------- owner voting

/** Units the member holds as proxy for this consultation, grouped per represented owner. */
function useRepresented(me, c) {
  const list = useApi(can(me, "ballots.cast") ? `/api/estates/${me.estate_id}/delegations` : null);
  const households = useApi(can(me, "ballots.cast") ? `/api/estates/${me.estate_id}/households` : null);
  useLiveEvent(["delegation."], list.reload);
  return useMemo(() => {
    const units = Object.fromEntries(itemsOf(households.data).map((h) => [String(h.id), h]));
    const mine = new Set((me.household_ids || []).map(String));
    const groups = new Map();
    for (const d of itemsOf(list.data)) {
      if (d.revoked_at || String(d.proxy_member_id) !== String(me.member_id)) continue;
      if (d.meeting_id !== null && d.meeting_id !== undefined && String(d.meeting_id) !== String(c.id)) continue;
      if (mine.has(String(d.household_id))) continue;
      // an owner sees only their own units: the represented owner is named by the written
      // authorisation (its reference) unless the member may see the units
      const h = units[String(d.household_id)] || null;
      const key = h && h.owner_key ? `owner:${h.owner_key}` : `ref:${d.reference || d.id}`;
      if (!groups.has(key)) groups.set(key, { key, name: (h && h.owner_name) || d.reference || "", ids: [], labels: [] });
      const g = groups.get(key);
      g.ids.push(Number(d.household_id));
      if (h && h.building) g.labels.push(`${h.building} ${h.unit}`);
    }
    return [...groups.values()].map((g) => ({ ...g, ids: g.ids.sort((a, b) => a - b) }));
  }, [list.data, households.data, me.member_id, c.id]);
}

function Voting({ me, c }) {
  const represented = useRepresented(me, c);
  const own = (me.household_ids || []).length > 0;
  if (!own && !represented.length) return null;
  return html`<section class="card" data-testid="consult-voting" aria-labelledby="voting-h">
    <h2 id="voting-h">${t("consult.vote")}</h2>
    <p class="muted">${t("consult.voteUntil", { at: formatDateTime(c.closes_at) })}</p>
    ${itemsOf(c.motions).map((m) => html`<article class="motion-vote" key=${m.id} data-testid="motion-vote">
      <h3>${m.title}</h3>
      <p class="muted">${t("motion.matterN", { n: m.matter })}: ${t(`matter.${m.matter}`)}</p>
      ${own ? html`<${VoteRow} me=${me} motion=${m} label=${t("consult.forMine", { n: me.household_ids.length })}
        householdIds=${represented.length ? me.household_ids.map(Number) : null} />` : null}
      ${represented.map((g) => html`<${VoteRow} key=${g.key} me=${me} motion=${m} householdIds=${g.ids} proxy=${true}
        label=${t("consult.forOwner", { name: g.name, units: g.labels.length ? g.labels.join(t("quotes.nameSeparator")) : t("consult.unitsN", { n: g.ids.length }) })} />`)}
    </article>`)}
  </section>`;
}

/** 同意 / 反对 / 弃权 for one motion, for the member's own units or a represented owner's. */
function VoteRow({ me, motion, householdIds, proxy = false, label }) {
  const ids = householdIds || null;
  const slotIds = ids ? ids.map(String) : null;
  const mine = useApi(`/api/motions/${motion.id}/ballots/mine`);
  const [castNow, setCastNow] = useState(null);
  const [receiptsNow, setReceiptsNow] = useState(null);
  const [sending, setSending] = useState(null);
  const [error, setError] = useState(null);
  const [queued, setQueued] = useState(() => queuedFor(motion.id, me.member_id, ids));
  const liveStatus = useLiveStatus();
  // the ballots that count for this row's units: the member's own, or those cast as proxy
  const counted = itemsOf(mine.data).filter((b) => b.counted && (proxy
    ? b.delegation_id !== null && b.delegation_id !== undefined && slotIds.includes(String(b.household_id))
    : (b.delegation_id === null || b.delegation_id === undefined)));
  const saved = counted.length ? counted[counted.length - 1].choice : null;
  const choice = castNow ?? saved;
  const receipts = receiptsNow ?? counted;
  const settle = useCallback(() => {
    setQueued(queuedFor(motion.id, me.member_id, ids));
    const outcome = lastOutcome(motion.id, ids);
    if (!outcome) return;
    forgetOutcome(motion.id, ids);
    if (outcome.result) {
      setCastNow(outcome.choice);
      setReceiptsNow(itemsOf(outcome.result.ballots));
      setError(null);
    } else if (outcome.error) setError(outcome.error);
  }, [motion.id, me.member_id, slotIds && slotIds.join(",")]);
  useEffect(() => {
    startBallotQueue(me.member_id);
    const off = onBallotQueue(settle);
    if (queuedFor(motion.id, me.member_id, ids)) flushBallots();
    return off;
  }, [settle]);
  useEffect(() => {
    if (liveStatus === "live" && queuedFor(motion.id, me.member_id, ids)) flushBallots();
  }, [liveStatus]);
  const vote = async (value) => {
    if (sending) return;
    setSending(value);
    setError(null);
    await castBallot({ motionId: motion.id, memberId: me.member_id, choice: value, householdIds: ids || undefined });
    setSending(null);
  };
  const testid = proxy ? `vote-row-proxy-${ids.join("-")}` : "vote-row-own";
  return html`<div class="vote-row" data-testid=${testid}>
    <p><strong>${label}</strong></p>
    <div class="vote-buttons" role="group" aria-label=${`${t("vote.label")}: ${label}`}>
      ${CHOICES.map((v) => html`<button type="button" class=${v} data-testid=${`vote-${v}`}
        aria-pressed=${!sending && !queued && choice === v ? "true" : "false"} aria-disabled=${sending ? "true" : "false"}
        aria-busy=${sending === v ? "true" : "false"} onClick=${() => vote(v)}>${t(`vote.${v}`)}</button>`)}
    </div>
    ${sending ? html`<p class="notice" role="status" data-testid="vote-sending">${t("vote.sending", { choice: t(`vote.${sending}`) })}</p>`
      : queued ? html`<p class="notice" role="status" data-testid="vote-queued">${t(
        queued.reason === "server" ? "vote.queuedServer" : "vote.queued", { choice: t(`vote.${queued.choice}`) })}</p>`
      : choice ? html`<p class="ok" role="status" data-testid="my-vote">${t("vote.recorded", { choice: t(`vote.${choice}`) })}
        ${receipts.length ? html`<br /><span class="muted" data-testid="receipt">${t("vote.receipt", {
          codes: receipts.map((r) => r.receipt).join(t("quotes.nameSeparator")),
          at: formatDateTime(receipts[receipts.length - 1].cast_at) })}</span>` : null}</p>` : null}
    <${ErrorBox} error=${error} />
  </div>`;
}

// ---------------------------------------------------------------- public page

/** #/c/<public_token>: no sign-in; the notice, the status, the turnout and, after the close,
 * the result; links to the printable notice and announcement. */
export function PublicConsultation({ params }) {
  const page = useApi(`/api/public/consultations/${encodeURIComponent(params.token)}`);
  const [, setTick] = useState(0);
  useEffect(() => {
    // No live socket without a session: look again every 20 s while it is open.
    const timer = setInterval(() => { if (!document.hidden) page.reload(); }, 20000);
    return () => clearInterval(timer);
  }, []);
  const data = page.data;
  useEffect(() => {
    if (data && data.time_zone) { setTimeZone(data.time_zone); setTick((n) => n + 1); }
  }, [data && data.time_zone]);
  if (page.loading && !data) return html`<${Loading} />`;
  if (page.error) return html`<${ErrorBox} error=${page.error} />`;
  const c = data;
  const status = c.status;
  const closed = status === "closed" || status === "announced";
  const turnout = data.overall ? data : null;
  // each motion carries its tally (`result`) once closed
  const results = itemsOf(c.motions).filter((m) => m.result).map((m) => ({ ...m.result, motion_id: m.id }));
  const base = `/api/public/consultations/${encodeURIComponent(params.token)}`;
  return html`<h1 data-testid="public-title">${bilingual(c.title)}</h1>
    ${c.estate ? html`<p class="muted" data-testid="public-estate">${c.estate}${itemsOf(c.scope).length
      ? ` · ${itemsOf(c.scope).join(t("quotes.nameSeparator"))}` : ""}</p>` : null}
    <p><${Status} kind="consultation" value=${status} /> <span class="muted"> · <${Window} c=${c} /></span></p>
    ${itemsOf(c.motions).length ? html`<section class="card"><h2>${t("consult.motions")}</h2>
      <ol>${itemsOf(c.motions).map((m) => html`<li key=${m.id}>${m.title}
        <div class="muted">${t("motion.matterN", { n: m.matter })}: ${t(`matter.${m.matter}`)}</div></li>`)}</ol></section>` : null}
    <${Turnout} data=${turnout} />
    ${closed && results.length ? html`<${Results} motions=${c.motions} tallies=${results} closed=${true} />` : null}
    <ul class="plain links card">
      <li><a target="_blank" rel="noopener" data-testid="public-notice" href=${`${base}/notice.html?lang=${pageLang()}`}>${t("consult.printNotice")}</a></li>
      ${status === "announced" ? html`<li><a target="_blank" rel="noopener" data-testid="public-announcement"
        href=${`${base}/announcement.html?lang=${pageLang()}`}>${t("consult.announcement")}</a></li>` : null}
    </ul>`;
}

// ---------------------------------------------------------------- committee: outreach

/** Units that voted online and on paper on a motion, and which ballot counts by the rule. */
function Conflicts({ c }) {
  const list = useApi(`/api/consultations/${c.id}/conflicts`);
  useLiveEvent(["ballot.cast", "paper.entry"], list.reload);
  const items = itemsOf(list.data);
  if (!items.length && !list.error) return null;
  const titles = Object.fromEntries(itemsOf(c.motions).map((m) => [String(m.id), m.title]));
  return html`<section class="card" data-testid="conflicts" aria-labelledby="conflicts-h">
    <h2 id="conflicts-h">${t("consult.conflicts", { n: items.length })}</h2>
    <p class="muted">${t(`consult.both.${c.both_channels}`)}</p>
    <${ErrorBox} error=${list.error} />
    <ul class="plain">${items.map((x) => html`<li key=${`${x.motion_id}-${x.household_id}`}>
      <strong>${x.label}</strong> <span class="muted">· ${titles[String(x.motion_id)] || `#${x.motion_id}`}</span>
      <div>${t("consult.channel.online")}${t("common.colon")}${t(`vote.${x.online.choice}`)} <span class="muted">${formatDateTime(x.online.cast_at)}</span></div>
      <div>${t("consult.channel.paper")}${t("common.colon")}${t(`vote.${x.paper.choice}`)} <span class="muted">${formatDateTime(x.paper.cast_at)}</span></div>
      ${x.counted ? html`<div class="ok">${t("consult.counts", { channel: t(`consult.channel.${x.counted}`) })}</div>` : null}
    </li>`)}</ul>
  </section>`;
}

/** Committee: per owner, how the notice reached them and whether they voted; record a notice
 * handed over on paper (asked first: it stays in the record). */
export function Deliveries({ me, params }) {
  const c = useApi(`/api/consultations/${params.id}`);
  const list = useApi(`/api/consultations/${params.id}/deliveries`);
  useLiveEvent(["notice.", "ballot.cast", "paper.entry", "consultation."], list.reload);
  const action = useAction();
  const [asking, setAsking] = useState(null); // an owner row
  const [filter, setFilter] = useState("todo");
  if ((c.loading && !c.data) || (list.loading && !list.data)) return html`<${Loading} />`;
  if (c.error) return html`<${ErrorBox} error=${c.error} />`;
  const items = itemsOf(list.data).filter((o) => filter === "all" || o.state === "not_yet" || o.voted !== "every");
  const record = async (owner) => {
    setAsking(null);
    const res = await action.run(() => api(`/api/consultations/${params.id}/deliveries`, {
      method: "POST", body: { owner_key: owner.owner_key, channel: "paper" } }));
    if (res !== undefined) list.reload();
  };
  return html`<h1>${t("consult.deliveries")}</h1>
    <p><a href=${`#/consultations/${params.id}`}>${c.data.title}</a></p>
    <p class="actions"><a class="button" target="_blank" rel="noopener" data-testid="unreached-print"
      href=${`/api/consultations/${params.id}/unreached.html?lang=${pageLang()}`}>${t("consult.doorToDoor")}</a></p>
    <div class="actions" role="group" aria-label=${t("consult.deliveries")}>
      ${["todo", "all"].map((f) => html`<button type="button" aria-pressed=${filter === f ? "true" : "false"}
        onClick=${() => setFilter(f)}>${t(`consult.filter.${f}`)}</button>`)}
    </div>
    <${ErrorBox} error=${list.error || action.error} />
    ${items.length ? html`<ul class="plain card" data-testid="deliveries">${items.map((o) => html`<li key=${o.owner_key} class="delivery">
      <strong>${o.owner_name || t("consult.ownerUnnamed")}</strong>
      <span class="muted"> · ${itemsOf(o.units).map((u) => `${u.building} ${u.unit}`).join(t("quotes.nameSeparator"))}</span>
      <div><span class=${`badge badge-${o.state}`}>${t(`consult.delivery.${o.state}`)}</span>
        ${o.at ? html` <span class="muted">${o.by_name ? `${o.by_name} · ` : ""}${formatDateTime(o.at)}</span>` : null}
        · ${t(`consult.voted.${o.voted}`)}</div>
      ${asking === o.owner_key ? html`<${Confirm} testid="confirm-delivery" lines=${[t("consult.deliveryWhat", { name: o.owner_name || "" }), t("consult.deliveryFinal")]}
          yes=${t("consult.deliveryConfirm")} onYes=${() => record(o)} onNo=${() => setAsking(null)} />`
        : o.state !== "paper" ? html`<div class="actions"><button type="button" data-testid="record-delivery"
          disabled=${action.busy} onClick=${() => setAsking(o.owner_key)}>${t("consult.handedOnPaper")}</button></div>` : null}
    </li>`)}</ul>` : html`<p class="muted">${t("consult.everyoneReached")}</p>`}`;
}
