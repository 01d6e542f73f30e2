import pytest

from planner.live.audit import BrokenLink, verify_chain
from tests.conftest import bearer


async def test_chain_verifies_and_detects_an_edit_behind_the_service(
    client, db, make_estate, admin_token
) -> None:
    estate_id = await make_estate()
    await client.post(
        f"/api/estates/{estate_id}/buildings", json={"name": "9栋"}, headers=bearer(admin_token)
    )
    async with db.connection() as conn:
        checked = await verify_chain(conn)
        assert checked >= 3
        await conn.execute(
            "UPDATE events SET data = jsonb_set(data, '{name}', '\"篡改\"') "
            "WHERE estate_id = $1 AND type = 'building.added'",
            estate_id,
        )
        with pytest.raises(BrokenLink) as broken:
            await verify_chain(conn)
    assert broken.value.estate_id == estate_id
    assert broken.value.seq == 3
    assert "content" in broken.value.reason


async def test_seq_is_strictly_increasing_per_estate(client, db, make_estate, admin_token) -> None:
    first = await make_estate("a")
    second = await make_estate("b")
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT estate_id, seq FROM events ORDER BY estate_id, seq")
    for estate_id in (first, second):
        seqs = [r["seq"] for r in rows if r["estate_id"] == estate_id]
        assert seqs == list(range(1, len(seqs) + 1))
