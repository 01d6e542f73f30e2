import httpx

from planner.estates.routes import MAX_IMPORT_BYTES
from tests.conftest import SAMPLE_CSV, bearer


async def test_import_creates_buildings_and_households(
    client: httpx.AsyncClient, admin_token: str
) -> None:
    estate = (
        await client.post(
            "/api/estates",
            json={"name": "株洲小区", "district": "芦淞区"},
            headers=bearer(admin_token),
        )
    ).json()
    response = await client.post(
        f"/api/estates/{estate['id']}/households/import",
        content=SAMPLE_CSV.encode("utf-8-sig"),
        headers={**bearer(admin_token), "content-type": "text/csv"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["households_created"] == 5
    assert response.json()["buildings_created"] == 2
    buildings = (
        await client.get(f"/api/estates/{estate['id']}/buildings", headers=bearer(admin_token))
    ).json()
    assert [b["name"] for b in buildings] == ["1栋", "2栋"]
    households = (
        await client.get(f"/api/estates/{estate['id']}/households", headers=bearer(admin_token))
    ).json()
    assert households[1] == {
        "id": households[1]["id"],
        "building_id": buildings[0]["id"],
        "building": "1栋",
        "unit": "102",
        "floor": 1,
        "area_m2": "90.50",
        "owner_key": "B",
        "owner_name": "业主乙",
        "hardship_cap_fen": None,
    }


async def test_multipart_upload_with_chinese_headers(
    client: httpx.AsyncClient, admin_token: str
) -> None:
    estate_id = (
        await client.post("/api/estates", json={"name": "x"}, headers=bearer(admin_token))
    ).json()["id"]
    csv = "\ufeff楼栋,单元/房号,楼层,面积,业主编号,业主姓名,困难户上限\n3栋,101,1,88.50,A,张三,\n"
    response = await client.post(
        f"/api/estates/{estate_id}/households/import",
        files={"file": ("households.csv", csv.encode(), "text/csv")},
        headers=bearer(admin_token),
    )
    assert response.status_code == 201, response.text
    households = (
        await client.get(f"/api/estates/{estate_id}/households", headers=bearer(admin_token))
    ).json()
    assert households[0]["building"] == "3栋"
    assert households[0]["owner_name"] == "张三"


async def test_one_bad_row_writes_nothing(client: httpx.AsyncClient, admin_token: str) -> None:
    estate_id = (
        await client.post("/api/estates", json={"name": "x"}, headers=bearer(admin_token))
    ).json()["id"]
    bad = SAMPLE_CSV + "3栋,101,1,-1,E,坏行,\n"
    response = await client.post(
        f"/api/estates/{estate_id}/households/import",
        content=bad.encode(),
        headers={**bearer(admin_token), "content-type": "text/csv"},
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["field"], error["reason"]) == ("line 7.area_m2", "must be positive")
    assert (
        await client.get(f"/api/estates/{estate_id}/households", headers=bearer(admin_token))
    ).json() == []
    assert (
        await client.get(f"/api/estates/{estate_id}/buildings", headers=bearer(admin_token))
    ).json() == []


async def test_units_already_in_the_estate_are_refused(
    client: httpx.AsyncClient, admin_token: str, make_estate
) -> None:
    estate_id = await make_estate()
    again = "building,unit,floor,area_m2,owner_key,owner_name\n9栋,1,1,50,Z,z\n2栋,102,1,60,D,丁\n"
    response = await client.post(
        f"/api/estates/{estate_id}/households/import",
        content=again.encode(),
        headers={**bearer(admin_token), "content-type": "text/csv"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "line 3.unit"
    names = [
        b["name"]
        for b in (
            await client.get(f"/api/estates/{estate_id}/buildings", headers=bearer(admin_token))
        ).json()
    ]
    assert "9栋" not in names


async def test_fixed_buildings_refuses_unknown_building(
    client: httpx.AsyncClient, admin_token: str, make_estate
) -> None:
    estate_id = await make_estate()
    csv = "building,unit,floor,area_m2,owner_key,owner_name\n1栋,301,3,50,Z,z\n5栋,1,1,50,Y,y\n"
    response = await client.post(
        f"/api/estates/{estate_id}/households/import?fixed_buildings=true",
        content=csv.encode(),
        headers={**bearer(admin_token), "content-type": "text/csv"},
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["reason"]) == ("line 3.building", "unknown building 5栋")


async def test_owner_sees_only_own_households(
    client: httpx.AsyncClient, make_estate, make_member, admin_token: str
) -> None:
    estate_id = await make_estate()
    households = (
        await client.get(f"/api/estates/{estate_id}/households", headers=bearer(admin_token))
    ).json()
    _, token = await make_member(estate_id, "owner", household_ids=(households[0]["id"],))
    mine = (await client.get(f"/api/estates/{estate_id}/households", headers=bearer(token))).json()
    assert [h["id"] for h in mine] == [households[0]["id"]]


async def test_oversized_import_is_refused(
    client: httpx.AsyncClient, admin_token: str, make_estate
) -> None:
    estate_id = await make_estate(csv=None)
    huge = b"building,unit,floor,area_m2,owner_key,owner_name\n" + b"x" * MAX_IMPORT_BYTES
    response = await client.post(
        f"/api/estates/{estate_id}/households/import",
        content=huge,
        headers={**bearer(admin_token), "content-type": "text/csv"},
    )
    assert response.status_code == 413


async def test_unknown_and_mistyped_fields_name_the_field(
    client: httpx.AsyncClient, admin_token: str
) -> None:
    response = await client.post(
        "/api/estates", json={"name": "x", "colour": "red"}, headers=bearer(admin_token)
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "colour"
    assert "unknown field" in response.json()["errors"][0]["reason"]
    response = await client.post("/api/estates", json={"name": 7}, headers=bearer(admin_token))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"
    headers = {**bearer(admin_token), "content-type": "application/json"}
    response = await client.post("/api/estates", content=b'{"name": NaN}', headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_numbers_must_be_json_integers_not_strings_or_floats(
    client: httpx.AsyncClient, admin_token: str, make_estate
) -> None:
    estate_id = await make_estate(csv=None)
    for household_ids in (["1"], [1.0]):
        response = await client.post(
            f"/api/estates/{estate_id}/members",
            json={"role": "observer", "display_name": "x", "household_ids": household_ids},
            headers=bearer(admin_token),
        )
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["field"] == "household_ids[0]"
    response = await client.post(
        f"/api/estates/{estate_id}/buildings",
        json={"name": "A", "extra": {"deep": 1}},
        headers=bearer(admin_token),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "extra"
