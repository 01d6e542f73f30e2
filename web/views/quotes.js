import { html, useState, useMemo, useCallback } from "../lib/html.js";
import { t, tMaybe } from "../lib/i18n.js";
import { api, itemsOf } from "../lib/api.js";
import { ErrorBox, Loading, useApi, useAction, Money, Status, ChartCanvas, whileLoading } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";
import { formatDateTime, formatFen, formatPct, parseYuan, fenToYuanString } from "../lib/format.js";
import { EditWork, EDITABLE_STATUSES } from "./work-edit.js";
import { can } from "../lib/access.js";
import { AuctionsCard } from "./auction.js";

export const WORK_STATUSES = ["candidate", "proposed", "approved", "quoting", "awarded", "funded", "in_progress", "done", "rejected"];
const CATEGORIES = ["power", "water", "sewage", "roof", "walls", "lift", "parking", "cameras", "signage", "other"];
const BENEFIT_RULES = ["area", "equal", "area_floor_factor", "building"];

export function WorksList({ me }) {
  const list = useApi(`/api/estates/${me.estate_id}/works`);
  useLiveEvent(["work.", "quote."], list.reload);
  const items = itemsOf(list.data);
  return html`<h1>${t("works.title")}</h1>
    ${can(me, "works.manage") ? html`<${NewWork} estateId=${me.estate_id} onDone=${list.reload} />` : null}
    ${can(me, "ocds.download") && items.length ? html`<p><a class="button" data-testid="ocds-estate"
      href=${`/api/estates/${me.estate_id}/ocds`} download=${`ocds-estate-${me.estate_id}.json`}
      title=${t("ocds.hint")}>${t("ocds.estate")}</a></p>` : null}
    <${ErrorBox} error=${list.error} />
    ${list.loading ? html`<${Loading} />` : items.length === 0 ? html`<p class="muted">${t("works.none")}</p>`
      : html`<div class="table-wrap"><table data-testid="works">
        <thead><tr><th scope="col">${t("works.name")}</th><th scope="col">${t("works.category")}</th>
          <th scope="col">${t("works.status")}</th><th scope="col" class="num">${t("works.cost")}</th></tr></thead>
        <tbody>${items.map((w) => html`<tr key=${w.id}>
          <td><a href=${`#/works/${w.id}`}>${w.title}</a></td>
          <td>${tMaybe(`category.${w.category}`, w.category)}</td>
          <td><${Status} kind="work" value=${w.status} /></td>
          <td class="num"><${Money} fen=${w.cost_fen ?? w.estimate_fen} /></td>
        </tr>`)}</tbody></table></div>`}`;
}

function NewWork({ estateId, onDone }) {
  const action = useAction();
  const [form, setForm] = useState({ title: "", category: "power", benefit_rule: "area", estimate: "" });
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    const body = { title: form.title, category: form.category, benefit_rule: form.benefit_rule };
    if (form.estimate.trim()) {
      try { body.estimate_fen = parseYuan(form.estimate); } catch (err) { action.setError(err); return; }
    }
    const res = await action.run(() => api(`/api/estates/${estateId}/works`, { method: "POST", body }));
    if (res !== undefined) { setForm({ ...form, title: "", estimate: "" }); onDone(); }
  };
  return html`<details class="card"><summary>${t("works.new")}</summary><form onSubmit=${submit}>
    <label for="work-title">${t("works.name")}</label>
    <input id="work-title" required value=${form.title} onInput=${set("title")} />
    <label for="work-category">${t("works.category")}</label>
    <select id="work-category" value=${form.category} onChange=${set("category")}>
      ${CATEGORIES.map((c) => html`<option value=${c}>${t(`category.${c}`)}</option>`)}</select>
    <label for="work-rule">${t("works.benefitRule")}</label>
    <select id="work-rule" value=${form.benefit_rule} onChange=${set("benefit_rule")}>
      ${BENEFIT_RULES.map((r) => html`<option value=${r}>${t(`benefit.${r}`)}</option>`)}</select>
    <label for="work-estimate">${t("works.estimateYuan")}</label>
    <input id="work-estimate" inputmode="decimal" value=${form.estimate} onInput=${set("estimate")} />
    <div class="actions"><button class="primary" type="submit" disabled=${action.busy}>${t("works.create")}</button></div>
    <${ErrorBox} error=${action.error} />
  </form></details>`;
}

/** Committee's quote review for one work: comparison, rounds, counter-offers, award. */
export function QuoteReview({ me, params }) {
  const work = useApi(`/api/works/${params.id}`);
  const comparison = useApi(`/api/works/${params.id}/comparison`);
  const quotes = useApi(`/api/works/${params.id}/quotes`);
  const [selected, setSelected] = useState(null);
  const reloadAll = useCallback(() => { work.reload(); comparison.reload(); quotes.reload(); },
    [work.reload, comparison.reload, quotes.reload]);
  useLiveEvent(["quote.", "quotes.opened", "work.", "supplier.", "auction.finished"], reloadAll);
  if (work.loading && !work.data) return html`<${Loading} />`;
  if (work.error) return html`<${ErrorBox} error=${work.error} />`;
  const w = work.data;
  const quoteList = itemsOf(quotes.data).length ? itemsOf(quotes.data) : quotesFromComparison(comparison.data);
  const quoteId = selected || (quoteList[0] && (quoteList[0].id ?? quoteList[0].quote_id));
  return html`<h1 data-testid="work-title">${w.title}</h1>
    <p><${Status} kind="work" value=${w.status} />
      <span class="muted"> · ${tMaybe(`category.${w.category}`, w.category)}</span>
      ${w.estimate_fen ? html`<span class="muted"> · ${t("works.estimate")}: <${Money} fen=${w.estimate_fen} /></span>` : null}
      ${w.awarded_total_fen ? html`<span> · ${t("works.awarded")}: <strong data-testid="awarded-total"><${Money} fen=${w.awarded_total_fen} /></strong></span>` : null}</p>
    ${w.description ? html`<p class="muted" data-testid="work-description">${w.description}</p>` : null}
    ${can(me, "ocds.download") ? html`<p><a class="button" data-testid="ocds-work" href=${`/api/works/${params.id}/ocds`}
      download=${`ocds-w${params.id}.json`} title=${t("ocds.hint")}>${t("ocds.download")}</a></p>` : null}
    ${can(me, "works.manage") && w.status === "proposed" ? html`<${Approve} workId=${params.id} onDone=${reloadAll} />` : null}
    ${can(me, "quotes.negotiate") && ["approved", "quoting"].includes(w.status) ? html`<${Invite} me=${me} workId=${params.id} onDone=${reloadAll} />` : null}
    ${can(me, "works.manage") && EDITABLE_STATUSES.includes(w.status) ? html`<${EditWork} work=${w} onDone=${reloadAll} />` : null}
    <section class="card" aria-labelledby="cmp-h">
      <h2 id="cmp-h">${t("quotes.comparison")}</h2>
      <${ErrorBox} error=${comparison.error} />
      ${whileLoading(comparison) || (comparison.data && comparison.data.sealed && !itemsOf(comparison.data.quotes).length
        ? html`<p class="notice" data-testid="sealed">${t("quotes.sealed", { n: comparison.data.bidders, at: formatDateTime(comparison.data.opens_at) })}</p>
          <${SealedReceived} data=${comparison.data} />`
        : comparison.data ? html`<${Comparison} data=${comparison.data} />` : null)}
    </section>
    <${AuctionsCard} me=${me} work=${w} />
    ${quoteList.length > 1 ? html`<div role="group" class="actions" aria-label=${t("quotes.pick")}>
      ${quoteList.map((q) => { const id = q.id ?? q.quote_id; return html`<button type="button"
        aria-pressed=${String(id) === String(quoteId) ? "true" : "false"} onClick=${() => setSelected(id)}>
        ${q.supplier_name || t("quotes.supplierN", { n: q.supplier_id })}</button>`; })}</div>` : null}
    ${quoteId ? html`<${QuoteHistory} key=${quoteId} me=${me} quoteId=${quoteId} onChange=${reloadAll} />`
      : whileLoading(quotes, comparison) || html`<p class="muted card">${t("quotes.none")}</p>`}`;
}

/** While bids are sealed: how many arrived and from whom (quote.received reloads it live). */
function SealedReceived({ data }) {
  const received = itemsOf(data.received);
  const count = received.length || data.bidders || 0;
  if (!count) return html`<p class="muted" data-testid="sealed-received">${t("quotes.sealedNone")}</p>`;
  const names = received.map((r) => r.supplier_name || t("quotes.supplierN", { n: r.supplier_id })).join(t("quotes.nameSeparator"));
  return html`<p data-testid="sealed-received" aria-live="polite">${names
    ? t("quotes.sealedReceived", { n: count, names }) : t("quotes.sealedReceivedCount", { n: count })}</p>`;
}

function quotesFromComparison(data) {
  if (!data) return [];
  return itemsOf(data.quotes || data.columns || []);
}

function Approve({ workId, onDone }) {
  const action = useAction();
  const move = async (status) => {
    const res = await action.run(() => api(`/api/works/${workId}/status`, { method: "POST", body: { status } }));
    if (res !== undefined) onDone();
  };
  return html`<div class="actions">
    <button type="button" class="primary" data-testid="approve-work" disabled=${action.busy} onClick=${() => move("approved")}>${t("works.approve")}</button>
    <button type="button" disabled=${action.busy} onClick=${() => move("rejected")}>${t("works.reject")}</button>
    <${ErrorBox} error=${action.error} /></div>`;
}

function Invite({ me, workId, onDone }) {
  const suppliers = useApi(`/api/estates/${me.estate_id}/suppliers`);
  const action = useAction();
  const [supplierId, setSupplierId] = useState("");
  const [name, setName] = useState("");
  const invite = async (e) => {
    e.preventDefault();
    let id = supplierId;
    const res = await action.run(async () => {
      if (!id && name.trim()) {
        const s = await api(`/api/estates/${me.estate_id}/suppliers`, { method: "POST", body: { name: name.trim() } });
        id = s.id;
      }
      return api(`/api/works/${workId}/invitations`, { method: "POST", body: { supplier_id: Number(id) } });
    });
    if (res !== undefined) { setName(""); suppliers.reload(); onDone(); }
  };
  return html`<details class="card"><summary>${t("quotes.invite")}</summary><form onSubmit=${invite}>
    <label for="invite-supplier">${t("quotes.supplier")}</label>
    <select id="invite-supplier" value=${supplierId} onChange=${(e) => setSupplierId(e.currentTarget.value)}>
      <option value="">${t("quotes.newSupplier")}</option>
      ${itemsOf(suppliers.data).map((s) => html`<option value=${String(s.id)}>${s.name}</option>`)}
    </select>
    ${!supplierId ? html`<label for="invite-name">${t("quotes.supplierName")}</label>
      <input id="invite-name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} />` : null}
    <div class="actions"><button class="primary" type="submit" disabled=${action.busy}>${t("quotes.sendInvite")}</button></div>
    <${ErrorBox} error=${action.error} />
  </form></details>`;
}

/** The comparison: quotes side by side, a row per matched line, the lowest price per line marked. */
function Comparison({ data }) {
  const cols = quotesFromComparison(data);
  const rows = itemsOf(data.rows || data.lines || []);
  if (!cols.length) return html`<p class="muted">${t("quotes.none")}</p>`;
  return html`<div class="table-wrap"><table data-testid="comparison">
    <thead><tr><th scope="col">${t("quotes.line")}</th>
      ${cols.map((q) => html`<th scope="col" class="num">${q.supplier_name || t("quotes.supplierN", { n: q.supplier_id })}
        ${q.round ? html`<br /><span class="muted">${t("quotes.roundN", { n: q.round })}</span>` : null}</th>`)}
      <th scope="col" class="num">${t("quotes.reference")}</th></tr></thead>
    <tbody>${rows.map((row, i) => html`<tr key=${row.match_key || i}>
      <th scope="row">${row.description}<div class="muted">${row.unit}</div></th>
      ${itemsOf(row.cells).map((c) => html`<td class=${`num${c && c.lowest ? " lowest" : ""}`}>
        ${c && c.unit_price_fen !== null && c.unit_price_fen !== undefined
          ? html`<${Money} fen=${c.unit_price_fen} wan=${false} /><div class="muted">× ${c.quantity}</div>` : "—"}
        ${c && c.lowest ? html`<span class="sr-only">${t("quotes.lowest")}</span>` : null}</td>`)}
      <td class="num">${row.reference_unit_price_fen ? html`<${Money} fen=${row.reference_unit_price_fen} wan=${false} />` : "—"}</td>
    </tr>`)}</tbody>
    <tfoot><tr><th scope="row">${t("quotes.total")}</th>
      ${cols.map((q) => html`<td class=${`num${q.lowest_total ? " lowest" : ""}`}>${q.total_fen !== null && q.total_fen !== undefined ? html`<${Money} fen=${q.total_fen} />` : "—"}</td>`)}<td></td></tr></tfoot>
  </table></div><p class="muted" data-testid="comparison-note">${t(cols.length > 1 ? "quotes.lowestNote" : "quotes.singleBidder")}</p>`;
}

/** One quote: totals chart, rounds timeline, counter-offers and (committee) the award. */
export function QuoteHistory({ me, quoteId, onChange, supplierView = false }) {
  const quote = useApi(`/api/quotes/${quoteId}`);
  useLiveEvent(["quote."], (e) => {
    const d = e.data || {};
    if (d.quote_id === undefined || String(d.quote_id) === String(quoteId)) quote.reload();
  });
  const action = useAction();
  const [confirming, setConfirming] = useState(null);
  const q = quote.data;
  const rounds = q ? itemsOf(q.rounds) : [];
  const priced = rounds.filter((r) => r.total_fen !== null && r.total_fen !== undefined); // sealed: no prices
  const chart = useMemo(() => roundsChart(priced), [JSON.stringify(priced.map((r) => [r.round, r.total_fen]))]);
  if (quote.error) return html`<${ErrorBox} error=${quote.error} />`;
  if (!q) return html`<${Loading} />`;
  const award = async (round) => {
    setConfirming(null);
    const res = await action.run(() => api(`/api/quotes/${quoteId}/award`, { method: "POST", body: { round: round.round } }));
    if (res !== undefined) { quote.reload(); onChange && onChange(); }
  };
  const last = rounds[rounds.length - 1];
  return html`<section class="card" aria-labelledby="rounds-h" data-testid="quote-history">
    <h2 id="rounds-h">${t("quotes.rounds")} <${Status} kind="quote" value=${q.status} /></h2>
    ${last ? html`<p data-testid="latest-total">${t("quotes.latest", { n: last.round })}: <strong><${Money} fen=${last.total_fen} /></strong>
      ${last.change_vs_first_pct !== null && last.change_vs_first_pct !== undefined && rounds.length > 1
        ? html` <span class="muted">(${t("quotes.vsFirst")} ${formatPct(last.change_vs_first_pct)})</span>` : null}</p>` : null}
    ${q.sealed && !priced.length ? html`<p class="notice">${t("quotes.sealedQuote")}</p>` : null}
    ${priced.length > 1 ? html`<${ChartCanvas} config=${chart} label=${t("quotes.chartLabel")} height=${220} testid="rounds-chart" />` : null}
    <ol class="timeline" data-testid="rounds">${rounds.slice().reverse().map((r) => html`<li key=${r.round} data-testid="round">
      <strong>${t("quotes.roundN", { n: r.round })}</strong> · <${Money} fen=${r.total_fen} />
      ${r.change_vs_previous_fen !== null && r.change_vs_previous_fen !== undefined && r.round > 1
        ? html`<div class="muted">${t("quotes.vsPrevious")}: ${formatFen(r.change_vs_previous_fen)} (${formatPct(r.change_vs_previous_pct)})
          · ${t("quotes.vsFirst")}: ${formatFen(r.change_vs_first_fen)} (${formatPct(r.change_vs_first_pct)})</div>` : null}
      <div class="muted">${formatDateTime(r.at)}${r.by_name ? ` · ${r.by_name}` : ""}</div>
      ${r.reply_note ? html`<p class="reply-note" data-testid="reply-note"><strong>${t("quotes.replyNote")}:</strong>
        <span class="pre-line">${r.reply_note}</span></p>` : null}
      <details><summary>${t("quotes.lines", { n: itemsOf(r.lines).length })}</summary>
        <${LinesTable} lines=${itemsOf(r.lines)} /></details>
      ${!supplierView && can(me, "quotes.negotiate") && q.status === "open" && r === last && priced.length ? html`<div class="actions">
        ${confirming === r.round
          ? html`<span role="status">${t("quotes.confirmAward", { n: r.round, total: formatFen(r.total_fen) })}</span>
            <button type="button" class="primary" data-testid="award-confirm" disabled=${action.busy} onClick=${() => award(r)}>${t("quotes.awardConfirm")}</button>
            <button type="button" onClick=${() => setConfirming(null)}>${t("common.cancel")}</button>`
          : html`<button type="button" data-testid="award" onClick=${() => setConfirming(r.round)}>${t("quotes.award")}</button>`}</div>` : null}
    </li>`)}</ol>
    <${ErrorBox} error=${action.error} />
    <h3>${t("quotes.counterOffers")}</h3>
    <ul class="plain" data-testid="counter-offers">${itemsOf(q.counter_offers).map((c, i) => html`<li key=${c.id ?? i}>
      ${c.target_total_fen ? html`<strong>${t("quotes.target")}: <${Money} fen=${c.target_total_fen} /></strong> ` : null}
      ${c.note ? html`<span>${c.note}</span>` : null}
      ${itemsOf(c.line_targets).length ? html`<ul>${itemsOf(c.line_targets).map((lt) => html`<li>
        ${t("quotes.lineN", { n: lt.line_no })}: <${Money} fen=${lt.target_unit_price_fen} wan=${false} />
        ${lt.note ? html` — ${lt.note}` : null}</li>`)}</ul>` : null}
      <div class="muted">${formatDateTime(c.at || c.created_at)}${c.round ? ` · ${t("quotes.afterRound", { n: c.round })}` : ""}</div>
    </li>`)}</ul>
    ${!supplierView && can(me, "quotes.negotiate") && q.status === "open" && priced.length
      ? html`<${CounterOfferForm} key=${last ? last.round : 0} quoteId=${quoteId}
          lines=${last ? itemsOf(last.lines) : []} onDone=${quote.reload} />` : null}
  </section>`;
}

export function LinesTable({ lines }) {
  return html`<div class="table-wrap"><table>
    <thead><tr><th scope="col">${t("quotes.line")}</th><th scope="col">${t("quotes.quantity")}</th>
      <th scope="col" class="num">${t("quotes.unitPrice")}</th><th scope="col" class="num">${t("quotes.lineTotal")}</th></tr></thead>
    <tbody>${lines.map((l, i) => html`<tr key=${i}><td>${l.description}</td><td>${l.quantity} ${l.unit}</td>
      <td class="num"><${Money} fen=${l.unit_price_fen} wan=${false} /></td>
      <td class="num">${l.total_fen !== undefined ? html`<${Money} fen=${l.total_fen} wan=${false} />` : "—"}</td></tr>`)}</tbody>
  </table></div>`;
}

function CounterOfferForm({ quoteId, lines, onDone }) {
  const action = useAction();
  const [target, setTarget] = useState("");
  const [note, setNote] = useState("");
  const [lineTargets, setLineTargets] = useState({});
  const submit = async (e) => {
    e.preventDefault();
    const body = { note };
    try {
      if (target.trim()) body.target_total_fen = parseYuan(target);
      body.line_targets = Object.entries(lineTargets).filter(([, v]) => v.trim())
        .map(([lineNo, v]) => ({ line_no: Number(lineNo), target_unit_price_fen: parseYuan(v) }));
    } catch (err) {
      action.setError(err);
      return;
    }
    const res = await action.run(() => api(`/api/quotes/${quoteId}/counter-offers`, { method: "POST", body }));
    if (res !== undefined) { setTarget(""); setNote(""); setLineTargets({}); onDone(); }
  };
  return html`<form onSubmit=${submit} data-testid="counter-offer-form">
    <h3>${t("quotes.newCounterOffer")}</h3>
    <label for="co-target">${t("quotes.targetYuan")}</label>
    <input id="co-target" inputmode="decimal" value=${target} onInput=${(e) => setTarget(e.currentTarget.value)} />
    ${lines.length ? html`<details><summary>${t("quotes.lineTargets")}</summary>
      ${lines.map((l) => html`<div key=${l.line_no}>
        <label for=${`co-line-${l.line_no}`}>${l.description} (${t("quotes.unitPrice")} ${formatFen(l.unit_price_fen)})</label>
        <input id=${`co-line-${l.line_no}`} inputmode="decimal" value=${lineTargets[l.line_no] || ""}
          onInput=${(e) => setLineTargets({ ...lineTargets, [l.line_no]: e.currentTarget.value })} /></div>`)}
    </details>` : null}
    <label for="co-note">${t("quotes.note")}</label>
    <textarea id="co-note" required value=${note} onInput=${(e) => setNote(e.currentTarget.value)}></textarea>
    <div class="actions"><button class="primary" type="submit" disabled=${action.busy}>${t("quotes.sendCounterOffer")}</button></div>
    <${ErrorBox} error=${action.error} />
  </form>`;
}

function roundsChart(rounds) {
  return {
    type: "line",
    data: {
      labels: rounds.map((r) => t("quotes.roundN", { n: r.round })),
      datasets: [{
        label: t("quotes.totalYuan"),
        data: rounds.map((r) => Number(fenToYuanString(r.total_fen))), // drawing only
        borderColor: "#a8071a", backgroundColor: "rgba(168,7,26,.15)", fill: true, tension: 0.1,
      }],
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false },
        tooltip: { callbacks: { label: (ctx) => formatFen(rounds[ctx.dataIndex].total_fen) } } },
      scales: { y: { beginAtZero: true, ticks: { callback: (v) => `¥${Number(v).toLocaleString("en-US")}` } } },
    },
  };
}
