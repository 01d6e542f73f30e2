// The district's overview (issue 21): the estates a district member (区/街道/社区) was
// assigned, in figures, three small SVG charts (turnout by area and head count, tenders'
// savings against the first quotes, the residents' share against its band) with their
// numbers in the table, a table sorted on the server by any column, filters, the CSV/XLSX
// downloads, and how fresh the figures are ("data as of", in the estates' zone). Aggregates
// only: the API never sends a person, a ballot or a payment.
import { html, useState, useEffect } from "../lib/html.js";
import { t, getLang } from "../lib/i18n.js";
import { ErrorBox, Money, useApi, whileLoading } from "../lib/ui.js";
import { formatDateTime, formatFen, formatPct, formatWan, setTimeZone, shareToPct } from "../lib/format.js";

/** How often the page reads the overview again (the figures change as people vote and pay). */
const REFRESH_MS = 30_000;
/** The charts draw the first rows of the table (in its order); the table has them all. */
const CHART_ROWS = 12;

const COLUMNS = [
  { key: "name", label: "district.col.name" },
  { key: "households", label: "district.col.households", num: true },
  { key: "decisions_open", label: "district.col.open", num: true },
  { key: "turnout_area_pct", label: "district.col.turnoutArea", num: true, pct: true },
  { key: "turnout_owners_pct", label: "district.col.turnoutOwners", num: true, pct: true },
  { key: "decisions_passed", label: "district.col.passed", num: true },
  { key: "decisions_failed", label: "district.col.failed", num: true },
  { key: "first_quotes_fen", label: "district.col.first", num: true, money: true },
  { key: "current_fen", label: "district.col.current", num: true, money: true },
  { key: "saving_pct", label: "district.col.saving", num: true, pct: true },
  { key: "residents_share", label: "district.col.share", num: true, share: true },
  { key: "collected_pct", label: "district.col.collected", num: true, pct: true },
  { key: "problems_solved", label: "district.col.solved", num: true },
  { key: "wishes_fulfilled", label: "district.col.wishes", num: true },
];

/** A large sum short: 360万元 in Chinese, ¥3,600,000.00 in English. */
function short(fen) {
  return getLang() === "zh-CN" ? formatWan(fen) || formatFen(fen) : formatFen(fen);
}

function lang() {
  return getLang() === "en" ? "en" : "zh";
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

export function District() {
  const [sort, setSort] = useState("name");
  const [area, setArea] = useState("");
  const [band, setBand] = useState("");
  const [q, setQ] = useState("");
  const filters = { sort, area, band, q: q.trim() };
  const overview = useApi(`/api/district/overview${query(filters)}`);
  useEffect(() => {
    const timer = setInterval(overview.reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [overview.reload]);
  const o = overview.data;
  useEffect(() => { if (o) setTimeZone(o.time_zone); }, [o && o.time_zone]);
  const download = (ext) => `/api/district/overview.${ext}${query({ ...filters, lang: lang() })}`;
  return html`<h1>${t("district.title")}</h1>
    <p class="muted">${t("district.intro")}</p>
    ${o ? html`<p class="muted" data-testid="district-as-of">${t(asOfKey(o),
      { at: formatDateTime(o.data_as_of, o.time_zone), zone: o.time_zone, lag: Math.round(o.data_lag_s) })}</p>` : null}
    <${ErrorBox} error=${overview.error} />
    ${whileLoading(overview) || (o ? html`
      <${Figures} totals=${o.totals} />
      <div class="card filters" data-testid="district-filters">
        <label for="df-q">${t("district.search")}</label>
        <input id="df-q" type="search" value=${q} onInput=${(e) => setQ(e.currentTarget.value)} />
        ${o.areas.length ? html`<label for="df-area">${t("district.area")}</label>
          <select id="df-area" value=${area} onChange=${(e) => setArea(e.currentTarget.value)}>
            <option value="">${t("district.all")}</option>
            ${o.areas.map((a) => html`<option value=${a} key=${a}>${a}</option>`)}
          </select>` : null}
        <label for="df-band">${t("district.band")}</label>
        <select id="df-band" value=${band} onChange=${(e) => setBand(e.currentTarget.value)}>
          <option value="">${t("district.all")}</option>
          ${["within", "outside", "below", "above"].map((b) => html`<option value=${b} key=${b}>${t(`district.bandPos.${b}`)}</option>`)}
        </select>
      </div>
      ${o.estates.length === 0 ? html`<p class="muted card" data-testid="district-none">${t("district.none")}</p>` : html`
        <section class="card">
          <h2>${t("district.turnoutChart")}</h2>
          <${TurnoutChart} rows=${o.estates.slice(0, CHART_ROWS)} />
          <h2>${t("district.savingChart")}</h2>
          <${SavingChart} rows=${o.estates.filter((r) => r.tenders > 0).slice(0, CHART_ROWS)} />
          <${TopTenders} rows=${o.estates} />
          <h2>${t("district.shareChart")}</h2>
          <${ShareChart} rows=${o.estates.filter((r) => r.residents_share !== null).slice(0, CHART_ROWS)} />
          ${o.estates.length > CHART_ROWS ? html`<p class="muted">${t("district.chartFirst", { n: CHART_ROWS, total: o.estates.length })}</p>` : null}
        </section>
        <${Table} rows=${o.estates} sort=${sort} onSort=${setSort} />`}
      <p class="actions" data-testid="district-downloads">
        <a class="button" href=${download("csv")} download data-testid="district-csv">${t("district.csv")}</a>
        <a class="button" href=${download("xlsx")} download data-testid="district-xlsx">${t("district.xlsx")}</a>
      </p>` : null)}`;
}

function Figures({ totals: x }) {
  const tiles = [
    ["estates", x.estates],
    ["households", x.households],
    ["open", x.decisions_open],
    ["turnout", x.turnout_area_pct === null ? "—" : formatPct(x.turnout_area_pct)],
    ["passed", `${x.decisions_passed} / ${x.decisions_failed}`],
    ["saving", x.saving_pct === null ? "—" : formatPct(x.saving_pct)],
    ["share", x.residents_share === null ? "—" : shareToPct(x.residents_share)],
    ["inBand", `${x.within_band} / ${x.within_band + x.outside_band}`],
    ["collected", x.collected_pct === null ? "—" : formatPct(x.collected_pct)],
    ["solved", x.problems_solved],
    ["wishes", x.wishes_fulfilled],
  ];
  return html`<section aria-labelledby="district-figures-h">
    <h2 id="district-figures-h">${t("district.figures")}</h2>
    <ul class="board-tiles" data-testid="district-figures">
      ${tiles.map(([key, value]) => html`<li key=${key} class="board-tile" data-testid=${`district-figure-${key}`}>
        <span class="board-number">${value}</span><span class="board-label">${t(`district.figure.${key}`)}</span></li>`)}
    </ul>
    ${x.first_quotes_fen ? html`<p data-testid="district-saving-line">${t("district.savingLine", {
      first: short(x.first_quotes_fen), current: short(x.current_fen), pct: formatPct(x.saving_pct) })}</p>` : null}
  </section>`;
}

const WIDTH = 340;
const LABEL_W = 92;
const ROW = 30;

function label(name) {
  return name.length > 7 ? `${name.slice(0, 6)}…` : name;
}

function num(text) {
  return text === null || text === undefined ? 0 : Number(text);
}

/** Two bars per estate: participation by area (filled) and by head count (outlined). */
function TurnoutChart({ rows }) {
  const span = WIDTH - LABEL_W - 44;
  const height = 24 + ROW * Math.max(1, rows.length);
  const title = t("district.turnoutChart");
  return html`<figure class="board-chart" data-testid="district-chart-turnout">
    <svg viewBox=${`0 0 ${WIDTH} ${height}`} role="img" aria-label=${title} preserveAspectRatio="xMinYMin meet">
      <title>${title}</title>
      <rect x=${LABEL_W} y="4" width="10" height="8" class="board-bar"></rect>
      <text x=${LABEL_W + 14} y="12" font-size="10" fill="currentColor">${t("district.byArea")}</text>
      <rect x=${LABEL_W + 90} y="4" width="10" height="8" fill="none" stroke="currentColor"></rect>
      <text x=${LABEL_W + 104} y="12" font-size="10" fill="currentColor">${t("district.byHead")}</text>
      ${rows.map((r, i) => {
        const y = 20 + i * ROW;
        const a = Math.round((span * Math.min(100, num(r.turnout_area_pct))) / 100);
        const h = Math.round((span * Math.min(100, num(r.turnout_owners_pct))) / 100);
        return html`<g key=${r.estate_id}>
          <text x=${LABEL_W - 6} y=${y + 15} text-anchor="end" font-size="12" fill="currentColor">${label(r.name)}</text>
          <rect x=${LABEL_W} y=${y + 2} width=${a} height="11" rx="2" class="board-bar"></rect>
          <rect x=${LABEL_W} y=${y + 15} width=${h} height="11" rx="2" fill="none" stroke="currentColor"></rect>
          <text x=${LABEL_W + Math.max(a, h) + 4} y=${y + 15} font-size="11" fill="currentColor">${r.turnout_area_pct === null ? "—" : formatPct(r.turnout_area_pct)}</text>
        </g>`;
      })}
    </svg>
  </figure>`;
}

/** First quotes (outlined) against the award or latest round (filled), with the change. */
function SavingChart({ rows }) {
  const span = WIDTH - LABEL_W - 52;
  const most = Math.max(1, ...rows.map((r) => r.first_quotes_fen));
  const height = 6 + ROW * Math.max(1, rows.length);
  const title = t("district.savingChart");
  if (!rows.length) return html`<p class="muted">${t("district.noTenders")}</p>`;
  return html`<figure class="board-chart" data-testid="district-chart-saving">
    <svg viewBox=${`0 0 ${WIDTH} ${height}`} role="img" aria-label=${title} preserveAspectRatio="xMinYMin meet">
      <title>${title}</title>
      ${rows.map((r, i) => {
        const y = 4 + i * ROW;
        const f = Math.round((span * r.first_quotes_fen) / most);
        const c = Math.round((span * Math.min(r.current_fen, most)) / most);
        return html`<g key=${r.estate_id}>
          <text x=${LABEL_W - 6} y=${y + 16} text-anchor="end" font-size="12" fill="currentColor">${label(r.name)}</text>
          <rect x=${LABEL_W} y=${y + 3} width=${f} height="18" rx="2" fill="none" stroke="currentColor"></rect>
          <rect x=${LABEL_W} y=${y + 7} width=${c} height="10" rx="2" class="board-bar"></rect>
          <text x=${LABEL_W + f + 4} y=${y + 16} font-size="11" fill="currentColor">${formatPct(r.saving_pct)}</text>
        </g>`;
      })}
    </svg>
  </figure>`;
}

/** The tenders that saved most against their first quotes, across the district. */
function TopTenders({ rows }) {
  const works = rows.flatMap((r) => (r.tender_works || []).map((w) => ({ ...w, estate: r.name })))
    .filter((w) => w.change_pct !== null)
    .sort((a, b) => Number(a.change_pct) - Number(b.change_pct))
    .slice(0, 5);
  if (!works.length) return null;
  return html`<h3>${t("district.topTenders")}</h3>
    <ul class="plain" data-testid="district-top-tenders">${works.map((w) => html`<li key=${w.work_id}>
      ${w.estate} · ${w.title}${t("common.colon")}${short(w.first_fen)} → ${short(w.current_fen)}
      (${formatPct(w.change_pct)})${w.awarded ? "" : html` <span class="muted">${t("district.notAwarded")}</span>`}</li>`)}</ul>`;
}

/** The residents' share (a mark) on a 0–50 % scale (wider when needed), the band shaded. */
function ShareChart({ rows }) {
  const span = WIDTH - LABEL_W - 48;
  const top = Math.max(0.5, ...rows.map((r) => Math.max(num(r.residents_share), num(r.band_high))));
  const x = (share) => LABEL_W + Math.round((span * Math.min(share, top)) / top);
  const height = 6 + ROW * Math.max(1, rows.length);
  const title = t("district.shareChart");
  if (!rows.length) return html`<p class="muted">${t("district.noPlans")}</p>`;
  return html`<figure class="board-chart" data-testid="district-chart-share">
    <svg viewBox=${`0 0 ${WIDTH} ${height}`} role="img" aria-label=${title} preserveAspectRatio="xMinYMin meet">
      <title>${title}</title>
      ${rows.map((r, i) => {
        const y = 4 + i * ROW;
        const lo = x(num(r.band_low));
        const hi = x(num(r.band_high));
        const at = x(num(r.residents_share));
        return html`<g key=${r.estate_id} data-position=${r.band_position}>
          <text x=${LABEL_W - 6} y=${y + 16} text-anchor="end" font-size="12" fill="currentColor">${label(r.name)}</text>
          <line x1=${LABEL_W} x2=${LABEL_W + span} y1=${y + 12} y2=${y + 12} stroke="currentColor" stroke-opacity="0.3"></line>
          <rect x=${lo} y=${y + 4} width=${Math.max(1, hi - lo)} height="16" fill="currentColor" fill-opacity="0.15"></rect>
          ${r.band_position === "within"
            ? html`<circle cx=${at} cy=${y + 12} r="5" class="board-bar"></circle>`
            : html`<circle cx=${at} cy=${y + 12} r="5" fill="none" stroke="currentColor" stroke-width="3"></circle>`}
          <text x=${LABEL_W + span + 4} y=${y + 16} font-size="11" fill="currentColor">${shareToPct(r.residents_share)}</text>
        </g>`;
      })}
    </svg>
  </figure>`;
}

function cell(row, col) {
  const value = row[col.key];
  if (col.money) return html`<${Money} fen=${value} wan=${false} />`;
  if (value === null || value === undefined) return "—";
  if (col.pct) return formatPct(value);
  if (col.share) return shareToPct(value);
  return value;
}

/** Every estate; a column's header sorts by it (again: the other way), on the server. */
function Table({ rows, sort, onSort }) {
  const field = sort.replace(/^-/, "");
  const descending = sort.startsWith("-");
  return html`<div class="table-wrap card">
    <table class="district-table" data-testid="district-table">
      <caption class="sr-only">${t("district.tableCaption")}</caption>
      <thead><tr>${COLUMNS.map((c) => html`<th key=${c.key} class=${c.num ? "num" : undefined}
          aria-sort=${c.key === field ? (descending ? "descending" : "ascending") : undefined}>
        <button type="button" class="linkish" data-testid=${`district-sort-${c.key}`}
          onClick=${() => onSort(c.key === field && !descending ? `-${c.key}` : c.key)}>
          ${t(c.label)}${c.key === field ? (descending ? " ▼" : " ▲") : ""}</button></th>`)}</tr></thead>
      <tbody>${rows.map((r) => html`<tr key=${r.estate_id} data-testid="district-row" data-estate=${r.estate_id}>
        ${COLUMNS.map((c) => (c.key === "name"
          ? html`<th scope="row" key=${c.key}>${r.name}${r.area ? html`<br /><span class="muted">${r.area}</span>` : null}</th>`
          : html`<td key=${c.key} class="num">${cell(r, c)}</td>`))}
      </tr>`)}</tbody>
    </table></div>`;
}

/** "Data as of …": from the primary, a replica keeping up, or one a second or more behind. */
function asOfKey(o) {
  if (o.read_from !== "replica") return "district.asOf";
  return o.data_lag_s >= 1 ? "district.asOfReplicaLag" : "district.asOfReplica";
}
