"""Refused imports and buildings carry a code per fault, with the line and column."""

import httpx

from tests.conftest import bearer

HEADER = "building,unit,floor,area_m2,owner_key,owner_name\n"


async def import_csv(
    client: httpx.AsyncClient, token: str, estate_id: int, csv: str, query: str = ""
) -> httpx.Response:
    return await client.post(
        f"/api/estates/{estate_id}/households/import{query}",
        content=csv.encode(),
        headers={**bearer(token), "content-type": "text/csv"},
    )


async def test_a_bad_row_has_its_code_line_and_column(
    client: httpx.AsyncClient, admin_token: str, make_estate
) -> None:
    estate_id = await make_estate(csv=None)
    response = await import_csv(client, admin_token, estate_id, HEADER + "1栋,101,x,50,A,a\n")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "not_a_whole_number"
    assert body["params"] == {"line": 2, "column": "floor", "value": "x"}
    assert body["errors"][0]["field"] == "line 2.floor"


async def test_units_and_buildings_against_the_estate(
    client: httpx.AsyncClient, admin_token: str, make_estate
) -> None:
    estate_id = await make_estate()
    taken = await import_csv(client, admin_token, estate_id, HEADER + "2栋,102,1,60,D,丁\n")
    assert taken.json()["code"] == "already_exists"
    assert taken.json()["params"] == {
        "line": 2,
        "column": "unit",
        "what": "unit",
        "building": "2栋",
        "unit": "102",
    }
    unknown = await import_csv(
        client, admin_token, estate_id, HEADER + "5栋,1,1,50,Y,y\n", "?fixed_buildings=true"
    )
    assert unknown.json()["code"] == "unknown_building"
    assert unknown.json()["params"]["building"] == "5栋"


async def test_a_building_name_twice_is_already_exists(
    client: httpx.AsyncClient, admin_token: str, make_estate
) -> None:
    estate_id = await make_estate(csv=None)
    path = f"/api/estates/{estate_id}/buildings"
    assert (
        await client.post(path, json={"name": "A"}, headers=bearer(admin_token))
    ).status_code == 201
    again = await client.post(path, json={"name": "A"}, headers=bearer(admin_token))
    assert again.status_code == 409
    assert (again.json()["code"], again.json()["params"]) == (
        "already_exists",
        {"what": "building", "name": "A"},
    )
