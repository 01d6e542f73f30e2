"""Acceptance (验收): the committee and two owner representatives sign, every defect fixed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from planner.testing.api import bearer
from planner.testing.delivery import delivered_work

MakeMember = Callable[..., Awaitable[tuple[int, str]]]


async def _households(
    client: httpx.AsyncClient, admin: str, estate_id: int
) -> list[dict[str, Any]]:
    r = await client.get(f"/api/estates/{estate_id}/households", headers=bearer(admin))
    body = r.json()
    return list(body["items"] if isinstance(body, dict) else body)


async def test_acceptance_needs_the_committee_two_owner_representatives_and_fixed_defects(
    client: httpx.AsyncClient, admin_token: str, make_estate: Any, make_member: MakeMember
) -> None:
    estate_id = await make_estate()
    other_estate = await make_estate("别的小区")
    households = await _households(client, admin_token, estate_id)
    building_1 = households[0]["building_id"]
    in_scope = [h["id"] for h in households if h["building_id"] == building_1]
    outside = [h["id"] for h in households if h["building_id"] != building_1]
    _, committee = await make_member(estate_id, "committee")
    _, owner_a = await make_member(estate_id, "owner", household_ids=(in_scope[0],))
    _, owner_b = await make_member(estate_id, "owner", household_ids=(in_scope[1],))
    _, owner_out = await make_member(estate_id, "owner", household_ids=(outside[0],))
    partner = await client.post(
        f"/api/estates/{estate_id}/members",
        json={"role": "partner", "display_name": "共建银行"},
        headers=bearer(admin_token),
    )
    supplier_estate = partner.json()["token"]
    _, stranger = await make_member(other_estate, "committee")
    work_id = await delivered_work(
        client,
        admin_token,
        committee,
        estate_id,
        title="屋面防水",
        scope_building_ids=[building_1],
        status="funded",
    )
    # not in progress yet: 409
    r = await client.post(f"/api/works/{work_id}/acceptance", json={}, headers=bearer(committee))
    assert r.status_code == 409 and r.json()["code"] == "wrong_status"
    await client.post(
        f"/api/works/{work_id}/status", json={"status": "in_progress"}, headers=bearer(committee)
    )
    r = await client.get(f"/api/works/{work_id}/acceptance", headers=bearer(owner_a))
    assert r.status_code == 404 and r.json()["code"] == "acceptance_not_found"

    r = await client.post(
        f"/api/works/{work_id}/acceptance",
        json={"defects": [{"description": "3单元顶层渗水"}, {"description": "落水管松动"}]},
        headers=bearer(committee),
    )
    assert r.status_code == 201, r.text
    acceptance = r.json()
    acceptance_id = acceptance["id"]
    assert acceptance["missing"] == {
        "committee_signatures": 1,
        "owner_signatures": 2,
        "open_defects": 2,
    }
    again = await client.post(
        f"/api/works/{work_id}/acceptance", json={}, headers=bearer(committee)
    )
    assert again.status_code == 409 and again.json()["code"] == "already_exists"

    # access: partner 403, other estate 404, owner outside the scope cannot sign
    assert (
        await client.get(f"/api/works/{work_id}/acceptance", headers=bearer(supplier_estate))
    ).status_code == 403
    assert (
        await client.get(f"/api/works/{work_id}/acceptance", headers=bearer(stranger))
    ).status_code == 404
    assert (
        await client.post(f"/api/acceptances/{acceptance_id}/sign", headers=bearer(stranger))
    ).status_code == 404
    out = await client.post(f"/api/acceptances/{acceptance_id}/sign", headers=bearer(owner_out))
    assert out.status_code == 403 and out.json()["code"] == "not_owner_representative"
    seen = await client.get(f"/api/works/{work_id}/acceptance", headers=bearer(owner_a))
    assert seen.json()["may_sign"] == "owner"

    # the committee and one owner sign: not enough
    for token in (committee, owner_a):
        r = await client.post(f"/api/acceptances/{acceptance_id}/sign", headers=bearer(token))
        assert r.status_code == 200, r.text
    twice = await client.post(f"/api/acceptances/{acceptance_id}/sign", headers=bearer(owner_a))
    assert twice.status_code == 409 and twice.json()["code"] == "already_signed"
    early = await client.post(
        f"/api/acceptances/{acceptance_id}/complete", headers=bearer(committee)
    )
    assert early.status_code == 409 and early.json()["code"] == "acceptance_incomplete"
    assert early.json()["params"] == {
        "committee_signatures": 0,
        "owner_signatures": 1,
        "open_defects": 2,
    }
    r = await client.post(f"/api/acceptances/{acceptance_id}/sign", headers=bearer(owner_b))
    assert r.status_code == 200
    # defects re-checked: one not yet fixed, then both fixed
    first, second = (d["id"] for d in r.json()["defects"])
    r = await client.post(
        f"/api/defects/{first}/recheck",
        json={"fixed": False, "note": "仍有渗水"},
        headers=bearer(committee),
    )
    assert r.status_code == 200 and r.json()["missing"]["open_defects"] == 2
    assert (
        await client.post(
            f"/api/defects/{first}/recheck", json={"fixed": True}, headers=bearer(owner_a)
        )
    ).status_code == 403
    for defect_id in (first, second):
        r = await client.post(
            f"/api/defects/{defect_id}/recheck",
            json={"fixed": True, "note": "复查已整改"},
            headers=bearer(committee),
        )
        assert r.status_code == 200
    assert r.json()["missing"] == {
        "committee_signatures": 0,
        "owner_signatures": 0,
        "open_defects": 0,
    }
    # owners may not complete it; the committee does
    assert (
        await client.post(f"/api/acceptances/{acceptance_id}/complete", headers=bearer(owner_a))
    ).status_code == 403
    done = await client.post(
        f"/api/acceptances/{acceptance_id}/complete", headers=bearer(committee)
    )
    assert done.status_code == 200, done.text
    assert done.json()["accepted_at"] is not None
    work = (await client.get(f"/api/works/{work_id}", headers=bearer(committee))).json()
    assert work["status"] == "done"
    assert len(done.json()["signatures"]) == 3
    late = await client.post(f"/api/acceptances/{acceptance_id}/sign", headers=bearer(admin_token))
    assert late.status_code == 409
    for lang, word in (("zh", "验收"), ("en", "Acceptance")):
        page = await client.get(
            f"/api/works/{work_id}/acceptance.html?lang={lang}", headers=bearer(owner_b)
        )
        assert page.status_code == 200 and word in page.text and "3单元顶层渗水" in page.text


async def test_a_work_without_scope_takes_any_owner_of_the_estate(
    client: httpx.AsyncClient, admin_token: str, make_estate: Any, make_member: MakeMember
) -> None:
    estate_id = await make_estate()
    households = await _households(client, admin_token, estate_id)
    _, committee = await make_member(estate_id, "committee")
    supplier_firm = await client.post(
        f"/api/estates/{estate_id}/suppliers", json={"name": "别家"}, headers=bearer(admin_token)
    )
    _, supplier = await make_member(estate_id, "supplier", supplier_id=supplier_firm.json()["id"])
    owners = [
        (await make_member(estate_id, "owner", household_ids=(h["id"],)))[1]
        for h in households[-2:]
    ]
    _, no_unit = await make_member(estate_id, "owner")
    work_id = await delivered_work(
        client, admin_token, committee, estate_id, title="监控", status="in_progress"
    )
    r = await client.post(f"/api/works/{work_id}/acceptance", headers=bearer(committee))
    assert r.status_code == 201, r.text
    acceptance_id = r.json()["id"]
    assert (
        await client.get(f"/api/works/{work_id}/acceptance", headers=bearer(supplier))
    ).status_code == 403
    refused = await client.post(f"/api/acceptances/{acceptance_id}/sign", headers=bearer(no_unit))
    assert refused.status_code == 403
    for token in (committee, *owners):
        assert (
            await client.post(f"/api/acceptances/{acceptance_id}/sign", headers=bearer(token))
        ).status_code == 200
    done = await client.post(
        f"/api/acceptances/{acceptance_id}/complete", headers=bearer(committee)
    )
    assert done.status_code == 200, done.text
