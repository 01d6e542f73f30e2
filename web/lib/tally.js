// Why a motion would not pass now, in numbers: how far participation is from two thirds
// (owners and area), and how many more "yes" votes (from owners who have not voted yet)
// consent still needs. Exact integer arithmetic on areas in hundredths of m², with the
// thresholds of planner/deliberation/rules.py (Art. 278): participation ≥ 2/3 of owners and
// of area; consent of the participating > 1/2 (ordinary) or ≥ 3/4 (matters 6–8).

/** "1234.56" → 123456 (hundredths of m²); null for anything else. */
export function hundredths(area) {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(area ?? ""));
  return m ? Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0")) : null;
}

/** 11334 → "113.34" */
export function areaText(h) {
  return `${Math.floor(h / 100)}.${String(h % 100).padStart(2, "0")}`;
}

/** The shortfalls of a running tally: [{what, owners?, area?}] with `what` one of
 * "quorumOwners", "quorumArea", "consentOwners", "consentArea"; empty when nothing is short.
 * `special`: the ≥ 3/4 rule (matters 6–8). Consent is left out while results are hidden. */
export function shortfalls(tally, special) {
  const out = [];
  const total = Number(tally.total_owners) || 0;
  const voted = Number(tally.participating_owners) || 0;
  const totalArea = hundredths(tally.total_area_m2);
  const votedArea = hundredths(tally.participating_area_m2);
  const owners = Math.ceil((2 * total) / 3) - voted;
  if (total > 0 && owners > 0) out.push({ what: "quorumOwners", owners });
  if (totalArea !== null && votedArea !== null) {
    const area = Math.ceil((2 * totalArea) / 3) - votedArea;
    if (totalArea > 0 && area > 0) out.push({ what: "quorumArea", area: areaText(area) });
  }
  const yes = tally.yes_owners;
  const yesArea = hundredths(tally.yes_area_m2);
  if (yes === null || yes === undefined || yesArea === null || tally.results_hidden) return out;
  // k new voters all saying yes: (yes + k) / (voted + k) must reach the rule
  const need = (y, p) => Math.max(0, special ? 3 * p - 4 * y : p - 2 * y + 1);
  const more = need(Number(yes), voted);
  if (more > 0) out.push({ what: "consentOwners", owners: more });
  if (votedArea !== null) {
    const moreArea = need(yesArea, votedArea);
    if (moreArea > 0) out.push({ what: "consentArea", area: areaText(moreArea) });
  }
  return out;
}
