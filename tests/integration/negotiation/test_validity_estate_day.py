"""A quote's validity date is a calendar day in the estate's own time zone (it was China's
day, UTC+8, whatever the estate's zone: an estate in Pago Pago, 19 hours behind, saw its
own today refused as "before today" for most of each day)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.integration.negotiation.conftest import Scene
from tests.integration.negotiation.test_bad_input import line

ZONE = "Pacific/Pago_Pago"  # UTC-11, no daylight saving


async def test_validity_counts_in_the_estate_zone(scene: Scene) -> None:
    async with scene.db.transaction() as conn:
        await conn.execute("UPDATE estates SET time_zone = $2 WHERE id = $1", scene.estate_id, ZONE)
    today = datetime.now(UTC).astimezone(ZoneInfo(ZONE)).date()
    work = await scene.work()
    yesterday = await scene.client.post(
        f"/api/works/{work['id']}/quotes",
        json={"lines": [line()], "valid_until": (today - timedelta(days=1)).isoformat()},
        headers=scene.a,
    )
    assert yesterday.status_code == 400
    assert yesterday.json()["errors"][0]["params"] == {"today": today.isoformat()}
    accepted = await scene.client.post(
        f"/api/works/{work['id']}/quotes",
        json={"lines": [line()], "valid_until": today.isoformat()},
        headers=scene.a,
    )
    assert accepted.status_code == 201, accepted.text
