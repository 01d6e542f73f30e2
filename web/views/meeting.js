import { html, useState, useEffect, useCallback } from "../lib/html.js";
import { t, tMaybe, getLang } from "../lib/i18n.js";
import { api, itemsOf } from "../lib/api.js";
import { ErrorBox, Loading, useApi, useAction, Bar, Status, whileLoading, Confirm } from "../lib/ui.js";
import { useLiveEvent, useLiveStatus, usePresence } from "../live.js";
import { castBallot, flushBallots, forgetOutcome, lastOutcome, onBallotQueue, queuedFor, startBallotQueue }
  from "../lib/ballot_queue.js";
import { formatArea, formatDateTime, ratioForBar, timeZone, zonedInputToISO, DEFAULT_TIME_ZONE } from "../lib/format.js";
import { can } from "../lib/access.js";
import { shortfalls } from "../lib/tally.js";

const MEETING_KINDS = ["building_meeting", "public_hearing", "owners_assembly"];

export function MeetingsList({ me }) {
  const list = useApi(`/api/estates/${me.estate_id}/meetings`);
  useLiveEvent(["meeting."], list.reload);
  const items = itemsOf(list.data);
  return html`<h1>${t("meetings.title")}</h1>
    ${can(me, "meetings.manage") ? html`<${NewMeeting} estateId=${me.estate_id} />` : null}
    <${ErrorBox} error=${list.error} />
    ${list.loading ? html`<${Loading} />` : items.length === 0 ? html`<p class="muted">${t("meetings.none")}</p>`
      : html`<ul class="plain card" data-testid="meetings">${items.map((m) => html`<li key=${m.id}>
          <a href=${`#/meetings/${m.id}`}>${m.title}</a>
          <span class="muted"> · ${tMaybe(`meeting.kind.${m.kind}`, m.kind || "")}</span>
          ${m.status ? html` <${Status} kind="meeting" value=${m.status} />` : null}
        </li>`)}</ul>`}`;
}

function NewMeeting({ estateId }) {
  const action = useAction();
  const [title, setTitle] = useState("");
  const [kind, setKind] = useState(MEETING_KINDS[0]);
  const [agenda, setAgenda] = useState("");
  const [when, setWhen] = useState("");
  const submit = async (e) => {
    e.preventDefault();
    const body = { title, kind, agenda: agenda.split("\n").map((x) => x.trim()).filter(Boolean) };
    if (when) body.scheduled_at = zonedInputToISO(when); // the estate's wall clock
    const created = await action.run(() => api(`/api/estates/${estateId}/meetings`, { method: "POST", body }));
    if (created && created.id) location.hash = `#/meetings/${created.id}`;
  };
  return html`<details class="card"><summary>${t("meetings.new")}</summary>
    <form onSubmit=${submit}>
      <label for="meeting-title">${t("meetings.titleLabel")}</label>
      <input id="meeting-title" required value=${title} onInput=${(e) => setTitle(e.currentTarget.value)} />
      <label for="meeting-kind">${t("meetings.kindLabel")}</label>
      <select id="meeting-kind" value=${kind} onChange=${(e) => setKind(e.currentTarget.value)}>
        ${MEETING_KINDS.map((k) => html`<option value=${k}>${t(`meeting.kind.${k}`)}</option>`)}
      </select>
      <label for="meeting-when">${t("meetings.when")} <span class="muted" data-testid="meeting-zone">(${timeZone() === DEFAULT_TIME_ZONE ? t("time.shanghai") : timeZone()})</span></label>
      <input id="meeting-when" type="datetime-local" value=${when} onInput=${(e) => setWhen(e.currentTarget.value)} />
      <label for="meeting-agenda">${t("meetings.agendaLabel")}</label>
      <textarea id="meeting-agenda" value=${agenda} onInput=${(e) => setAgenda(e.currentTarget.value)}></textarea>
      <div class="actions"><button class="primary" type="submit" disabled=${action.busy}>${t("meetings.create")}</button></div>
      <${ErrorBox} error=${action.error} />
    </form></details>`;
}

/** Motions of a meeting: embedded in the meeting or listed separately. */
function useMotions(meetingId, meeting) {
  const embedded = meeting && Array.isArray(meeting.motions);
  const list = useApi(meeting && !embedded ? `/api/meetings/${meetingId}/motions` : null);
  return { motions: embedded ? meeting.motions : itemsOf(list.data), reload: list.reload, error: list.error };
}

function currentMotion(motions, chosenId) {
  if (chosenId) {
    const chosen = motions.find((m) => String(m.id) === String(chosenId));
    if (chosen) return chosen;
  }
  return motions.find((m) => m.status === "open") || motions[motions.length - 1] || null;
}

export function MeetingRoom({ me, params }) {
  const meeting = useApi(`/api/meetings/${params.id}`);
  const motions = useMotions(params.id, meeting.data);
  const [chosen, setChosen] = useState(null);
  const presence = usePresence(params.id);
  const reloadAll = useCallback(() => { meeting.reload(); motions.reload(); }, [meeting.reload, motions.reload]);
  useLiveEvent(["motion.", "meeting."], reloadAll);
  if (meeting.loading && !meeting.data) return html`<${Loading} />`;
  if (meeting.error) return html`<${ErrorBox} error=${meeting.error} />`;
  const m = meeting.data;
  const motion = currentMotion(motions.motions, chosen);
  return html`<h1 data-testid="meeting-title">${m.title}</h1>
    <p><${Status} kind="meeting" value=${m.status} />
      <span class="muted"> · ${tMaybe(`meeting.kind.${m.kind}`, m.kind || "")}</span>
      ${m.scheduled_at ? html`<span class="muted"> · ${formatDateTime(m.scheduled_at)}</span>` : null}</p>
    ${can(me, "meetings.manage") ? html`<${MeetingControls} meeting=${m} onDone=${reloadAll} />` : null}
    ${m.status === "closed" ? html`<p class="ok"><a data-testid="minutes-link" target="_blank" rel="noopener"
      href=${`/api/meetings/${m.id}/minutes.html?lang=${getLang() === "en" ? "en" : "zh"}`}>${t("minutes.open")}</a></p>` : null}
    <div class="grid two">
      <div>
        ${motion ? html`<${MotionPanel} key=${motion.id} me=${me} motion=${motion} onChange=${reloadAll} />`
          : html`<p class="card muted">${t("meeting.noMotion")}</p>`}
      </div>
      <div>
        <section class="card" aria-labelledby="agenda-h">
          <h2 id="agenda-h">${t("meeting.agenda")}</h2>
          <${ErrorBox} error=${motions.error} />
          ${itemsOf(m.agenda).length ? html`<ol class="agenda-items" data-testid="agenda-items">
            ${itemsOf(m.agenda).map((a) => html`<li key=${a.position}>${a.text}</li>`)}</ol>
            <h3>${t("meeting.motions")}</h3>` : null}
          <ol data-testid="agenda">${motions.motions.map((x) => html`<li key=${x.id}>
            <button type="button" class="linkish" aria-current=${motion && x.id === motion.id ? "true" : undefined}
              onClick=${() => setChosen(x.id)}>${x.title}</button>
            ${" "}<${Status} kind="motion" value=${x.status} />
            <span class="muted"> · ${t("motion.matterN", { n: x.matter })}</span>
          </li>`)}</ol>
          ${can(me, "meetings.manage") ? html`<${NewMotion} meetingId=${params.id} onDone=${reloadAll} />` : null}
        </section>
        <section class="card" aria-labelledby="presence-h">
          <h2 id="presence-h">${t("meeting.presence", { n: presence.length })}</h2>
          <ul class="plain" data-testid="presence">${presence.map((p) => html`<li key=${p.member_id}>
            ${p.display_name || `#${p.member_id}`}</li>`)}</ul>
        </section>
      </div>
    </div>`;
}

function MeetingControls({ meeting, onDone }) {
  const action = useAction();
  const [confirming, setConfirming] = useState(false);
  const move = async (verb) => {
    setConfirming(false);
    const res = await action.run(() => api(`/api/meetings/${meeting.id}/${verb}`, { method: "POST" }));
    if (res !== undefined) onDone();
  };
  if (meeting.status === "closed") return null;
  const openMotions = itemsOf(meeting.motions).filter((m) => m.status === "open").length;
  return html`<div class="actions">
    ${meeting.status === "scheduled" ? html`<button type="button" class="primary" data-testid="open-meeting"
      disabled=${action.busy} onClick=${() => move("open")}>${t("meeting.open")}</button>` : null}
    ${meeting.status === "open" && !confirming ? html`<button type="button" data-testid="close-meeting"
      disabled=${action.busy} onClick=${() => setConfirming(true)}>${t("meeting.close")}</button>` : null}
    ${confirming ? html`<${Confirm} testid="confirm-close-meeting" lines=${[
        t("meeting.closeConsequence"),
        ...(openMotions ? [t("meeting.closeOpenMotions", { n: openMotions })] : [])]}
      yes=${t("meeting.closeConfirm")} onYes=${() => move("close")} onNo=${() => setConfirming(false)} />` : null}
    <${ErrorBox} error=${action.error} /></div>`;
}

/** What closing the motion now will record, in words: passes, or fails and why. */
function closeSummary(tally, motion) {
  if (!tally) return [t("motion.closeConsequence")];
  const rule = thresholdFor(tally.matter ?? motion.matter);
  const hidden = tally.results_hidden || tally.yes_area_m2 === null || tally.yes_area_m2 === undefined;
  const why = shortfalls({ ...tally, results_hidden: hidden }, rule.ratio > 0.5)
    .map((s) => t(`tally.short.${s.what}`, { n: s.owners, area: s.area }));
  const verdict = hidden ? null : tally.passed ? t("motion.closeWillPass") : t("motion.closeWillFail");
  return [verdict, ...why, t("motion.closeConsequence")].filter(Boolean);
}

function NewMotion({ meetingId, onDone }) {
  const action = useAction();
  const [title, setTitle] = useState("");
  const [matter, setMatter] = useState("5");
  const submit = async (e) => {
    e.preventDefault();
    const res = await action.run(() => api(`/api/meetings/${meetingId}/motions`, {
      method: "POST", body: { title, matter: Number(matter) },
    }));
    if (res !== undefined) { setTitle(""); onDone(); }
  };
  return html`<details><summary>${t("motion.new")}</summary><form onSubmit=${submit}>
    <label for="motion-title">${t("motion.titleLabel")}</label>
    <input id="motion-title" required value=${title} onInput=${(e) => setTitle(e.currentTarget.value)} />
    <label for="motion-matter">${t("motion.matterLabel")}</label>
    <select id="motion-matter" value=${matter} onChange=${(e) => setMatter(e.currentTarget.value)}>
      ${[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => html`<option value=${String(n)}>${n}. ${t(`matter.${n}`)}</option>`)}
    </select>
    <div class="actions"><button class="primary" type="submit" disabled=${action.busy}>${t("motion.add")}</button></div>
    <${ErrorBox} error=${action.error} />
  </form></details>`;
}

/** Special matters (Art. 278 items 6–8) need 3/4; the others more than half. */
export function thresholdFor(matter) {
  return [6, 7, 8].includes(Number(matter)) ? { ratio: 0.75, key: "tally.threeQuarters" }
    : { ratio: 0.5, key: "tally.moreThanHalf" };
}

function useProxyUnits(me) {
  const list = useApi(can(me, "ballots.cast") ? `/api/estates/${me.estate_id}/delegations` : null);
  useLiveEvent(["delegation."], list.reload);
  return itemsOf(list.data).filter((d) => !d.revoked_at && String(d.proxy_member_id) === String(me.member_id));
}

function canVoteOn(motion, me) {
  return can(me, "ballots.cast") && motion.status !== "draft" && (me.household_ids || []).length > 0;
}

function MotionPanel({ me, motion, onChange }) {
  const tally = useApi(`/api/motions/${motion.id}/tally`);
  const proxies = useProxyUnits(me);
  useLiveEvent(["ballot.", "motion.", "tally."], (event) => {
    const d = event.data || {};
    const about = d.motion_id ?? (d.motion && d.motion.id);
    if (about !== undefined && String(about) !== String(motion.id)) return;
    if (event.type === "tally.updated") tally.setData(d); // the running tally rides on the event
    else if (event.type !== "ballot.cast" || motion.hide_results) tally.reload();
  });
  const action = useAction();
  const [castNow, setMyChoice] = useState(null);
  const [sending, setSending] = useState(null); // the choice on its way to the server
  const [castReceipts, setReceipts] = useState(null);
  // after a reload, the ballot that counts for the caller's own units comes back from the server
  const mine = useApi(canVoteOn(motion, me) ? `/api/motions/${motion.id}/ballots/mine` : null);
  const counted = itemsOf(mine.data).filter((b) => b.counted && b.delegation_id === null);
  const saved = counted.map((b) => b.choice);
  const myChoice = castNow ?? (saved.length ? saved[saved.length - 1] : null);
  const receipts = castReceipts ?? counted;
  // A ballot the server has not answered stays queued on this device (lib/ballot_queue.js)
  // and is sent again when the network or the live socket is back; then its receipt shows.
  const [queued, setQueued] = useState(() => queuedFor(motion.id, me.member_id));
  const liveStatus = useLiveStatus();
  const settle = useCallback(() => {
    setQueued(queuedFor(motion.id, me.member_id));
    const outcome = lastOutcome(motion.id);
    if (!outcome) return;
    forgetOutcome(motion.id);
    if (outcome.result) {
      setMyChoice(outcome.choice);
      setReceipts(itemsOf(outcome.result.ballots));
      action.setError(null);
      tally.reload();
    } else if (outcome.error) action.setError(outcome.error);
  }, [motion.id, me.member_id]);
  useEffect(() => {
    startBallotQueue(me.member_id);
    const off = onBallotQueue(settle);
    if (queuedFor(motion.id, me.member_id)) flushBallots(); // e.g. after a reload
    return off;
  }, [settle]);
  useEffect(() => {
    if (liveStatus === "live" && queuedFor(motion.id, me.member_id)) flushBallots();
  }, [liveStatus]);
  const vote = async (choice) => {
    if (sending) return;
    setSending(choice);
    action.setError(null);
    await castBallot({ motionId: motion.id, memberId: me.member_id, choice });
    setSending(null);
  };
  const [confirmClose, setConfirmClose] = useState(false);
  const transition = async (verb) => {
    setConfirmClose(false);
    const res = await action.run(() => api(`/api/motions/${motion.id}/${verb}`, { method: "POST" }));
    if (res !== undefined) { onChange(); tally.reload(); }
  };
  const ownUnits = (me.household_ids || []).length;
  const canVote = can(me, "ballots.cast") && motion.status === "open" && (ownUnits > 0 || proxies.length > 0);
  return html`<section class="card" aria-labelledby="motion-h" data-testid="motion">
    <h2 id="motion-h">${motion.title}</h2>
    <p><${Status} kind="motion" value=${motion.status} />
      <span class="muted"> · ${t("motion.matterN", { n: motion.matter })}: ${t(`matter.${motion.matter}`)}</span></p>
    ${canVote ? html`<div>
      <p class="muted" data-testid="my-units">${t("meeting.myUnits", { n: ownUnits })}
        ${proxies.length ? html` · ${t("meeting.proxyUnits", { n: proxies.length })}` : null}</p>
      <div class="vote-buttons" role="group" aria-label=${t("vote.label")}>
        ${["yes", "no", "abstain"].map((c) => html`<button type="button" class=${c} data-testid=${`vote-${c}`}
          aria-pressed=${!sending && !queued && myChoice === c ? "true" : "false"} aria-disabled=${sending ? "true" : "false"}
          aria-busy=${sending === c ? "true" : "false"} onClick=${() => vote(c)}>${t(`vote.${c}`)}</button>`)}
      </div>
      ${sending ? html`<p class="notice" role="status" data-testid="vote-sending">${t("vote.sending", { choice: t(`vote.${sending}`) })}</p>`
        : queued ? html`<p class="notice" role="status" data-testid="vote-queued">${t(
          queued.reason === "server" ? "vote.queuedServer" : "vote.queued", { choice: t(`vote.${queued.choice}`) })}</p>`
        : myChoice ? html`<p class="ok" role="status" data-testid="my-vote">${t("vote.recorded", { choice: t(`vote.${myChoice}`) })}
          ${receipts.length ? html`<br /><span class="muted" data-testid="receipt">${t("vote.receipt", {
            codes: receipts.map((r) => r.receipt).join(t("quotes.nameSeparator")),
            at: formatDateTime(receipts[receipts.length - 1].cast_at) })}</span>` : null}</p>` : null}
    </div>` : null}
    <${ErrorBox} error=${action.error} />
    ${can(me, "meetings.manage") ? html`<div class="actions">
      ${motion.status !== "open" && motion.status !== "closed" ? html`<button type="button" class="primary"
        data-testid="open-motion" disabled=${action.busy} onClick=${() => transition("open")}>${t("motion.open")}</button>` : null}
      ${motion.status === "open" && !confirmClose ? html`<button type="button" class="primary" data-testid="close-motion"
        disabled=${action.busy} onClick=${() => setConfirmClose(true)}>${t("motion.close")}</button>` : null}
      ${motion.status === "open" && confirmClose ? html`<${Confirm} testid="confirm-close-motion"
        lines=${closeSummary(tally.data, motion)} yes=${t("motion.closeConfirm")}
        onYes=${() => transition("close")} onNo=${() => setConfirmClose(false)} />` : null}
    </div>` : null}
    <${ErrorBox} error=${tally.error} />
    ${whileLoading(tally) || (tally.data ? html`<${Tally} tally=${tally.data} motion=${motion} />` : null)}
  </section>`;
}

function Tally({ tally, motion }) {
  const rule = thresholdFor(tally.matter ?? motion.matter);
  const quorumText = t("tally.quorumLine");
  const closed = (tally.status || motion.status) === "closed";
  const hidden = tally.results_hidden || tally.yes_area_m2 === null || tally.yes_area_m2 === undefined;
  return html`<div data-testid="tally" aria-live="polite">
    <h3 data-testid="tally-title">${t(closed ? "tally.result" : "tally.title")}</h3>
    <${Bar} testid="bar-participating-area" label=${t("tally.participatingArea")}
      value=${ratioForBar(tally.participating_area_m2, tally.total_area_m2)} threshold=${2 / 3}
      valueText=${`${formatArea(tally.participating_area_m2)} / ${formatArea(tally.total_area_m2)}`}
      thresholdText=${quorumText} />
    <${Bar} testid="bar-participating-owners" label=${t("tally.participatingOwners")}
      value=${ratioForBar(tally.participating_owners, tally.total_owners)} threshold=${2 / 3}
      valueText=${t("tally.ofOwners", { n: tally.participating_owners, total: tally.total_owners })}
      thresholdText=${quorumText} />
    ${hidden ? html`<p class="notice" data-testid="results-hidden">${t("tally.hidden")}</p>` : html`
    <${Bar} testid="bar-yes-area" label=${t("tally.yesArea")}
      value=${ratioForBar(tally.yes_area_m2, tally.participating_area_m2)} threshold=${rule.ratio}
      valueText=${`${formatArea(tally.yes_area_m2)} / ${formatArea(tally.participating_area_m2)}`}
      thresholdText=${t(rule.key)} />
    <${Bar} testid="bar-yes-owners" label=${t("tally.yesOwners")}
      value=${ratioForBar(tally.yes_owners, tally.participating_owners)} threshold=${rule.ratio}
      valueText=${t("tally.ofOwners", { n: tally.yes_owners, total: tally.participating_owners })}
      thresholdText=${t(rule.key)} />
    <p class="muted" data-testid="counts">${t("tally.counts", { yes: tally.yes_owners, no: tally.no_owners ?? 0, abstain: tally.abstain_owners ?? 0 })}</p>`}
    <p data-testid="quorum"><strong>${tally.quorum_met ? t("tally.quorumMet") : t("tally.quorumNotMet")}</strong></p>
    ${closed && tally.passed !== null && tally.passed !== undefined
      ? html`<p class=${`result ${tally.passed ? "passed" : "failed"}`} data-testid="result" role="status">
        ${tally.passed ? t("tally.passed") : t("tally.failed")}</p>
      <${Minutes} motion=${motion} tally=${tally} />`
      : !closed && !hidden ? html`<p class="muted" data-testid="projection">${tally.passed ? t("tally.wouldPass") : t("tally.wouldFail")}</p>` : null}
    ${!closed ? html`<${Shortfalls} items=${shortfalls({ ...tally, results_hidden: hidden }, rule.ratio > 0.5)} />` : null}
  </div>`;
}

/** Why the motion would not pass now: what participation and consent still lack. */
function Shortfalls({ items }) {
  if (!items.length) return null;
  return html`<ul class="plain shortfalls" data-testid="shortfalls">${items.map((s) => html`<li key=${s.what}
    data-testid=${`short-${s.what}`}>${t(`tally.short.${s.what}`, { n: s.owners, area: s.area })}</li>`)}</ul>`;
}

function Minutes({ motion, tally }) {
  return html`<section aria-labelledby="minutes-h" data-testid="minutes">
    <h3 id="minutes-h">${t("minutes.title")}</h3>
    <dl class="kv">
      <dt>${t("minutes.motion")}</dt><dd>${motion.title}</dd>
      <dt>${t("minutes.closedAt")}</dt><dd>${formatDateTime(motion.closed_at) || "—"}</dd>
      <dt>${t("tally.participatingArea")}</dt><dd>${formatArea(tally.participating_area_m2)} / ${formatArea(tally.total_area_m2)}</dd>
      <dt>${t("tally.participatingOwners")}</dt><dd>${tally.participating_owners} / ${tally.total_owners}</dd>
      <dt>${t("tally.yesArea")}</dt><dd>${formatArea(tally.yes_area_m2)}</dd>
      <dt>${t("tally.yesOwners")}</dt><dd>${tally.yes_owners}</dd>
      <dt>${t("minutes.outcome")}</dt><dd>${tally.passed ? t("tally.passed") : t("tally.failed")}</dd>
    </dl>
  </section>`;
}

