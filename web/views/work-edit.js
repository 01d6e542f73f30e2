// The committee's edit form for a work not yet awarded: PATCH /api/works/{id} with only the
// fields that changed. The server's 400s are shown, by code, under the field they name.
import { html, useState } from "../lib/html.js";
import { t } from "../lib/i18n.js";
import { errorSentence } from "../lib/errors.js";
import { api, itemsOf, ApiError } from "../lib/api.js";
import { ErrorBox, useApi, useAction } from "../lib/ui.js";
import { parseYuan, fenToYuanString, naturalCompare } from "../lib/format.js";

export const EDITABLE_STATUSES = ["candidate", "proposed", "approved", "quoting"];
const BENEFIT_RULES = ["area", "equal", "area_floor_factor", "building"];
const FIELDS = ["title", "description", "estimate_fen", "benefit_rule", "scope_building_ids", "floor_factors"];

function formOf(work) {
  return {
    title: work.title,
    description: work.description || "",
    estimate: work.estimate_fen === null || work.estimate_fen === undefined ? "" : fenToYuanString(work.estimate_fen),
    benefit_rule: work.benefit_rule,
    scope: (work.scope_building_ids || []).map(String),
    factors: factorsText(work.floor_factors),
  };
}

function factorsText(factors) {
  return Object.entries(factors || {}).map(([floor, factor]) => `${floor}:${factor}`).join("\n");
}

/** "1:0\n7:1.5" → {"1": "0", "7": "1.5"}; throws RangeError on a malformed line. */
function parseFactors(text) {
  const table = {};
  for (const line of text.split(/\n/).map((l) => l.trim()).filter(Boolean)) {
    const m = /^(\d+)\s*[:：=]\s*(\d+(?:\.\d+)?)$/.exec(line);
    if (!m) throw new RangeError(line);
    table[m[1]] = m[2];
  }
  return table;
}

/** The field a server error names ("floor_factors.3" → "floor_factors"), or null. */
function fieldOf(name) {
  const base = String(name || "").split(/[.[]/)[0];
  return FIELDS.includes(base) ? base : null;
}

export function EditWork({ work, onDone }) {
  const buildings = useApi(`/api/estates/${work.estate_id}/buildings`);
  const action = useAction();
  const [form, setForm] = useState(() => formOf(work));
  // What the form started from: only fields the member changed since opening are sent, so
  // a concurrent edit by someone else (arriving live) is not overwritten by stale values.
  const [base, setBase] = useState(() => formOf(work));
  const [local, setLocal] = useState({});
  const [unchanged, setUnchanged] = useState(false);
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const toggleScope = (id) => setForm({
    ...form, scope: form.scope.includes(id) ? form.scope.filter((s) => s !== id) : [...form.scope, id],
  });
  const onToggle = (e) => {
    if (!e.currentTarget.open) return;
    const fresh = formOf(work);
    setForm(fresh); setBase(fresh); setLocal({}); setUnchanged(false); action.setError(null);
  };

  const serverErrors = {};
  const otherErrors = [];
  if (action.error instanceof ApiError) {
    for (const e of action.error.fieldErrors) {
      const f = fieldOf(e.field);
      if (f) (serverErrors[f] = serverErrors[f] || []).push(errorSentence(e.code, e.params, 400));
      else otherErrors.push(e);
    }
  }
  const errorsFor = (f) => [...(local[f] ? [local[f]] : []), ...(serverErrors[f] || [])];
  const showBox = action.error && (!(action.error instanceof ApiError) || otherErrors.length || !action.error.fieldErrors.length);

  const submit = async (e) => {
    e.preventDefault();
    const details = e.currentTarget.closest("details");
    const before = base;
    const body = {};
    const problems = {};
    if (form.title !== before.title) body.title = form.title;
    if (form.description !== before.description) body.description = form.description;
    if (form.estimate.trim() !== before.estimate) {
      try { body.estimate_fen = parseYuan(form.estimate); } catch { problems.estimate_fen = t("failure.badNumber"); }
    }
    if (form.benefit_rule !== before.benefit_rule) body.benefit_rule = form.benefit_rule;
    if (form.scope.slice().sort().join() !== before.scope.slice().sort().join()) {
      body.scope_building_ids = form.scope.map(Number);
    }
    if (form.benefit_rule === "area_floor_factor" && (form.factors.trim() !== before.factors || body.benefit_rule)) {
      try { body.floor_factors = parseFactors(form.factors); } catch { problems.floor_factors = t("workEdit.badFactors"); }
    }
    setLocal(problems);
    setUnchanged(false);
    action.setError(null);
    if (Object.keys(problems).length) return;
    if (!Object.keys(body).length) { setUnchanged(true); return; }
    const res = await action.run(() => api(`/api/works/${work.id}`, { method: "PATCH", body }));
    if (res !== undefined) {
      if (details) details.open = false;
      onDone();
    }
  };

  const fieldErrors = (field) => {
    const reasons = errorsFor(field);
    return reasons.length ? html`<p class="error" role="alert" data-testid=${`edit-error-${field}`}>
      ${reasons.join("; ")}</p>` : null;
  };
  const list = [...itemsOf(buildings.data)].sort((a, b) => naturalCompare(a.name, b.name));
  return html`<details class="card" data-testid="edit-work" onToggle=${onToggle}><summary>${t("workEdit.open")}</summary>
    <form onSubmit=${submit} noValidate>
      <label for="edit-title">${t("works.name")}</label>
      <input id="edit-title" value=${form.title} onInput=${set("title")} />
      ${fieldErrors("title")}
      <label for="edit-description">${t("workEdit.description")}</label>
      <textarea id="edit-description" value=${form.description} onInput=${set("description")}></textarea>
      ${fieldErrors("description")}
      <label for="edit-estimate">${t("works.estimateYuan")}</label>
      <input id="edit-estimate" inputmode="decimal" value=${form.estimate} onInput=${set("estimate")} />
      ${fieldErrors("estimate_fen")}
      <label for="edit-rule">${t("works.benefitRule")}</label>
      <select id="edit-rule" value=${form.benefit_rule} onChange=${set("benefit_rule")}>
        ${BENEFIT_RULES.map((r) => html`<option value=${r}>${t(`benefit.${r}`)}</option>`)}</select>
      ${fieldErrors("benefit_rule")}
      ${form.benefit_rule === "area_floor_factor" ? html`<label for="edit-factors">${t("workEdit.floorFactors")}</label>
        <textarea id="edit-factors" placeholder=${"1:0\n2:1.2"} value=${form.factors} onInput=${set("factors")}></textarea>
        ${fieldErrors("floor_factors")}` : null}
      ${list.length ? html`<fieldset><legend>${t("workEdit.scope")}</legend>
        ${list.map((b) => html`<label class="check"><input type="checkbox" checked=${form.scope.includes(String(b.id))}
          onChange=${() => toggleScope(String(b.id))} /> ${b.name}</label>`)}</fieldset>` : null}
      ${fieldErrors("scope_building_ids")}
      ${unchanged ? html`<p class="muted" role="status">${t("workEdit.unchanged")}</p>` : null}
      <div class="actions"><button class="primary" type="submit" data-testid="edit-save" disabled=${action.busy}>${t("workEdit.save")}</button></div>
      ${showBox ? html`<${ErrorBox} error=${action.error} />` : null}
    </form></details>`;
}
