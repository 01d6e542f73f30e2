import { html, useState, useMemo } from "../lib/html.js";
import { t, tMaybe, getLang } from "../lib/i18n.js";
import { api, itemsOf } from "../lib/api.js";
import { ErrorBox, Loading, useApi, useAction, Money, Status, ChartCanvas, bilingual, byVersion } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";
import { HowToPay } from "./owner.js";
import { can } from "../lib/access.js";
import { fenToYuanString, formatDateTime, parseYuan, planSharePct, shareToPct, formatFen } from "../lib/format.js";

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
    ${planId ? html`<${PlanDetail} key=${planId} me=${me} planId=${planId} names=${names} versionOf=${versionOf} onChange=${plans.reload} />` : null}`;
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

function SolveForm({ estateId, onSolved }) {
  const action = useAction();
  const [form, setForm] = useState({ policy: "minimum", low: "0.20", high: "0.30", target: "0.25" });
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    const body = { policy: form.policy, resident_band: [form.low.trim(), form.high.trim()] };
    if (form.policy === "target") body.target_share = form.target.trim();
    const res = await action.run(() => api(`/api/estates/${estateId}/funding-plans`, { method: "POST", body }));
    onSolved(res); // a failed solve is stored as a version too: refresh the list either way
  };
  return html`<section class="card" aria-labelledby="solve-h"><h2 id="solve-h">${t("funding.solve")}</h2>
    <form onSubmit=${submit} data-testid="solve-form">
      <fieldset><legend>${t("funding.policy")}</legend>
        ${["minimum", "target"].map((p) => html`<label class="check"><input type="radio" name="policy" value=${p}
          checked=${form.policy === p} onChange=${set("policy")} /> ${t(`funding.policy.${p}`)}</label>`)}
      </fieldset>
      <div class="grid two">
        <div><label for="band-low">${t("funding.bandLow")}</label>
          <input id="band-low" inputmode="decimal" value=${form.low} onInput=${set("low")} /></div>
        <div><label for="band-high">${t("funding.bandHigh")}</label>
          <input id="band-high" inputmode="decimal" value=${form.high} onInput=${set("high")} /></div>
      </div>
      ${form.policy === "target" ? html`<label for="target-share">${t("funding.targetShare")}</label>
        <input id="target-share" inputmode="decimal" value=${form.target} onInput=${set("target")} />` : null}
      <div class="actions"><button class="primary" type="submit" data-testid="solve" disabled=${action.busy}>${t("funding.solveButton")}</button></div>
      ${action.error ? html`<div data-testid="infeasible"><${ErrorBox} error=${action.error} /></div>` : null}
    </form></section>`;
}

function PlanDetail({ me, planId, names, versionOf, onChange }) {
  const plan = useApi(`/api/funding-plans/${planId}`);
  // plan events about this version; and anything that can make it stale (costs, awards, who benefits, households)
  useLiveEvent(["funding", "plan.", "work.", "households."], (e) => {
    const d = e.data || {};
    if (!String(e.type).startsWith("plan.") || d.plan_id === undefined || String(d.plan_id) === String(planId)) plan.reload();
  });
  const action = useAction();
  const p = plan.data;
  const charts = useMemo(() => (p ? { works: worksChart(p, names), burden: burdenChart(p) } : null), [p, names, getLang()]);
  if (plan.error) return html`<${ErrorBox} error=${plan.error} />`;
  if (!p) return html`<${Loading} />`;
  const approve = async () => {
    const res = await action.run(() => api(`/api/funding-plans/${planId}/approve`, { method: "POST" }));
    if (res !== undefined) { plan.reload(); onChange(); }
  };
  const resolve = async () => { // a new version with this one's settings; this one is kept as it is
    const body = { policy: p.policy, resident_band: itemsOf(p.resident_band) };
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
    ${p.residents_share ? html`<${BandGauge} plan=${p} />` : null}
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
      ${can(me, "funding.approve") && p.status === "draft" ? html`<button type="button" class="primary" data-testid="approve"
        disabled=${action.busy} onClick=${approve}>${t("funding.approve")}</button>` : null}
      ${p.status === "failed" || !can(me, "exports.download") ? null : html`<${Exports} planId=${planId} estateId=${me.estate_id} />`}
    </div>
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
    ${itemsOf(buildings.data).length ? html`<span class="inline-form">
      <label for="notice-building" class="sr-only">${t("funding.noticeBuilding")}</label>
      <select id="notice-building" value=${building} onChange=${(e) => setBuilding(e.currentTarget.value)}>
        <option value="">${t("funding.noticeBuilding")}</option>
        ${itemsOf(buildings.data).map((b) => html`<option value=${String(b.id)}>${b.name}</option>`)}
      </select>
      ${building ? html`<a class="button" target="_blank" rel="noopener"
        href=${`${base}/notices?building_id=${building}`}>${t("funding.printNotices")}</a>` : null}
    </span>` : null}`;
}

function parseShare(s) {
  const n = Number(s);
  return Number.isFinite(n) ? n : 0;
}

function BandGauge({ plan }) {
  const band = plan.resident_band || ["0.20", "0.30"];
  const lo = parseShare(band[0]);
  const hi = parseShare(band[1]);
  const share = parseShare(plan.residents_share);
  const pos = (x) => `${Math.max(0, Math.min(100, (x / 0.5) * 100))}%`; // the gauge spans 0–50 %
  return html`<div aria-label=${t("funding.gauge")} data-testid="band-gauge">
    <div class="muted">${t("funding.gaugeText", { share: planSharePct(plan), lo: shareToPct(band[0], 0), hi: shareToPct(band[1], 0) })}</div>
    <div class="gauge" role="meter" aria-valuemin="0" aria-valuemax="50" aria-valuenow=${Math.round(share * 1000) / 10}
      aria-valuetext=${planSharePct(plan)} aria-label=${t("funding.residentsShare")}>
      <div class="band" style=${{ left: pos(lo), width: `calc(${pos(hi)} - ${pos(lo)})` }}></div>
      <div class="marker" style=${{ left: pos(share) }}></div>
      ${[0, 0.1, 0.2, 0.3, 0.4, 0.5].map((x) => html`<span class="tick" style=${{ left: pos(x) }}>${Math.round(x * 100)}%</span>`)}
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
