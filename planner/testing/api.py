"""Talking to the service as its clients do: the bearer header, a sample register, an estate."""

from __future__ import annotations

import httpx

#: A small household register (CSV import): five flats in two buildings, owner A holding two,
#: one hardship cap of 0 (exempt) and one of ¥500.
SAMPLE_CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.50,B,业主乙,
1栋,201,2,100.00,A,业主甲,
2栋,101,1,120.25,C,业主丙,0
2栋,102,1,60.00,D,业主丁,50000
"""


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header for a member's (or the admin's) token."""
    return {"Authorization": f"Bearer {token}"}


async def create_estate(
    client: httpx.AsyncClient,
    admin_token: str,
    csv: str | None = SAMPLE_CSV,
    name: str = "测试小区",
) -> int:
    """An estate made through the API by the admin, with ``csv`` imported (if any): its id."""
    response = await client.post("/api/estates", json={"name": name}, headers=bearer(admin_token))
    assert response.status_code == 201, response.text
    estate_id: int = response.json()["id"]
    if csv:
        imported = await client.post(
            f"/api/estates/{estate_id}/households/import",
            content=csv.encode(),
            headers={**bearer(admin_token), "content-type": "text/csv"},
        )
        assert imported.status_code == 201, imported.text
    return estate_id
