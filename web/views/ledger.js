// The collection ledger (issue 19): the treasurer records payments (yuan → fen), sees
// balances by building, reverses an entry with a reason (asked first), imports a bank
// statement and assigns its unmatched lines, prints receipts and arrears. The owner's own
// paid / due / balance and receipts: <MyLedger> inside "my share" (owner.js).
import { html, useState, useMemo, useEffect } from "../lib/html.js";
import { t, getLang } from "../lib/i18n.js";
import { api, itemsOf } from "../lib/api.js";
import { ErrorBox, Loading, Money, Confirm, useApi, useAction, whileLoading } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";
import { parseYuan, formatDate, timeZone } from "../lib/format.js";
import { can } from "../lib/access.js";

const CHANNELS = ["cash", "bank_transfer", "wechat", "alipay", "other"];

function lang() { return getLang() === "en" ? "en" : "zh"; }

/** Today in the estate's zone, as YYYY-MM-DD (the default payment date). */
function today() {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: timeZone(), year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  return parts.slice(0, 10);
}

/** Every household's row of a plan for the pickers, paged 5,000 at a time (`next_after`);
 * the totals come from a separate one-row call. */
function useAllRows(planId) {
  const [state, setState] = useState({ rows: [], error: null });
  useEffect(() => {
    let alive = true;
    (async () => {
      const rows = [];
      let after = 0;
      try {
        for (;;) {
          const page = await api(`/api/funding-plans/${planId}/balances?limit=5000&after=${after}`);
          rows.push(...itemsOf(page.items));
          if (page.next_after == null) break;
          after = page.next_after;
        }
        if (alive) setState({ rows, error: null });
      } catch (error) {
        if (alive) setState({ rows: [], error });
      }
    })();
    return () => { alive = false; };
  }, [planId]);
  return state;
}

function label(row) { return `${row.building || ""} ${row.unit || ""}`.trim() || `#${row.household_id}`; }

/** #/funding/:id/ledger — the treasurer's (and committee's) collection page. */
export function Ledger({ me, params }) {
  const planId = params.id;
  // totals of the whole plan and per building (one row: the pickers page through below)
  const balances = useApi(`/api/funding-plans/${planId}/balances?by=building&limit=1`);
  const all = useAllRows(planId);
  // the newest 200 entries first (the exports hold every one)
  const entries = useApi(`/api/funding-plans/${planId}/ledger?limit=200&before=9223372036854775807`);
  const reload = () => { balances.reload(); entries.reload(); };
  useLiveEvent(["ledger."], reload);
  const rows = all.rows;
  const record = can(me, "ledger.record");
  const base = `/api/funding-plans/${planId}`;
  return html`<h1>${t("ledger.title")}</h1>
    <p><a href=${`#/funding/${planId}`}>${t("ledger.backToPlan")}</a></p>
    <${ErrorBox} error=${balances.error || entries.error || all.error} />
    ${whileLoading(balances) || (balances.data ? html`<${Totals} data=${balances.data} />` : null)}
    ${record && rows.length ? html`<${RecordForm} planId=${planId} rows=${rows} onDone=${reload} />` : null}
    ${record ? html`<${BankImport} planId=${planId} rows=${rows} onDone=${reload} />` : null}
    <section class="card" aria-labelledby="ledger-entries-h">
      <h2 id="ledger-entries-h">${t("ledger.entries")}</h2>
      ${whileLoading(entries) || html`<${Entries} items=${itemsOf(entries.data && entries.data.items)} record=${record} onDone=${reload} />`}
    </section>
    <section class="card no-print" aria-labelledby="ledger-print-h">
      <h2 id="ledger-print-h">${t("ledger.printAndExport")}</h2>
      <div class="actions wrap">
        <a class="button" target="_blank" rel="noopener" data-testid="arrears-page" href=${`${base}/arrears.html?lang=${lang()}`}>${t("ledger.arrearsPage")}</a>
        <a class="button" download href=${`${base}/arrears.csv?lang=${lang()}`}>${t("ledger.arrearsCsv")}</a>
        <a class="button" download href=${`${base}/ledger.csv?lang=${lang()}`}>${t("ledger.ledgerCsv")}</a>
        <a class="button" download href=${`${base}/ledger.xlsx?lang=${lang()}`}>${t("ledger.ledgerXlsx")}</a>
      </div>
    </section>`;
}

function Totals({ data }) {
  const total = data.totals;
  return html`<section class="card" aria-labelledby="ledger-totals-h" data-testid="ledger-totals">
    <h2 id="ledger-totals-h">${t("ledger.balances")}</h2>
    <dl class="kv">
      <dt>${t("ledger.due")}</dt><dd><${Money} fen=${total.due_fen} /></dd>
      <dt>${t("ledger.paid")}</dt><dd data-testid="total-paid"><${Money} fen=${total.paid_fen} /></dd>
      <dt>${t("ledger.balance")}</dt><dd><strong><${Money} fen=${total.balance_fen} /></strong></dd>
      <dt>${t("ledger.inArrears")}</dt><dd>${total.in_arrears} / ${total.households}</dd>
    </dl>
    <div class="table-wrap"><table class="compact" data-testid="by-building">
      <thead><tr><th>${t("ledger.building")}</th><th class="num">${t("ledger.paid")}</th><th class="num">${t("ledger.balance")}</th><th class="num">${t("ledger.inArrears")}</th></tr></thead>
      <tbody>${itemsOf(data.buildings).map((b) => html`<tr key=${b.building_id}><td>${b.building}</td>
        <td class="num"><${Money} fen=${b.paid_fen} wan=${false} /></td><td class="num"><${Money} fen=${b.balance_fen} wan=${false} /></td>
        <td class="num">${b.in_arrears}</td></tr>`)}</tbody></table></div>
  </section>`;
}

function RecordForm({ planId, rows, onDone }) {
  const action = useAction();
  const sorted = useMemo(() => rows.slice().sort((a, b) => label(a).localeCompare(label(b), "zh-CN", { numeric: true })), [rows]);
  const [form, setForm] = useState({ household: "", amount: "", channel: "cash", receipt: "", date: today() });
  const [done, setDone] = useState(null);
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    let fen;
    try { fen = parseYuan(form.amount); } catch (err) { action.setError(err); return; }
    const body = { household_id: Number(form.household), amount_fen: fen, channel: form.channel, receipt_no: form.receipt.trim(), paid_on: form.date };
    const res = await action.run(() => api(`/api/funding-plans/${planId}/ledger`, { method: "POST", body }));
    if (res !== undefined) { setDone(res.entry_id); setForm({ ...form, amount: "", receipt: "" }); onDone(); }
  };
  return html`<section class="card" aria-labelledby="ledger-record-h"><h2 id="ledger-record-h">${t("ledger.record")}</h2>
    <form onSubmit=${submit} data-testid="record-form">
      <label for="lg-household">${t("ledger.household")}</label>
      <select id="lg-household" required value=${form.household} onChange=${set("household")}>
        <option value="">${t("ledger.pickHousehold")}</option>
        ${sorted.map((r) => html`<option key=${r.household_id} value=${r.household_id}>${label(r)}</option>`)}</select>
      <label for="lg-amount">${t("ledger.amountYuan")}</label>
      <input id="lg-amount" required inputmode="decimal" value=${form.amount} onInput=${set("amount")} />
      <label for="lg-channel">${t("ledger.channelLabel")}</label>
      <select id="lg-channel" value=${form.channel} onChange=${set("channel")}>
        ${CHANNELS.map((c) => html`<option value=${c}>${t(`ledger.channel.${c}`)}</option>`)}</select>
      <label for="lg-receipt">${t("ledger.receiptNo")}</label>
      <input id="lg-receipt" required maxlength="64" value=${form.receipt} onInput=${set("receipt")} />
      <label for="lg-date">${t("ledger.paidOn")}</label>
      <input id="lg-date" type="date" required max=${today()} value=${form.date} onInput=${set("date")} />
      <div class="actions"><button class="primary" type="submit" data-testid="record-payment" disabled=${action.busy}>${t("ledger.recordButton")}</button></div>
      ${done ? html`<p class="notice" role="status" data-testid="recorded">${t("ledger.recorded")}
        <a target="_blank" rel="noopener" href=${`/api/ledger/${done}/receipt.html?lang=${lang()}`}>${t("ledger.printReceipt")}</a></p>` : null}
      <${ErrorBox} error=${action.error} />
    </form></section>`;
}

function Entries({ items, record, onDone }) {
  if (!items.length) return html`<p class="muted">${t("ledger.noEntries")}</p>`;
  return html`<ul class="plain" data-testid="entries">${items.map((e) => html`<${Entry} key=${e.entry_id} e=${e} record=${record} onDone=${onDone} />`)}</ul>`;
}

function Entry({ e, record, onDone }) {
  const action = useAction();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState("");
  const reverse = async () => {
    const res = await action.run(() => api(`/api/ledger/${e.entry_id}/reverse`, { method: "POST", body: { reason: reason.trim() } }));
    if (res !== undefined) { setAsking(false); onDone(); }
  };
  const open = e.kind !== "reversal" && e.reversed_by_entry_id == null;
  return html`<li class="entry" data-testid="entry" data-kind=${e.kind}>
    <strong>${label(e)}</strong> · <${Money} fen=${e.amount_fen} wan=${false} /> · ${t(`ledger.channel.${e.channel}`)}
    · ${formatDate(e.paid_on)} ${e.receipt_no ? html`· <span class="muted">${e.receipt_no}</span>` : null}
    ${e.kind === "reversal" ? html`<div class="muted">${t("ledger.reversalOf", { id: e.reverses_entry_id })}: ${e.reason}</div>` : null}
    ${e.reversed_by_entry_id != null ? html`<div class="muted" data-testid="reversed">${t("ledger.reversed")}</div>` : null}
    <div class="actions wrap no-print">
      <a class="button" target="_blank" rel="noopener" href=${`/api/ledger/${e.entry_id}/receipt.html?lang=${lang()}`}>${t("ledger.printReceipt")}</a>
      ${record && open && !asking ? html`<button type="button" data-testid="reverse" onClick=${() => setAsking(true)}>${t("ledger.reverse")}</button>` : null}
    </div>
    ${asking ? html`<div>
      <label for=${`rev-${e.entry_id}`}>${t("ledger.reason")}</label>
      <input id=${`rev-${e.entry_id}`} data-testid="reverse-reason" required maxlength="500" value=${reason} onInput=${(ev) => setReason(ev.currentTarget.value)} />
      <${Confirm} testid="confirm-reverse" lines=${[t("ledger.reverseWhat", { unit: label(e) }), t("ledger.reverseFinal")]}
        yes=${t("ledger.reverseYes")} onYes=${() => (reason.trim() ? reverse() : action.setError(new RangeError("reason")))} onNo=${() => setAsking(false)} />
    </div>` : null}
    <${ErrorBox} error=${action.error} />
  </li>`;
}

function BankImport({ planId, rows, onDone }) {
  const action = useAction();
  const [result, setResult] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const file = e.currentTarget.elements.namedItem("statement").files[0];
    if (!file) return;
    const text = await file.text();
    const res = await action.run(() => api(`/api/funding-plans/${planId}/bank-statements`, { method: "POST", rawBody: text, headers: { "Content-Type": "text/csv" } }));
    if (res !== undefined) { setResult(res); onDone(); }
  };
  const reloadResult = async () => {
    const res = await action.run(() => api(`/api/funding-plans/${planId}/bank-statements/${result.statement_id}`));
    if (res !== undefined) { setResult(res); onDone(); }
  };
  const open = result ? result.lines.filter((l) => l.status === "unmatched" || l.status === "ambiguous") : [];
  return html`<section class="card" aria-labelledby="ledger-bank-h"><h2 id="ledger-bank-h">${t("ledger.bank")}</h2>
    <p class="muted">${t("ledger.bankHelp")}</p>
    <form onSubmit=${submit}><input type="file" name="statement" accept=".csv,text/csv" data-testid="bank-file" />
      <div class="actions"><button class="primary" type="submit" disabled=${action.busy}>${t("ledger.bankImport")}</button></div></form>
    <${ErrorBox} error=${action.error} />
    ${result ? html`<p data-testid="bank-counts">${["matched", "assigned", "unmatched", "ambiguous", "duplicate", "ignored"].map((s) => `${t(`ledger.line.${s}`)} ${result.counts[s]}`).join(" · ")}</p>
      <ul class="plain">${open.map((l) => html`<${AssignLine} key=${l.line_id} planId=${planId} line=${l} rows=${rows} onDone=${reloadResult} />`)}</ul>` : null}
  </section>`;
}

function AssignLine({ planId, line, rows, onDone }) {
  const action = useAction();
  const [pick, setPick] = useState(line.candidates.length ? String(line.candidates[0]) : "");
  const assign = async () => {
    const res = await action.run(() => api(`/api/funding-plans/${planId}/bank-lines/${line.line_id}/assign`, { method: "POST", body: { household_id: Number(pick) } }));
    if (res !== undefined) onDone();
  };
  return html`<li data-testid="bank-line">${formatDate(line.tx_date)} · <${Money} fen=${line.amount_fen} wan=${false} /> · ${line.memo || "—"}
    · ${t(`ledger.line.${line.status}`)}
    <label class="sr-only" for=${`bl-${line.line_id}`}>${t("ledger.household")}</label>
    <select id=${`bl-${line.line_id}`} value=${pick} onChange=${(e) => setPick(e.currentTarget.value)}>
      <option value="">${t("ledger.pickHousehold")}</option>
      ${rows.map((r) => html`<option key=${r.household_id} value=${r.household_id}>${label(r)}</option>`)}</select>
    <button type="button" disabled=${!pick || action.busy} onClick=${assign}>${t("ledger.assign")}</button>
    <${ErrorBox} error=${action.error} /></li>`;
}

/** Owner: paid / due / balance of her own units and her receipts (the plan in force). */
export function MyLedger({ planId }) {
  const balances = useApi(planId ? `/api/funding-plans/${planId}/balances` : null);
  const entries = useApi(planId ? `/api/funding-plans/${planId}/ledger` : null);
  useLiveEvent(["ledger."], () => { balances.reload(); entries.reload(); });
  if (!planId) return null;
  if (balances.loading && !balances.data) return html`<${Loading} />`;
  const rows = itemsOf(balances.data && balances.data.items);
  return html`<div data-testid="my-ledger">
    <${ErrorBox} error=${balances.error || entries.error} />
    <div class="table-wrap"><table class="compact"><thead><tr><th>${t("ledger.unit")}</th>
      <th class="num">${t("ledger.due")}</th><th class="num">${t("ledger.paid")}</th><th class="num">${t("ledger.balance")}</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr key=${r.household_id} data-testid="my-balance">
        <td>${r.building ? label(r) : `#${r.household_id}`}</td><td class="num"><${Money} fen=${r.due_fen} wan=${false} /></td>
        <td class="num" data-testid="my-paid"><${Money} fen=${r.paid_fen} wan=${false} /></td>
        <td class="num"><strong><${Money} fen=${r.balance_fen} wan=${false} /></strong>${r.overdue ? html` <span class="badge badge-urgent">${t("ledger.overdue")}</span>` : null}</td></tr>`)}</tbody></table></div>
    ${itemsOf(entries.data && entries.data.items).length ? html`<h3>${t("ledger.myReceipts")}</h3>
      <ul class="plain">${itemsOf(entries.data.items).map((e) => html`<li key=${e.entry_id}>${formatDate(e.paid_on)} · <${Money} fen=${e.amount_fen} wan=${false} />
        · ${t(`ledger.channel.${e.channel}`)} <a target="_blank" rel="noopener" href=${`/api/ledger/${e.entry_id}/receipt.html?lang=${lang()}`}>${t("ledger.printReceipt")}</a></li>`)}</ul>` : null}
    <div data-testid="my-settlement-slot">${/* the final accounts' refund / top-up per unit (settlement) go here */ null}</div>
  </div>`;
}
