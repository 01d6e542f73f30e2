"""The demo's disclosure chapter (公示, issue 19): the committee publishes 金桂苑's disclosure
and prints its notice; an owner reads her own line beside the totals; anyone with the link
reads the totals without signing in. Through the HTTP API only.

The one entry point::

    figures = await play_disclosure(committee, estate_id, owner=owner)

* ``committee``: a :class:`Caller` of a committee member of the estate;
* ``owner`` (optional): a :class:`Caller` of an owner, whose own lines are read.

Play it after the settlement chapter (the approved final accounts fill the final figures,
refunds and top-ups; before them those are None).

What it plays:

1. the committee publishes (``POST /api/estates/{id}/disclosure/publish``: the estate's token,
   the same when published again) and prints the Chinese notice with its QR code;
2. the owner reads the disclosure: the totals and ``mine`` (her households only);
3. the public page by the token, with no credentials: the totals, no household.

Returns the figures: ``{"token", "public_path", "due_fen", "collected_fen", "arrears_fen",
"households_in_arrears", "total_estimate_fen", "total_final_fen", "refunds_due_fen",
"topups_due_fen", "chain_head_seq", "owner_lines"}`` (``owner_lines``: how many lines the
owner saw; None without an owner).
"""

from __future__ import annotations

from typing import Any

from planner.demo.client import Caller, DemoLoadError


async def play_disclosure(
    committee: Caller, estate_id: int, *, owner: Caller | None = None
) -> dict[str, Any]:
    """Play the chapter (see the module's docstring); returns its figures."""
    published = await committee.post(f"/api/estates/{estate_id}/disclosure/publish")
    token = published["token"]
    notice = await committee.http.get(
        f"/api/estates/{estate_id}/disclosure.html?lang=zh", headers=committee.headers
    )
    if notice.status_code != 200 or "<svg" not in notice.text:
        raise DemoLoadError(f"the disclosure notice: {notice.status_code}")
    owner_lines = None
    if owner is not None:
        seen = await owner.get(f"/api/estates/{estate_id}/disclosure")
        owner_lines = len(seen["mine"] or [])
    public = await committee.http.get(f"/api/public/disclosures/{token}")
    if public.status_code != 200:
        raise DemoLoadError(f"the public disclosure: {public.status_code}")
    d = public.json()
    c = d["collection"]
    return {
        "token": token,
        "public_path": f"/#/d/{token}",
        "due_fen": c["due_fen"],
        "collected_fen": c["collected_fen"],
        "arrears_fen": c["arrears_fen"],
        "households_in_arrears": c["households_in_arrears"],
        "total_estimate_fen": d["total_estimate_fen"],
        "total_final_fen": d["total_final_fen"],
        "refunds_due_fen": c["refunds_due_fen"],
        "topups_due_fen": c["topups_due_fen"],
        "chain_head_seq": d["chain_head"]["seq"],
        "owner_lines": owner_lines,
    }
