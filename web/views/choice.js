// Choosing works by equal shares (issue 18): the committee creates a round over candidate
// works with a budget, opens it, watches the approvals come in live and closes it; owners tick
// the works they want (changeable until the close); the result shows side by side what "most
// votes" would have funded and what equal shares funds, and for each work why.
import { html, useState, useEffect, useMemo } from "../lib/html.js";
import { t } from "../lib/i18n.js";
import { api, itemsOf } from "../lib/api.js";
import { ErrorBox, Loading, useApi, useAction, Money, Status, whileLoading, Confirm } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";
import { formatFen, formatDateTime, parseYuan } from "../lib/format.js";
import { can } from "../lib/access.js";

const CHOOSABLE = new Set(["candidate", "proposed"]);

function sameRound(event, id) {
  return String((event.data || {}).round_id) === String(id);
}

// ---------------------------------------------------------------- list and create

export function ChoiceList({ me }) {
  const list = useApi(`/api/estates/${me.estate_id}/choice-rounds`);
  useLiveEvent(["choice."], list.reload);
  const items = itemsOf(list.data);
  return html`<h1>${t("choice.title")}</h1>
    <p class="muted">${t("choice.intro")}</p>
    ${can(me, "choice.manage") ? html`<${NewRound} me=${me} />` : null}
    <${ErrorBox} error=${list.error} />
    ${whileLoading(list) || (items.length === 0 ? html`<p class="muted" data-testid="choice-none">${t("choice.none")}</p>`
      : html`<ul class="plain card" data-testid="choice-rounds">${items.map((r) => html`<li key=${r.id} data-testid="choice-round-item">
          <a href=${`#/choice/${r.id}`}>${r.title}</a> <${Status} kind="choiceRound" value=${r.status} />
          <div class="muted">${t("choice.budget")}${t("common.colon")}${formatFen(r.budget_fen)} · ${t("choice.approvalsN", { n: r.approvals })}</div>
        </li>`)}</ul>`)}`;
}

function NewRound({ me }) {
  const action = useAction();
  const works = useApi(`/api/estates/${me.estate_id}/works`);
  const [title, setTitle] = useState("");
  const [budget, setBudget] = useState("");
  const [picked, setPicked] = useState([]);
  const choosable = itemsOf(works.data).filter((w) => CHOOSABLE.has(w.status) && Number(w.estimate_fen) > 0);
  const toggle = (id) => setPicked((ids) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]));
  const submit = async (e) => {
    e.preventDefault();
    let budgetFen;
    try {
      budgetFen = parseYuan(budget);
    } catch {
      action.setError(new Error(t("choice.badBudget")));
      return;
    }
    const created = await action.run(() => api(`/api/estates/${me.estate_id}/choice-rounds`,
      { method: "POST", body: { title, budget_fen: budgetFen, work_ids: picked } }));
    if (created && created.id) location.hash = `#/choice/${created.id}`;
  };
  return html`<details class="card" data-testid="new-choice-round"><summary>${t("choice.new")}</summary>
    <form onSubmit=${submit}>
      <label for="cr-title">${t("choice.titleLabel")}</label>
      <input id="cr-title" required maxlength="200" value=${title} onInput=${(e) => setTitle(e.currentTarget.value)} />
      <label for="cr-budget">${t("choice.budgetYuan")}</label>
      <input id="cr-budget" required inputmode="decimal" value=${budget} onInput=${(e) => setBudget(e.currentTarget.value)} />
      <fieldset data-testid="choice-candidates"><legend>${t("choice.pickWorks")}</legend>
        ${whileLoading(works) || (choosable.length === 0 ? html`<p class="muted">${t("choice.noCandidates")}</p>`
          : choosable.map((w) => html`<label class="check" key=${w.id}>
            <input type="checkbox" data-testid="choice-candidate" value=${w.id} checked=${picked.includes(w.id)} onChange=${() => toggle(w.id)} />
            ${w.title} <span class="muted">· ${formatFen(w.estimate_fen)}</span></label>`))}
      </fieldset>
      <div class="actions"><button class="primary" type="submit" data-testid="create-choice-round"
        disabled=${action.busy || picked.length === 0}>${t("choice.create")}</button></div>
      <${ErrorBox} error=${action.error} />
    </form></details>`;
}

// ---------------------------------------------------------------- the round page

export function ChoicePage({ me, params }) {
  const round = useApi(`/api/choice-rounds/${params.id}`);
  useLiveEvent(["choice."], (event) => {
    if (!sameRound(event, params.id)) return;
    if (event.type === "choice.approval" && round.data) {
      round.setData({ ...round.data, approvals: event.data.approvals });
      return;
    }
    round.reload();
  });
  if (round.loading && !round.data) return html`<${Loading} />`;
  if (round.error) return html`<${ErrorBox} error=${round.error} />`;
  const r = round.data;
  const voter = can(me, "choice.approve") && (me.household_ids || []).length > 0;
  return html`<h1 data-testid="choice-title">${r.title}</h1>
    <p><${Status} kind="choiceRound" value=${r.status} />
      <span class="muted"> · ${t("choice.budget")}${t("common.colon")}</span><${Money} fen=${r.budget_fen} /></p>
    ${r.status !== "draft" ? html`<p class="card" data-testid="choice-approvals" aria-live="polite">
      ${t("choice.approvalsN", { n: r.approvals })}</p>` : null}
    ${can(me, "choice.manage") ? html`<${Controls} r=${r} onDone=${round.reload} />` : null}
    ${r.status === "open" && voter ? html`<${Ballot} r=${r} />` : null}
    ${r.status !== "closed" && !(r.status === "open" && voter) ? html`<${WorksCard} r=${r} />` : null}
    ${r.status === "closed" && r.result ? html`<${Result} r=${r} />` : null}`;
}

function WorksCard({ r }) {
  return html`<section class="card" aria-labelledby="cw-h" data-testid="choice-works">
    <h2 id="cw-h">${t("choice.works")}</h2>
    <ul class="plain">${r.works.map((w) => html`<li key=${w.work_id}>${w.title}
      <span class="muted"> · ${formatFen(w.cost_fen)}</span></li>`)}</ul>
  </section>`;
}

function Controls({ r, onDone }) {
  const action = useAction();
  const [asking, setAsking] = useState(null);
  const verb = r.status === "draft" ? "open" : r.status === "open" ? "close" : null;
  if (!verb) return null;
  const run = async () => {
    setAsking(null);
    const res = await action.run(() => api(`/api/choice-rounds/${r.id}/${verb}`, { method: "POST" }));
    if (res !== undefined) onDone();
  };
  const lines = {
    open: [t("choice.openWhat"), t("choice.openFinal")],
    close: [t("choice.closeWhat", { n: r.approvals }), t("choice.closeFinal")],
  };
  return html`<div class="card" data-testid="choice-controls">
    ${asking ? html`<${Confirm} testid=${`confirm-${verb}`} lines=${lines[verb]} yes=${t(`choice.${verb}Confirm`)}
      onYes=${run} onNo=${() => setAsking(null)} />`
      : html`<div class="actions"><button type="button" class="primary" data-testid=${`${verb}-choice-round`}
        disabled=${action.busy} onClick=${() => setAsking(verb)}>${t(`choice.${verb}`)}</button></div>`}
    <${ErrorBox} error=${action.error} />
  </div>`;
}

/** The owner's ticks: loaded from /mine, saved as one set (replaces the previous one). */
function Ballot({ r }) {
  const mine = useApi(`/api/choice-rounds/${r.id}/mine`);
  const action = useAction();
  const [ticked, setTicked] = useState(null);
  const [saved, setSaved] = useState(false);
  const current = useMemo(() => {
    const owners = itemsOf((mine.data || {}).owners);
    const first = owners.find((o) => o.work_ids) || null;
    return { ids: first ? first.work_ids.map(Number) : null, paper: owners.some((o) => o.channel === "paper") };
  }, [mine.data]);
  useEffect(() => { if (current.ids && ticked === null) setTicked(current.ids); }, [current.ids]);
  const ids = ticked || [];
  const toggle = (id) => { setSaved(false); setTicked(ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]); };
  const save = async (e) => {
    e.preventDefault();
    const res = await action.run(() => api(`/api/choice-rounds/${r.id}/approvals`, { method: "POST", body: { work_ids: ids } }));
    if (res !== undefined) { setSaved(true); mine.reload(); }
  };
  return html`<section class="card" aria-labelledby="ballot-h" data-testid="choice-ballot">
    <h2 id="ballot-h">${t("choice.yourTicks")}</h2>
    <p class="muted">${t("choice.tickHint")}</p>
    ${current.paper ? html`<p class="notice" data-testid="choice-paper">${t("choice.paperStands")}</p>` : html`
    <form onSubmit=${save}>
      ${r.works.map((w) => html`<label class="check choice-tick" key=${w.work_id}>
        <input type="checkbox" data-testid="choice-tick" value=${w.work_id} checked=${ids.includes(w.work_id)}
          onChange=${() => toggle(w.work_id)} />
        <span>${w.title} <span class="muted">· ${formatFen(w.cost_fen)}</span></span></label>`)}
      <div class="actions"><button class="primary" type="submit" data-testid="save-ticks" disabled=${action.busy}>
        ${t("choice.save")}</button></div>
      ${saved ? html`<p class="ok" role="status" data-testid="ticks-saved">${t("choice.saved", { n: ids.length })}</p>` : null}
      ${current.ids && !saved ? html`<p class="muted" data-testid="ticks-current">${t("choice.current", { n: current.ids.length })}</p>` : null}
      <${ErrorBox} error=${action.error} />
    </form>`}
  </section>`;
}

// ---------------------------------------------------------------- the result

function MethodColumn({ testid, heading, hint, ids, cost, titles }) {
  return html`<section class="card choice-method" data-testid=${testid}>
    <h3>${heading}</h3>
    <p class="muted">${hint}</p>
    ${ids.length === 0 ? html`<p class="muted">${t("choice.nothing")}</p>`
      : html`<ul class="plain">${ids.map((id) => html`<li key=${id} data-testid="method-work">${titles[String(id)] || `#${id}`}</li>`)}</ul>`}
    <p><strong>${t("choice.spent")}${t("common.colon")}${formatFen(cost)}</strong></p>
  </section>`;
}

function yuanOf(fen) {
  return formatFen(fen);
}

/** Why a work was or was not funded, in words a resident understands. */
export function why(e, result) {
  const base = { n: e.approvals, cost: yuanOf(e.cost_fen) };
  const shares = e.supporters_shares_fen === null || e.supporters_shares_fen === undefined ? null : yuanOf(e.supporters_shares_fen);
  const lines = [];
  if (e.mes_reason === "no_support") lines.push(t("choice.why.noSupport"));
  else if (e.mes_reason === "bought") lines.push(t("choice.why.bought", { ...base, shares, round: e.mes_round }));
  else lines.push(t("choice.why.short", { ...base, shares }));
  if (e.funded_by === "completion") lines.push(t("choice.why.completion", { share: yuanOf(result.completion_share_fen) }));
  if (e.funded_by === "fill") lines.push(t("choice.why.fill"));
  lines.push(t(e.greedy ? "choice.why.greedyYes" : "choice.why.greedyNo", { n: e.approvals }));
  return lines;
}

function Result({ r }) {
  const x = r.result;
  const titles = Object.fromEntries(r.works.map((w) => [String(w.work_id), w.title]));
  return html`<section aria-labelledby="result-h" data-testid="choice-result">
    <h2 id="result-h">${t("choice.result")}</h2>
    <p class="card">${t("choice.shareLine", { budget: yuanOf(x.budget_fen), n: x.voters, share: yuanOf(x.equal_share_fen) })}</p>
    <div class="choice-side">
      <${MethodColumn} testid="method-greedy" heading=${t("choice.greedy")} hint=${t("choice.greedyHint")}
        ids=${x.greedy_work_ids} cost=${x.greedy_cost_fen} titles=${titles} />
      <${MethodColumn} testid="method-equal" heading=${t("choice.equal")} hint=${t("choice.equalHint")}
        ids=${x.funded_work_ids} cost=${x.funded_cost_fen} titles=${titles} />
    </div>
    <section class="card" aria-labelledby="why-h" data-testid="choice-why">
      <h3 id="why-h">${t("choice.whyTitle")}</h3>
      <ul class="plain">${x.explanations.map((e) => html`<li key=${e.work_id} class="choice-why" data-testid="why-work">
        <strong>${titles[String(e.work_id)] || e.title}</strong>
        <span class=${`badge badge-${e.funded ? "approved" : "closed"}`} data-testid="why-verdict">
          ${t(e.funded ? "choice.funded" : "choice.notFunded")}</span>
        ${why(e, x).map((line, i) => html`<p key=${i}>${line}</p>`)}
      </li>`)}</ul>
    </section>
    <p class="muted">${t("choice.proposedNote")}</p>
    <p><a download data-testid="choice-record" href=${`/api/choice-rounds/${r.id}/record`}>${t("choice.record")}</a>
      ${r.closed_at ? html`<span class="muted"> · ${formatDateTime(r.closed_at)}</span>` : null}</p>
  </section>`;
}
