import { html, useState } from "../lib/html.js";
import { t } from "../lib/i18n.js";
import { api, itemsOf } from "../lib/api.js";
import { ErrorBox, Loading, useApi, useAction, Money } from "../lib/ui.js";
import { formatArea, byBuildingAndUnit } from "../lib/format.js";
import { can } from "../lib/access.js";

/** The estate's households (staff), with the CSV import. Owner names are user text: rendered as text. */
export function Households({ me }) {
  const list = useApi(`/api/estates/${me.estate_id}/households`);
  const items = [...itemsOf(list.data)].sort(byBuildingAndUnit);
  return html`<h1>${t("households.title")}</h1>
    ${can(me, "households.import") ? html`<${ImportForm} estateId=${me.estate_id} onDone=${list.reload} />` : null}
    <${ErrorBox} error=${list.error} />
    ${list.loading ? html`<${Loading} />` : html`<div class="table-wrap"><table data-testid="households">
      <caption class="muted">${t("households.count", { n: items.length })}</caption>
      <thead><tr><th scope="col">${t("households.building")}</th><th scope="col">${t("households.unit")}</th>
        <th scope="col">${t("households.floor")}</th><th scope="col" class="num">${t("households.area")}</th>
        <th scope="col">${t("households.owner")}</th><th scope="col" class="num">${t("households.cap")}</th></tr></thead>
      <tbody>${items.map((h) => html`<tr key=${h.id}>
        <td>${h.building}</td><td>${h.unit}</td><td>${h.floor}</td>
        <td class="num">${formatArea(h.area_m2)}</td><td data-testid="owner-name">${h.owner_name}</td>
        <td class="num">${h.hardship_cap_fen === null || h.hardship_cap_fen === undefined ? "—" : html`<${Money} fen=${h.hardship_cap_fen} wan=${false} />`}</td>
      </tr>`)}</tbody></table></div>`}`;
}

function ImportForm({ estateId, onDone }) {
  const action = useAction();
  const [result, setResult] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const file = e.currentTarget.elements.csv.files[0];
    if (!file) return;
    const text = await file.text();
    const res = await action.run(() => api(`/api/estates/${estateId}/households/import`, {
      method: "POST", body: undefined, headers: { "Content-Type": "text/csv" }, rawBody: text,
    }));
    if (res !== undefined) {
      setResult(res);
      onDone();
    }
  };
  return html`<form class="card" onSubmit=${submit}>
    <label for="csv">${t("households.importLabel")}</label>
    <input id="csv" name="csv" type="file" accept=".csv,text/csv" />
    <p class="muted">${t("households.importHelp")}</p>
    <div class="actions"><button type="submit" class="primary" disabled=${action.busy}>${t("households.import")}</button></div>
    <${ErrorBox} error=${action.error} />
    ${result ? html`<p class="ok" role="status">${t("households.imported")}</p>` : null}
  </form>`;
}
