import { html, useState } from "../lib/html.js";
import { t } from "../lib/i18n.js";
import { api, itemsOf } from "../lib/api.js";
import { ErrorBox, Loading, useApi, useAction } from "../lib/ui.js";

function choose(id) {
  sessionStorage.setItem("planner.estate", String(id));
  location.assign("/#/");
  location.reload();
}

/** The global admin's estates: pick one to work on, or create one. */
export function Estates() {
  const estates = useApi("/api/estates");
  const action = useAction();
  const [name, setName] = useState("");
  const create = async (e) => {
    e.preventDefault();
    const made = await action.run(() => api("/api/estates", { method: "POST", body: { name } }));
    if (made && made.id) choose(made.id);
  };
  return html`<h1>${t("estates.title")}</h1>
    <${ErrorBox} error=${estates.error} />
    ${estates.loading ? html`<${Loading} />` : html`<ul class="plain card" data-testid="estates">
      ${itemsOf(estates.data).map((e) => html`<li key=${e.id}>
        <button type="button" class="linkish" onClick=${() => choose(e.id)}>${e.name}</button>
        ${e.district ? html` <span class="muted">${e.district}</span>` : null}</li>`)}</ul>`}
    <form class="card" onSubmit=${create}>
      <label for="estate-name">${t("estates.newName")}</label>
      <input id="estate-name" required value=${name} onInput=${(e) => setName(e.currentTarget.value)} />
      <div class="actions"><button class="primary" type="submit" disabled=${action.busy}>${t("estates.create")}</button></div>
      <${ErrorBox} error=${action.error} />
    </form>`;
}
