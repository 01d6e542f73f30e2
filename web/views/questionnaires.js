// Questionnaire rounds (问卷, issue 18). The committee drafts a few fixed questions, publishes
// and closes the round, enters paper sheets by their number and imports a CSV/XLSX file of
// them (errors by line); owners answer on the phone (replaceable until the close); everyone
// sees the results counted per question and option.
import { html, useState } from "../lib/html.js";
import { t } from "../lib/i18n.js";
import { api, itemsOf, ApiError } from "../lib/api.js";
import { can } from "../lib/access.js";
import { ErrorBox, Loading, useApi, useAction, whileLoading, Confirm, Bar, Status } from "../lib/ui.js";
import { errorSentence, fieldLabel } from "../lib/errors.js";
import { useLiveEvent } from "../live.js";
import { formatDateTime } from "../lib/format.js";
import { CategorySelect } from "./suggestions.js";

export function QuestionnairesList({ me }) {
  const list = useApi(`/api/estates/${me.estate_id}/questionnaires`);
  useLiveEvent(["questionnaire."], list.reload);
  const items = itemsOf(list.data);
  return html`<h1>${t("questionnaire.title")}</h1>
    ${can(me, "questionnaires.manage") ? html`<${NewQuestionnaire} me=${me} onMade=${(q) => { location.hash = `#/questionnaires/${q.id}`; }} />` : null}
    <${ErrorBox} error=${list.error} />
    ${whileLoading(list) || (items.length ? html`<ul class="plain" data-testid="questionnaires">${items.map((q) => html`<li key=${q.id}>
      <a href=${`#/questionnaires/${q.id}`} data-testid="questionnaire-link">${q.title}</a>
      <span class="muted"> <${Status} kind="questionnaire" value=${q.status} /> · ${t("questionnaire.answers", { n: q.answers_count })}</span>
    </li>`)}</ul>` : html`<p class="card muted">${t("questionnaire.none")}</p>`)}`;
}

const BLANK = { text: "", kind: "single", options: "", suggestion: false };

function NewQuestionnaire({ me, onMade }) {
  const action = useAction();
  const [title, setTitle] = useState("");
  const [questions, setQuestions] = useState([{ ...BLANK }, { ...BLANK, kind: "text", suggestion: true }]);
  const setQ = (i, patch) => setQuestions(questions.map((q, j) => (i === j ? { ...q, ...patch } : q)));
  const submit = async (e) => {
    e.preventDefault();
    const body = {
      title,
      questions: questions.map((q) => ({
        text: q.text, kind: q.kind, suggestion: q.kind === "text" && q.suggestion,
        options: q.kind === "text" ? [] : q.options.split(/[\n,，、;；]/).map((o) => o.trim()).filter(Boolean),
      })),
    };
    const res = await action.run(() => api(`/api/estates/${me.estate_id}/questionnaires`, { method: "POST", body }));
    if (res) onMade(res);
  };
  return html`<details class="card" data-testid="new-questionnaire"><summary>${t("questionnaire.new")}</summary>
    <form onSubmit=${submit}>
      <label for="q-title">${t("questionnaire.name")}</label>
      <input id="q-title" data-testid="q-title" required maxlength="200" value=${title} onInput=${(e) => setTitle(e.currentTarget.value)} />
      ${questions.map((q, i) => html`<fieldset key=${i} class="question" data-testid="q-question">
        <legend>${t("questionnaire.questionN", { n: i + 1 })}</legend>
        <label for=${`q-text-${i}`}>${t("questionnaire.questionText")}</label>
        <input id=${`q-text-${i}`} data-testid="q-text" required maxlength="500" value=${q.text} onInput=${(e) => setQ(i, { text: e.currentTarget.value })} />
        <label for=${`q-kind-${i}`}>${t("questionnaire.kind")}</label>
        <select id=${`q-kind-${i}`} data-testid="q-kind" value=${q.kind} onChange=${(e) => setQ(i, { kind: e.currentTarget.value })}>
          ${["single", "multi", "text"].map((k) => html`<option key=${k} value=${k}>${t(`questionnaire.kind.${k}`)}</option>`)}
        </select>
        ${q.kind === "text" ? html`<label class="choice"><input type="checkbox" data-testid="q-suggestion" checked=${q.suggestion}
            onChange=${(e) => setQ(i, { suggestion: e.currentTarget.checked })} /> ${t("questionnaire.asSuggestion")}</label>`
          : html`<label for=${`q-options-${i}`}>${t("questionnaire.options")}</label>
            <textarea id=${`q-options-${i}`} data-testid="q-options" rows="3" value=${q.options} onInput=${(e) => setQ(i, { options: e.currentTarget.value })}></textarea>`}
      </fieldset>`)}
      <div class="actions">
        <button type="button" data-testid="q-add" disabled=${questions.length >= 20} onClick=${() => setQuestions([...questions, { ...BLANK }])}>${t("questionnaire.addQuestion")}</button>
        ${questions.length > 1 ? html`<button type="button" onClick=${() => setQuestions(questions.slice(0, -1))}>${t("questionnaire.removeQuestion")}</button>` : null}
        <button type="submit" class="primary" data-testid="q-create" disabled=${action.busy}>${t("questionnaire.create")}</button>
      </div>
      <${ErrorBox} error=${action.error} />
    </form></details>`;
}

export function QuestionnairePage({ me, params }) {
  const q = useApi(`/api/questionnaires/${params.id}`);
  useLiveEvent(["questionnaire."], q.reload);
  if (q.loading && !q.data) return html`<${Loading} />`;
  if (q.error) return html`<${ErrorBox} error=${q.error} />`;
  const x = q.data;
  const manager = can(me, "questionnaires.manage");
  return html`<h1>${x.title}</h1>
    <p class="muted"><${Status} kind="questionnaire" value=${x.status} /> · ${t("questionnaire.answers", { n: x.answers_count })}
      ${x.closed_at ? ` · ${t("questionnaire.closedAt", { when: formatDateTime(x.closed_at) })}` : ""}</p>
    ${manager ? html`<${Lifecycle} x=${x} onChanged=${q.reload} />` : null}
    ${x.status === "open" && can(me, "questionnaires.answer") ? html`<${AnswerForm} me=${me} x=${x} onSaved=${q.reload} />` : null}
    ${manager && x.status !== "draft" ? html`<${PaperForm} me=${me} x=${x} onSaved=${q.reload} />
      <${ImportForm} x=${x} onDone=${q.reload} />` : null}
    ${x.status !== "draft" ? html`<${Results} x=${x} />` : null}`;
}

function Lifecycle({ x, onChanged }) {
  const action = useAction();
  const [asking, setAsking] = useState(false);
  const go = async (step) => {
    setAsking(false);
    const res = await action.run(() => api(`/api/questionnaires/${x.id}/${step}`, { method: "POST" }));
    if (res) onChanged();
  };
  return html`<section class="card" data-testid="questionnaire-lifecycle">
    <div class="actions">
      ${x.status === "draft" ? html`<button type="button" class="primary" data-testid="q-publish" onClick=${() => go("publish")}>${t("questionnaire.publish")}</button>` : null}
      ${x.status === "open" ? html`<button type="button" data-testid="q-close" onClick=${() => setAsking(true)}>${t("questionnaire.close")}</button>` : null}
    </div>
    ${asking ? html`<${Confirm} testid="confirm-close" lines=${[t("questionnaire.confirmClose")]} yes=${t("questionnaire.close")}
      onYes=${() => go("close")} onNo=${() => setAsking(false)} />` : null}
    <${ErrorBox} error=${action.error} />
  </section>`;
}

/** One answer per question: option indexes, a text, or null. */
function Questions({ x, answers, setAnswers, prefix }) {
  const set = (i, value) => setAnswers(answers.map((a, j) => (i === j ? value : a)));
  return x.questions.map((q, i) => html`<fieldset key=${i} class="question" data-testid="answer-question">
    <legend>${i + 1}. ${q.text}</legend>
    ${q.kind === "text" ? html`<textarea aria-label=${q.text} data-testid="answer-text" rows="3" maxlength="2000" value=${answers[i] || ""}
        onInput=${(e) => set(i, e.currentTarget.value)}></textarea>`
      : q.options.map((o, k) => {
        const chosen = Array.isArray(answers[i]) && answers[i].includes(k);
        const pick = () => (q.kind === "single" ? set(i, [k])
          : set(i, chosen ? answers[i].filter((c) => c !== k) : [...(answers[i] || []), k]));
        return html`<label key=${k} class="choice"><input type=${q.kind === "single" ? "radio" : "checkbox"}
          name=${`${prefix}-${i}`} data-testid="answer-option" checked=${chosen} onChange=${pick} /> ${o}</label>`;
      })}
  </fieldset>`);
}

function cleaned(x, answers) {
  return x.questions.map((q, i) => {
    const a = answers[i];
    if (q.kind === "text") return a && a.trim() ? a : null;
    return Array.isArray(a) && a.length ? a : null;
  });
}

function AnswerForm({ me, x, onSaved }) {
  const action = useAction();
  const [answers, setAnswers] = useState(() => (x.mine ? x.mine.answers : x.questions.map(() => null)));
  const [category, setCategory] = useState("other");
  const [saved, setSaved] = useState(false);
  const asks = x.questions.some((q) => q.suggestion);
  const submit = async (e) => {
    e.preventDefault();
    const body = { answers: cleaned(x, answers) };
    if (asks) body.category = category;
    const res = await action.run(() => api(`/api/questionnaires/${x.id}/answers`, { method: "POST", body }));
    if (res) { setSaved(true); onSaved(); }
  };
  return html`<form class="card" data-testid="answer-form" onSubmit=${submit} aria-labelledby="answer-h">
    <h2 id="answer-h">${t(x.mine ? "questionnaire.changeAnswer" : "questionnaire.answer")}</h2>
    <${Questions} x=${x} answers=${answers} setAnswers=${setAnswers} prefix="mine" />
    ${asks ? html`<label for="a-category">${t("suggest.category")}</label>
      <${CategorySelect} id="a-category" testid="answer-category" value=${category} onChange=${setCategory} />` : null}
    <p class="muted">${t("questionnaire.replaceable")}</p>
    <div class="actions"><button type="submit" class="primary" data-testid="answer-submit" disabled=${action.busy}>${t("questionnaire.send")}</button></div>
    ${saved ? html`<p class="ok" role="status" data-testid="answer-saved">${t("questionnaire.saved")}</p>` : null}
    <${ErrorBox} error=${action.error} />
  </form>`;
}

function PaperForm({ me, x, onSaved }) {
  const action = useAction();
  const households = useApi(`/api/estates/${me.estate_id}/households`);
  const [sheetNo, setSheetNo] = useState("");
  const [unit, setUnit] = useState("");
  const [answers, setAnswers] = useState(() => x.questions.map(() => null));
  const [category, setCategory] = useState("other");
  const [done, setDone] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const body = { sheet_no: sheetNo.trim(), answers: cleaned(x, answers), category };
    if (unit) body.household_id = Number(unit);
    const res = await action.run(() => api(`/api/questionnaires/${x.id}/answers`, { method: "POST", body }));
    if (res) {
      setDone(body.sheet_no);
      setSheetNo("");
      setAnswers(x.questions.map(() => null));
      onSaved();
    }
  };
  return html`<details class="card" data-testid="paper-form"><summary>${t("questionnaire.paper")}</summary>
    <form onSubmit=${submit}>
      <label for="p-sheet">${t("suggest.sheetNo")}</label>
      <input id="p-sheet" data-testid="paper-sheet" required maxlength="50" value=${sheetNo} onInput=${(e) => setSheetNo(e.currentTarget.value)} />
      <label for="p-unit">${t("suggest.unit")}</label>
      <select id="p-unit" data-testid="paper-unit" value=${unit} onChange=${(e) => setUnit(e.currentTarget.value)}>
        <option value="">${t("suggest.noUnit")}</option>
        ${itemsOf(households.data).map((h) => html`<option key=${h.id} value=${h.id}>${h.building} ${h.unit}</option>`)}
      </select>
      <${Questions} x=${x} answers=${answers} setAnswers=${setAnswers} prefix="paper" />
      <label for="p-category">${t("suggest.category")}</label>
      <${CategorySelect} id="p-category" value=${category} onChange=${setCategory} />
      <div class="actions"><button type="submit" class="primary" data-testid="paper-submit" disabled=${action.busy || !sheetNo.trim()}>${t("questionnaire.enter")}</button></div>
      ${done ? html`<p class="ok" role="status" data-testid="paper-saved">${t("questionnaire.entered", { no: done })}</p>` : null}
      <${ErrorBox} error=${action.error} />
    </form></details>`;
}

/** "Line 3 Question 2: …": the line, the column in words, the fault's sentence (without
 * the line again when the sentence starts with it). */
function faultText(f) {
  const where = f.line ? t("questionnaire.line", { line: f.line }) : "";
  const question = /^q(\d+)$/.exec(f.field || "");
  const column = question ? t("questionnaire.questionN", { n: Number(question[1]) }) : fieldLabel(f.field);
  let sentence = errorSentence(f.code, f.params, 400);
  if (where && sentence.startsWith(where)) sentence = sentence.slice(where.length).replace(/^[:：]\s*/, "");
  return `${where} ${column}${t("common.colon")}${sentence}`.trim();
}

/** The file's faults, line by line. */
function ImportErrors({ error }) {
  if (!(error instanceof ApiError) || error.problem.code !== "import_invalid") return html`<${ErrorBox} error=${error} />`;
  return html`<div class="error" role="alert" data-testid="import-errors">
    <strong>${errorSentence("import_invalid", error.problem.params, 400)}</strong>
    <ul class="import-errors">${error.fieldErrors.map((f, i) => html`<li key=${i} data-testid="import-error">${faultText(f)}</li>`)}</ul>
  </div>`;
}

function ImportForm({ x, onDone }) {
  const action = useAction();
  const [result, setResult] = useState(null);
  const upload = async (e) => {
    const file = e.currentTarget.files && e.currentTarget.files[0];
    e.currentTarget.value = "";
    if (!file) return;
    setResult(null);
    const xlsx = /\.xlsx$/i.test(file.name);
    const res = await action.run(() => api(`/api/questionnaires/${x.id}/answers/import`, {
      method: "POST", rawBody: file,
      headers: { "Content-Type": xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv" },
    }));
    if (res) { setResult(res); onDone(); }
  };
  return html`<details class="card" data-testid="import-form"><summary>${t("questionnaire.import")}</summary>
    <p class="muted">${t("questionnaire.importColumns", { n: x.questions.length })}</p>
    <input id="import-file" class="sr-only" type="file" data-testid="import-file" accept=".csv,.xlsx,text/csv" onChange=${upload} disabled=${action.busy} />
    <label for="import-file" class="button photo-button">${t("questionnaire.importChoose")}</label>
    ${action.busy ? html`<p role="status" class="muted">${t("common.loading")}</p>` : null}
    ${result ? html`<p class="ok" role="status" data-testid="import-done">${t("questionnaire.imported", { n: result.imported, s: result.suggestions })}</p>` : null}
    <${ImportErrors} error=${action.error} />
  </details>`;
}

function Results({ x }) {
  const results = useApi(`/api/questionnaires/${x.id}/results`);
  useLiveEvent(["questionnaire."], results.reload);
  const r = results.data;
  return html`<section class="card" data-testid="questionnaire-results" aria-labelledby="results-h">
    <h2 id="results-h">${t("questionnaire.results")}</h2>
    <${ErrorBox} error=${results.error} />
    ${whileLoading(results) || (r ? html`<p class="muted">${t("questionnaire.resultsTotal", { n: r.answers_total, s: r.suggestions })}</p>
      ${r.questions.map((q) => html`<div key=${q.index} class="question">
        <p><strong>${q.index + 1}. ${q.text}</strong> <span class="muted">${t("questionnaire.answered", { n: q.answered })}</span></p>
        ${q.options.map((o) => html`<${Bar} key=${o.option} label=${o.option} value=${q.answered ? o.count / q.answered : 0}
          valueText=${String(o.count)} testid="result-bar" />`)}
      </div>`)}` : null)}
  </section>`;
}
