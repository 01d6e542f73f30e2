// Suggestions (意见建议, issue 18). Owners, phone first: "提建议" (text, category, unit or
// building, a photo from the camera) and "my suggestions" with the common problem's status.
// The committee: the triage list (filters, paging), tags (急/一般, 难/易), self-help with who
// helps, duplicates, and several selected suggestions merged into a common problem.
import { html, useState, useMemo } from "../lib/html.js";
import { t } from "../lib/i18n.js";
import { api, itemsOf, ApiError } from "../lib/api.js";
import { can } from "../lib/access.js";
import { ErrorBox, useApi, useAction, whileLoading, Confirm } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";
import { formatDateTime, byBuildingAndUnit } from "../lib/format.js";

export const CATEGORIES = ["policy", "livelihood", "health", "education", "facilities", "environment", "safety", "other"];
const STATES = ["untriaged", "triaged", "self_help", "merged", "duplicate"];

export function CategorySelect({ id, value, onChange, testid, any }) {
  return html`<select id=${id} data-testid=${testid} value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
    ${any ? html`<option value="">${t("suggest.filter.any")}</option>` : null}
    ${CATEGORIES.map((c) => html`<option key=${c} value=${c}>${t(`needs.category.${c}`)}</option>`)}
  </select>`;
}

/** Where a suggestion comes from, in words: "1栋 101" or "1栋". */
function place(s) {
  return [s.building_name, s.unit].filter(Boolean).join(" ");
}

function StateBadge({ s }) {
  return html`<span class=${`badge badge-${s.state}`} data-testid="suggestion-state">${t(`suggest.state.${s.state}`)}</span>`;
}

function Tags({ s }) {
  return html`<span class="tags">
    <span class="badge">${t(`needs.category.${s.category}`)}</span>
    ${s.urgency ? html` <span class=${`badge badge-${s.urgency}`} data-testid="tag-urgency">${t(`needs.urgency.${s.urgency}`)}</span>` : null}
    ${s.difficulty ? html` <span class="badge" data-testid="tag-difficulty">${t(`needs.difficulty.${s.difficulty}`)}</span>` : null}
  </span>`;
}

/** The owner's (or the committee's) form, and the caller's own suggestions below it. */
export function SuggestPage({ me }) {
  const [sent, setSent] = useState(0); // suggestions sent from this page: the list looks again
  return html`<h1>${t("suggest.title")}</h1>
    <${SuggestForm} me=${me} onSent=${() => setSent((n) => n + 1)} />
    <${MySuggestions} key=${sent} me=${me} />`;
}

function SuggestForm({ me, onSent }) {
  const manager = can(me, "suggestions.triage");
  const households = useApi(`/api/estates/${me.estate_id}/households`);
  const buildings = useApi(`/api/estates/${me.estate_id}/buildings`);
  const action = useAction();
  const [text, setText] = useState("");
  const [category, setCategory] = useState("facilities");
  const [unit, setUnit] = useState("");
  const [building, setBuilding] = useState("");
  const [sheetNo, setSheetNo] = useState("");
  const [photo, setPhoto] = useState(null); // {sha256, url}
  const [uploading, setUploading] = useState(false);
  const [photoError, setPhotoError] = useState(null);
  const [done, setDone] = useState(null);
  const mine = useMemo(() => itemsOf(households.data)
    .filter((h) => manager || (me.household_ids || []).map(String).includes(String(h.id)))
    .sort(byBuildingAndUnit), [households.data]);
  const attach = async (e) => {
    const file = e.currentTarget.files && e.currentTarget.files[0];
    if (!file) return;
    setUploading(true);
    setPhotoError(null);
    try {
      const stored = await api(`/api/estates/${me.estate_id}/suggestion-photos`, {
        method: "POST", rawBody: file, headers: { "Content-Type": file.type || "image/jpeg" },
      });
      setPhoto({ sha256: stored.sha256, url: URL.createObjectURL(file) });
    } catch (err) {
      setPhotoError(err);
    } finally {
      setUploading(false);
    }
  };
  const submit = async (e) => {
    e.preventDefault();
    const body = { text, category };
    if (unit) body.household_id = Number(unit);
    else if (building) body.building_id = Number(building);
    if (manager && sheetNo.trim()) body.sheet_no = sheetNo.trim();
    if (photo) body.photo_sha256 = photo.sha256;
    const res = await action.run(() => api(`/api/estates/${me.estate_id}/suggestions`, { method: "POST", body }));
    if (res) {
      setDone(res.id);
      setText("");
      setSheetNo("");
      setPhoto(null);
      onSent();
    }
  };
  return html`<form class="card" data-testid="suggest-form" onSubmit=${submit} aria-labelledby="suggest-h">
    <h2 id="suggest-h">${t("suggest.new")}</h2>
    <label for="s-text">${t("suggest.text")}</label>
    <textarea id="s-text" data-testid="suggest-text" rows="4" maxlength="2000" required value=${text}
      placeholder=${t("suggest.textHint")} onInput=${(e) => setText(e.currentTarget.value)}></textarea>
    <label for="s-category">${t("suggest.category")}</label>
    <${CategorySelect} id="s-category" testid="suggest-category" value=${category} onChange=${setCategory} />
    ${whileLoading(households, buildings) || html`
      ${mine.length ? html`<label for="s-unit">${t("suggest.unit")}</label>
        <select id="s-unit" data-testid="suggest-unit" value=${unit} onChange=${(e) => setUnit(e.currentTarget.value)}>
          <option value="">${manager ? t("suggest.noUnit") : t("suggest.firstUnit")}</option>
          ${mine.map((h) => html`<option key=${h.id} value=${h.id}>${h.building} ${h.unit}</option>`)}
        </select>` : null}
      ${!unit ? html`<label for="s-building">${t("suggest.building")}</label>
        <select id="s-building" data-testid="suggest-building" value=${building} onChange=${(e) => setBuilding(e.currentTarget.value)}>
          <option value="">${t("suggest.noBuilding")}</option>
          ${itemsOf(buildings.data).map((b) => html`<option key=${b.id} value=${b.id}>${b.name}</option>`)}
        </select>` : null}`}
    ${manager ? html`<label for="s-sheet">${t("suggest.sheetNo")}</label>
      <input id="s-sheet" data-testid="suggest-sheet" maxlength="50" value=${sheetNo} onInput=${(e) => setSheetNo(e.currentTarget.value)} />
      <p class="muted">${t("suggest.sheetHint")}</p>` : null}
    <p><strong>${t("suggest.photo")}</strong></p>
    <input id="s-photo" class="sr-only" data-testid="suggest-photo" type="file" accept="image/*" capture="environment"
      onChange=${attach} disabled=${uploading} />
    <label for="s-photo" class="button photo-button">${t(photo ? "suggest.photoAgain" : "suggest.photoTake")}</label>
    ${uploading ? html`<p class="muted" role="status">${t("suggest.photoUploading")}</p>` : null}
    ${photo ? html`<p class="ok" data-testid="suggest-photo-attached">${t("suggest.photoAttached")}</p>
      <img class="sheet-photo" src=${photo.url} alt=${t("suggest.photoAlt")} />` : null}
    <${ErrorBox} error=${photoError} />
    <div class="actions"><button type="submit" class="primary" data-testid="suggest-submit"
      disabled=${action.busy || !text.trim()}>${t("suggest.submit")}</button></div>
    ${done ? html`<p class="ok" role="status" data-testid="suggest-done">${t("suggest.done", { id: done })}</p>` : null}
    <${ErrorBox} error=${action.error} />
  </form>`;
}

function MySuggestions({ me }) {
  const mine = useApi(`/api/estates/${me.estate_id}/suggestions/mine`);
  useLiveEvent(["suggestion.", "problem."], mine.reload);
  const items = itemsOf(mine.data);
  return html`<section class="card" data-testid="my-suggestions" aria-labelledby="mine-h">
    <h2 id="mine-h">${t("suggest.mine")}</h2>
    <${ErrorBox} error=${mine.error} />
    ${whileLoading(mine) || (items.length ? html`<ul class="plain">${items.map((s) => html`<li key=${s.id} data-testid="my-suggestion">
      <p>${s.text}</p>
      <p class="muted"><${StateBadge} s=${s} /> <${Tags} s=${s} /> ${place(s)} · ${formatDateTime(s.submitted_at)}</p>
      ${s.problem ? html`<p data-testid="my-problem">${t("suggest.problem", { title: s.problem.title })}
        <span class=${`badge badge-${s.problem.status}`} data-testid="my-problem-status">${t(`needs.problemStatus.${s.problem.status}`)}</span></p>` : null}
      ${s.self_help && s.helper ? html`<p class="muted">${t("suggest.helper", { helper: s.helper })}</p>` : null}
    </li>`)}</ul>` : html`<p class="muted">${t("suggest.none")}</p>`)}
  </section>`;
}

/** The committee's triage list. */
export function TriageList({ me }) {
  const [filters, setFilters] = useState({ category: "", state: "", urgency: "", difficulty: "", building_id: "", q: "" });
  const [after, setAfter] = useState([]); // the pages' `after` cursors (stack: back and forth)
  const [selected, setSelected] = useState([]);
  const buildings = useApi(`/api/estates/${me.estate_id}/buildings`);
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
  query.set("limit", "20");
  if (after.length) query.set("after", String(after[after.length - 1]));
  const page = useApi(`/api/estates/${me.estate_id}/suggestions?${query}`);
  useLiveEvent(["suggestion.", "problem.", "questionnaire.imported"], page.reload);
  const manager = can(me, "suggestions.triage");
  const set = (name) => (e) => { setFilters({ ...filters, [name]: e.currentTarget.value }); setAfter([]); };
  const items = itemsOf(page.data && page.data.items);
  const toggle = (id) => setSelected(selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id]);
  return html`<h1>${t("suggest.triage.title")}</h1>
    <form class="card filters" data-testid="triage-filters" onSubmit=${(e) => e.preventDefault()}>
      <label for="f-state">${t("suggest.triage.state")}</label>
      <select id="f-state" data-testid="filter-state" value=${filters.state} onChange=${set("state")}>
        <option value="">${t("suggest.filter.any")}</option>
        ${STATES.map((s) => html`<option key=${s} value=${s}>${t(`suggest.state.${s}`)}</option>`)}
      </select>
      <label for="f-category">${t("suggest.category")}</label>
      <${CategorySelect} id="f-category" testid="filter-category" any value=${filters.category}
        onChange=${(v) => { setFilters({ ...filters, category: v }); setAfter([]); }} />
      <label for="f-urgency">${t("suggest.triage.urgency")}</label>
      <select id="f-urgency" data-testid="filter-urgency" value=${filters.urgency} onChange=${set("urgency")}>
        <option value="">${t("suggest.filter.any")}</option>
        <option value="urgent">${t("needs.urgency.urgent")}</option><option value="normal">${t("needs.urgency.normal")}</option>
      </select>
      <label for="f-difficulty">${t("suggest.triage.difficulty")}</label>
      <select id="f-difficulty" data-testid="filter-difficulty" value=${filters.difficulty} onChange=${set("difficulty")}>
        <option value="">${t("suggest.filter.any")}</option>
        <option value="hard">${t("needs.difficulty.hard")}</option><option value="easy">${t("needs.difficulty.easy")}</option>
      </select>
      <label for="f-building">${t("suggest.building")}</label>
      <select id="f-building" data-testid="filter-building" value=${filters.building_id} onChange=${set("building_id")}>
        <option value="">${t("suggest.filter.any")}</option>
        ${itemsOf(buildings.data).map((b) => html`<option key=${b.id} value=${b.id}>${b.name}</option>`)}
      </select>
      <label for="f-q">${t("suggest.triage.search")}</label>
      <input id="f-q" type="search" data-testid="filter-q" value=${filters.q} onChange=${set("q")} />
    </form>
    <${ErrorBox} error=${page.error} />
    ${page.data ? html`<p class="muted" data-testid="triage-total">${t("suggest.triage.total", { n: page.data.total })}</p>` : null}
    ${manager && selected.length ? html`<${MergeForm} me=${me} ids=${selected} onDone=${() => { setSelected([]); page.reload(); }} />` : null}
    ${whileLoading(page) || html`<ul class="plain">${items.map((s) => html`<${TriageItem} key=${s.id} s=${s} manager=${manager}
      selected=${selected.includes(s.id)} onSelect=${() => toggle(s.id)} onChanged=${page.reload} />`)}</ul>`}
    ${!page.loading && page.data && !items.length ? html`<p class="muted" data-testid="triage-empty">${t("suggest.triage.none")}</p>` : null}
    <div class="actions">
      ${after.length ? html`<button type="button" data-testid="page-back" onClick=${() => setAfter(after.slice(0, -1))}>${t("suggest.triage.previous")}</button>` : null}
      ${page.data && page.data.next_after ? html`<button type="button" data-testid="page-next"
        onClick=${() => setAfter([...after, page.data.next_after])}>${t("suggest.triage.next")}</button>` : null}
    </div>`;
}

function TriageItem({ s, manager, selected, onSelect, onChanged }) {
  const action = useAction();
  const [helping, setHelping] = useState(false);
  const [helper, setHelper] = useState(s.helper || "");
  const [dupOf, setDupOf] = useState("");
  const [asking, setAsking] = useState(false);
  const patch = async (body) => {
    const res = await action.run(() => api(`/api/suggestions/${s.id}`, { method: "PATCH", body }));
    if (res) { setHelping(false); onChanged(); }
  };
  const duplicate = async () => {
    setAsking(false);
    const res = await action.run(() => api(`/api/suggestions/${s.id}/duplicate`, { method: "POST", body: { of: Number(dupOf) } }));
    if (res) onChanged();
  };
  return html`<li class="card" data-testid="triage-item" data-id=${s.id}>
    ${manager ? html`<label class="choice"><input type="checkbox" data-testid="select" checked=${selected} onChange=${onSelect} />
      <strong>#${s.id}</strong></label>` : html`<p><strong>#${s.id}</strong></p>`}
    <p>${s.text}</p>
    <p class="muted"><${StateBadge} s=${s} /> <${Tags} s=${s} /> ${place(s)} · ${t(`suggest.channel.${s.channel}`)}${s.sheet_no ? ` · ${t("suggest.sheet", { no: s.sheet_no })}` : ""}</p>
    ${s.photo_sha256 ? html`<img class="sheet-photo" loading="lazy" alt=${t("suggest.photoAlt")}
      src=${`/api/estates/${s.estate_id}/suggestion-photos/${s.photo_sha256}`} />` : null}
    ${s.problem ? html`<p data-testid="item-problem">${t("suggest.problem", { title: s.problem.title })}
      <span class="badge">${t(`needs.problemStatus.${s.problem.status}`)}</span></p>` : null}
    ${s.duplicate_of ? html`<p class="muted">${t("suggest.triage.duplicateOf", { id: s.duplicate_of })}</p>` : null}
    ${s.self_help && s.helper ? html`<p class="muted">${t("suggest.helper", { helper: s.helper })}</p>` : null}
    ${manager ? html`<div class="actions wrap">
      <button type="button" data-testid="tag-urgent" aria-pressed=${s.urgency === "urgent"} onClick=${() => patch({ urgency: "urgent" })}>${t("needs.urgency.urgent")}</button>
      <button type="button" data-testid="tag-normal" aria-pressed=${s.urgency === "normal"} onClick=${() => patch({ urgency: "normal" })}>${t("needs.urgency.normal")}</button>
      <button type="button" data-testid="tag-hard" aria-pressed=${s.difficulty === "hard"} onClick=${() => patch({ difficulty: "hard" })}>${t("needs.difficulty.hard")}</button>
      <button type="button" data-testid="tag-easy" aria-pressed=${s.difficulty === "easy"} onClick=${() => patch({ difficulty: "easy" })}>${t("needs.difficulty.easy")}</button>
      <button type="button" data-testid="self-help" onClick=${() => setHelping(!helping)}>${t("suggest.triage.selfHelp")}</button>
    </div>
    ${helping ? html`<form onSubmit=${(e) => { e.preventDefault(); patch({ self_help: true, helper }); }}>
      <label for=${`helper-${s.id}`}>${t("suggest.triage.helper")}</label>
      <input id=${`helper-${s.id}`} data-testid="helper" maxlength="200" value=${helper} onInput=${(e) => setHelper(e.currentTarget.value)} />
      <div class="actions"><button type="submit" class="primary" data-testid="helper-save" disabled=${!helper.trim()}>${t("suggest.save")}</button></div>
    </form>` : null}
    <form onSubmit=${(e) => { e.preventDefault(); setAsking(true); }}>
      <label for=${`dup-${s.id}`}>${t("suggest.triage.duplicateLabel")}</label>
      <input id=${`dup-${s.id}`} data-testid="duplicate-of" inputmode="numeric" value=${dupOf} onInput=${(e) => setDupOf(e.currentTarget.value.replace(/\D/g, ""))} />
      <div class="actions"><button type="submit" data-testid="mark-duplicate" disabled=${!dupOf}>${t("suggest.triage.markDuplicate")}</button></div>
    </form>
    ${asking ? html`<${Confirm} testid="confirm-duplicate" lines=${[t("suggest.triage.confirmDuplicate", { id: s.id, of: dupOf })]}
      yes=${t("suggest.triage.markDuplicate")} onYes=${duplicate} onNo=${() => setAsking(false)} />` : null}` : null}
    <${ErrorBox} error=${action.error} />
  </li>`;
}

/** Several selected suggestions into one common problem (the problems slice's endpoint). */
function MergeForm({ me, ids, onDone }) {
  const action = useAction();
  const [title, setTitle] = useState("");
  const [category, setCategory] = useState("facilities");
  const [urgency, setUrgency] = useState("normal");
  const [difficulty, setDifficulty] = useState("easy");
  const [asking, setAsking] = useState(false);
  const merge = async () => {
    setAsking(false);
    const res = await action.run(() => api(`/api/estates/${me.estate_id}/problems`, {
      method: "POST", body: { title, category, urgency, difficulty, suggestion_ids: ids },
    }));
    if (res) onDone();
  };
  return html`<form class="card" data-testid="merge-form" onSubmit=${(e) => { e.preventDefault(); setAsking(true); }}>
    <h2>${t("suggest.triage.merge", { n: ids.length })}</h2>
    <label for="m-title">${t("suggest.triage.problemTitle")}</label>
    <input id="m-title" data-testid="merge-title" maxlength="200" required value=${title} onInput=${(e) => setTitle(e.currentTarget.value)} />
    <label for="m-category">${t("suggest.category")}</label>
    <${CategorySelect} id="m-category" testid="merge-category" value=${category} onChange=${setCategory} />
    <label for="m-urgency">${t("suggest.triage.urgency")}</label>
    <select id="m-urgency" value=${urgency} onChange=${(e) => setUrgency(e.currentTarget.value)}>
      <option value="urgent">${t("needs.urgency.urgent")}</option><option value="normal">${t("needs.urgency.normal")}</option></select>
    <label for="m-difficulty">${t("suggest.triage.difficulty")}</label>
    <select id="m-difficulty" value=${difficulty} onChange=${(e) => setDifficulty(e.currentTarget.value)}>
      <option value="hard">${t("needs.difficulty.hard")}</option><option value="easy">${t("needs.difficulty.easy")}</option></select>
    <div class="actions"><button type="submit" class="primary" data-testid="merge-submit" disabled=${action.busy || !title.trim()}>${t("suggest.triage.mergeButton")}</button></div>
    ${asking ? html`<${Confirm} testid="confirm-merge" lines=${[t("suggest.triage.confirmMerge", { n: ids.length, title })]}
      yes=${t("suggest.triage.mergeButton")} onYes=${merge} onNo=${() => setAsking(false)} />` : null}
    ${unavailable(action.error) ? html`<p class="notice" role="alert" data-testid="merge-unavailable">${t("suggest.triage.mergeUnavailable")}</p>`
      : html`<${ErrorBox} error=${action.error} />`}
  </form>`;
}

/** The common problems' endpoint is not on this server (an older or partial deployment). */
function unavailable(error) {
  return error instanceof ApiError && (error.status === 404 || error.status === 405)
    && !String((error.problem && error.problem.code) || "").endsWith("_not_found");
}


