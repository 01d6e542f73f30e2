"""The buildings and households lists come in natural order (1栋, 2栋, …, 10栋), whatever
order the CSV had (issue 16)."""

import httpx

from tests.conftest import bearer

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
10栋,1-101,1,80.00,A,业主甲,
2栋,10-101,1,80.00,B,业主乙,
1栋,1-201,2,80.00,C,业主丙,
2栋,2-101,1,80.00,D,业主丁,
2栋,1-1001,10,80.00,E,业主戊,
9栋,1-101,1,80.00,F,业主己,
"""


async def test_buildings_and_households_in_natural_order(
    client: httpx.AsyncClient, admin_token: str
) -> None:
    auth = bearer(admin_token)
    estate_id = (await client.post("/api/estates", json={"name": "自然序"}, headers=auth)).json()[
        "id"
    ]
    imported = await client.post(
        f"/api/estates/{estate_id}/households/import",
        content=CSV.encode(),
        headers={**auth, "content-type": "text/csv"},
    )
    assert imported.status_code == 201, imported.text
    buildings = (await client.get(f"/api/estates/{estate_id}/buildings", headers=auth)).json()
    assert [b["name"] for b in buildings] == ["1栋", "2栋", "9栋", "10栋"]
    households = (await client.get(f"/api/estates/{estate_id}/households", headers=auth)).json()
    assert [(h["building"], h["unit"]) for h in households] == [
        ("1栋", "1-201"),
        ("2栋", "1-1001"),
        ("2栋", "2-101"),
        ("2栋", "10-101"),
        ("9栋", "1-101"),
        ("10栋", "1-101"),
    ]
