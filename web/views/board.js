// The estate's public board (公示栏, issue 18): the figures the district asks for, small
// hand-drawn SVG bar charts (common problems by category and by status, with the same
// numbers in a table for screen readers), the list of common problems with who is
// responsible, the printable A4 page and the CSV, and — when the wishes summary answers —
// the 微心愿 fulfilled per partner unit.
import { html, useState, useEffect } from "../lib/html.js";
import { t, getLang } from "../lib/i18n.js";
import { api } from "../lib/api.js";
import { ErrorBox, useApi, whileLoading } from "../lib/ui.js";
import { useLiveEvent } from "../live.js";
import { formatDate } from "../lib/format.js";
import { ProblemStatus, categoryName, statusName } from "./problems.js";

export const FIGURES = [
  "suggestions_received", "suggestions_sorted", "self_help", "problems_listed",
  "problems_solved", "problems_urgent_solved",
];

/** A horizontal bar chart drawn as SVG: one bar per {label, value}; fits its container. */
export function BarChart({ title, bars, testid }) {
  const row = 26;
  const labelW = 96;
  const width = 320;
  const span = width - labelW - 36;
  const most = Math.max(1, ...bars.map((b) => b.value));
  const height = 6 + row * Math.max(1, bars.length);
  return html`<figure class="board-chart" data-testid=${testid}>
    <svg viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${title} preserveAspectRatio="xMinYMin meet">
      <title>${title}</title>
      ${bars.map((b, i) => {
        const y = 4 + i * row;
        const w = Math.round((span * b.value) / most);
        return html`<g key=${b.label}>
          <text x=${labelW - 6} y=${y + 16} text-anchor="end" font-size="12" fill="currentColor">${b.label}</text>
          <rect x=${labelW} y=${y + 4} width=${w} height="16" rx="2" class="board-bar"></rect>
          <text x=${labelW + w + 4} y=${y + 16} font-size="12" fill="currentColor">${b.value}</text>
        </g>`;
      })}
    </svg>
    <figcaption class="sr-only">${title}</figcaption>
  </figure>`;
}

function printLang() {
  return getLang() === "en" ? "en" : "zh";
}

export function Board({ me }) {
  const board = useApi(`/api/estates/${me.estate_id}/board`);
  useLiveEvent(["problem."], board.reload);
  const [wishes, setWishes] = useState(null);
  useEffect(() => {
    let alive = true;
    api(`/api/estates/${me.estate_id}/wishes/summary`).then(
      (data) => alive && setWishes(data),
      () => alive && setWishes(null),
    );
    return () => { alive = false; };
  }, [me.estate_id]);
  const b = board.data;
  const base = `/api/estates/${me.estate_id}`;
  return html`<h1>${t("board.title")}</h1>
    <${ErrorBox} error=${board.error} />
    ${whileLoading(board) || (b ? html`
      <p class="muted">${b.estate_name}</p>
      <section aria-labelledby="board-figures-h">
        <h2 id="board-figures-h">${t("board.figures")}</h2>
        <ul class="board-tiles" data-testid="board-figures">
          ${FIGURES.map((key) => html`<li key=${key} class="board-tile" data-testid=${`figure-${key}`}>
            <span class="board-number">${b.figures[key] ?? 0}</span>
            <span class="board-label">${t(`board.figure.${key}`)}</span></li>`)}
        </ul>
      </section>
      <section class="card">
        <h2>${t("board.byCategory")}</h2>
        <${BarChart} testid="chart-category" title=${t("board.chartCategory")}
          bars=${b.by_category.filter((c) => c.problems || c.suggestions).map((c) => ({ label: categoryName(c.category), value: c.problems }))} />
        <table class="board-table"><thead><tr><th>${t("board.category")}</th><th class="num">${t("board.suggestions")}</th><th class="num">${t("board.problems")}</th></tr></thead>
          <tbody>${b.by_category.filter((c) => c.problems || c.suggestions).map((c) => html`<tr key=${c.category}>
            <td>${categoryName(c.category)}</td><td class="num">${c.suggestions}</td><td class="num">${c.problems}</td></tr>`)}</tbody></table>
      </section>
      <section class="card">
        <h2>${t("board.byStatus")}</h2>
        <${BarChart} testid="chart-status" title=${t("board.chartStatus")}
          bars=${b.by_status.map((s) => ({ label: statusName(s.status), value: s.problems }))} />
      </section>
      ${wishes && Array.isArray(wishes.partners) ? html`<section class="card" data-testid="board-wishes">
        <h2>${t("board.wishes")}</h2>
        <${BarChart} testid="chart-wishes" title=${t("board.chartWishes")}
          bars=${wishes.partners.map((x) => ({ label: x.display_name, value: x.fulfilled }))} />
        <p class="muted">${t("board.wishesTotal", { n: wishes.partners.reduce((sum, x) => sum + (x.fulfilled || 0), 0) })}</p>
      </section>` : null}
      <section class="card">
        <h2>${t("board.list")}</h2>
        ${b.problems.length === 0 ? html`<p class="muted">${t("board.none")}</p>`
          : html`<ul class="plain" data-testid="board-problems">${b.problems.map((p) => html`<li key=${p.id} data-testid="board-problem">
            <strong>${p.title}</strong> <${ProblemStatus} value=${p.status} />
            ${p.urgency === "urgent" ? html` <span class="badge badge-urgent">${t("problem.urgency.urgent")}</span>` : null}
            <div class="muted">${categoryName(p.category)} · ${t("problem.responsibleLabel")}${t("common.colon")}${p.responsible || t("problem.nobody")}
              ${p.solved_at ? html` · ${t("board.solvedOn", { date: formatDate(p.solved_at) })}` : null}</div></li>`)}</ul>`}
      </section>
      <div class="actions">
        <a class="button" href=${`${base}/board.html?lang=${printLang()}`} target="_blank" rel="noopener" data-testid="board-print">${t("board.print")}</a>
        <a class="button" href=${`${base}/board.csv?lang=${printLang()}`} data-testid="board-csv">${t("board.csv")}</a>
      </div>` : null)}`;
}
