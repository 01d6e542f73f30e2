import { html, useState } from "../lib/html.js";
import { t } from "../lib/i18n.js";
import { api, itemsOf } from "../lib/api.js";
import { DEFAULT_TIME_ZONE } from "../lib/format.js";
import { ErrorBox, Loading, useApi, useAction } from "../lib/ui.js";

function choose(id) {
  sessionStorage.setItem("planner.estate", String(id));
  location.assign("/#/");
  location.reload();
}

/** The IANA zones this browser knows (the server checks the name against zoneinfo). */
function zoneNames(current) {
  let names = [];
  try {
    names = Intl.supportedValuesOf("timeZone");
  } catch {
    names = [DEFAULT_TIME_ZONE, "Asia/Hong_Kong", "Asia/Taipei", "Asia/Urumqi", "UTC"];
  }
  const all = new Set([DEFAULT_TIME_ZONE, ...names]);
  if (current) all.add(current);
  return [...all];
}

function ZoneSelect({ id, value, onChange, disabled }) {
  return html`<select id=${id} value=${value} disabled=${disabled}
      onChange=${(e) => onChange(e.currentTarget.value)}>
    ${zoneNames(value).map((z) => html`<option key=${z} value=${z}>${z}</option>`)}
  </select>`;
}

/** One estate: choose it, or change its time zone (the zone every time is shown in). */
function EstateRow({ estate }) {
  const action = useAction();
  const [zone, setZone] = useState(estate.time_zone || DEFAULT_TIME_ZONE);
  const [saved, setSaved] = useState(false);
  const change = async (value) => {
    setSaved(false);
    const done = await action.run(() =>
      api(`/api/estates/${estate.id}`, { method: "PATCH", body: { time_zone: value } }));
    if (done) {
      setZone(done.time_zone);
      setSaved(true);
    }
  };
  return html`<li data-testid="estate-row">
    <button type="button" class="linkish" onClick=${() => choose(estate.id)}>${estate.name}</button>
    ${estate.district ? html` <span class="muted">${estate.district}</span>` : null}
    <div class="inline-form">
      <label for=${`estate-zone-${estate.id}`}>${t("estates.timeZone")}</label>
      <${ZoneSelect} id=${`estate-zone-${estate.id}`} value=${zone} onChange=${change} disabled=${action.busy} />
      ${saved ? html`<span class="muted" role="status">${t("estates.timeZoneSaved")}</span>` : null}
    </div>
    <${ErrorBox} error=${action.error} />
  </li>`;
}

/** The global admin's estates: pick one to work on, or create one. */
export function Estates() {
  const estates = useApi("/api/estates");
  const action = useAction();
  const [name, setName] = useState("");
  const [zone, setZone] = useState(DEFAULT_TIME_ZONE);
  const create = async (e) => {
    e.preventDefault();
    const made = await action.run(() =>
      api("/api/estates", { method: "POST", body: { name, time_zone: zone } }));
    if (made && made.id) choose(made.id);
  };
  return html`<h1>${t("estates.title")}</h1>
    <${ErrorBox} error=${estates.error} />
    ${estates.loading ? html`<${Loading} />` : html`<ul class="plain card" data-testid="estates">
      ${itemsOf(estates.data).map((e) => html`<${EstateRow} key=${e.id} estate=${e} />`)}</ul>`}
    <form class="card" onSubmit=${create}>
      <label for="estate-name">${t("estates.newName")}</label>
      <input id="estate-name" required value=${name} onInput=${(e) => setName(e.currentTarget.value)} />
      <label for="estate-zone">${t("estates.timeZone")}</label>
      <${ZoneSelect} id="estate-zone" value=${zone} onChange=${setZone} />
      <p class="muted">${t("estates.timeZoneHint")}</p>
      <div class="actions"><button class="primary" type="submit" disabled=${action.busy}>${t("estates.create")}</button></div>
      <${ErrorBox} error=${action.error} />
    </form>`;
}
