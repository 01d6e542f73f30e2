// Small wishes (微心愿) and partners' pledges (issue 18). One screen for every role: the
// buttons of a wish are the actions the server lists for the caller (`actions`), so a
// partner unit claims and fulfils, a resident confirms receipt, the committee posts on a
// resident's behalf and confirms. Partners see no owner's name; after claiming, the unit.
import { html, useState, useMemo } from "../lib/html.js";
import { t, tMaybe } from "../lib/i18n.js";
import { api, itemsOf } from "../lib/api.js";
import { ErrorBox, Loading, useApi, useAction, Money, Status, Confirm, whileLoading } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";
import { can } from "../lib/access.js";
import { formatDateTime, parseYuan, formatFen, byBuildingAndUnit } from "../lib/format.js";

export const WISH_CATEGORIES = ["livelihood", "health", "education", "facilities", "policy", "environment", "safety", "other"];
export const WISH_STATUSES = ["open", "claimed", "fulfilled", "confirmed", "cancelled"];
const PLEDGEABLE = ["proposed", "approved", "quoting", "awarded", "funded", "in_progress"];
const LIVE = ["wish.", "pledge."];

/** The counts by status (and, for a partner unit, its own), from the summary. */
export function WishCounts({ me, testid = "wish-counts" }) {
  const summary = useApi(`/api/estates/${me.estate_id}/wishes/summary`);
  useLiveEvent(LIVE, summary.reload);
  const s = summary.data;
  const mine = s ? itemsOf(s.partners).find((p) => p.member_id === me.member_id) : null;
  return whileLoading(summary) || (s ? html`<div data-testid=${testid}>
    <ul class="plain">${WISH_STATUSES.filter((k) => s.by_status[k]).map((k) => html`<li key=${k}>
      <${Status} kind="wish" value=${k} /> <span data-testid=${`count-${k}`}>${t("wish.nWishes", { n: s.by_status[k] })}</span></li>`)}</ul>
    ${!s.total ? html`<p class="muted">${t("wish.none")}</p>` : null}
    ${mine ? html`<p data-testid="my-counts">${t("wish.myCounts", { claimed: mine.claimed, fulfilled: mine.fulfilled, confirmed: mine.confirmed })}</p>` : null}
  </div>` : html`<${ErrorBox} error=${summary.error} />`);
}

/** `/wishes`: the lists the caller's role works with, the post form, the counts. */
export function Wishes({ me }) {
  const partner = can(me, "wishes.fulfil");
  const manager = can(me, "wishes.manage");
  const poster = can(me, "wishes.post");
  const [status, setStatus] = useState("");
  const reloadAll = useState(0);
  const bump = () => reloadAll[1]((n) => n + 1);
  return html`<h1>${t("wish.title")}</h1>
    <p class="muted">${t(partner ? "wish.introPartner" : "wish.intro")}</p>
    ${partner && can(me, "pledges.make") ? html`<p><a class="button" href="#/wishes/pledges" data-testid="to-pledges">${t("pledge.title")}</a></p>` : null}
    <section class="card" aria-labelledby="wish-counts-h"><h2 id="wish-counts-h">${t("wish.counts")}</h2>
      <${WishCounts} me=${me} /></section>
    ${poster ? html`<${PostWish} me=${me} manager=${manager} onDone=${bump} />` : null}
    ${partner ? html`
      <${WishList} me=${me} key=${`open-${reloadAll[0]}`} title=${t("wish.openToClaim")} testid="open-wishes"
        query="status=open" empty=${t("wish.noneOpen")} onChange=${bump} />
      <${WishList} me=${me} key=${`mine-${reloadAll[0]}`} title=${t("wish.myClaimed")} testid="my-wishes"
        query="mine=true" empty=${t("wish.noneClaimed")} onChange=${bump} />`
    : html`
      ${me.household_ids && me.household_ids.length ? html`<${WishList} me=${me} key=${`mine-${reloadAll[0]}`}
        title=${t("wish.mine")} testid="my-wishes" query="mine=true" empty=${t("wish.noneMine")} onChange=${bump} />` : null}
      <section class="card"><label for="wish-status">${t("wish.filter")}</label>
        <select id="wish-status" value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>
          <option value="">${t("wish.allStatuses")}</option>
          ${WISH_STATUSES.map((k) => html`<option value=${k}>${t(`status.wish.${k}`)}</option>`)}</select></section>
      <${WishList} me=${me} key=${`all-${status}-${reloadAll[0]}`} title=${t("wish.all")} testid="all-wishes"
        query=${status ? `status=${status}` : ""} empty=${t("wish.none")} onChange=${bump} />`}`;
}

function WishList({ me, title, testid, query, empty, onChange }) {
  const list = useApi(`/api/estates/${me.estate_id}/wishes${query ? `?${query}` : ""}`);
  useLiveEvent(LIVE, list.reload);
  const items = itemsOf(list.data);
  return html`<section class="card" aria-label=${title} data-testid=${testid}>
    <h2>${title}</h2>
    <${ErrorBox} error=${list.error} />
    ${whileLoading(list) || (items.length ? html`<ul class="plain">${items.map((w) => html`<${WishItem} key=${w.id} w=${w}
      onChange=${() => { list.reload(); onChange(); }} />`)}</ul>` : html`<p class="muted">${empty}</p>`)}
  </section>`;
}

/** Actions that ask first (irreversible, or telling the resident it is done). */
const ASKS = { fulfil: "wish.askFulfil", confirm: "wish.askConfirm", cancel: "wish.askCancel" };

function WishItem({ w, onChange }) {
  const action = useAction();
  const [note, setNote] = useState("");
  const [asking, setAsking] = useState(null);
  const run = async (name) => {
    setAsking(null);
    const body = name === "fulfil" ? { note: note.trim() || null } : undefined;
    const res = await action.run(() => api(`/api/wishes/${w.id}/${name}`, { method: "POST", body }));
    if (res !== undefined) onChange();
  };
  const press = (name) => (ASKS[name] ? setAsking(name) : run(name));
  return html`<li data-testid="wish" data-wish-id=${w.id} data-status=${w.status}>
    <p class="wish-text"><strong>${w.text}</strong></p>
    <p class="muted">${tMaybe(`wish.category.${w.category}`, w.category)} · ${w.unit || w.building}
      · <${Status} kind="wish" value=${w.status} /></p>
    ${w.unit ? html`<p data-testid="wish-unit">${t("wish.deliverTo", { unit: w.unit })}</p>` : null}
    ${w.claimed_by_name ? html`<p class="muted" data-testid="wish-partner">${t("wish.claimedBy", { name: w.claimed_by_name })}${w.partner_kind ? ` (${t(`partner.kind.${w.partner_kind}`)})` : ""}</p>` : null}
    ${w.fulfil_note ? html`<p data-testid="wish-note">${t("wish.note")}${t("common.colon")}${w.fulfil_note}</p>` : null}
    <p class="muted">${formatDateTime(w.posted_at)}</p>
    ${w.actions.includes("fulfil") ? html`<label for=${`note-${w.id}`}>${t("wish.fulfilNote")}</label>
      <input id=${`note-${w.id}`} maxlength="2000" value=${note} onInput=${(e) => setNote(e.currentTarget.value)} />` : null}
    ${w.actions.length ? html`<div class="actions">${w.actions.map((name) => html`<button type="button" key=${name}
      class=${name === "claim" || name === "fulfil" || name === "confirm" ? "primary" : ""} disabled=${action.busy}
      data-testid=${`wish-${name}`} onClick=${() => press(name)}>${t(`wish.action.${name}`)}</button>`)}</div>` : null}
    ${asking ? html`<${Confirm} testid=${`confirm-${asking}`} lines=${[t(ASKS[asking]), w.text]}
      yes=${t(`wish.action.${asking}`)} onYes=${() => run(asking)} onNo=${() => setAsking(null)} />` : null}
    <${ErrorBox} error=${action.error} />
  </li>`;
}

/** An owner posts for their own unit; the committee chooses the resident's unit. */
function PostWish({ me, manager, onDone }) {
  const households = useApi(manager && can(me, "households.view") ? `/api/estates/${me.estate_id}/households` : null);
  const units = useMemo(() => itemsOf(households.data).slice().sort(byBuildingAndUnit), [households.data]);
  const action = useAction();
  const [form, setForm] = useState({ text: "", category: "livelihood", unit: "" });
  const [posted, setPosted] = useState(false);
  const set = (k) => (e) => { setPosted(false); setForm({ ...form, [k]: e.currentTarget.value }); };
  const submit = async (e) => {
    e.preventDefault();
    const body = { text: form.text.trim(), category: form.category };
    if (manager && form.unit) body.household_id = Number(form.unit);
    const res = await action.run(() => api(`/api/estates/${me.estate_id}/wishes`, { method: "POST", body }));
    if (res) { setForm({ ...form, text: "" }); setPosted(true); onDone(); }
  };
  return html`<details class="card" open=${!manager}><summary>${t(manager ? "wish.postFor" : "wish.post")}</summary>
    <form onSubmit=${submit} data-testid="post-wish">
      <label for="wish-text">${t("wish.text")}</label>
      <textarea id="wish-text" required maxlength="1000" rows="3" placeholder=${t("wish.textHint")}
        value=${form.text} onInput=${set("text")}></textarea>
      <label for="wish-category">${t("wish.category")}</label>
      <select id="wish-category" value=${form.category} onChange=${set("category")}>
        ${WISH_CATEGORIES.map((k) => html`<option value=${k}>${t(`wish.category.${k}`)}</option>`)}</select>
      ${manager ? html`<label for="wish-unit">${t("wish.forUnit")}</label>
        <select id="wish-unit" required value=${form.unit} onChange=${set("unit")}>
          <option value="">—</option>
          ${units.map((h) => html`<option value=${String(h.id)}>${h.building} ${h.unit}</option>`)}</select>` : null}
      <div class="actions"><button class="primary" type="submit" disabled=${action.busy}>${t("wish.postButton")}</button></div>
      ${posted ? html`<p class="ok" role="status" data-testid="wish-posted">${t("wish.posted")}</p>` : null}
      <${ErrorBox} error=${action.error} />
    </form></details>`;
}

/** `/wishes/pledges`: a partner unit pledges money to a work (it becomes a funding source
 * for that work) and withdraws its pledges; staff read every pledge. */
export function Pledges({ me }) {
  const pledges = useApi(`/api/estates/${me.estate_id}/pledges`);
  const works = useApi(can(me, "pledges.make") ? `/api/estates/${me.estate_id}/works` : null);
  useLiveEvent(LIVE, pledges.reload);
  const open = itemsOf(works.data).filter((w) => PLEDGEABLE.includes(w.status));
  return html`<h1>${t("pledge.title")}</h1>
    <p class="muted">${t("pledge.intro")}</p>
    <p><a href="#/wishes">${t("wish.back")}</a></p>
    ${can(me, "pledges.make") ? html`<section class="card" aria-labelledby="pledge-works-h" data-testid="pledge-works">
      <h2 id="pledge-works-h">${t("pledge.works")}</h2>
      <${ErrorBox} error=${works.error} />
      ${whileLoading(works) || (open.length ? html`<ul class="plain">${open.map((w) => html`<${PledgeForm} key=${w.id}
        work=${w} onDone=${pledges.reload} />`)}</ul>` : html`<p class="muted">${t("pledge.noWorks")}</p>`)}
    </section>` : null}
    <section class="card" aria-labelledby="pledges-h" data-testid="pledges">
      <h2 id="pledges-h">${t(can(me, "pledges.make") ? "pledge.mine" : "pledge.all")}</h2>
      <${ErrorBox} error=${pledges.error} />
      ${pledges.loading && !pledges.data ? html`<${Loading} />` : itemsOf(pledges.data).length
        ? html`<ul class="plain">${itemsOf(pledges.data).map((p) => html`<${PledgeItem} key=${p.id} p=${p} me=${me} onDone=${pledges.reload} />`)}</ul>`
        : html`<p class="muted">${t("pledge.none")}</p>`}
    </section>`;
}

function PledgeForm({ work, onDone }) {
  const action = useAction();
  const [amount, setAmount] = useState("");
  const [note, setNote] = useState("");
  const [asking, setAsking] = useState(null);
  const [done, setDone] = useState(false);
  const ask = (e) => {
    e.preventDefault();
    setDone(false);
    let fen;
    try { fen = parseYuan(amount); } catch (err) { action.setError(err); return; }
    if (fen <= 0) { action.setError(new RangeError("not positive")); return; }
    action.setError(null);
    setAsking(fen);
  };
  const pledge = async () => {
    const fen = asking;
    setAsking(null);
    const body = { amount_fen: fen };
    if (note.trim()) body.note = note.trim();
    const res = await action.run(() => api(`/api/works/${work.id}/pledges`, { method: "POST", body }));
    if (res) { setAmount(""); setNote(""); setDone(true); onDone(); }
  };
  return html`<li data-testid="pledge-work" data-work-id=${work.id}>
    <p><strong>${work.title}</strong> <${Status} kind="work" value=${work.status} /></p>
    <form onSubmit=${ask}>
      <label for=${`pledge-amount-${work.id}`}>${t("pledge.amountYuan")}</label>
      <input id=${`pledge-amount-${work.id}`} required inputmode="decimal" value=${amount}
        onInput=${(e) => setAmount(e.currentTarget.value)} />
      <label for=${`pledge-note-${work.id}`}>${t("pledge.note")}</label>
      <input id=${`pledge-note-${work.id}`} maxlength="2000" value=${note} onInput=${(e) => setNote(e.currentTarget.value)} />
      <div class="actions"><button type="submit" class="primary" disabled=${action.busy}
        data-testid="pledge-submit">${t("pledge.make")}</button></div>
    </form>
    ${asking !== null ? html`<${Confirm} testid="confirm-pledge"
      lines=${[t("pledge.ask", { amount: formatFen(asking), work: work.title })]}
      yes=${t("pledge.make")} onYes=${pledge} onNo=${() => setAsking(null)} />` : null}
    ${done ? html`<p class="ok" role="status" data-testid="pledge-made">${t("pledge.made")}</p>` : null}
    <${ErrorBox} error=${action.error} />
  </li>`;
}

function PledgeItem({ p, me, onDone }) {
  const action = useAction();
  const [asking, setAsking] = useState(false);
  const withdraw = async () => {
    setAsking(false);
    const res = await action.run(() => api(`/api/pledges/${p.id}/withdraw`, { method: "POST" }));
    if (res) onDone();
  };
  const mine = p.partner_id === me.member_id;
  return html`<li data-testid="pledge" data-status=${p.status}>
    <p><strong><${Money} fen=${p.amount_fen} /></strong> → ${p.work_title}</p>
    <p class="muted">${p.partner_name} · ${t(`pledge.status.${p.status}`)} · ${formatDateTime(p.created_at)}</p>
    ${p.note ? html`<p>${p.note}</p>` : null}
    ${mine && p.status === "active" ? html`<div class="actions"><button type="button" disabled=${action.busy}
      data-testid="pledge-withdraw" onClick=${() => setAsking(true)}>${t("pledge.withdraw")}</button></div>` : null}
    ${asking ? html`<${Confirm} testid="confirm-withdraw" lines=${[t("pledge.askWithdraw", { amount: formatFen(p.amount_fen), work: p.work_title })]}
      yes=${t("pledge.withdraw")} onYes=${withdraw} onNo=${() => setAsking(false)} />` : null}
    <${ErrorBox} error=${action.error} />
  </li>`;
}
