import { html } from "../lib/html.js";
import { t } from "../lib/i18n.js";
import { itemsOf } from "../lib/api.js";
import { useApi, Money, Status, byVersion, whileLoading } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";
import { formatDateTime } from "../lib/format.js";
import { can } from "../lib/access.js";
import { WORK_STATUSES } from "./quotes.js";
import { WishCounts } from "./wishes.js";

/** The estate at a glance: a card for each thing the member may see. */
export function Home({ me }) {
  return html`<h1>${t("home.title")}</h1>
    <div class="grid two">
      ${can(me, "quotes.submit") ? html`<${SupplierHome} />` : null}
      ${can(me, "consultations.view") ? html`<${CurrentConsultation} me=${me} />` : null}
      ${can(me, "meetings.view") ? html`<${NextMeeting} me=${me} />` : null}
      ${can(me, "works.view") ? html`<${WorksByStatus} me=${me} />` : null}
      ${can(me, "funding.view") ? html`<${MoneyAtAGlance} me=${me} />` : null}
      ${can(me, "share.own") ? html`<${OwnerHome} me=${me} />` : null}
      ${can(me, "wishes.view") ? html`<${WishesHome} me=${me} />` : null}
    </div>`;
}

function NextMeeting({ me }) {
  const meetings = useApi(`/api/estates/${me.estate_id}/meetings`);
  useLiveEvent(["meeting.", "motion."], meetings.reload);
  const items = itemsOf(meetings.data);
  const scheduled = items.filter((m) => m.status === "scheduled")
    .sort((a, b) => String(a.scheduled_at || "").localeCompare(String(b.scheduled_at || "")));
  const next = items.find((m) => m.status === "open") || scheduled[0] || items[items.length - 1];
  return html`<section class="card" aria-labelledby="next-meeting-h" data-testid="next-meeting">
    <h2 id="next-meeting-h">${t("home.nextMeeting")}</h2>
    ${whileLoading(meetings) || (next ? html`<p><a href=${`#/meetings/${next.id}`}>${next.title}</a>
      ${next.scheduled_at ? html`<br /><span class="muted">${formatDateTime(next.scheduled_at)}</span>` : null}
      <br /><${Status} kind="meeting" value=${next.status} /></p>
      <a class="button primary" href=${`#/meetings/${next.id}`}>${t("home.enterMeeting")}</a>`
      : html`<p class="muted">${meetings.error ? t("home.unavailable") : t("meetings.none")}</p>`)}
  </section>`;
}

/** A written consultation that is open (or noticed, or the last one): where owners vote. */
function CurrentConsultation({ me }) {
  const list = useApi(`/api/estates/${me.estate_id}/consultations`);
  useLiveEvent(["consultation."], list.reload);
  const items = itemsOf(list.data);
  const current = items.find((c) => c.status === "open") || items.find((c) => c.status === "noticed") || null;
  if (!current) return null; // none running (or not loaded yet): no card
  return html`<section class="card" aria-labelledby="home-consult-h" data-testid="home-consultation">
    <h2 id="home-consult-h">${t("home.consultation")}</h2>
    ${html`<p><a href=${`#/consultations/${current.id}`}>${current.title}</a>
      <br /><${Status} kind="consultation" value=${current.status} />
      <br /><span class="muted">${formatDateTime(current.opens_at)} – ${formatDateTime(current.closes_at)}</span></p>
      <a class="button primary" href=${`#/consultations/${current.id}`}>${t(current.status === "open" ? "home.consultationVote" : "home.consultationRead")}</a>`}
  </section>`;
}

function WorksByStatus({ me }) {
  const works = useApi(`/api/estates/${me.estate_id}/works`);
  useLiveEvent(["work."], works.reload);
  const items = itemsOf(works.data);
  const counts = WORK_STATUSES.map((s) => [s, items.filter((w) => w.status === s).length]).filter(([, n]) => n > 0);
  return html`<section class="card" aria-labelledby="works-status-h" data-testid="works-by-status">
    <h2 id="works-status-h">${t("home.worksByStatus")}</h2>
    ${whileLoading(works) || (counts.length ? html`<ul class="plain">${counts.map(([s, n]) => html`<li key=${s}><${Status} kind="work" value=${s} /> ${t("home.nWorks", { n })}</li>`)}</ul>`
      : html`<p class="muted">${works.error ? t("home.unavailable") : t("works.none")}</p>`)}
    <a href="#/works">${t("home.allWorks")}</a>
  </section>`;
}

function MoneyAtAGlance({ me }) {
  const plans = useApi(`/api/estates/${me.estate_id}/funding-plans`);
  const items = byVersion(itemsOf(plans.data)).filter((p) => p.status !== "failed");
  const latest = items[items.length - 1];
  return html`<section class="card" aria-labelledby="money-h" data-testid="money">
    <h2 id="money-h">${t("home.money")}</h2>
    ${whileLoading(plans) || (latest ? html`<dl class="kv">
      <dt>${t("funding.totalCost")}</dt><dd><${Money} fen=${latest.total_cost_fen} /></dd>
      <dt>${t("funding.residents")}</dt><dd><${Money} fen=${latest.residents_total_fen} /></dd>
      <dt>${t("funding.plan")}</dt><dd>${t("funding.versionN", { n: latest.version })} <${Status} kind="plan" value=${latest.status} /></dd>
    </dl><a href=${`#/funding/${latest.id}`}>${t("home.openPlan")}</a>`
      : html`<p class="muted">${plans.error ? t("home.unavailable") : t("home.noPlan")}</p><a href="#/funding">${t("nav.funding")}</a>`)}
  </section>`;
}

function OwnerHome() {
  return html`<section class="card" aria-labelledby="owner-h">
    <h2 id="owner-h">${t("home.myShare")}</h2>
    <p>${t("home.myShareText")}</p>
    <a class="button" href="#/my">${t("nav.my")}</a>
  </section>`;
}

function SupplierHome() {
  return html`<section class="card" aria-labelledby="supplier-h">
    <h2 id="supplier-h">${t("supplier.title")}</h2>
    <p>${t("home.supplierText")}</p>
    <a class="button primary" href="#/supplier">${t("nav.supplier")}</a>
  </section>`;
}

/** Small wishes: a partner unit's home leads here (the wishes to claim, its own counts);
 * residents post a wish and confirm receipt. */
function WishesHome({ me }) {
  const partner = can(me, "wishes.fulfil");
  return html`<section class="card" aria-labelledby="wishes-home-h" data-testid="home-wishes">
    <h2 id="wishes-home-h">${t("wish.title")}</h2>
    <p>${t(partner ? "home.wishesPartnerText" : "home.wishesText")}</p>
    <${WishCounts} me=${me} testid="home-wish-counts" />
    <div class="actions"><a class="button primary" href="#/wishes">${t(partner ? "home.wishesClaim" : "home.wishesOpen")}</a>
      ${can(me, "pledges.make") ? html`<a class="button" href="#/wishes/pledges">${t("pledge.title")}</a>` : null}</div>
  </section>`;
}
