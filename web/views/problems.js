// Common problems (共性问题, issue 18): the committee's list and page (create, merge,
// status path with a confirm before 已解决 / 不予采纳, responsible party, sources, a candidate
// work with its estimate in yuan) and the owners' view (me too, the status live, a notice
// when a problem they support moves).
import { html, useState, useRef, useEffect } from "../lib/html.js";
import { t } from "../lib/i18n.js";
import { api, itemsOf } from "../lib/api.js";
import { ErrorBox, useApi, useAction, whileLoading, Confirm } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";
import { formatDateTime, parseYuan } from "../lib/format.js";
import { can } from "../lib/access.js";

export const PATH = ["collecting", "listed", "in_progress", "solved"];
export const CATEGORIES = ["policy", "livelihood", "health", "education", "facilities", "environment", "safety", "other"];
const STATUSES = [...PATH, "declined"];

export function statusName(status) {
  return t(`problem.status.${status}`);
}

export function categoryName(category) {
  return CATEGORIES.includes(category) ? t(`problem.category.${category}`) : category;
}

export function ProblemStatus({ value }) {
  return html`<span class=${`badge badge-problem-${value}`} data-testid="problem-status" data-status=${value}>${statusName(value)}</span>`;
}

/** "12, 15 16" → [12, 15, 16] (ids typed by hand); throws RangeError on anything else. */
export function parseIds(text) {
  const parts = String(text || "").split(/[\s,，、]+/).filter(Boolean);
  return parts.map((p) => {
    if (!/^\d+$/.test(p)) throw new RangeError(`not an id: ${p}`);
    return Number(p);
  });
}

/** Notices for the owner: when a problem they support moves (problem.status events). */
function useMovedNotices(supportedIds) {
  const supported = useRef(new Set());
  supported.current = new Set(supportedIds);
  const [notices, setNotices] = useState([]);
  useLiveEvent(["problem.status"], (event) => {
    const d = event.data || {};
    if (!supported.current.has(d.problem_id)) return;
    setNotices((list) => [...list.slice(-4), { key: event.seq, title: d.title, from: d.from, to: d.to, id: d.problem_id }]);
  });
  return [notices, () => setNotices([])];
}

function MovedNotices({ notices, onClear }) {
  return html`<div aria-live="polite" role="status" data-testid="problem-notices">
    ${notices.map((n) => html`<p class="notice" key=${n.key} data-testid="problem-moved">
      ${t("problem.moved", { title: n.title, from: statusName(n.from), to: statusName(n.to) })}</p>`)}
    ${notices.length ? html`<button type="button" class="linkish" onClick=${onClear}>${t("problem.clearNotices")}</button>` : null}
  </div>`;
}

function Counts({ p }) {
  return html`<span class="muted" data-testid="problem-counts">${t("problem.counts", { owners: p.supporters_owners, units: p.supporters_units })}</span>`;
}

// ---------------------------------------------------------------- the list

export function ProblemsList({ me }) {
  const [status, setStatus] = useState("");
  const [category, setCategory] = useState("");
  const qs = new URLSearchParams();
  if (status) qs.set("status", status);
  if (category) qs.set("category", category);
  const query = qs.toString();
  const list = useApi(`/api/estates/${me.estate_id}/problems${query ? `?${query}` : ""}`);
  useLiveEvent(["problem.", "work.created"], list.reload);
  const items = itemsOf(list.data);
  const [notices, clear] = useMovedNotices(items.filter((p) => p.supported).map((p) => p.id));
  return html`<h1>${t("problem.title")}</h1>
    <p class="muted">${t("problem.intro")} <a href="#/board">${t("problem.toBoard")}</a></p>
    <${MovedNotices} notices=${notices} onClear=${clear} />
    ${can(me, "problems.manage") ? html`<${NewProblem} me=${me} />` : null}
    <div class="card filters">
      <label for="pf-status">${t("problem.filterStatus")}</label>
      <select id="pf-status" value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>
        <option value="">${t("problem.all")}</option>
        ${STATUSES.map((s) => html`<option value=${s} key=${s}>${statusName(s)}</option>`)}
      </select>
      <label for="pf-category">${t("problem.filterCategory")}</label>
      <select id="pf-category" value=${category} onChange=${(e) => setCategory(e.currentTarget.value)}>
        <option value="">${t("problem.all")}</option>
        ${CATEGORIES.map((c) => html`<option value=${c} key=${c}>${categoryName(c)}</option>`)}
      </select>
    </div>
    <${ErrorBox} error=${list.error} />
    ${whileLoading(list) || (items.length === 0 ? html`<p class="muted" data-testid="problems-none">${t("problem.none")}</p>`
      : html`<ul class="plain card" data-testid="problems">${items.map((p) => html`<li key=${p.id} data-testid="problem-item" data-id=${p.id}>
          <a href=${`#/problems/${p.id}`}>${p.title}</a> <${ProblemStatus} value=${p.status} />
          ${p.urgency === "urgent" ? html` <span class="badge badge-urgent">${t("problem.urgency.urgent")}</span>` : null}
          ${p.supported ? html` <span class="badge badge-supported" data-testid="problem-supported">${t("problem.youSupport")}</span>` : null}
          <div class="muted">${categoryName(p.category)} · <${Counts} p=${p} />
            ${p.responsible ? html` · ${t("problem.responsibleIs", { who: p.responsible })}` : null}</div>
        </li>`)}</ul>`)}`;
}

function NewProblem({ me }) {
  const action = useAction();
  const [title, setTitle] = useState("");
  const [category, setCategory] = useState("facilities");
  const [urgency, setUrgency] = useState("normal");
  const [difficulty, setDifficulty] = useState("easy");
  const [responsible, setResponsible] = useState("");
  const [ids, setIds] = useState("");
  const submit = async (e) => {
    e.preventDefault();
    const created = await action.run(() => {
      const body = { title, category, urgency, difficulty, suggestion_ids: parseIds(ids) };
      if (responsible.trim()) body.responsible = responsible.trim();
      return api(`/api/estates/${me.estate_id}/problems`, { method: "POST", body });
    });
    if (created && created.id) location.hash = `#/problems/${created.id}`;
  };
  return html`<details class="card" data-testid="new-problem"><summary>${t("problem.new")}</summary>
    <form onSubmit=${submit}>
      <label for="np-title">${t("problem.titleLabel")}</label>
      <input id="np-title" required maxlength="200" value=${title} onInput=${(e) => setTitle(e.currentTarget.value)} />
      <label for="np-category">${t("problem.categoryLabel")}</label>
      <select id="np-category" value=${category} onChange=${(e) => setCategory(e.currentTarget.value)}>
        ${CATEGORIES.map((c) => html`<option value=${c} key=${c}>${categoryName(c)}</option>`)}
      </select>
      <fieldset><legend>${t("problem.urgencyLabel")}</legend>
        ${["urgent", "normal"].map((v) => html`<label class="check" key=${v}><input type="radio" name="np-urgency" value=${v}
          checked=${urgency === v} onChange=${() => setUrgency(v)} /> ${t(`problem.urgency.${v}`)}</label>`)}
      </fieldset>
      <fieldset><legend>${t("problem.difficultyLabel")}</legend>
        ${["hard", "easy"].map((v) => html`<label class="check" key=${v}><input type="radio" name="np-difficulty" value=${v}
          checked=${difficulty === v} onChange=${() => setDifficulty(v)} /> ${t(`problem.difficulty.${v}`)}</label>`)}
      </fieldset>
      <label for="np-responsible">${t("problem.responsibleLabel")}</label>
      <input id="np-responsible" maxlength="200" value=${responsible} onInput=${(e) => setResponsible(e.currentTarget.value)} />
      <label for="np-ids">${t("problem.suggestionIds")}</label>
      <input id="np-ids" inputmode="numeric" value=${ids} onInput=${(e) => setIds(e.currentTarget.value)} />
      <p class="muted">${t("problem.suggestionIdsHint")}</p>
      <div class="actions"><button class="primary" type="submit" data-testid="create-problem" disabled=${action.busy}>${t("problem.create")}</button></div>
      <${ErrorBox} error=${action.error} />
    </form></details>`;
}

// ---------------------------------------------------------------- one problem

function Steps({ p }) {
  const at = PATH.indexOf(p.status);
  return html`<ol class="problem-steps" data-testid="problem-steps" aria-label=${t("problem.path")}>
    ${PATH.map((s, i) => html`<li key=${s} class=${i < at ? "done" : i === at ? "current" : ""}
      aria-current=${i === at ? "step" : undefined}>${statusName(s)}</li>`)}
    ${p.status === "declined" ? html`<li class="current declined" aria-current="step">${statusName("declined")}</li>` : null}
  </ol>`;
}

export function ProblemPage({ me, params }) {
  const id = Number(params.id);
  const found = useApi(`/api/problems/${id}`);
  useLiveEvent(["problem.", "work.created"], found.reload);
  const p = found.data;
  const [notices, clear] = useMovedNotices(p && p.supported ? [p.id] : []);
  return html`<p><a href="#/problems">${t("problem.back")}</a></p>
    <${MovedNotices} notices=${notices} onClear=${clear} />
    <${ErrorBox} error=${found.error} />
    ${whileLoading(found) || (p ? html`<h1 data-testid="problem-title">${p.title}</h1>
      <p><${ProblemStatus} value=${p.status} /> ${p.urgency === "urgent" ? html`<span class="badge badge-urgent">${t("problem.urgency.urgent")}</span>` : null}
        <span class="muted"> ${categoryName(p.category)} · ${t(`problem.difficulty.${p.difficulty}`)}</span></p>
      <${Steps} p=${p} />
      <div class="card">
        <p><${Counts} p=${p} /></p>
        <p data-testid="problem-responsible">${t("problem.responsibleLabel")}${t("common.colon")}${p.responsible || t("problem.nobody")}</p>
        ${p.status_note ? html`<p data-testid="problem-note">${t("problem.noteLabel")}${t("common.colon")}${p.status_note}</p>` : null}
        ${p.solved_at ? html`<p>${t("problem.solvedAt", { at: formatDateTime(p.solved_at) })}</p>` : null}
        ${p.merged_into ? html`<p class="notice">${t("problem.mergedInto")} <a href=${`#/problems/${p.merged_into}`}>#${p.merged_into}</a></p>` : null}
        ${p.work_id ? html`<p data-testid="problem-work">${t("problem.workIs")} <a href=${`#/works/${p.work_id}`}>#${p.work_id}</a></p>` : null}
      </div>
      ${can(me, "problems.support") && me.household_ids && me.household_ids.length && !p.merged_into
        ? html`<${Support} p=${p} onDone=${found.setData} />` : null}
      ${can(me, "problems.manage") && !p.merged_into ? html`
        <${StatusChange} p=${p} onDone=${found.setData} />
        <${Merge} p=${p} onDone=${found.setData} />
        ${p.work_id || p.status === "declined" ? null : html`<${MakeWork} p=${p} onDone=${found.reload} />`}` : null}
      ${p.sources ? html`<${Sources} p=${p} />` : null}` : null)}`;
}

function Support({ p, onDone }) {
  const action = useAction();
  const open = PATH.slice(0, 3).includes(p.status);
  const toggle = async () => {
    const updated = await action.run(() => api(`/api/problems/${p.id}/support`, { method: p.supported ? "DELETE" : "POST" }));
    if (updated) onDone(updated);
  };
  return html`<div class="card" data-testid="problem-support">
    <p>${p.supported ? t("problem.youSupport") : t("problem.supportHint")}</p>
    ${open ? html`<div class="actions"><button type="button" class=${p.supported ? "" : "primary"} data-testid="support-toggle"
      aria-pressed=${p.supported ? "true" : "false"} disabled=${action.busy} onClick=${toggle}>
      ${p.supported ? t("problem.withdraw") : t("problem.meToo")}</button></div>` : null}
    <${ErrorBox} error=${action.error} />
  </div>`;
}

function StatusChange({ p, onDone }) {
  const action = useAction();
  const moves = p.allowed_moves || [];
  const [target, setTarget] = useState(moves[0] || "");
  const [note, setNote] = useState("");
  const [responsible, setResponsible] = useState("");
  const [asking, setAsking] = useState(false);
  useEffect(() => { setTarget(moves[0] || ""); setAsking(false); }, [p.status]);
  if (!moves.length) return null;
  const send = async () => {
    setAsking(false);
    const body = { status: target };
    if (note.trim()) body.note = note.trim();
    if (responsible.trim()) body.responsible = responsible.trim();
    const updated = await action.run(() => api(`/api/problems/${p.id}/status`, { method: "POST", body }));
    if (updated) { setNote(""); setResponsible(""); onDone(updated); }
  };
  const submit = (e) => {
    e.preventDefault();
    if (target === "declined" || target === "solved") setAsking(true);
    else send();
  };
  return html`<form class="card" data-testid="problem-status-form" onSubmit=${submit}>
    <h2>${t("problem.move")}</h2>
    <label for="ps-target">${t("problem.moveTo")}</label>
    <select id="ps-target" data-testid="status-target" value=${target} onChange=${(e) => { setTarget(e.currentTarget.value); setAsking(false); }}>
      ${moves.map((s) => html`<option value=${s} key=${s}>${statusName(s)}</option>`)}
    </select>
    <label for="ps-note">${target === "declined" ? t("problem.reasonLabel") : t("problem.noteLabel")}</label>
    <textarea id="ps-note" maxlength="2000" required=${target === "declined"} value=${note} onInput=${(e) => setNote(e.currentTarget.value)}></textarea>
    <label for="ps-responsible">${t("problem.responsibleLabel")}</label>
    <input id="ps-responsible" maxlength="200" placeholder=${p.responsible || ""} value=${responsible}
      onInput=${(e) => setResponsible(e.currentTarget.value)} />
    <div class="actions"><button class="primary" type="submit" data-testid="status-submit" disabled=${action.busy || !target}>${t("problem.moveButton")}</button></div>
    ${asking ? html`<${Confirm} testid="status-confirm"
      lines=${[t(target === "solved" ? "problem.confirmSolved" : "problem.confirmDeclined", { title: p.title })]}
      yes=${t("problem.confirmYes", { status: statusName(target) })} onYes=${send} onNo=${() => setAsking(false)} />` : null}
    <${ErrorBox} error=${action.error} />
  </form>`;
}

function Merge({ p, onDone }) {
  const action = useAction();
  const [suggestions, setSuggestions] = useState("");
  const [problems, setProblems] = useState("");
  const submit = async (e) => {
    e.preventDefault();
    const updated = await action.run(() => api(`/api/problems/${p.id}/merge`, {
      method: "POST", body: { suggestion_ids: parseIds(suggestions), problem_ids: parseIds(problems) } }));
    if (updated) { setSuggestions(""); setProblems(""); onDone(updated); }
  };
  return html`<details class="card" data-testid="problem-merge"><summary>${t("problem.merge")}</summary>
    <form onSubmit=${submit}>
      <label for="pm-s">${t("problem.suggestionIds")}</label>
      <input id="pm-s" inputmode="numeric" value=${suggestions} onInput=${(e) => setSuggestions(e.currentTarget.value)} />
      <label for="pm-p">${t("problem.duplicateIds")}</label>
      <input id="pm-p" inputmode="numeric" value=${problems} onInput=${(e) => setProblems(e.currentTarget.value)} />
      <p class="muted">${t("problem.mergeHint")}</p>
      <div class="actions"><button class="primary" type="submit" disabled=${action.busy}>${t("problem.mergeButton")}</button></div>
      <${ErrorBox} error=${action.error} />
    </form></details>`;
}

function MakeWork({ p, onDone }) {
  const action = useAction();
  const [yuan, setYuan] = useState("");
  const [title, setTitle] = useState("");
  const submit = async (e) => {
    e.preventDefault();
    const made = await action.run(() => {
      const body = { estimate_fen: parseYuan(yuan) };
      if (title.trim()) body.title = title.trim();
      return api(`/api/problems/${p.id}/work`, { method: "POST", body });
    });
    if (made) onDone();
  };
  return html`<details class="card" data-testid="problem-make-work"><summary>${t("problem.makeWork")}</summary>
    <form onSubmit=${submit}>
      <p class="muted">${t("problem.makeWorkHint")}</p>
      <label for="pw-title">${t("problem.workTitle")}</label>
      <input id="pw-title" maxlength="200" placeholder=${p.title} value=${title} onInput=${(e) => setTitle(e.currentTarget.value)} />
      <label for="pw-estimate">${t("problem.estimateYuan")}</label>
      <input id="pw-estimate" required inputmode="decimal" value=${yuan} onInput=${(e) => setYuan(e.currentTarget.value)} />
      <div class="actions"><button class="primary" type="submit" data-testid="make-work" disabled=${action.busy}>${t("problem.makeWorkButton")}</button></div>
      <${ErrorBox} error=${action.error} />
    </form></details>`;
}

function Sources({ p }) {
  return html`<section class="card" data-testid="problem-sources"><h2>${t("problem.sources", { n: p.sources.length })}</h2>
    ${p.sources.length === 0 ? html`<p class="muted">${t("problem.noSources")}</p>`
      : html`<ul class="plain">${p.sources.map((s) => html`<li key=${s.suggestion_id}>
        <span class="muted">#${s.suggestion_id} · ${formatDateTime(s.submitted_at)}${s.problem_id !== p.id ? html` · ${t("problem.viaDuplicate", { id: s.problem_id })}` : null}</span>
        <div>${s.text}</div></li>`)}</ul>`}
  </section>`;
}
