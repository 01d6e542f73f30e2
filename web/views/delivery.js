// Works delivery (issue 19): the estate's timeline (a Gantt drawn with CSS bars placed by
// percent of the estate's span, so it fits a 375 px phone without scrolling sideways) and a
// work's page: milestones with progress and photos, acceptance (验收) with defects and
// sign-offs. Owners follow progress live; signing and completing ask first.
import { html, useState } from "../lib/html.js";
import { t, getLang } from "../lib/i18n.js";
import { api } from "../lib/api.js";
import { ErrorBox, useApi, useAction, Confirm, Status, whileLoading } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";
import { can } from "../lib/access.js";
import { formatDateTime } from "../lib/format.js";

const LIVE = ["milestone.", "progress.", "acceptance.", "defect.", "work.status_changed"];

function printLang() {
  return getLang() === "en" ? "en" : "zh";
}

function dayNumber(iso) {
  return Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
}

/** A bar placed on the estate's span [start, end] by percent: no pixel width anywhere. */
function GanttBar({ span, start, end, percent, overdue, label }) {
  const s = dayNumber(span.start);
  const total = Math.max(1, dayNumber(span.end) - s + 1);
  const left = ((dayNumber(start) - s) / total) * 100;
  const width = Math.max(1.5, ((dayNumber(end) - dayNumber(start) + 1) / total) * 100);
  return html`<div class="gantt-track" role="img" aria-label=${label}>
    <div class=${`gantt-bar${overdue ? " overdue" : ""}`} style=${`left:${left.toFixed(2)}%;width:${Math.min(width, 100 - left).toFixed(2)}%`}>
      <div class="gantt-fill" style=${`width:${percent}%`}></div></div></div>`;
}

function MilestoneState({ m }) {
  if (m.overdue) return html`<span class="badge badge-overdue" data-testid="overdue">${t("delivery.overdue")}</span>`;
  if (m.done) return html`<span class="badge badge-done">${t(m.late ? "delivery.doneLate" : "delivery.done")}</span>`;
  return html`<span class="badge">${t("delivery.going")}</span>`;
}

/** `/delivery`: every work being delivered, its milestones as bars, and the goals by period. */
export function DeliveryTimeline({ me }) {
  const timeline = useApi(`/api/estates/${me.estate_id}/timeline`);
  useLiveEvent(LIVE, timeline.reload);
  const tl = timeline.data;
  const span = tl && tl.start ? { start: tl.start, end: tl.end } : null;
  return html`<h1>${t("delivery.title")}</h1>
    <p class="muted">${t("delivery.intro")}</p>
    <p><a class="button" href=${`/api/estates/${me.estate_id}/timeline.html?lang=${printLang()}`} target="_blank"
      rel="noopener" data-testid="timeline-print">${t("delivery.print")}</a></p>
    <${ErrorBox} error=${timeline.error} />
    ${whileLoading(timeline) || (tl ? html`
      ${span ? html`<p class="muted" data-testid="timeline-span">${t("delivery.span", { start: span.start, end: span.end, today: tl.today })}</p>` : null}
      ${tl.works.length ? tl.works.map((w) => html`<section class="card gantt-work" key=${w.id} data-testid="timeline-work" data-work-id=${w.id}>
        <h2><a href=${`#/delivery/works/${w.id}`}>${w.title}</a></h2>
        <p><${Status} kind="work" value=${w.status} /> <span data-testid="work-progress">${t("delivery.progressPct", { pct: w.progress_pct })}</span>
          ${w.overdue ? html` <span class="badge badge-overdue">${t("delivery.overdue")}</span>` : null}
          ${w.accepted ? html` <span class="badge badge-done">${t("delivery.accepted")}</span>` : null}</p>
        ${w.milestones.length ? html`<ul class="plain gantt">${w.milestones.map((m) => html`<li key=${m.id} data-testid="timeline-milestone">
          <div class="gantt-label"><strong>${m.title}</strong> · ${m.planned} · ${m.responsible_unit} <${MilestoneState} m=${m} /></div>
          ${span ? html`<${GanttBar} span=${span} start=${m.planned_start} end=${m.planned_end} percent=${m.percent} overdue=${m.overdue}
            label=${t("delivery.barLabel", { title: m.title, start: m.planned_start, end: m.planned_end, pct: m.percent })} />` : null}
        </li>`)}</ul>` : html`<p class="muted">${t("delivery.noMilestones")}</p>`}
      </section>`) : html`<p class="muted" data-testid="no-works">${t("delivery.noWorks")}</p>`}
      <section class="card" aria-labelledby="goals-h"><h2 id="goals-h">${t("delivery.goals")}</h2>
        ${tl.goals.length ? html`<ul class="plain" data-testid="goals">${tl.goals.map((g) => html`<li key=${`${g.planned}-${g.responsible_unit}`}>
          <strong>${g.planned}</strong> · ${g.responsible_unit} · ${t("delivery.goalCounts", { n: g.milestone_ids.length, done: g.done, overdue: g.overdue })}</li>`)}</ul>`
        : html`<p class="muted">${t("delivery.noMilestones")}</p>`}</section>` : null)}`;
}

/** `/delivery/works/:id`: milestones, progress (with photos), acceptance. */
export function DeliveryWork({ me, params }) {
  const workId = params.id;
  const list = useApi(`/api/works/${workId}/milestones`);
  useLiveEvent(LIVE, list.reload);
  const manager = can(me, "delivery.manage");
  const data = list.data;
  return html`<p><a href="#/delivery">${t("delivery.back")}</a></p>
    <h1>${data ? data.work_title : t("delivery.workTitle")}</h1>
    <${ErrorBox} error=${list.error} />
    ${whileLoading(list) || (data ? html`
      <p><${Status} kind="work" value=${data.work_status} /> <span data-testid="work-progress">${t("delivery.progressPct", { pct: data.progress_pct })}</span></p>
      <div class="bar-track" role="img" aria-label=${t("delivery.progressPct", { pct: data.progress_pct })}><div class="bar-fill" style=${`width:${data.progress_pct}%`}></div></div>
      <section class="card" aria-labelledby="ms-h"><h2 id="ms-h">${t("delivery.milestones")}</h2>
        ${data.items.length ? html`<ul class="plain" data-testid="milestones">${data.items.map((m) => html`<${MilestoneItem} key=${m.id} me=${me} m=${m}
          manager=${manager} onChange=${list.reload} />`)}</ul>` : html`<p class="muted">${t("delivery.noMilestones")}</p>`}
      </section>
      ${manager ? html`<${AddMilestone} workId=${workId} onDone=${list.reload} />` : null}
      <${AcceptanceCard} me=${me} workId=${workId} manager=${manager} status=${data.work_status} />` : null)}`;
}

function MilestoneItem({ me, m, manager, onChange }) {
  return html`<li data-testid="milestone" data-milestone-id=${m.id} data-percent=${m.percent}>
    <p><strong>${m.title}</strong> <${MilestoneState} m=${m} /></p>
    <p class="muted">${t("delivery.plannedLine", { planned: m.planned, end: m.planned_end, unit: m.responsible_unit, person: m.responsible_person })}</p>
    <p data-testid="milestone-percent">${t("delivery.progressPct", { pct: m.percent })}</p>
    ${m.progress.length ? html`<ol class="timeline">${m.progress.map((p) => html`<li key=${p.id} data-testid="progress-update">
      ${formatDateTime(p.recorded_at)} · ${t("delivery.progressPct", { pct: p.percent })}${p.note ? html` · <span>${p.note}</span>` : null}
      ${p.photo_sha256s.map((sha) => html` <a key=${sha} href=${`/api/estates/${me.estate_id}/photos/${sha}`} target="_blank" rel="noopener">${t("delivery.photo")}</a>`)}
    </li>`)}</ol>` : null}
    ${manager ? html`<${ProgressForm} me=${me} m=${m} onDone=${onChange} />` : null}
  </li>`;
}

function ProgressForm({ me, m, onDone }) {
  const action = useAction();
  const [percent, setPercent] = useState(String(m.percent));
  const [note, setNote] = useState("");
  const [photos, setPhotos] = useState([]);
  const upload = async (e) => {
    const file = e.currentTarget.files && e.currentTarget.files[0];
    if (!file) return;
    const stored = await action.run(() => api(`/api/estates/${me.estate_id}/photos`, {
      method: "POST", rawBody: file, headers: { "Content-Type": file.type || "image/jpeg" },
    }));
    if (stored) setPhotos([...photos, stored.sha256]);
  };
  const submit = async (e) => {
    e.preventDefault();
    const body = { percent: Number(percent), note: note.trim(), photo_sha256s: photos };
    const res = await action.run(() => api(`/api/milestones/${m.id}/progress`, { method: "POST", body }));
    if (res) { setNote(""); setPhotos([]); onDone(); }
  };
  const id = `p-${m.id}`;
  return html`<form class="stack" onSubmit=${submit} data-testid="progress-form">
    <label for=${`${id}-pct`}>${t("delivery.percent")}</label>
    <input id=${`${id}-pct`} type="number" min="0" max="100" step="1" required value=${percent}
      onInput=${(e) => setPercent(e.currentTarget.value)} data-testid="progress-percent" />
    <label for=${`${id}-note`}>${t("delivery.note")}</label>
    <input id=${`${id}-note`} maxlength="2000" value=${note} onInput=${(e) => setNote(e.currentTarget.value)} data-testid="progress-note" />
    <label for=${`${id}-photo`}>${t("delivery.addPhoto")}</label>
    <input id=${`${id}-photo`} type="file" accept="image/jpeg,image/png,image/webp" onChange=${upload} data-testid="progress-photo" />
    ${photos.length ? html`<p class="muted" data-testid="photos-ready">${t("delivery.photosReady", { n: photos.length })}</p>` : null}
    <button type="submit" class="primary" disabled=${action.busy} data-testid="progress-submit">${t("delivery.recordProgress")}</button>
    <${ErrorBox} error=${action.error} />
  </form>`;
}

function AddMilestone({ workId, onDone }) {
  const action = useAction();
  const empty = { title: "", planned: "", responsible_unit: "", responsible_person: "", weight_pct: "" };
  const [form, setForm] = useState(empty);
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    const body = { ...form, weight_pct: form.weight_pct ? Number(form.weight_pct) : null };
    const res = await action.run(() => api(`/api/works/${workId}/milestones`, { method: "POST", body }));
    if (res) { setForm(empty); onDone(); }
  };
  const field = (k, label, extra = {}) => html`<label for=${`ms-${k}`}>${t(label)}</label>
    <input id=${`ms-${k}`} value=${form[k]} onInput=${set(k)} data-testid=${`ms-${k}`} ...${extra} />`;
  return html`<section class="card" aria-labelledby="add-ms-h"><h2 id="add-ms-h">${t("delivery.addMilestone")}</h2>
    <form class="stack" onSubmit=${submit}>
      ${field("title", "delivery.milestoneTitle", { required: true, maxlength: 200 })}
      ${field("planned", "delivery.planned", { required: true, placeholder: "2026-03 / 2026-Q2 / 2026-H1" })}
      <p class="muted">${t("delivery.plannedHelp")}</p>
      ${field("responsible_unit", "delivery.unit", { required: true, maxlength: 200 })}
      ${field("responsible_person", "delivery.person", { required: true, maxlength: 200 })}
      ${field("weight_pct", "delivery.weight", { type: "number", min: 1, max: 100 })}
      <button type="submit" class="primary" disabled=${action.busy} data-testid="ms-submit">${t("delivery.addMilestone")}</button>
      <${ErrorBox} error=${action.error} />
    </form></section>`;
}

function AcceptanceCard({ me, workId, manager, status }) {
  const acceptance = useApi(`/api/works/${workId}/acceptance`);
  useLiveEvent(["acceptance.", "defect."], acceptance.reload);
  const action = useAction();
  const [asking, setAsking] = useState(null);
  const [defects, setDefects] = useState("");
  const a = acceptance.data;
  const missing = Boolean(acceptance.error && acceptance.error.problem && acceptance.error.problem.code === "acceptance_not_found");
  const after = (res) => { if (res) acceptance.setData(res); };
  const open = async (e) => {
    e.preventDefault();
    const body = { defects: defects.split("\n").map((s) => s.trim()).filter(Boolean).map((description) => ({ description })) };
    const res = await action.run(() => api(`/api/works/${workId}/acceptance`, { method: "POST", body }));
    if (res) acceptance.setData(res);
  };
  const step = async (name) => {
    setAsking(null);
    after(await action.run(() => api(`/api/acceptances/${a.id}/${name}`, { method: "POST" })));
  };
  const recheck = async (id, fixed) => after(await action.run(() => api(`/api/defects/${id}/recheck`, { method: "POST", body: { fixed, note: "" } })));
  return html`<section class="card" aria-labelledby="acc-h" data-testid="acceptance"><h2 id="acc-h">${t("delivery.acceptance")}</h2>
    ${missing ? html`<p class="muted">${t("delivery.noAcceptance")}</p>
      ${manager && status === "in_progress" ? html`<form class="stack" onSubmit=${open}>
        <label for="acc-defects">${t("delivery.defectsLines")}</label>
        <textarea id="acc-defects" rows="3" value=${defects} onInput=${(e) => setDefects(e.currentTarget.value)} data-testid="acc-defects"></textarea>
        <button type="submit" class="primary" disabled=${action.busy} data-testid="acc-open">${t("delivery.openAcceptance")}</button></form>` : null}`
    : html`<${ErrorBox} error=${acceptance.error} />`}
    ${whileLoading(acceptance) || (a ? html`
      <p data-testid="acc-state">${a.accepted_at ? html`<span class="badge badge-done">${t("delivery.accepted")}</span> ${formatDateTime(a.accepted_at)}`
        : t("delivery.missing", { committee: a.missing.committee_signatures, owners: a.missing.owner_signatures, defects: a.missing.open_defects })}</p>
      <h3>${t("delivery.defects")}</h3>
      ${a.defects.length ? html`<ul class="plain">${a.defects.map((d) => html`<li key=${d.id} data-testid="defect" data-fixed=${String(d.fixed)}>
        ${d.description} · ${t(d.fixed ? "delivery.fixed" : "delivery.notFixed")}${d.recheck_note ? ` · ${d.recheck_note}` : ""}
        ${manager && !a.accepted_at ? html` <button type="button" disabled=${action.busy} data-testid="defect-fixed"
          onClick=${() => recheck(d.id, !d.fixed)}>${t(d.fixed ? "delivery.markNotFixed" : "delivery.markFixed")}</button>` : null}</li>`)}</ul>`
        : html`<p class="muted">${t("delivery.noDefects")}</p>`}
      <h3>${t("delivery.signatures")}</h3>
      <ul class="plain" data-testid="signatures">${a.signatures.map((s) => html`<li key=${s.member_id}>${s.display_name} · ${t(`delivery.as.${s.capacity}`)} · ${formatDateTime(s.signed_at)}</li>`)}</ul>
      <div class="actions">
        ${a.may_sign && can(me, "acceptance.sign") ? html`<button type="button" class="primary" data-testid="acc-sign" disabled=${action.busy}
          onClick=${() => setAsking("sign")}>${t("delivery.sign")}</button>` : null}
        ${manager && !a.accepted_at ? html`<button type="button" data-testid="acc-complete" disabled=${action.busy}
          onClick=${() => setAsking("complete")}>${t("delivery.complete")}</button>` : null}
        <a class="button" href=${`/api/works/${workId}/acceptance.html?lang=${printLang()}`} target="_blank" rel="noopener">${t("delivery.printRecord")}</a>
      </div>
      ${asking ? html`<${Confirm} testid=${`confirm-${asking}`} lines=${[t(asking === "sign" ? "delivery.askSign" : "delivery.askComplete"), a.work_title]}
        yes=${t(asking === "sign" ? "delivery.sign" : "delivery.complete")} onYes=${() => step(asking)} onNo=${() => setAsking(null)} />` : null}
    ` : null)}
    <${ErrorBox} error=${action.error} />
  </section>`;
}
