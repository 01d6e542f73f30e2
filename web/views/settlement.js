// Settlement (issue 19): variations (变更) of awarded works and the final accounts (决算).
// The committee proposes and approves a variation: at or below the estate's threshold on its
// own, above it with a passed motion picked from the estate's closed motions. The treasurer
// runs final accounts of the approved plan (final costs for works without an award) and
// approves a version; every household's refund or top-up and each source's unspent money.
import { html, useState, useMemo, useEffect } from "../lib/html.js";
import { t } from "../lib/i18n.js";
import { api, itemsOf } from "../lib/api.js";
import { ErrorBox, useApi, useAction, Money, Confirm, whileLoading } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";
import { can } from "../lib/access.js";
import { parseYuan, formatFen, formatDateTime, byBuildingAndUnit } from "../lib/format.js";

const AWARDED = ["awarded", "funded", "in_progress", "done"];

/** `/settlement`: variations, then final accounts. */
export function Settlement({ me }) {
  return html`<h1>${t("settlement.title")}</h1>
    <p class="muted">${t("settlement.intro")}</p>
    <${Variations} me=${me} />
    <${FinalAccounts} me=${me} />`;
}

function Variations({ me }) {
  const works = useApi(`/api/estates/${me.estate_id}/works`);
  const awarded = itemsOf(works.data).filter((w) => AWARDED.includes(w.status));
  const [workId, setWorkId] = useState("");
  const chosen = workId || (awarded[0] ? String(awarded[0].id) : "");
  return html`<section class="card" aria-labelledby="var-h" data-testid="variations">
    <h2 id="var-h">${t("variation.title")}</h2>
    <${ErrorBox} error=${works.error} />
    ${whileLoading(works) || (awarded.length ? html`
      <label for="var-work">${t("variation.work")}</label>
      <select id="var-work" data-testid="variation-work" value=${chosen} onChange=${(e) => setWorkId(e.currentTarget.value)}>
        ${awarded.map((w) => html`<option key=${w.id} value=${String(w.id)}>${w.title}</option>`)}</select>
      <${WorkVariations} me=${me} key=${chosen} workId=${chosen} />`
      : html`<p class="muted">${t("variation.noAwarded")}</p>`)}
  </section>`;
}

function WorkVariations({ me, workId }) {
  const listing = useApi(workId ? `/api/works/${workId}/variations` : null);
  useLiveEvent(["variation."], listing.reload);
  const v = listing.data;
  return html`<${ErrorBox} error=${listing.error} />
    ${whileLoading(listing) || (v ? html`
      <dl class="kv" data-testid="variation-costs">
        <dt>${t("variation.awarded")}</dt><dd>${v.awarded_total_fen == null ? "—" : html`<${Money} fen=${v.awarded_total_fen} />`}</dd>
        <dt>${t("variation.approvedSum")}</dt><dd><${Money} fen=${v.approved_fen} /></dd>
        <dt>${t("variation.finalCost")}</dt><dd data-testid="final-cost"><strong>${v.final_cost_fen == null ? "—" : html`<${Money} fen=${v.final_cost_fen} />`}</strong></dd>
        <dt>${t("variation.threshold")}</dt><dd data-testid="threshold"><${Money} fen=${v.threshold_fen} /></dd>
      </dl>
      <p class="muted">${t("variation.thresholdHint", { amount: formatFen(v.threshold_fen) })}</p>
      ${can(me, "variations.threshold") ? html`<${SetThreshold} me=${me} current=${v.threshold_fen} onDone=${listing.reload} />` : null}
      ${v.items.length ? html`<ul class="plain">${v.items.map((item) => html`<${VariationItem} key=${item.id} me=${me}
        item=${item} onChange=${listing.reload} />`)}</ul>` : html`<p class="muted">${t("variation.none")}</p>`}
      ${can(me, "variations.manage") ? html`<${ProposeVariation} workId=${workId} onDone=${listing.reload} />` : null}` : null)}`;
}

/** The estate's admin sets the decision threshold (PATCH /api/estates/{id}). */
function SetThreshold({ me, current, onDone }) {
  const action = useAction();
  const [value, setValue] = useState("");
  const [bad, setBad] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    let fen;
    try { fen = parseYuan(value); } catch { setBad(true); return; }
    if (fen < 0) { setBad(true); return; }
    setBad(false);
    const res = await action.run(() => api(`/api/estates/${me.estate_id}`, { method: "PATCH", body: { variation_threshold_fen: fen } }));
    if (res) { setValue(""); onDone(); }
  };
  return html`<details class="card"><summary>${t("variation.setThreshold")}</summary>
    <form onSubmit=${submit} data-testid="set-threshold">
      <label for="var-threshold">${t("variation.thresholdYuan")}</label>
      <input id="var-threshold" required inputmode="decimal" value=${value} placeholder=${formatFen(current)}
        onInput=${(e) => setValue(e.currentTarget.value)} aria-invalid=${bad ? "true" : "false"} />
      ${bad ? html`<p class="error">${t("variation.badAmount")}</p>` : null}
      <div class="actions"><button class="primary" type="submit" disabled=${action.busy}>${t("variation.saveThreshold")}</button></div>
      <${ErrorBox} error=${action.error} />
    </form></details>`;
}

function ProposeVariation({ workId, onDone }) {
  const action = useAction();
  const [form, setForm] = useState({ amount: "", reason: "" });
  const [bad, setBad] = useState(false);
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    let fen;
    try { fen = parseYuan(form.amount); } catch { setBad(true); return; }
    setBad(false);
    const res = await action.run(() => api(`/api/works/${workId}/variations`, {
      method: "POST", body: { amount_fen: fen, reason: form.reason.trim() } }));
    if (res) { setForm({ amount: "", reason: "" }); onDone(); }
  };
  return html`<details class="card"><summary>${t("variation.propose")}</summary>
    <form onSubmit=${submit} data-testid="propose-variation">
      <label for="var-amount">${t("variation.amount")}</label>
      <input id="var-amount" required inputmode="decimal" value=${form.amount} onInput=${set("amount")}
        placeholder=${t("variation.amountHint")} aria-invalid=${bad ? "true" : "false"} />
      ${bad ? html`<p class="error">${t("variation.badAmount")}</p>` : null}
      <label for="var-reason">${t("variation.reason")}</label>
      <textarea id="var-reason" required maxlength="2000" rows="2" value=${form.reason} onInput=${set("reason")}></textarea>
      <div class="actions"><button class="primary" type="submit" disabled=${action.busy}>${t("variation.proposeButton")}</button></div>
      <${ErrorBox} error=${action.error} />
    </form></details>`;
}

function VariationItem({ me, item, onChange }) {
  const action = useAction();
  const [asking, setAsking] = useState(null);
  const [motion, setMotion] = useState("");
  const [reason, setReason] = useState("");
  const manage = can(me, "variations.manage") && item.status === "proposed";
  const run = async (what) => {
    setAsking(null);
    const body = what === "approve" ? (motion ? { motion_id: Number(motion) } : undefined) : { reason: reason.trim() };
    const res = await action.run(() => api(`/api/variations/${item.id}/${what}`, { method: "POST", body }));
    if (res) onChange();
  };
  return html`<li data-testid="variation" data-status=${item.status} data-needs-decision=${String(item.needs_decision)}>
    <p><strong><${Money} fen=${item.amount_fen} wan=${false} /></strong> · ${t(`variation.status.${item.status}`)}
      ${item.needs_decision ? html` · <span data-testid="needs-decision">${t("variation.needsDecision")}</span>` : null}</p>
    <p>${item.reason}</p>
    <p class="muted">${formatDateTime(item.created_at)}${item.motion_id ? ` · ${t("variation.byMotion", { id: item.motion_id })}` : ""}
      ${item.decision_note ? ` · ${item.decision_note}` : ""}</p>
    ${manage ? html`
      ${item.needs_decision ? html`<${MotionPicker} me=${me} value=${motion} onChange=${setMotion} />` : null}
      <label for=${`rej-${item.id}`}>${t("variation.rejectReason")}</label>
      <input id=${`rej-${item.id}`} maxlength="2000" value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} />
      <div class="actions">
        <button type="button" class="primary" data-testid="variation-approve" disabled=${action.busy || (item.needs_decision && !motion)}
          onClick=${() => setAsking("approve")}>${t("variation.approve")}</button>
        <button type="button" data-testid="variation-reject" disabled=${action.busy || !reason.trim()}
          onClick=${() => setAsking("reject")}>${t("variation.reject")}</button></div>` : null}
    ${asking ? html`<${Confirm} testid=${`confirm-variation-${asking}`}
      lines=${[t(asking === "approve" ? "variation.askApprove" : "variation.askReject"), `${formatFen(item.amount_fen)} · ${item.reason}`]}
      yes=${t(`variation.${asking}`)} onYes=${() => run(asking)} onNo=${() => setAsking(null)} />` : null}
    <${ErrorBox} error=${action.error} />
  </li>`;
}

/** The estate's closed motions (the server checks that the one picked passed). */
function MotionPicker({ me, value, onChange }) {
  const meetings = useApi(`/api/estates/${me.estate_id}/meetings`);
  const [motions, setMotions] = useState(null);
  useEffect(() => {
    const list = itemsOf(meetings.data);
    if (!list.length) return undefined;
    let alive = true;
    Promise.all(list.map((m) => api(`/api/meetings/${m.id}/motions`).then(itemsOf, () => [])))
      .then((all) => alive && setMotions(all.flat().filter((mo) => mo.status === "closed")));
    return () => { alive = false; };
  }, [meetings.data]);
  return html`<label for="var-motion">${t("variation.motion")}</label>
    <select id="var-motion" data-testid="variation-motion" value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
      <option value="">—</option>
      ${(motions || []).map((mo) => html`<option key=${mo.id} value=${String(mo.id)}>${mo.title}</option>`)}</select>
    <p class="muted">${t("variation.motionHint")}</p>`;
}

function FinalAccounts({ me }) {
  const versions = useApi(`/api/estates/${me.estate_id}/final-accounts`);
  useLiveEvent(["final_accounts."], versions.reload);
  const list = itemsOf(versions.data);
  const [picked, setPicked] = useState(null);
  const shown = picked || (list[0] ? list[0].id : null);
  return html`<section class="card" aria-labelledby="final-h" data-testid="final-accounts">
    <h2 id="final-h">${t("settlement.final.title")}</h2>
    <${ErrorBox} error=${versions.error} />
    ${can(me, "final_accounts.manage") ? html`<${RunFinalAccounts} me=${me} onDone=${(f) => { setPicked(f.id); versions.reload(); }} />` : null}
    ${list.length ? html`<label for="final-version">${t("settlement.final.version")}</label>
      <select id="final-version" value=${String(shown)} onChange=${(e) => setPicked(Number(e.currentTarget.value))}>
        ${list.map((f) => html`<option key=${f.id} value=${String(f.id)}>${t("settlement.final.versionN", { n: f.version })} · ${t(`settlement.final.status.${f.status}`)}</option>`)}</select>`
      : html`<p class="muted">${t("settlement.final.none")}</p>`}
    ${shown ? html`<${FinalAccountsTable} me=${me} key=${shown} id=${shown} onChange=${versions.reload} />` : null}
  </section>`;
}

function RunFinalAccounts({ me, onDone }) {
  const plans = useApi(`/api/estates/${me.estate_id}/funding-plans`);
  const works = useApi(`/api/estates/${me.estate_id}/works`);
  const approved = itemsOf(plans.data).find((p) => p.status === "approved");
  const plan = useApi(approved ? `/api/funding-plans/${approved.id}` : null);
  const byId = useMemo(() => Object.fromEntries(itemsOf(works.data).map((w) => [String(w.id), w])), [works.data]);
  const open = plan.data ? itemsOf(plan.data.works).filter((w) => (byId[String(w.work_id)] || {}).awarded_total_fen == null) : [];
  const [costs, setCosts] = useState({});
  const [bad, setBad] = useState(false);
  const action = useAction();
  const submit = async (e) => {
    e.preventDefault();
    let finalCosts;
    try { finalCosts = open.map((w) => ({ work_id: w.work_id, cost_fen: parseYuan(costs[w.work_id] || "") })); } catch { setBad(true); return; }
    setBad(false);
    const res = await action.run(() => api(`/api/estates/${me.estate_id}/final-accounts`, {
      method: "POST", body: { plan_id: approved.id, final_costs: finalCosts } }));
    if (res) onDone(res);
  };
  if (!approved) return whileLoading(plans) || html`<p class="muted">${t("settlement.final.noPlan")}</p>`;
  return html`<form onSubmit=${submit} data-testid="run-final-accounts">
    <p>${t("settlement.final.ofPlan", { n: approved.version })}</p>
    ${open.map((w) => { const work = byId[String(w.work_id)] || {}; return html`<div key=${w.work_id}>
      <label for=${`cost-${w.work_id}`}>${t("settlement.final.costOf", { title: work.title || `#${w.work_id}` })}</label>
      <input id=${`cost-${w.work_id}`} data-testid="final-cost-input" required inputmode="decimal"
        placeholder=${t("settlement.final.planned", { amount: formatFen(w.cost_fen) })}
        value=${costs[w.work_id] || ""} onInput=${(e) => setCosts({ ...costs, [w.work_id]: e.currentTarget.value })} /></div>`; })}
    ${bad ? html`<p class="error">${t("variation.badAmount")}</p>` : null}
    <p class="muted">${t("settlement.final.awardedHint")}</p>
    <div class="actions"><button class="primary" type="submit" data-testid="run-final" disabled=${action.busy}>${t("settlement.final.run")}</button></div>
    <${ErrorBox} error=${action.error} />
  </form>`;
}

function FinalAccountsTable({ me, id, onChange }) {
  const final = useApi(`/api/final-accounts/${id}`);
  const households = useApi(`/api/estates/${me.estate_id}/households`);
  const units = useMemo(() => Object.fromEntries(itemsOf(households.data).map((h) => [String(h.id), h])), [households.data]);
  const action = useAction();
  const [asking, setAsking] = useState(false);
  const f = final.data;
  const approve = async () => {
    setAsking(false);
    const res = await action.run(() => api(`/api/final-accounts/${id}/approve`, { method: "POST" }));
    if (res) { final.setData(res); onChange(); }
  };
  if (!f) return whileLoading(final) || html`<${ErrorBox} error=${final.error} />`;
  const lines = itemsOf(f.households).slice().sort((a, b) => byBuildingAndUnit(units[String(a.household_id)] || {}, units[String(b.household_id)] || {}));
  return html`<div data-testid="final-accounts-table" data-status=${f.status}>
    <dl class="kv">
      <dt>${t("settlement.final.totalCost")}</dt><dd><${Money} fen=${f.total_cost_fen} /></dd>
      <dt>${t("settlement.final.residents")}</dt><dd data-testid="residents-total"><${Money} fen=${f.residents_total_fen} /></dd>
      <dt>${t("settlement.final.plannedResidents")}</dt><dd><${Money} fen=${f.planned_residents_total_fen} /></dd>
      <dt>${t("settlement.final.refunds")}</dt><dd data-testid="refund-total"><${Money} fen=${f.refund_total_fen} /></dd>
      <dt>${t("settlement.final.topups")}</dt><dd data-testid="topup-total"><${Money} fen=${f.topup_total_fen} /></dd>
    </dl>
    <h3>${t("settlement.final.sources")}</h3>
    <ul class="plain" data-testid="final-sources">${itemsOf(f.sources).map((s) => html`<li key=${s.source_id}>
      <strong>${s.name || `#${s.source_id}`}</strong>: ${t("settlement.final.sourceLine", { planned: formatFen(s.planned_fen), final: formatFen(s.final_fen), unspent: formatFen(s.unspent_fen) })}</li>`)}</ul>
    <h3>${t("settlement.final.households")}</h3>
    <div class="table-wrap"><table data-testid="final-households">
      <thead><tr><th>${t("settlement.final.unit")}</th><th>${t("settlement.final.share")}</th><th>${t("settlement.final.paid")}</th><th>${t("settlement.final.refundOrTopup")}</th></tr></thead>
      <tbody>${lines.map((h) => { const u = units[String(h.household_id)] || {}; return html`<tr key=${h.household_id}>
        <td>${u.building || ""} ${u.unit || `#${h.household_id}`}</td>
        <td class="num">${formatFen(h.final_fen)}</td><td class="num">${formatFen(h.paid_fen)}</td>
        <td class="num">${h.refund_fen ? t("settlement.final.refundN", { amount: formatFen(h.refund_fen) })
          : h.topup_fen ? t("settlement.final.topupN", { amount: formatFen(h.topup_fen) }) : "—"}</td></tr>`; })}</tbody>
    </table></div>
    <div class="actions">
      ${can(me, "exports.download") ? html`<a class="button" data-testid="final-csv" href=${`/api/final-accounts/${id}/export.csv`}>${t("settlement.final.csv")}</a>
        <a class="button" href=${`/api/final-accounts/${id}/export.xlsx`}>${t("settlement.final.xlsx")}</a>
        <a class="button" target="_blank" rel="noopener" href=${`/api/final-accounts/${id}/notices`}>${t("settlement.final.notices")}</a>` : null}
      ${f.status === "draft" && can(me, "final_accounts.approve") ? html`<button type="button" class="primary" data-testid="final-approve"
        disabled=${action.busy} onClick=${() => setAsking(true)}>${t("settlement.final.approve")}</button>` : null}</div>
    ${asking ? html`<${Confirm} testid="confirm-final-approve" lines=${[t("settlement.final.askApprove", { n: f.version })]}
      yes=${t("settlement.final.approve")} onYes=${approve} onNo=${() => setAsking(false)} />` : null}
    <${ErrorBox} error=${action.error} />
  </div>`;
}
