import { html, useState, useMemo, useEffect, useRef } from "../lib/html.js";
import { t, tMaybe, getLang } from "../lib/i18n.js";
import { api, itemsOf } from "../lib/api.js";
import { ErrorBox, Loading, useApi, useAction, Money, Status, ChartCanvas, bilingual, byVersion, whileLoading, Confirm } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";
import { HowToPay } from "./owner.js";
import { can } from "../lib/access.js";
import { fenToYuanString, formatDateTime, parseYuan, planSharePct, shareToPct, formatFen } from "../lib/format.js";
import { pctToShare, gaugeScale } from "../lib/percent.js";

const SOURCE_KINDS = ["subsidy", "maintenance_fund", "utility", "donor", "other"];
const PALETTE = ["#0050b3", "#d46b08", "#531dab", "#08979c", "#7cb305", "#c41d7f"];
const RESIDENTS_COLOUR = "#a8071a";

/** Funding: sources, the solve form, plan versions; with an id, one plan in detail. */
export function FundingPlan({ me, params }) {
  const works = useApi(`/api/estates/${me.estate_id}/works`);
  const sources = useApi(`/api/estates/${me.estate_id}/funding-sources`);
  const plans = useApi(`/api/estates/${me.estate_id}/funding-plans`);
  useLiveEvent(["funding", "plan.", "work."], () => { sources.reload(); plans.reload(); });
  const names = useMemo(() => ({
    work: Object.fromEntries(itemsOf(works.data).map((w) => [String(w.id), w.title])),
    source: Object.fromEntries(itemsOf(sources.data).map((s) => [String(s.id), s.name])),
  }), [works.data, sources.data]);
  const planList = byVersion(itemsOf(plans.data));
  const planId = params.id || (planList.length ? planList[planList.length - 1].id : null);
  const versionOf = Object.fromEntries(planList.map((p) => [String(p.id), p.version]));
  const canEdit = can(me, "funding.manage");
  return html`<h1>${t("funding.title")}</h1>
    <div class="grid two">
      <section class="card" aria-labelledby="sources-h">
        <h2 id="sources-h">${t("funding.sources")}</h2>
        <${ErrorBox} error=${sources.error} />
        <ul class="plain" data-testid="sources">${itemsOf(sources.data).map((s) => html`<li key=${s.id}>
          <strong>${s.name}</strong> <span class="muted">${tMaybe(`source.kind.${s.kind}`, s.kind)}</span><br />
          ${t("funding.budget")}: <${Money} fen=${s.budget_fen} />
          ${s.max_share ? html` · ${t("funding.maxShare")}: ${shareToPct(s.max_share)}` : null}
          <div class="muted">${itemsOf(s.eligible_work_ids).map((id) => names.work[String(id)] || `#${id}`).join("、")}</div>
        </li>`)}</ul>
        ${canEdit ? html`<${NewSource} estateId=${me.estate_id} works=${itemsOf(works.data)} onDone=${sources.reload} />` : null}
      </section>
      ${canEdit ? html`<${SolveForm} estateId=${me.estate_id} onSolved=${(p) => { plans.reload(); if (p && p.id && p.status !== "failed") location.hash = `#/funding/${p.id}`; }} />` : null}
    </div>
    ${planList.length ? html`<section class="card" aria-labelledby="versions-h">
      <h2 id="versions-h">${t("funding.versions")}</h2>
      <ul class="plain" data-testid="versions">${planList.slice().reverse().map((p) => html`<li key=${p.id}>
        <a href=${`#/funding/${p.id}`} aria-current=${String(p.id) === String(planId) ? "page" : undefined}>
          ${t("funding.versionN", { n: p.version })}</a> <${Status} kind="plan" value=${p.status} />
        ${p.residents_total_fen !== undefined ? html` · ${t("funding.residents")}: <${Money} fen=${p.residents_total_fen} />` : null}
        ${p.created_at ? html` <span class="muted">${formatDateTime(p.created_at)}</span>` : null}</li>`)}</ul>
    </section>` : null}
    ${planId ? html`<${PlanDetail} key=${planId} me=${me} planId=${planId} names=${names} versionOf=${versionOf}
      inForce=${planList.find((x) => x.status === "approved") || null} onChange=${plans.reload} />` : null}`;
}

function NewSource({ estateId, works, onDone }) {
  const action = useAction();
  const [form, setForm] = useState({ name: "", kind: SOURCE_KINDS[0], budget: "", maxShare: "", eligible: [] });
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const toggle = (id) => setForm({ ...form, eligible: form.eligible.includes(id) ? form.eligible.filter((x) => x !== id) : [...form.eligible, id] });
  const submit = async (e) => {
    e.preventDefault();
    let budget;
    try { budget = parseYuan(form.budget); } catch (err) { action.setError(err); return; }
    const body = { name: form.name, kind: form.kind, budget_fen: budget, eligible_work_ids: form.eligible };
    if (form.maxShare.trim()) body.max_share = form.maxShare.trim();
    const res = await action.run(() => api(`/api/estates/${estateId}/funding-sources`, { method: "POST", body }));
    if (res !== undefined) { setForm({ ...form, name: "", budget: "", maxShare: "", eligible: [] }); onDone(); }
  };
  return html`<details><summary>${t("funding.newSource")}</summary><form onSubmit=${submit}>
    <label for="src-name">${t("funding.sourceName")}</label>
    <input id="src-name" required value=${form.name} onInput=${set("name")} />
    <label for="src-kind">${t("funding.sourceKind")}</label>
    <select id="src-kind" value=${form.kind} onChange=${set("kind")}>
      ${SOURCE_KINDS.map((k) => html`<option value=${k}>${t(`source.kind.${k}`)}</option>`)}</select>
    <label for="src-budget">${t("funding.budgetYuan")}</label>
    <input id="src-budget" required inputmode="decimal" value=${form.budget} onInput=${set("budget")} />
    <label for="src-share">${t("funding.maxShareHelp")}</label>
    <input id="src-share" inputmode="decimal" placeholder="0.50" value=${form.maxShare} onInput=${set("maxShare")} />
    <fieldset><legend>${t("funding.eligibleWorks")}</legend>
      ${works.map((w) => html`<label class="check"><input type="checkbox" checked=${form.eligible.includes(w.id)}
        onChange=${() => toggle(w.id)} /> ${w.title}</label>`)}</fieldset>
    <div class="actions"><button class="primary" type="submit" disabled=${action.busy}>${t("funding.addSource")}</button></div>
    <${ErrorBox} error=${action.error} />
  </form></details>`;
}

/** The request the solve form describes (RangeError on a bad percentage). */
function solveBody(form, picked) {
  const body = { policy: form.policy, resident_band: [pctToShare(form.low), pctToShare(form.high)], work_ids: [...picked] };
  if (form.policy === "target") body.target_share = pctToShare(form.target);
  return body;
}

/**
 * The solve form: the works the plan covers (default: the plan in force's works plus the
 * newly awarded ones), the band in percent, and a live preview that stores nothing; a
 * version is made only by the save button (a failed attempt too, when saved on purpose).
 */
function SolveForm({ estateId, onSolved }) {
  const action = useAction();
  const choices = useApi(`/api/estates/${estateId}/funding-plans/work-choices`);
  useLiveEvent(["work.", "plan.", "funding", "quote"], () => choices.reload());
  const [form, setForm] = useState({ policy: "minimum", low: "20", high: "30", target: "25" });
  const [picked, setPicked] = useState(null); // Set of work ids; null until the defaults arrive
  const [preview, setPreview] = useState({ busy: false, data: null, error: null });
  const seq = useRef(0);
  const works = itemsOf(choices.data && choices.data.works);
  const inForce = choices.data ? choices.data.plan_in_force : null;
  useEffect(() => {
    if (picked === null && choices.data) setPicked(new Set(works.filter((w) => w.selected).map((w) => w.work_id)));
  }, [choices.data]);
  useEffect(() => { // the live preview: a moment after the last change, solve without storing
    if (picked === null) return undefined;
    const mine = ++seq.current;
    let body;
    try { body = solveBody(form, picked); } catch (err) { setPreview({ busy: false, data: null, error: err }); return undefined; }
    setPreview((p) => ({ ...p, busy: true }));
    const timer = setTimeout(() => {
      api(`/api/estates/${estateId}/funding-plans/preview`, { method: "POST", body }).then(
        (data) => mine === seq.current && setPreview({ busy: false, data, error: null }),
        (error) => mine === seq.current && setPreview({ busy: false, data: null, error }));
    }, 350);
    return () => clearTimeout(timer);
  }, [form, picked, choices.data]);
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const toggle = (id) => { const next = new Set(picked || []); if (next.has(id)) next.delete(id); else next.add(id); setPicked(next); };
  const submit = async (e) => {
    e.preventDefault();
    let body;
    try { body = solveBody(form, picked || new Set()); } catch (err) { action.setError(err); return; }
    const res = await action.run(() => api(`/api/estates/${estateId}/funding-plans`, { method: "POST", body }));
    onSolved(res); // a failed attempt saved on purpose is a version too: refresh the list either way
  };
  const p = preview.data;
  const failed = p && p.status === "failed";
  return html`<section class="card" aria-labelledby="solve-h"><h2 id="solve-h">${t("funding.solve")}</h2>
    <form onSubmit=${submit} data-testid="solve-form">
      <fieldset data-testid="work-choices"><legend>${t("funding.planWorks")}</legend>
        ${whileLoading(choices) || html`<${ErrorBox} error=${choices.error} />
        ${inForce ? html`<p class="muted">${t("funding.planWorksHelp", { n: inForce.version })}</p>` : null}
        <ul class="plain work-choices">${works.map((w) => html`<li key=${w.work_id}>
          <label class="check"><input type="checkbox" data-testid=${`work-choice-${w.work_id}`}
            checked=${!!(picked && picked.has(w.work_id))} disabled=${w.cost_fen === null}
            onChange=${() => toggle(w.work_id)} />
          <span class="choice-text"><span>${w.title}</span> <${Status} kind="work" value=${w.status} />
            <span class="muted"> ${w.cost_fen === null ? t("funding.noCost") : html`<${Money} fen=${w.cost_fen} wan=${false} />`}
            ${w.cost_kind ? ` · ${t(`funding.costKind.${w.cost_kind}`)}` : ""}</span>
            ${w.in_plan_in_force ? html` <span class="tag">${t("funding.inPlan", { n: inForce ? inForce.version : "" })}</span>` : null}
            ${w.newly_awarded ? html` <span class="tag tag-new">${t("funding.newlyAwarded")}</span>` : null}</span></label></li>`)}</ul>`}
      </fieldset>
      <fieldset><legend>${t("funding.policy")}</legend>
        ${["minimum", "target"].map((pol) => html`<label class="check"><input type="radio" name="policy" value=${pol}
          checked=${form.policy === pol} onChange=${set("policy")} /> ${t(`funding.policy.${pol}`)}</label>`)}
      </fieldset>
      <div class="grid two">
        <div><label for="band-low">${t("funding.bandLow")}</label>
          <span class="with-unit"><input id="band-low" inputmode="decimal" value=${form.low} onInput=${set("low")} /><span>%</span></span></div>
        <div><label for="band-high">${t("funding.bandHigh")}</label>
          <span class="with-unit"><input id="band-high" inputmode="decimal" value=${form.high} onInput=${set("high")} /><span>%</span></span></div>
      </div>
      ${form.policy === "target" ? html`<label for="target-share">${t("funding.targetShare")}</label>
        <span class="with-unit"><input id="target-share" inputmode="decimal" value=${form.target} onInput=${set("target")} /><span>%</span></span>` : null}
      <${Preview} preview=${preview} />
      <div class="actions"><button class=${failed ? "" : "primary"} type="submit" data-testid="solve"
        disabled=${action.busy || !picked}>${failed ? t("funding.saveFailed") : t("funding.solveButton")}</button></div>
      ${action.error ? html`<div data-testid="infeasible"><${ErrorBox} error=${action.error} /></div>` : null}
    </form></section>`;
}

/** What the form would give, solved on the server and not stored. */
function Preview({ preview }) {
  const p = preview.data;
  if (preview.error) return html`<div data-testid="preview"><${ErrorBox} error=${preview.error} /></div>`;
  if (!p) return preview.busy ? html`<p class="muted" role="status" data-testid="preview-busy">${t("funding.previewBusy")}</p>` : null;
  const comparison = p.comparison ? html`<p data-testid="comparison"><strong>${bilingual(p.comparison)}</strong></p>` : null;
  const share = p.status === "ok" ? p.residents_share : p.comparison && p.comparison.share;
  const gauge = share ? html`<${BandGauge} band=${p.resident_band} share=${share}
    shareText=${p.status === "ok" ? planSharePct(p) : shareToPct(share)} />` : null;
  if (p.status === "failed") {
    return html`<div class="error" role="alert" data-testid="preview" data-status="failed" aria-busy=${preview.busy ? "true" : "false"}>
      <strong>${t("funding.previewFailed")}</strong>
      ${comparison}${gauge}
      ${itemsOf(p.problems).length ? html`<ul data-testid="problems">${itemsOf(p.problems).map((x, i) => html`<li key=${i}>${bilingual(x)}</li>`)}</ul>` : null}
      <p class="muted">${t("funding.previewFailedHelp")}</p></div>`;
  }
  return html`<div class="notice" role="status" data-testid="preview" data-status="ok" aria-busy=${preview.busy ? "true" : "false"}>
    <strong>${t("funding.previewOk")}</strong>
    <dl class="kv">
      <dt>${t("funding.totalCost")}</dt><dd data-testid="preview-total"><${Money} fen=${p.total_cost_fen} /></dd>
      <dt>${t("funding.residents")}</dt><dd data-testid="preview-residents"><${Money} fen=${p.residents_total_fen} /></dd>
    </dl>
    ${comparison}${gauge}</div>`;
}

function PlanDetail({ me, planId, names, versionOf, inForce, onChange }) {
  const plan = useApi(`/api/funding-plans/${planId}`);
  // plan events about this version; and anything that can make it stale (costs, awards, who benefits, households)
  useLiveEvent(["funding", "plan.", "work.", "households."], (e) => {
    const d = e.data || {};
    if (!String(e.type).startsWith("plan.") || d.plan_id === undefined || String(d.plan_id) === String(planId)) plan.reload();
  });
  const action = useAction();
  const [confirming, setConfirming] = useState(false);
  const p = plan.data;
  const charts = useMemo(() => (p ? { works: worksChart(p, names), burden: burdenChart(p) } : null), [p, names, getLang()]);
  if (plan.error) return html`<${ErrorBox} error=${plan.error} />`;
  if (!p) return html`<${Loading} />`;
  const approve = async () => {
    setConfirming(false);
    const res = await action.run(() => api(`/api/funding-plans/${planId}/approve`, { method: "POST" }));
    if (res !== undefined) { plan.reload(); onChange(); }
  };
  // approving is final: it asks first, saying which version it replaces and that its notices go void
  const supersedes = inForce && String(inForce.id) !== String(p.id) ? inForce.version : null;
  const approveLines = supersedes !== null
    ? [t("funding.approveSupersedes", { n: p.version, old: supersedes })]
    : [t("funding.approveFirst", { n: p.version })];
  const resolve = async () => { // a new version with this one's settings and works; this one is kept as it is
    const body = { policy: p.policy, resident_band: itemsOf(p.resident_band), work_ids: itemsOf(p.works).map((w) => w.work_id) };
    if (p.target_share) body.target_share = p.target_share;
    const res = await action.run(() => api(`/api/estates/${me.estate_id}/funding-plans`, { method: "POST", body }));
    onChange();
    if (res && res.id && res.status !== "failed") location.hash = `#/funding/${res.id}`;
  };
  const stale = ["failed", "superseded"].includes(p.status) ? [] : itemsOf(p.stale);
  const replaces = p.status === "draft" && p.replaces_plan_id != null ? versionOf[String(p.replaces_plan_id)] : null;
  const staleText = (r) => { // "工程 #2 …" → "工程「污水管网改造」…" when the name is known
    const text = bilingual(r);
    const map = ["budget", "source_added", "source_removed", "source_rules"].includes(r.kind) ? names.source : names.work;
    const name = r.subject_id == null ? null : map[String(r.subject_id)];
    if (!name) return text;
    return getLang() === "en" ? text.replace(`#${r.subject_id}`, `“${name}”`) : text.replace(` #${r.subject_id} `, `「${name}」`);
  };
  return html`<section class="card" aria-labelledby="plan-h" data-testid="plan">
    <h2 id="plan-h">${t("funding.versionN", { n: p.version })} <${Status} kind="plan" value=${p.status} /></h2>
    <dl class="kv">
      <dt>${t("funding.totalCost")}</dt><dd data-testid="plan-total"><${Money} fen=${p.total_cost_fen} /></dd>
      <dt>${t("funding.residents")}</dt><dd data-testid="plan-residents"><${Money} fen=${p.residents_total_fen} /></dd>
      <dt>${t("funding.residentsShare")}</dt><dd>${p.residents_share ? planSharePct(p) : "—"}</dd>
    </dl>
    ${["draft", "approved"].includes(p.status) ? html`<${PaymentInstructions} me=${me} planId=${planId} version=${p.version} />` : null}
    ${p.status === "superseded" ? html`<div class="notice" role="status" data-testid="plan-superseded">
      <strong>${t("funding.superseded", { n: p.superseded_by_version })}</strong>
      ${p.superseded_at ? html` <span class="muted">${formatDateTime(p.superseded_at)}</span>` : null}</div>` : null}
    ${replaces ? html`<p class="muted" data-testid="plan-replaces">${t("funding.replaces", { n: replaces })}</p>` : null}
    ${stale.length ? html`<div class="notice" role="status" data-testid="plan-stale">
      <strong>${t("funding.stale")}</strong>
      <ul>${stale.map((r, i) => html`<li key=${i}>${staleText(r)}</li>`)}</ul>
      ${can(me, "funding.manage") ? html`<button type="button" data-testid="resolve" disabled=${action.busy}
        onClick=${resolve}>${t("funding.resolve")}</button>` : null}
    </div>` : null}
    ${p.residents_share ? html`<${BandGauge} band=${p.resident_band} share=${p.residents_share} shareText=${planSharePct(p)} />` : null}
    ${p.status === "failed" ? html`<div class="error" role="alert" data-testid="plan-failed">
      <strong>${t("funding.failed")}</strong>
      ${itemsOf(p.problems).length ? html`<ul>${itemsOf(p.problems).map((x) => html`<li>${bilingual(x)}</li>`)}</ul>`
        : getLang() === "en" && p.failure_reason ? html`<p>${p.failure_reason}</p>` : null}</div>` : null}
    ${p.explanation ? html`<p class="notice" data-testid="explanation">${bilingual(p.explanation)}</p>` : null}
    ${p.status === "failed" ? null : html`<h3>${t("funding.byWork")}</h3>
    <${ChartCanvas} config=${charts.works} label=${t("funding.byWorkChart")} height=${Math.max(220, 48 * itemsOf(p.works).length + 40 * Math.ceil((itemsOf(p.sources).length + 1) / 2) + 60)} testid="works-chart" />
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">${t("funding.work")}</th><th scope="col" class="num">${t("funding.cost")}</th>
        <th scope="col" class="num">${t("funding.residents")}</th><th scope="col">${t("funding.sources")}</th></tr></thead>
      <tbody>${itemsOf(p.works).map((w) => html`<tr key=${w.work_id}><td>${names.work[String(w.work_id)] || `#${w.work_id}`}</td>
        <td class="num"><${Money} fen=${w.cost_fen} /></td><td class="num"><${Money} fen=${w.residents_fen} /></td>
        <td>${itemsOf(w.sources).filter((s) => s.amount_fen).map((s) => html`<div>${names.source[String(s.source_id)] || `#${s.source_id}`}: <${Money} fen=${s.amount_fen} /></div>`)}</td>
      </tr>`)}</tbody></table></div>
    <h3>${t("funding.burden")}</h3>
    <${ChartCanvas} config=${charts.burden} label=${t("funding.burdenChart")} height=${220} testid="burden-chart" />
    <p class="muted">${t("funding.households", { n: itemsOf(p.households).length, capped: itemsOf(p.households).filter((h) => h.capped).length })}</p>`}
    <div class="actions">
      ${can(me, "funding.approve") && p.status === "draft" && !confirming ? html`<button type="button" class="primary" data-testid="approve"
        disabled=${action.busy} onClick=${() => setConfirming(true)}>${t("funding.approve")}</button>` : null}
      ${p.status === "failed" || !can(me, "exports.download") ? null : html`<${Exports} planId=${planId} estateId=${me.estate_id} />`}
      ${(p.status === "approved" || p.status === "superseded") && can(me, "ledger.view") ? html`<a class="button" data-testid="open-ledger" href=${`#/funding/${planId}/ledger`}>${t("ledger.open")}</a>` : null}
    </div>
    ${confirming && p.status === "draft" ? html`<${Confirm} testid="confirm-approve" lines=${approveLines}
      yes=${t("funding.approveConfirm")} onYes=${approve} onNo=${() => setConfirming(false)} />` : null}
    <${ErrorBox} error=${action.error} />
  </section>`;
}

/** How owners pay this plan (due date, payee, account, where and how): shown to staff,
 * set by the treasurer roles (capability funding.approve) on a draft or the approved plan. */
function PaymentInstructions({ me, planId, version }) {
  const given = useApi(`/api/funding-plans/${planId}/payment-instructions`);
  useLiveEvent(["payment."], given.reload);
  const [editing, setEditing] = useState(false);
  const g = given.data;
  const own = g && g.set_on_version != null;
  return html`<section class="notice" data-testid="payment-instructions" aria-labelledby=${`pay-h-${planId}`}>
    <h3 id=${`pay-h-${planId}`}>${t("funding.pay.title")}</h3>
    <${ErrorBox} error=${given.error} />
    ${!g ? (given.error ? null : html`<${Loading} />`) : editing
      ? html`<${PaymentInstructionsForm} planId=${planId} given=${g} onDone=${() => { setEditing(false); given.reload(); }}
          onCancel=${() => setEditing(false)} />`
      : html`${own ? html`<${HowToPay} given=${g} />` : html`<p class="muted">${t("funding.pay.none")}</p>`}
        ${own && Number(g.set_on_version) !== Number(version) ? html`<p class="muted" data-testid="pay-carried">${t("funding.pay.carried", { n: g.set_on_version })}</p>` : null}
        ${can(me, "funding.approve") ? html`<div class="actions"><button type="button" data-testid="edit-payment-instructions"
          onClick=${() => setEditing(true)}>${t("funding.pay.edit")}</button></div>` : null}`}
  </section>`;
}

function PaymentInstructionsForm({ planId, given, onDone, onCancel }) {
  const [form, setForm] = useState({ due_date: given.due_date || "", payee: given.payee || "",
    account: given.account || "", how_to_pay: given.how_to_pay || "" });
  const action = useAction();
  const field = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    const body = { ...form, due_date: form.due_date || null };
    const res = await action.run(() => api(`/api/funding-plans/${planId}/payment-instructions`, { method: "PUT", body }));
    if (res !== undefined) onDone();
  };
  const id = (key) => `pay-${planId}-${key}`;
  return html`<form onSubmit=${submit} data-testid="payment-instructions-form">
    <label for=${id("due")}>${t("my.pay.due")}</label>
    <input id=${id("due")} type="date" value=${form.due_date} onInput=${field("due_date")} />
    <label for=${id("payee")}>${t("my.pay.payee")}</label>
    <input id=${id("payee")} maxlength="200" value=${form.payee} onInput=${field("payee")} />
    <label for=${id("account")}>${t("my.pay.account")}</label>
    <input id=${id("account")} maxlength="200" value=${form.account} onInput=${field("account")} />
    <label for=${id("how")}>${t("my.pay.how")}</label>
    <textarea id=${id("how")} maxlength="2000" rows="3" value=${form.how_to_pay} onInput=${field("how_to_pay")}></textarea>
    <div class="actions"><button class="primary" type="submit" data-testid="save-payment-instructions" disabled=${action.busy}>${t("funding.pay.save")}</button>
      <button type="button" onClick=${onCancel}>${t("common.cancel")}</button></div>
    <${ErrorBox} error=${action.error} />
  </form>`;
}

function Exports({ planId, estateId }) {
  const buildings = useApi(`/api/estates/${estateId}/buildings`);
  const [building, setBuilding] = useState("");
  const lang = getLang() === "en" ? "en" : "zh";
  const base = `/api/funding-plans/${planId}`;
  return html`
    <a class="button" data-testid="export-xlsx" href=${`${base}/export.xlsx?lang=${lang}`} download>${t("funding.exportXlsx")}</a>
    <a class="button" href=${`${base}/export.csv?view=households&lang=${lang}`} download>${t("funding.exportCsvHouseholds")}</a>
    <a class="button" href=${`${base}/export.csv?view=works&lang=${lang}`} download>${t("funding.exportCsvWorks")}</a>
    <a class="button" href=${`${base}/export.csv?view=households&lang=${lang}&encoding=utf-8`} download>${t("funding.exportCsvPlain")}</a>
    <a class="button" data-testid="export-ocds" href=${`/api/estates/${estateId}/ocds`} download=${`ocds-estate-${estateId}.json`}
      title=${t("ocds.hint")}>${t("ocds.estate")}</a>
    ${itemsOf(buildings.data).length ? html`<span class="inline-form">
      <label for="notice-building" class="sr-only">${t("funding.noticeBuilding")}</label>
      <select id="notice-building" value=${building} onChange=${(e) => setBuilding(e.currentTarget.value)}>
        <option value="">${t("funding.noticeBuilding")}</option>
        ${itemsOf(buildings.data).map((b) => html`<option value=${String(b.id)}>${b.name}</option>`)}
      </select>
      ${building ? html`<a class="button" target="_blank" rel="noopener"
        href=${`${base}/notices?building_id=${building}&lang=${lang}`}>${t("funding.printNotices")}</a>` : null}
    </span>` : null}`;
}

function parseShare(s) {
  const n = Number(s);
  return Number.isFinite(n) ? n : 0;
}

function BandGauge({ band, share, shareText }) {
  const b = itemsOf(band).length === 2 ? band : ["0.20", "0.30"];
  const lo = parseShare(b[0]);
  const hi = parseShare(b[1]);
  const value = parseShare(share);
  const { top, ticks } = gaugeScale(lo, hi, value);
  const pos = (x) => `${Math.max(0, Math.min(100, (x / top) * 100))}%`;
  const outside = value > hi || value < lo;
  return html`<div aria-label=${t("funding.gauge")} data-testid="band-gauge" data-top=${String(Math.round(top * 100))}>
    <div class="muted">${t("funding.gaugeText", { share: shareText, lo: shareToPct(b[0], 0), hi: shareToPct(b[1], 0) })}</div>
    <div class="gauge" role="meter" aria-valuemin="0" aria-valuemax=${Math.round(top * 100)} aria-valuenow=${Math.round(value * 1000) / 10}
      aria-valuetext=${shareText} aria-label=${t("funding.residentsShare")}>
      <div class="band" data-testid="gauge-band" style=${{ left: pos(lo), width: `calc(${pos(hi)} - ${pos(lo)})` }}></div>
      <div class=${outside ? "marker outside" : "marker"} data-testid="gauge-marker" style=${{ left: `calc(${pos(value)} - 2px)` }}></div>
      ${ticks.map((x) => html`<span class="tick" style=${{ left: pos(x) }}>${Math.round(x * 100)}%</span>`)}
    </div></div>`;
}

function yuan(fen) {
  return Number(fenToYuanString(fen)); // chart drawing only; figures shown in text come from fen
}

function worksChart(plan, names) {
  const works = itemsOf(plan.works);
  const sourceIds = [...new Set(works.flatMap((w) => itemsOf(w.sources).map((s) => String(s.source_id))))];
  const datasets = sourceIds.map((sid, i) => ({
    label: names.source[sid] || `#${sid}`,
    fen: works.map((w) => { const s = itemsOf(w.sources).find((x) => String(x.source_id) === sid); return s ? s.amount_fen : 0; }),
    data: works.map((w) => { const s = itemsOf(w.sources).find((x) => String(x.source_id) === sid); return s ? yuan(s.amount_fen) : 0; }),
    backgroundColor: PALETTE[i % PALETTE.length],
  }));
  datasets.push({ label: t("funding.residents"), fen: works.map((w) => w.residents_fen),
    data: works.map((w) => yuan(w.residents_fen)), backgroundColor: RESIDENTS_COLOUR });
  return {
    type: "bar",
    data: { labels: works.map((w) => names.work[String(w.work_id)] || `#${w.work_id}`), datasets },
    options: {
      indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
      scales: { x: { stacked: true, ticks: { callback: (v) => `¥${Number(v).toLocaleString("en-US")}` } }, y: { stacked: true } },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 12, font: { size: 11 } } },
        tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${formatFen(ctx.dataset.fen[ctx.dataIndex])}` } },
      },
    },
  };
}

/** Histogram of household payments in ten equal buckets between the smallest and largest. */
function burdenChart(plan) {
  const amounts = itemsOf(plan.households).map((h) => yuan(h.amount_fen));
  const min = amounts.length ? Math.min(...amounts) : 0;
  const max = amounts.length ? Math.max(...amounts) : 0;
  const buckets = 10;
  const width = (max - min) / buckets || 1;
  const counts = new Array(buckets).fill(0);
  for (const a of amounts) counts[Math.min(buckets - 1, Math.floor((a - min) / width))] += 1;
  const labels = counts.map((_, i) => `¥${Math.round(min + i * width).toLocaleString("en-US")}–${Math.round(min + (i + 1) * width).toLocaleString("en-US")}`);
  return {
    type: "bar",
    data: { labels, datasets: [{ label: t("funding.householdCount"), data: counts, backgroundColor: RESIDENTS_COLOUR }] },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  };
}
