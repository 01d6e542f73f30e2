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
import { ProblemsList, ProblemPage } from "./views/problems.js";
import { Board } from "./views/board.js";
import { Wishes, Pledges } from "./views/wishes.js";
import { can } from "./lib/access.js";

export const ROUTES = [
  { path: "/", view: Home, label: "nav.home" },
  { path: "/supplier", view: SupplierDesk, needs: "quotes.submit", label: "nav.supplier" },
  { path: "/supplier/quotes/:id", view: SupplierQuote, needs: "quotes.submit" },
  { path: "/meetings", view: MeetingsList, needs: "meetings.view", label: "nav.meetings" },
  { path: "/meetings/:id", view: MeetingRoom, needs: "meetings.view" },
  { path: "/consultations", view: ConsultationsList, needs: "consultations.view", label: "nav.consultations" },
  { path: "/consultations/:id", view: ConsultationPage, needs: "consultations.view" },
  { path: "/consultations/:id/paper", view: PaperEntry, needs: "paper.enter" },
  { path: "/consultations/:id/deliveries", view: Deliveries, needs: "consultations.manage" },
  // A consultation's public page: no sign-in (app.js draws it without a session).
  { path: "/c/:token", view: PublicConsultation, public: true },
  { path: "/problems", view: ProblemsList, needs: "problems.view", label: "nav.problems" },
  { path: "/problems/:id", view: ProblemPage, needs: "problems.view" },
  { path: "/board", view: Board, needs: "board.view", label: "nav.board" },
  { path: "/works", view: WorksList, needs: "works.view", label: "nav.works" },
  { path: "/works/:id", view: QuoteReview, needs: ["works.view", "quotes.submit"] },
  { path: "/funding", view: FundingPlan, needs: "funding.view", label: "nav.funding" },
  { path: "/funding/:id", view: FundingPlan, needs: "funding.view" },
  { path: "/funding/:id/ledger", view: Ledger, needs: "ledger.view" },
  { path: "/households", view: Households, needs: "households.view", label: "nav.households" },
  { path: "/members", view: Members, needs: "members.manage", label: "nav.members" },
  { path: "/my", view: MyShare, needs: "share.own", label: "nav.my" },
  { path: "/wishes", view: Wishes, needs: "wishes.view", label: "nav.wishes" },
  { path: "/wishes/pledges", view: Pledges, needs: ["pledges.make", "funding.view"] },
  { path: "/estates", view: Estates, needs: "estates.manage", label: "nav.estates" },
].map((route) => ({ ...route, pattern: compile(route.path), section: sectionOf(route.path) }));

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
        params: { ...(m.groups || {}) }, query, path };
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

/** The navigation the member sees: each labelled section whose capability they hold. */
export function navFor(me) {
  return ROUTES.filter((r) => r.label && allowed(me, r))
    .map((r) => ({ href: `#${r.path}`, section: r.section, label: r.label }));
}

/** True when `current` (from parseRoute) is a page of the link's section. */
export function inSection(current, link) {
  return current.section === link.section;
}
