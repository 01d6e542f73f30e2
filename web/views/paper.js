// Paper ballots (issue 17), phone first: the committee scans a sheet's QR code with the camera
// (the platform's BarcodeDetector where present, else the vendored jsQR) or types its code,
// taps 同意/反对/弃权 per motion, attaches a photo of the signed sheet and submits. A sheet
// counts once a second member has entered the same choices; a mismatch shows both entries
// side by side with the photos, and a third entry resolves it.
import { html, useState, useEffect, useRef, useCallback } from "../lib/html.js";
import { t } from "../lib/i18n.js";
import { api, itemsOf, ApiError } from "../lib/api.js";
import { ErrorBox, Loading, useApi, useAction, whileLoading } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";
import { formatDateTime } from "../lib/format.js";
import { normalizeCode, groupCode } from "../lib/sheet_code.js";
import { Window } from "./consultation.js";

const CHOICES = ["yes", "no", "abstain"];

export function PaperEntry({ me, params, query }) {
  const c = useApi(`/api/consultations/${params.id}`);
  const [code, setCode] = useState(() => normalizeCode(query && query.code));
  const [entered, setEntered] = useState(0); // entries made on this page: the lists look again
  useEffect(() => { setCode(normalizeCode(query && query.code)); }, [query && query.code]);
  if (c.loading && !c.data) return html`<${Loading} />`;
  if (c.error) return html`<${ErrorBox} error=${c.error} />`;
  const x = c.data;
  const choose = (next) => {
    const norm = normalizeCode(next);
    location.hash = norm ? `#/consultations/${x.id}/paper?code=${encodeURIComponent(norm)}` : `#/consultations/${x.id}/paper`;
    setCode(norm);
  };
  return html`<h1>${t("paper.title")}</h1>
    <p><a href=${`#/consultations/${x.id}`} data-testid="back-to-consultation">${x.title}</a>
      <span class="muted"> · <${Window} c=${x} /></span></p>
    ${code ? html`<${SheetEntry} key=${code} me=${me} c=${x} code=${code} onNext=${() => choose("")}
      onEntered=${() => setEntered((n) => n + 1)} />`
      : html`<${CodeInput} onCode=${choose} />`}
    <${SheetLists} c=${x} current=${code} entered=${entered} />`;
}

/** Scan or type a sheet's code. */
function CodeInput({ onCode }) {
  const [typed, setTyped] = useState("");
  const [scanning, setScanning] = useState(false);
  const submit = (e) => {
    e.preventDefault();
    if (normalizeCode(typed)) onCode(typed);
  };
  return html`<section class="card" aria-labelledby="code-h" data-testid="code-input">
    <h2 id="code-h">${t("paper.whichSheet")}</h2>
    ${scanning ? html`<${Scanner} onCode=${(text) => { setScanning(false); onCode(text); }} onClose=${() => setScanning(false)} />`
      : html`<div class="actions"><button type="button" class="primary" data-testid="scan" onClick=${() => setScanning(true)}>${t("paper.scan")}</button></div>`}
    <form onSubmit=${submit}>
      <label for="sheet-code">${t("paper.typeCode")}</label>
      <input id="sheet-code" data-testid="sheet-code" autocomplete="off" autocapitalize="characters" spellcheck="false"
        value=${typed} onInput=${(e) => setTyped(e.currentTarget.value)} />
      <p class="muted">${t("paper.typeHint")}</p>
      <div class="actions"><button type="submit" data-testid="use-code" disabled=${!normalizeCode(typed)}>${t("paper.useCode")}</button></div>
    </form>
  </section>`;
}

/** The rear camera, read for a QR code every few frames until one is found. */
function Scanner({ onCode, onClose }) {
  const video = useRef(null);
  const [problem, setProblem] = useState(null);
  const [how, setHow] = useState("");
  useEffect(() => {
    let alive = true;
    let stream = null;
    let timer = null;
    const canvas = document.createElement("canvas");
    const stop = () => {
      if (timer) clearTimeout(timer);
      if (stream) for (const track of stream.getTracks()) track.stop();
    };
    (async () => {
      try {
        if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error("no camera");
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
        if (!alive) { stop(); return; }
        video.current.srcObject = stream;
        await video.current.play();
        const read = await reader();
        setHow(read.kind);
        const tick = async () => {
          if (!alive) return;
          try {
            const text = await read.decode(video.current, canvas);
            if (text && alive) { stop(); onCode(text); return; }
          } catch {
            /* a frame that could not be read: try the next one */
          }
          timer = setTimeout(tick, 200);
        };
        tick();
      } catch {
        if (alive) setProblem(t("paper.noCamera"));
      }
    })();
    return () => { alive = false; stop(); };
  }, []);
  return html`<div class="scanner" data-testid="scanner">
    ${problem ? html`<p class="notice" role="status" data-testid="no-camera">${problem}</p>`
      : html`<video ref=${video} class="scanner-video" muted playsinline aria-label=${t("paper.scanning")}></video>
        <p class="muted" role="status">${t("paper.scanning")}${how ? html` <span class="muted">(${t(`paper.reader.${how}`)})</span>` : null}</p>`}
    <div class="actions"><button type="button" onClick=${onClose}>${t("paper.stopScan")}</button></div>
  </div>`;
}

/** The platform's detector where it reads QR codes, else jsQR on the frame's pixels. */
async function reader() {
  if (typeof globalThis.BarcodeDetector === "function") {
    try {
      const formats = await globalThis.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) {
        const detector = new globalThis.BarcodeDetector({ formats: ["qr_code"] });
        return {
          kind: "platform",
          decode: async (video) => {
            const found = await detector.detect(video);
            return found.length ? found[0].rawValue : null;
          },
        };
      }
    } catch {
      /* fall through to jsQR */
    }
  }
  await import("../vendor/jsQR.js");
  const jsQR = globalThis.jsQR;
  return {
    kind: "jsqr",
    decode: async (video, canvas) => {
      const w = video.videoWidth;
      const h = video.videoHeight;
      if (!w || !h) return null;
      const scale = Math.min(1, 800 / Math.max(w, h));
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      const ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const found = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      return found ? found.data : null;
    },
  };
}

/** What is known of a sheet (404: no entry yet). */
function useSheet(c, code) {
  const sheet = useApi(`/api/consultations/${c.id}/paper-entries/${encodeURIComponent(code)}`);
  useLiveEvent(["paper."], (event) => {
    const d = event.data || {};
    if (!d.code || normalizeCode(d.code) === code) sheet.reload();
  });
  const none = sheet.error instanceof ApiError && sheet.error.status === 404;
  return { ...sheet, data: none ? null : sheet.data, error: none ? null : sheet.error };
}

// The photo's file input is hidden behind a labelled button: the browser's own file button
// speaks the browser's language, not the page's.
function SheetEntry({ me, c, code, onNext, onEntered }) {
  const sheet = useSheet(c, code);
  const action = useAction();
  const [choices, setChoices] = useState({});
  const [photo, setPhoto] = useState(null); // {sha256, url}
  const [uploading, setUploading] = useState(false);
  const [photoError, setPhotoError] = useState(null);
  const [result, setResult] = useState(null);
  const motions = itemsOf(c.motions);
  // the entries of the sheet's current round (a counted sheet entered again starts a new one)
  const entries = sheet.data ? itemsOf(sheet.data.entries).filter((e) => e.round === undefined
    || sheet.data.round === undefined || e.round === sheet.data.round) : [];
  const mineAlready = entries.some((e) => String(e.entered_by) === String(me.member_id));
  const known = (result && result.state) || (sheet.data && sheet.data.state) || null;
  const state = known === "not_entered" ? null : known;
  useEffect(() => () => { if (photo && photo.url) URL.revokeObjectURL(photo.url); }, [photo]);
  const attach = async (e) => {
    const file = e.currentTarget.files && e.currentTarget.files[0];
    if (!file) return;
    setUploading(true);
    setPhotoError(null);
    try {
      const stored = await api(`/api/estates/${me.estate_id}/photos`, {
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
    const body = {
      code,
      choices: motions.filter((m) => choices[m.id]).map((m) => ({ motion_id: m.id, choice: choices[m.id] })),
    };
    if (photo) body.photo_sha256 = photo.sha256;
    const res = await action.run(() => api(`/api/consultations/${c.id}/paper-entries`, { method: "POST", body }));
    if (res) { setResult(res); sheet.reload(); onEntered(); }
  };
  const chosen = motions.filter((m) => choices[m.id]).length;
  return html`<section class="card" aria-labelledby="sheet-h" data-testid="sheet-entry">
    <h2 id="sheet-h">${t("paper.sheet")} <span class="code" data-testid="sheet-code-shown">${groupCode(code)}</span></h2>
    <${ErrorBox} error=${sheet.error} />
    ${whileLoading(sheet)}
    ${sheet.error ? html`<div class="actions"><button type="button" class="primary" data-testid="another-code" onClick=${onNext}>
      ${t("paper.anotherCode")}</button></div>` : null}
    ${state ? html`<p class=${state === "counted" ? "ok" : "notice"} role="status" data-state=${state}
      data-testid=${result ? "entry-result" : "entry-state"}>
      ${t(`paper.state.${state}`)}</p>` : null}
    ${state === "mismatch" && !result ? html`<${SideBySide} me=${me} motions=${motions} entries=${entries} />` : null}
    ${sheet.error || (sheet.loading && !sheet.data) ? null : result ? html`<div class="actions"><button type="button" class="primary" data-testid="next-sheet" onClick=${onNext}>${t("paper.next")}</button></div>`
      : state === "counted" ? html`<div class="actions"><button type="button" onClick=${onNext}>${t("paper.next")}</button></div>`
      : mineAlready ? html`<p class="notice" data-testid="already-entered">${t("paper.alreadyYours")}</p>
        <div class="actions"><button type="button" onClick=${onNext}>${t("paper.next")}</button></div>`
      : html`<form onSubmit=${submit} data-testid="entry-form">
        ${state === "mismatch" ? html`<p class="notice">${t("paper.thirdEntry")}</p>` : null}
        ${motions.map((m, i) => html`<fieldset key=${m.id} class="paper-motion" data-testid="paper-motion">
          <legend>${i + 1}. ${m.title}</legend>
          <div class="vote-buttons" role="group" aria-label=${m.title}>
            ${CHOICES.map((v) => html`<button type="button" class=${v} data-testid=${`paper-${v}`}
              aria-pressed=${choices[m.id] === v ? "true" : "false"}
              onClick=${() => setChoices((cs) => ({ ...cs, [m.id]: cs[m.id] === v ? undefined : v }))}>${t(`vote.${v}`)}</button>`)}
          </div>
        </fieldset>`)}
        <p><strong>${t("paper.photo")}</strong></p>
        <input id="sheet-photo" class="sr-only" data-testid="sheet-photo" type="file" accept="image/jpeg,image/png,image/webp"
          capture="environment" onChange=${attach} />
        <label for="sheet-photo" class="button photo-button">
          ${t(photo ? "paper.photoAgain" : "paper.photoTake")}</label>
        ${uploading ? html`<p class="muted" role="status">${t("paper.uploading")}</p>` : null}
        ${photo ? html`<p class="ok" data-testid="photo-attached">${t("paper.photoAttached")}</p>
          <img class="sheet-photo" src=${photo.url} alt=${t("paper.photoAlt")} />` : null}
        <${ErrorBox} error=${photoError} />
        <p class="muted">${t("paper.chosen", { n: chosen, total: motions.length })}</p>
        <div class="actions"><button type="submit" class="primary" data-testid="submit-entry" disabled=${action.busy || uploading || chosen < motions.length}>
          ${t("paper.submit")}</button>
          <button type="button" onClick=${onNext}>${t("common.cancel")}</button></div>
      </form>`}
    <${ErrorBox} error=${action.error} />
  </section>`;
}

/** Both entries of a mismatched sheet, motion by motion, with the photos. */
function SideBySide({ me, motions, entries }) {
  const pick = (entry, motionId) => {
    const found = itemsOf(entry.choices).find((x) => String(x.motion_id) === String(motionId));
    return found ? t(`vote.${found.choice}`) : "—";
  };
  return html`<div data-testid="side-by-side">
    <div class="table-wrap"><table>
      <thead><tr><th>${t("paper.motion")}</th>${entries.map((e, i) => html`<th key=${e.entry_id}>
        ${t("paper.entryN", { n: i + 1 })}<div class="muted">${e.entered_by_name || `#${e.entered_by}`} · ${formatDateTime(e.entered_at)}</div></th>`)}</tr></thead>
      <tbody>${motions.map((m) => {
        const values = entries.map((e) => pick(e, m.id));
        const differ = new Set(values).size > 1;
        return html`<tr key=${m.id} class=${differ ? "differs" : ""}><td>${m.title}${differ ? html` <strong>${t("paper.differs")}</strong>` : null}</td>
          ${values.map((v, i) => html`<td key=${i}>${v}</td>`)}</tr>`;
      })}</tbody>
    </table></div>
    <div class="grid two">${entries.filter((e) => e.photo_sha256).map((e) => html`<figure key=${e.entry_id}>
      <img class="sheet-photo" src=${`/api/estates/${me.estate_id}/photos/${e.photo_sha256}`} alt=${t("paper.photoAlt")} loading="lazy" />
      <figcaption class="muted">${e.entered_by_name || `#${e.entered_by}`}</figcaption></figure>`)}</div>
  </div>`;
}

/** Mismatched sheets to resolve and sheets awaiting their second entry. */
function SheetLists({ c, current, entered }) {
  const mismatched = useApi(`/api/consultations/${c.id}/paper-entries?state=mismatch`);
  const awaiting = useApi(`/api/consultations/${c.id}/paper-entries?state=awaiting_second`);
  const reload = useCallback(() => { mismatched.reload(); awaiting.reload(); }, [mismatched.reload, awaiting.reload]);
  useLiveEvent(["paper."], reload);
  useEffect(() => { if (entered) reload(); }, [entered]);
  const link = (s) => html`<li key=${s.code}><a href=${`#/consultations/${c.id}/paper?code=${encodeURIComponent(s.code)}`}
    aria-current=${normalizeCode(s.code) === current ? "true" : undefined}><span class="code">${groupCode(s.code)}</span></a></li>`;
  return html`<section class="card" aria-labelledby="mismatch-h" data-testid="mismatches">
      <h2 id="mismatch-h">${t("paper.mismatches", { n: itemsOf(mismatched.data).length })}</h2>
      <${ErrorBox} error=${mismatched.error} />
      ${whileLoading(mismatched) || (itemsOf(mismatched.data).length
        ? html`<ul class="plain">${itemsOf(mismatched.data).map(link)}</ul>` : html`<p class="muted">${t("paper.noMismatch")}</p>`)}
    </section>
    <section class="card" aria-labelledby="awaiting-h" data-testid="awaiting">
      <h2 id="awaiting-h">${t("paper.awaiting", { n: itemsOf(awaiting.data).length })}</h2>
      <${ErrorBox} error=${awaiting.error} />
      ${whileLoading(awaiting) || (itemsOf(awaiting.data).length
        ? html`<ul class="plain">${itemsOf(awaiting.data).map(link)}</ul>` : html`<p class="muted">${t("paper.noAwaiting")}</p>`)}
    </section>`;
}
