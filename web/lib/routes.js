// Hash routes: "#/meetings/12?x=1" → {name: "meeting", params: {id: "12"}, query: {x: "1"}}.

const PATTERNS = [
  ["home", /^\/?$/],
  ["meetings", /^\/meetings\/?$/],
  ["meeting", /^\/meetings\/(?<id>[^/]+)\/?$/],
  ["works", /^\/works\/?$/],
  ["work", /^\/works\/(?<id>[^/]+)\/?$/],
  ["supplier", /^\/supplier\/?$/],
  ["supplierQuote", /^\/supplier\/quotes\/(?<id>[^/]+)\/?$/],
  ["funding", /^\/funding\/?$/],
  ["plan", /^\/funding\/(?<id>[^/]+)\/?$/],
  ["my", /^\/my\/?$/],
  ["households", /^\/households\/?$/],
  ["members", /^\/members\/?$/],
  ["estates", /^\/estates\/?$/],
];

export function parseRoute(hash) {
  const raw = (hash || "").replace(/^#/, "") || "/";
  const [path, qs] = raw.split("?");
  const query = Object.fromEntries(new URLSearchParams(qs || ""));
  for (const [name, re] of PATTERNS) {
    const m = re.exec(path);
    if (m) return { name, params: { ...(m.groups || {}) }, query, path };
  }
  return { name: "notFound", params: {}, query, path };
}

const SECTION = {
  home: ["home"],
  meetings: ["meetings", "meeting"],
  works: ["works", "work"],
  supplier: ["supplier", "supplierQuote"],
  funding: ["funding", "plan"],
  my: ["my"],
  households: ["households"],
  members: ["members"],
  estates: ["estates"],
};

export function matchRoute(route, section) {
  return (SECTION[section] || []).includes(route.name);
}

const STAFF = ["admin", "committee", "observer", "treasurer"];

/** The navigation links a role sees. */
export function navFor(role) {
  const links = [{ href: "#/", route: "home", key: "nav.home" }];
  if (role === "supplier") {
    links.push({ href: "#/supplier", route: "supplier", key: "nav.supplier" });
    return links;
  }
  links.push({ href: "#/meetings", route: "meetings", key: "nav.meetings" });
  if (STAFF.includes(role)) {
    links.push({ href: "#/works", route: "works", key: "nav.works" });
    links.push({ href: "#/funding", route: "funding", key: "nav.funding" });
    links.push({ href: "#/households", route: "households", key: "nav.households" });
  }
  if (role === "admin" || role === "committee") links.push({ href: "#/members", route: "members", key: "nav.members" });
  if (role === "owner") links.push({ href: "#/my", route: "my", key: "nav.my" });
  if (role === "admin") links.push({ href: "#/estates", route: "estates", key: "nav.estates" });
  return links;
}

export function isStaff(role) {
  return STAFF.includes(role);
}
