import { html, useState } from "../lib/html.js";
import { t, tMaybe } from "../lib/i18n.js";
import { api, itemsOf } from "../lib/api.js";
import { ErrorBox, Loading, useApi, useAction, Money, Status, whileLoading } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";
import { fenToYuanString, lineTotalFen, parseYuan, formatFen } from "../lib/format.js";
import { QuoteHistory } from "./quotes.js";
import { AuctionLinks } from "./auction.js";

/** Supplier desk: the works this supplier is invited to, and its own quotes (never a competitor's). */
export function SupplierDesk({ me }) {
  const works = useApi(`/api/estates/${me.estate_id}/works`);
  useLiveEvent(["work.", "quote.", "supplier."], works.reload);
  const items = itemsOf(works.data);
  return html`<h1>${t("supplier.title")}</h1>
    <${ErrorBox} error=${works.error} />
    ${works.loading && !works.data ? html`<${Loading} />` : items.length === 0
      ? html`<p class="muted">${t("supplier.noWorks")}</p>`
      : items.map((w) => html`<${InvitedWork} key=${w.id} work=${w} me=${me} />`)}`;
}

function InvitedWork({ work, me }) {
  const quotes = useApi(`/api/works/${work.id}/quotes`);
  useLiveEvent(["quote."], quotes.reload);
  const mine = itemsOf(quotes.data).filter((q) => me.supplier_id === null || q.supplier_id === undefined
    || String(q.supplier_id) === String(me.supplier_id));
  const [creating, setCreating] = useState(false);
  return html`<section class="card" data-testid="invited-work">
    <h2>${work.title}</h2>
    <p><${Status} kind="work" value=${work.status} /> <span class="muted">${tMaybe(`category.${work.category}`, work.category)}</span></p>
    <${AuctionLinks} workId=${work.id} />
    <${ErrorBox} error=${quotes.error} />
    ${whileLoading(quotes) || (mine.length ? html`<ul class="plain">${mine.map((q) => html`<li key=${q.id}>
      <a href=${`#/supplier/quotes/${q.id}`} data-testid="my-quote">${t("supplier.myQuote", { id: q.id })}</a>
      ${latestTotal(q) !== null ? html` · <${Money} fen=${latestTotal(q)} />` : null}
      ${q.status ? html` <${Status} kind="quote" value=${q.status} />` : null}</li>`)}</ul>`
      : creating ? html`<${LinesEditor} submitLabel=${t("supplier.submitQuote")}
          onSubmit=${(lines, reply_note) => api(`/api/works/${work.id}/quotes`, { method: "POST", body: { lines, reply_note } })}
          onDone=${(q) => { if (q && q.id) location.hash = `#/supplier/quotes/${q.id}`; }} />`
        : html`<button type="button" class="primary" onClick=${() => setCreating(true)}>${t("supplier.newQuote")}</button>`)}
  </section>`;
}

/** One of the supplier's quotes: history, counter-offers, and a revision form. */
export function SupplierQuote({ me, params }) {
  const quote = useApi(`/api/quotes/${params.id}`);
  useLiveEvent(["quote."], quote.reload);
  if (quote.error) return html`<${ErrorBox} error=${quote.error} />`;
  if (!quote.data) return html`<${Loading} />`;
  const rounds = itemsOf(quote.data.rounds);
  const last = rounds[rounds.length - 1];
  const open = quote.data.status === "open";
  // the committee's per-line targets answering the latest round, shown beside those lines
  const answers = itemsOf(quote.data.counter_offers).filter((c) => last && Number(c.round) === Number(last.round));
  const answer = answers[answers.length - 1];
  const targets = Object.fromEntries(itemsOf(answer && answer.line_targets).map((lt) => [String(lt.line_no), lt]));
  return html`<p><a href="#/supplier">← ${t("supplier.title")}</a></p>
    <h1>${t("supplier.myQuote", { id: quote.data.id })}</h1>
    ${quote.data.work_id ? html`<${AuctionLinks} workId=${quote.data.work_id} />` : null}
    <div class="grid two">
      <${QuoteHistory} me=${me} quoteId=${params.id} supplierView=${true} />
      ${open && last ? html`<section class="card" aria-labelledby="revise-h">
        <h2 id="revise-h">${t("supplier.revise")}</h2>
        <${LinesEditor} key=${last.round} initial=${itemsOf(last.lines)} targets=${targets} submitLabel=${t("supplier.submitRound")}
          onSubmit=${(lines, reply_note) => api(`/api/quotes/${params.id}/rounds`, { method: "POST", body: { based_on_round: last.round, lines, reply_note } })}
          onDone=${quote.reload} />
      </section>` : null}
    </div>`;
}

function latestTotal(q) {
  const rounds = itemsOf(q.rounds);
  const last = rounds[rounds.length - 1];
  return last && last.total_fen !== null && last.total_fen !== undefined ? last.total_fen : null;
}

function blankLine() {
  return { description: "", unit: "", quantity: "1", price: "" };
}

function toEditable(line) {
  return { description: line.description, unit: line.unit, quantity: String(line.quantity),
    price: fenToYuanString(line.unit_price_fen) };
}

function lineFen(line) {
  try {
    return lineTotalFen(line.quantity, parseYuan(line.price));
  } catch {
    return null;
  }
}

/** Quote lines with line totals and the grand total computed live (exact fen, BigInt). */
export function LinesEditor({ initial = [], targets = {}, submitLabel, onSubmit, onDone }) {
  const [lines, setLines] = useState(() => (initial.length ? initial.map(toEditable) : [blankLine()]));
  const [replyNote, setReplyNote] = useState(""); // to the committee, with this round
  const action = useAction();
  const update = (i, key) => (e) => {
    const next = lines.slice();
    next[i] = { ...next[i], [key]: e.currentTarget.value };
    setLines(next);
  };
  const totals = lines.map(lineFen);
  const complete = totals.every((x) => x !== null);
  const grand = complete ? totals.reduce((a, b) => a + b, 0n) : null;
  const submit = async (e) => {
    e.preventDefault();
    let body;
    try {
      body = lines.map((l) => ({ description: l.description.trim(), unit: l.unit.trim(),
        quantity: l.quantity.trim(), unit_price_fen: parseYuan(l.price) }));
    } catch (err) {
      action.setError(err);
      return;
    }
    const res = await action.run(() => onSubmit(body, replyNote.trim()));
    if (res !== undefined && onDone) onDone(res);
  };
  return html`<form onSubmit=${submit} data-testid="lines-editor">
    ${lines.map((l, i) => html`<fieldset class="line-row" key=${i}>
      <legend>${t("quotes.lineN", { n: i + 1 })}</legend>
      <div><label for=${`l${i}-d`}>${t("quotes.line")}</label>
        <input id=${`l${i}-d`} required value=${l.description} onInput=${update(i, "description")} /></div>
      <div><label for=${`l${i}-u`}>${t("quotes.unit")}</label>
        <input id=${`l${i}-u`} required value=${l.unit} onInput=${update(i, "unit")} /></div>
      <div><label for=${`l${i}-q`}>${t("quotes.quantity")}</label>
        <input id=${`l${i}-q`} required inputmode="decimal" value=${l.quantity} onInput=${update(i, "quantity")} /></div>
      <div><label for=${`l${i}-p`}>${t("quotes.unitPriceYuan")}</label>
        <input id=${`l${i}-p`} required inputmode="decimal" data-testid="unit-price" value=${l.price} onInput=${update(i, "price")}
          aria-describedby=${targets[String(i + 1)] ? `l${i}-target` : undefined} />
        ${targets[String(i + 1)] ? html`<div class="muted line-target" id=${`l${i}-target`} data-testid="line-target">
          ${t("supplier.lineTarget", { price: formatFen(targets[String(i + 1)].target_unit_price_fen) })}
          ${targets[String(i + 1)].note ? html`<br />${targets[String(i + 1)].note}` : null}</div>` : null}</div>
      <div><span class="muted">${t("quotes.lineTotal")}</span><br />
        <output for=${`l${i}-q l${i}-p`}>${totals[i] === null ? "—" : formatFen(totals[i])}</output></div>
      <div>${lines.length > 1 ? html`<button type="button" aria-label=${t("quotes.removeLineN", { n: i + 1 })}
        onClick=${() => setLines(lines.filter((_, j) => j !== i))}>✕</button>` : null}</div>
    </fieldset>`)}
    <div class="actions"><button type="button" onClick=${() => setLines([...lines, blankLine()])}>${t("quotes.addLine")}</button></div>
    <label for="reply-note">${t("supplier.replyNote")}</label>
    <textarea id="reply-note" data-testid="reply-note-input" maxlength="1000" rows="3" value=${replyNote}
      onInput=${(e) => setReplyNote(e.currentTarget.value)}></textarea>
    <p><strong>${t("quotes.total")}: <output data-testid="live-total">${grand === null ? "—" : formatFen(grand)}</output></strong></p>
    <div class="actions"><button class="primary" type="submit" data-testid="submit-lines" disabled=${action.busy || !complete}>${submitLabel}</button></div>
    <${ErrorBox} error=${action.error} />
  </form>`;
}
