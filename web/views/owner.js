import { html, useMemo } from "../lib/html.js";
import { t, tMaybe, getLang } from "../lib/i18n.js";
import { itemsOf } from "../lib/api.js";
import { ErrorBox, Loading, useApi, Money, Status, byVersion, whileLoading } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";
import { MyLedger } from "./ledger.js";
import { formatArea, formatDate, toChineseCapital, planSharePct, byBuildingAndUnit } from "../lib/format.js";

/** The plan in force (the one approved version; earlier ones are superseded, their notices
 * void), else the newest draft: what the owner will be asked to pay. */
function pickPlan(plans) {
  const sorted = byVersion(plans);
  const approved = sorted.filter((p) => p.status === "approved");
  const drafts = sorted.filter((p) => p.status === "draft");
  return approved[approved.length - 1] || drafts[drafts.length - 1] || null;
}

/** The treasurer's payment instructions (due date, payee, account, where and how) as a
 * definition list; `given` as `GET /api/funding-plans/{id}/payment-instructions` answers. */
export function HowToPay({ given }) {
  if (!given || given.set_on_version === null || given.set_on_version === undefined) return null;
  return html`<dl class="kv" data-testid="how-to-pay">
    <dt>${t("my.pay.due")}</dt><dd data-testid="due-date"><strong>${given.due_date ? formatDate(given.due_date) : t("my.pay.dueUnset")}</strong></dd>
    ${given.payee ? html`<dt>${t("my.pay.payee")}</dt><dd data-testid="payee">${given.payee}</dd>` : null}
    ${given.account ? html`<dt>${t("my.pay.account")}</dt><dd data-testid="account">${given.account}</dd>` : null}
    ${given.how_to_pay ? html`<dt>${t("my.pay.how")}</dt><dd data-testid="how" class="pre-line">${given.how_to_pay}</dd>` : null}
  </dl>`;
}

/** Owner: when, where and how to pay, what she has paid and what remains; my payment notice
 * per unit, my share per work and why. */
export function MyShare({ me }) {
  const plans = useApi(`/api/estates/${me.estate_id}/funding-plans`);
  const households = useApi(`/api/estates/${me.estate_id}/households`);
  const works = useApi(`/api/estates/${me.estate_id}/works`);
  useLiveEvent(["funding", "plan."], plans.reload);
  const chosen = pickPlan(itemsOf(plans.data));
  const plan = useApi(chosen ? `/api/funding-plans/${chosen.id}` : null);
  const instructions = useApi(chosen ? `/api/funding-plans/${chosen.id}/payment-instructions` : null);
  // what she has paid: recorded against the plan in force only
  const payments = useApi(chosen && chosen.status === "approved" ? `/api/funding-plans/${chosen.id}/payments` : null);
  useLiveEvent(["payment.", "ledger."], () => { instructions.reload(); payments.reload(); });
  const paid = useMemo(() => Object.fromEntries(itemsOf(payments.data).map((p) => [String(p.household_id), p])), [payments.data]);
  const workNames = useMemo(() => Object.fromEntries(itemsOf(works.data).map((w) => [String(w.id), w])), [works.data]);
  const units = useMemo(() => Object.fromEntries(itemsOf(households.data).map((h) => [String(h.id), h])), [households.data]);
  if (plans.loading && !plans.data) return html`<${Loading} />`;
  const mine = plan.data ? itemsOf(plan.data.households).filter((h) => (me.household_ids || []).map(String).includes(String(h.household_id)))
    .sort((a, b) => byBuildingAndUnit(units[String(a.household_id)] || {}, units[String(b.household_id)] || {})) : [];
  return html`<h1>${t("my.title")}</h1>
    <${MyFinalAccounts} me=${me} units=${units} />
    <${ErrorBox} error=${plans.error || plan.error} />
    ${!chosen ? html`<p class="card muted">${t("my.noPlan")}</p>` : null}
    ${chosen && plan.data ? html`<p class="muted">${t("funding.versionN", { n: plan.data.version })} <${Status} kind="plan" value=${plan.data.status} />
      ${plan.data.status !== "approved" ? html` · ${t("my.draft")}` : null}</p>` : null}
    ${whileLoading(plan, households, works)}
    ${plan.data && !mine.length ? html`<p class="card muted">${t("my.noUnits")}</p>` : null}
    ${mine.length > 1 ? html`<section class="card" data-testid="my-total" aria-labelledby="my-total-h">
      <h2 id="my-total-h">${t("my.total", { n: mine.length })}</h2>
      <p><strong><${Money} fen=${mine.reduce((sum, h) => sum + Number(h.amount_fen), 0)} /></strong></p>
      <p class="muted" lang="zh-CN">${toChineseCapital(mine.reduce((sum, h) => sum + Number(h.amount_fen), 0))}</p>
      <p class="muted">${mine.map((h) => { const u = units[String(h.household_id)] || {}; return `${u.building || ""} ${u.unit || ""}`.trim(); }).join(t("quotes.nameSeparator"))}</p>
    </section>` : null}
    ${chosen && mine.length ? html`<section class="card" data-testid="my-payment" aria-labelledby="my-pay-h">
      <h2 id="my-pay-h">${t("my.pay.title")}</h2>
      <${ErrorBox} error=${instructions.error || payments.error} />
      ${whileLoading(instructions) || (instructions.data && instructions.data.set_on_version != null
        ? html`<${HowToPay} given=${instructions.data} />` : html`<p class="muted" data-testid="no-instructions">${t("my.pay.none")}</p>`)}
      ${payments.data && mine.length > 1 ? html`<dl class="kv" data-testid="my-paid-total">
        <dt>${t("my.pay.paidTotal")}</dt><dd><${Money} fen=${mine.reduce((sum, h) => sum + Number((paid[String(h.household_id)] || {}).paid_fen || 0), 0)} /></dd>
        <dt>${t("my.pay.remainingTotal")}</dt><dd><strong><${Money} fen=${mine.reduce((sum, h) => sum + Number((paid[String(h.household_id)] || { remaining_fen: h.amount_fen }).remaining_fen), 0)} /></strong></dd>
      </dl>` : null}
      ${chosen.status === "approved" ? html`<h3>${t("ledger.myTitle")}</h3><${MyLedger} planId=${chosen.id} />` : null}
    </section>` : null}
    ${mine.map((h) => { const unit = units[String(h.household_id)] || {}; return html`<article class="card notice-sheet" key=${h.household_id} data-testid="my-notice">
      <h2>${t("my.notice")}: ${unit.building || ""} ${unit.unit || ""}</h2>
      <dl class="kv">
        <dt>${t("households.owner")}</dt><dd>${unit.owner_name || "—"}</dd>
        <dt>${t("households.area")}</dt><dd>${unit.area_m2 ? formatArea(unit.area_m2) : "—"}</dd>
        <dt>${t("my.amount")}</dt><dd><strong><${Money} fen=${h.amount_fen} /></strong></dd>
        <dt>${t("my.capital")}</dt><dd lang="zh-CN">${toChineseCapital(h.amount_fen)}</dd>
        ${paid[String(h.household_id)] ? html`<dt>${t("my.paid")}</dt><dd data-testid="paid"><${Money} fen=${paid[String(h.household_id)].paid_fen} /></dd>
          <dt>${t("my.remaining")}</dt><dd data-testid="remaining"><strong><${Money} fen=${paid[String(h.household_id)].remaining_fen} /></strong></dd>` : null}
        <dt>${t("my.proportional")}</dt><dd><${Money} fen=${h.proportional_fen} /></dd>
        <dt>${t("my.date")}</dt><dd>${formatDate(plan.data.approved_at || plan.data.created_at || new Date().toISOString())}</dd>
      </dl>
      ${h.reason && h.reason !== "proportional" ? html`<p class="notice" data-testid="reason">${tMaybe(`my.reason.${h.reason}`, h.capped ? t("my.capped") : h.reason)}</p>` : null}
      <h3>${t("my.perWork")}</h3>
      <ul class="plain">${itemsOf(h.works).map((w) => { const work = workNames[String(w.work_id)] || {}; return html`<li key=${w.work_id}>
        <strong>${work.title || `#${w.work_id}`}</strong>: <${Money} fen=${w.amount_fen} />
        <div class="muted">${t("my.why", { rule: tMaybe(`benefit.${work.benefit_rule}`, work.benefit_rule || "—") })}</div></li>`; })}</ul>
      <p class="muted">${t("my.explain", { share: planSharePct(plan.data) })}</p>
      <div class="actions no-print">
        <a class="button primary" target="_blank" rel="noopener" data-testid="official-notice"
          href=${`/api/funding-plans/${plan.data.id}/notices/${h.household_id}?lang=${getLang() === "en" ? "en" : "zh"}`}>${t("my.officialNotice")}</a>
        <button type="button" onClick=${() => print()}>${t("my.print")}</button></div>
    </article>`; })}`;
}

/** Settlement (issue 19): once final accounts are approved, each of my units' final share,
 * what was paid and the refund or top-up (人民币大写 in Chinese). Nothing before approval. */
function MyFinalAccounts({ me, units }) {
  const versions = useApi(`/api/estates/${me.estate_id}/final-accounts`);
  useLiveEvent(["final_accounts."], versions.reload);
  const latest = itemsOf(versions.data).find((f) => f.status === "approved");
  const mine = useApi(latest ? `/api/final-accounts/${latest.id}/mine` : null);
  const lines = mine.data ? itemsOf(mine.data.households) : [];
  if (!latest || !lines.length) return null;
  return html`<section class="card" data-testid="my-settlement" aria-labelledby="my-settle-h">
    <h2 id="my-settle-h">${t("my.settlement.title", { n: latest.version })}</h2>
    ${lines.map((h) => { const u = units[String(h.household_id)] || {}; const due = h.topup_fen || h.refund_fen; return html`<dl class="kv" key=${h.household_id} data-testid="my-settlement-line">
      <dt>${t("my.settlement.unit")}</dt><dd>${u.building || ""} ${u.unit || `#${h.household_id}`}</dd>
      <dt>${t("my.settlement.final")}</dt><dd data-testid="settle-final"><${Money} fen=${h.final_fen} /></dd>
      <dt>${t("my.settlement.paid")}</dt><dd data-testid="settle-paid"><${Money} fen=${h.paid_fen} /></dd>
      <dt>${t(h.refund_fen ? "my.settlement.refund" : h.topup_fen ? "my.settlement.topup" : "my.settlement.even")}</dt>
      <dd data-testid="settle-due"><strong>${due ? html`<${Money} fen=${due} />` : "—"}</strong></dd>
      ${due ? html`<dt>${t("my.capital")}</dt><dd lang="zh-CN">${toChineseCapital(due)}</dd>` : null}
      <dt></dt><dd><a class="button" target="_blank" rel="noopener" data-testid="settlement-notice"
        href=${`/api/final-accounts/${latest.id}/notices/${h.household_id}?lang=${getLang() === "en" ? "en" : "zh"}`}>${t("my.settlement.notice")}</a></dd>
    </dl>`; })}
  </section>`;
}
