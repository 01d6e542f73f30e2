"""``/api/me`` names what the caller's role may do; the web shows screens and buttons from it."""

import httpx
import pytest

from planner.testing.api import bearer


@pytest.mark.parametrize(
    ("role", "has", "lacks"),
    [
        ("committee", {"meetings.manage", "funding.manage", "members.manage"}, {"funding.approve"}),
        ("treasurer", {"funding.manage", "funding.approve", "exports.download"}, {"works.manage"}),
        ("owner", {"ballots.cast", "share.own", "meetings.view"}, {"funding.view", "works.view"}),
        ("observer", {"funding.view", "works.view"}, {"ballots.cast", "exports.download"}),
    ],
)
async def test_capabilities_follow_the_role(
    client: httpx.AsyncClient, make_estate, make_member, role: str, has: set, lacks: set
) -> None:
    estate_id = await make_estate()
    _, token = await make_member(estate_id, role)
    me = (await client.get("/api/me", headers=bearer(token))).json()
    assert has <= set(me["capabilities"])
    assert not lacks & set(me["capabilities"])
    assert "estates.manage" not in me["capabilities"]


async def test_the_global_admin_manages_estates(
    client: httpx.AsyncClient, admin_token: str
) -> None:
    me = (await client.get("/api/me", headers=bearer(admin_token))).json()
    assert "estates.manage" in me["capabilities"]
