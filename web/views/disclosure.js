// Public disclosure (公示, issue 19): what the estate's money did. Members (not suppliers,
// not partners) read the works' budget, award, variations and final cost, each source's
// promised and final amount, the residents' total and the collection's aggregates; an owner
// sees her own households' lines first ("my line"). The committee publishes the public link
// (asked first) and prints the notice with its QR code. `/d/:token` is the public page: no
// sign-in, aggregates only.
import { html, useState, useEffect } from "../lib/html.js";
import { t } from "../lib/i18n.js";
import { api } from "../lib/api.js";
import { ErrorBox, Loading, useApi, useAction, Money, Confirm } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";
import { can } from "../lib/access.js";
import { formatDateTime, setTimeZone } from "../lib/format.js";
import { pageLang } from "./consultation.js";

const LIVE = ["disclosure.published", "ledger.changed", "variation.approved", "final_accounts.published", "plan.approved"];

/** `/disclosure`: the members' page. */
export function Disclosure({ me }) {
  const page = useApi(`/api/estates/${me.estate_id}/disclosure`);
  useLiveEvent(LIVE, page.reload);
  const d = page.data;
  if (page.loading && !d) return html`<${Loading} />`;
  if (page.error) return html`<${ErrorBox} error=${page.error} />`;
  return html`<h1>${t("disclosure.title")}</h1>
    <p class="muted">${t("disclosure.intro")}</p>
    ${d.mine && d.mine.length ? html`<${MyLines} lines=${d.mine} />` : null}
    <${Figures} d=${d} />
    ${can(me, "disclosure.publish") ? html`<${Publish} me=${me} d=${d} onDone=${page.reload} />`
      : html`<p><a target="_blank" rel="noopener" data-testid="disclosure-print"
          href=${`/api/estates/${me.estate_id}/disclosure.html?lang=${pageLang()}`}>${t("disclosure.print")}</a></p>`}`;
}

/** `/d/:token`: the public page, no sign-in, aggregates only. */
export function PublicDisclosure({ params }) {
  const base = `/api/public/disclosures/${encodeURIComponent(params.token)}`;
  const page = useApi(base);
  const [, setTick] = useState(0);
  const d = page.data;
  useEffect(() => {
    if (d && d.time_zone) { setTimeZone(d.time_zone); setTick((n) => n + 1); }
  }, [d && d.time_zone]);
  if (page.loading && !d) return html`<${Loading} />`;
  if (page.error) return html`<${ErrorBox} error=${page.error} />`;
  return html`<h1 data-testid="public-title">${d.estate_name} ${t("disclosure.title")}</h1>
    <${Figures} d=${d} />
    <p><a target="_blank" rel="noopener" data-testid="public-notice"
      href=${`${base}/notice.html?lang=${pageLang()}`}>${t("disclosure.print")}</a></p>`;
}

function MyLines({ lines }) {
  return html`<section class="card highlight" data-testid="disclosure-mine" aria-labelledby="dm-h">
    <h2 id="dm-h">${t("disclosure.mine")}</h2>
    <ul class="plain">${lines.map((m) => html`<li key=${m.household_id} data-testid="disclosure-my-line">
      <strong>${m.building || ""} ${m.unit || ""}</strong>
      <dl class="kv">
        <dt>${t("disclosure.due")}</dt><dd><${Money} fen=${m.due_fen} /></dd>
        <dt>${t("disclosure.paid")}</dt><dd><${Money} fen=${m.paid_fen} /></dd>
        <dt>${t("disclosure.balance")}</dt><dd><${Money} fen=${m.balance_fen} /></dd>
        ${m.final_fen !== null ? html`<dt>${t("disclosure.finalShare")}</dt><dd><${Money} fen=${m.final_fen} /></dd>
          ${m.refund_fen ? html`<dt>${t("disclosure.refund")}</dt><dd><${Money} fen=${m.refund_fen} /></dd>` : null}
          ${m.topup_fen ? html`<dt>${t("disclosure.topup")}</dt><dd><${Money} fen=${m.topup_fen} /></dd>` : null}` : null}
      </dl></li>`)}</ul>
  </section>`;
}

function Figures({ d }) {
  const c = d.collection;
  return html`
    <p class="muted" data-testid="disclosure-plan">${d.plan_version
      ? t("disclosure.plan", { version: d.plan_version }) : t("disclosure.noPlan")}
      ${d.final_accounts_version ? html` · ${t("disclosure.final", { version: d.final_accounts_version })}` : null}</p>
    <section class="card" data-testid="disclosure-collection" aria-labelledby="dc-h">
      <h2 id="dc-h">${t("disclosure.collection")}</h2>
      <dl class="kv">
        <dt>${t("disclosure.households")}</dt><dd>${c.households}</dd>
        <dt>${t("disclosure.due")}</dt><dd data-testid="disclosure-due"><${Money} fen=${c.due_fen} /></dd>
        <dt>${t("disclosure.collected")}</dt><dd data-testid="disclosure-collected"><${Money} fen=${c.collected_fen} /></dd>
        <dt>${t("disclosure.arrears")}</dt><dd><${Money} fen=${c.arrears_fen} /></dd>
        <dt>${t("disclosure.inArrears")}</dt><dd>${c.households_in_arrears}</dd>
        ${c.refunds_due_fen !== null ? html`<dt>${t("disclosure.refunds")}</dt><dd><${Money} fen=${c.refunds_due_fen} /></dd>
          <dt>${t("disclosure.topups")}</dt><dd><${Money} fen=${c.topups_due_fen} /></dd>` : null}
      </dl>
    </section>
    <section class="card" data-testid="disclosure-works" aria-labelledby="dw-h">
      <h2 id="dw-h">${t("disclosure.works")}</h2>
      ${d.works.length ? html`<ul class="plain">${d.works.map((w) => html`<li key=${w.work_id}>
        <strong>${w.title}</strong>
        <dl class="kv">
          <dt>${t("disclosure.estimate")}</dt><dd><${Money} fen=${w.estimate_fen} /></dd>
          <dt>${t("disclosure.awarded")}</dt><dd><${Money} fen=${w.awarded_fen} /></dd>
          <dt>${t("disclosure.variations")}</dt><dd><${Money} fen=${w.variations_fen} /> ${t("disclosure.count", { n: w.variations_count })}</dd>
          <dt>${t("disclosure.finalCost")}</dt><dd><${Money} fen=${w.final_cost_fen} /></dd>
        </dl></li>`)}</ul>
        <dl class="kv"><dt>${t("disclosure.totalEstimate")}</dt><dd><${Money} fen=${d.total_estimate_fen} /></dd>
          <dt>${t("disclosure.totalFinal")}</dt><dd><${Money} fen=${d.total_final_fen} /></dd></dl>`
        : html`<p class="muted">${t("disclosure.noWorks")}</p>`}
    </section>
    <section class="card" data-testid="disclosure-sources" aria-labelledby="ds-h">
      <h2 id="ds-h">${t("disclosure.sources")}</h2>
      <ul class="plain">${d.sources.map((s) => html`<li key=${s.source_id}><strong>${s.name}</strong>
        <dl class="kv">
          <dt>${t("disclosure.promised")}</dt><dd><${Money} fen=${s.promised_fen} /></dd>
          <dt>${t("disclosure.finalFen")}</dt><dd><${Money} fen=${s.final_fen} /></dd>
          <dt>${t("disclosure.unspent")}</dt><dd><${Money} fen=${s.unspent_fen} /></dd>
        </dl></li>`)}
        <li><strong>${t("disclosure.residents")}</strong>
          <dl class="kv">
            <dt>${t("disclosure.promised")}</dt><dd data-testid="disclosure-residents"><${Money} fen=${d.residents_planned_fen} /></dd>
            <dt>${t("disclosure.finalFen")}</dt><dd><${Money} fen=${d.residents_final_fen} /></dd>
          </dl></li></ul>
    </section>
    <p class="muted" data-testid="disclosure-head">${t("disclosure.head", { seq: d.chain_head.seq })}
      <code lang="en" class="code">${d.chain_head.hash}</code><br />
      ${t("disclosure.generated", { when: formatDateTime(d.generated_at, d.time_zone) })}</p>`;
}

function Publish({ me, d, onDone }) {
  const [asking, setAsking] = useState(false);
  const [done, setDone] = useState(null);
  const action = useAction();
  const publish = async () => {
    setAsking(false);
    const res = await action.run(() => api(`/api/estates/${me.estate_id}/disclosure/publish`, { method: "POST" }));
    if (res) { setDone(res); onDone(); }
  };
  const url = done ? done.public_url : d.public_token ? `${location.origin}${location.pathname}#/d/${d.public_token}` : null;
  return html`<section class="card" data-testid="disclosure-publish" aria-labelledby="dp-h">
    <h2 id="dp-h">${t("disclosure.publishTitle")}</h2>
    <${ErrorBox} error=${action.error} />
    ${url ? html`<p>${t("disclosure.publicLink")}${t("common.colon")}<a data-testid="disclosure-link" class="code" href=${url}>${url}</a></p>` : html`<p class="muted">${t("disclosure.notPublished")}</p>`}
    ${asking ? html`<${Confirm} testid="disclosure-confirm" lines=${[t("disclosure.confirm")]}
        yes=${t("disclosure.publish")} onYes=${publish} onNo=${() => setAsking(false)} />`
      : html`<div class="actions"><button type="button" class="primary" data-testid="disclosure-publish-button"
          disabled=${action.busy} onClick=${() => setAsking(true)}>${t(url ? "disclosure.republish" : "disclosure.publish")}</button>
        <a target="_blank" rel="noopener" data-testid="disclosure-print"
          href=${`/api/estates/${me.estate_id}/disclosure.html?lang=${pageLang()}`}>${t("disclosure.print")}</a></div>`}
  </section>`;
}
