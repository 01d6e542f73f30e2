// The one route table: each hash path names its view, the capability a member needs to see
// it (none: everyone; a list: any of them) and, for a section's first page, the navigation
// label. A page belongs to the section of its first path segment (#/funding/12 → "funding").
// A member who opens a page by link without its capability gets one clear "no access to this
// page" (app.js), not the view's refused requests; the server still decides every request.
import { Home } from "./views/home.js";
import { MeetingsList, MeetingRoom } from "./views/meeting.js";
import { WorksList, QuoteReview } from "./views/quotes.js";
import { SupplierDesk, SupplierQuote } from "./views/supplier.js";
import { FundingPlan } from "./views/funding.js";
import { MyShare } from "./views/owner.js";
import { Ledger } from "./views/ledger.js";
import { Households } from "./views/households.js";
import { Members } from "./views/members.js";
import { Estates } from "./views/estates.js";
import { ConsultationsList, ConsultationPage, PublicConsultation, Deliveries } from "./views/consultation.js";
import { PaperEntry } from "./views/paper.js";
import { SuggestPage, TriageList } from "./views/suggestions.js";
import { QuestionnairesList, QuestionnairePage } from "./views/questionnaires.js";
import { ProblemsList, ProblemPage } from "./views/problems.js";
import { Board } from "./views/board.js";
import { Wishes, Pledges } from "./views/wishes.js";
import { ChoiceList, ChoicePage } from "./views/choice.js";
import { DeliveryTimeline, DeliveryWork } from "./views/delivery.js";
import { Settlement } from "./views/settlement.js";
import { Disclosure, PublicDisclosure } from "./views/disclosure.js";
import { District } from "./views/district.js";
import { can } from "./lib/access.js";

export const ROUTES = [
  { path: "/", view: Home, label: "nav.home" },
  { path: "/supplier", view: SupplierDesk, needs: "quotes.submit", label: "nav.supplier" },
  { path: "/supplier/quotes/:id", view: SupplierQuote, needs: "quotes.submit" },
  { path: "/meetings", view: MeetingsList, needs: "meetings.view", label: "nav.meetings", group: "decide" },
  { path: "/meetings/:id", view: MeetingRoom, needs: "meetings.view" },
  { path: "/consultations", view: ConsultationsList, needs: "consultations.view", label: "nav.consultations", group: "decide" },
  { path: "/consultations/:id", view: ConsultationPage, needs: "consultations.view" },
  { path: "/consultations/:id/paper", view: PaperEntry, needs: "paper.enter" },
  { path: "/consultations/:id/deliveries", view: Deliveries, needs: "consultations.manage" },
  // A consultation's public page: no sign-in (app.js draws it without a session).
  { path: "/c/:token", view: PublicConsultation, public: true },
  { path: "/suggest", view: SuggestPage, needs: "suggestions.submit", label: "nav.suggest", group: "needs" },
  { path: "/suggestions", view: TriageList, needs: "suggestions.view", label: "nav.suggestions", group: "needs" },
  { path: "/questionnaires", view: QuestionnairesList, needs: "questionnaires.answer", label: "nav.questionnaires", group: "needs" },
  { path: "/questionnaires/:id", view: QuestionnairePage, needs: ["questionnaires.answer", "suggestions.view"] },
  { path: "/problems", view: ProblemsList, needs: "problems.view", label: "nav.problems", group: "needs" },
  { path: "/problems/:id", view: ProblemPage, needs: "problems.view" },
  { path: "/board", view: Board, needs: "board.view", label: "nav.board", group: "needs" },
  { path: "/choice", view: ChoiceList, needs: "choice.view", label: "nav.choice", group: "decide" },
  { path: "/choice/:id", view: ChoicePage, needs: "choice.view" },
  { path: "/works", view: WorksList, needs: "works.view", label: "nav.works", group: "works" },
  { path: "/works/:id", view: QuoteReview, needs: ["works.view", "quotes.submit"] },
  { path: "/delivery", view: DeliveryTimeline, needs: "delivery.view", label: "nav.delivery", group: "works" },
  { path: "/delivery/works/:id", view: DeliveryWork, needs: "delivery.view" },
  { path: "/funding", view: FundingPlan, needs: "funding.view", label: "nav.funding", group: "money" },
  { path: "/funding/:id", view: FundingPlan, needs: "funding.view" },
  { path: "/funding/:id/ledger", view: Ledger, needs: "ledger.view" },
  { path: "/households", view: Households, needs: "households.view", label: "nav.households" },
  { path: "/members", view: Members, needs: "members.manage", label: "nav.members" },
  { path: "/my", view: MyShare, needs: "share.own", label: "nav.my" },
  { path: "/wishes", view: Wishes, needs: "wishes.view", label: "nav.wishes", group: "needs" },
  { path: "/wishes/pledges", view: Pledges, needs: ["pledges.make", "funding.view"] },
  { path: "/settlement", view: Settlement, needs: ["variations.manage", "final_accounts.manage", "funding.view"], label: "nav.settlement", group: "money" },
  { path: "/disclosure", view: Disclosure, needs: "disclosure.view", label: "nav.disclosure", group: "money" },
  // The disclosure's public page (公示): no sign-in, aggregates only.
  { path: "/d/:token", view: PublicDisclosure, public: true },
  { path: "/estates", view: Estates, needs: "estates.manage", label: "nav.estates" },
  // The district's overview (issue 21): district staff, and the global admin over every estate.
  { path: "/district", view: District, needs: "district.view", label: "nav.district" },
].map((route) => ({ ...route, pattern: compile(route.path), section: sectionOf(route.path) }));

// Sections that belong together share one entry in the navigation (so a phone shows every
// entry without scrolling) and a row of tabs on their pages: a group's label, by name. A
// page's group is its section's (the labelled route of its first path segment).
const GROUP_LABELS = {
  decide: "nav.group.decide", needs: "nav.group.needs", works: "nav.group.works", money: "nav.group.money",
};
const GROUP_OF = Object.fromEntries(ROUTES.filter((r) => r.group).map((r) => [r.section, r.group]));

/** "/meetings/:id" → /^\/meetings\/(?<id>[^/]+)\/?$/ */
function compile(path) {
  const body = path.split("/").filter(Boolean)
    .map((part) => (part.startsWith(":") ? `(?<${part.slice(1)}>[^/]+)` : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("\\/");
  return new RegExp(body ? `^\\/${body}\\/?$` : "^\\/?$");
}

function sectionOf(path) {
  return path.split("/").filter(Boolean)[0] || "";
}

/** "#/meetings/12?x=1" → {view, needs, section: "meetings", public, params: {id: "12"}, query: {x: "1"}, path};
 * an unknown path has view and section null. */
export function parseRoute(hash) {
  const raw = (hash || "").replace(/^#/, "") || "/";
  const [path, qs] = raw.split("?");
  const query = Object.fromEntries(new URLSearchParams(qs || ""));
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (m) {
      return { view: route.view, needs: route.needs, section: route.section, public: Boolean(route.public),
        group: GROUP_OF[route.section] || null, params: { ...(m.groups || {}) }, query, path };
    }
  }
  return { view: null, section: null, params: {}, query, path };
}

/** True when the member may see the route's page: it needs nothing, or they hold its
 * capability (any one of a list). */
export function allowed(me, route) {
  const needs = route && route.needs;
  if (!needs) return true;
  return (Array.isArray(needs) ? needs : [needs]).some((c) => can(me, c));
}

function linkOf(r) {
  return { href: `#${r.path}`, section: r.section, label: r.label };
}

/** The navigation the member sees: each labelled section whose capability they hold; the
 * sections of a group they hold two or more of are one entry (leading to the first). */
export function navFor(me) {
  const sections = ROUTES.filter((r) => r.label && allowed(me, r));
  const links = [];
  for (const r of sections) {
    const members = r.group ? sections.filter((s) => s.group === r.group) : [r];
    if (members.length < 2) links.push(linkOf(r));
    else if (members[0] === r) links.push({ ...linkOf(r), label: GROUP_LABELS[r.group], group: r.group });
  }
  return links;
}

/** The tabs of the current page's group (its sections the member holds), or [] when the
 * group has fewer than two of them. */
export function tabsFor(me, current) {
  if (!current.group) return [];
  const tabs = ROUTES.filter((r) => r.label && r.group === current.group && allowed(me, r));
  return tabs.length < 2 ? [] : tabs.map(linkOf);
}

/** True when `current` (from parseRoute) is a page of the link's section (or group). */
export function inSection(current, link) {
  return link.group ? current.group === link.group : current.section === link.section;
}
