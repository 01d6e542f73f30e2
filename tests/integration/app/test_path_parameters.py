"""A path parameter out of range is a 400 naming that parameter, not the body."""

import httpx

from planner.testing.api import bearer


async def test_an_oversized_id_names_the_path_parameter(
    client: httpx.AsyncClient, admin_token: str
) -> None:
    response = await client.get("/api/works/99999999999999999999", headers=bearer(admin_token))
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == ("work_id", "too_large")
