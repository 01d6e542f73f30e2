// What the signed-in member may do: `capabilities` from GET /api/me (planner/access/guards.py
// CAPABILITIES), e.g. "meetings.manage", "ballots.cast". Views ask by name, never by role;
// the server still decides, and a refusal shows as its 403 in the interface's language.

/** True when the member holds `capability`. */
export function can(me, capability) {
  return Boolean(me && Array.isArray(me.capabilities) && me.capabilities.includes(capability));
}
