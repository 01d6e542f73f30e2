"""Paper ballots in the consultation tests: committee members, sheets and entries."""

from __future__ import annotations

from typing import Any

import httpx

from planner.testing.voting import Voting, add_member
from tests.conftest import bearer


async def committee_members(client: httpx.AsyncClient, v: Voting, n: int = 2) -> list[str]:
    """``n`` more committee members' tokens (the voting's own committee member is the first)."""
    tokens = [v.committee]
    for i in range(n):
        _, token = await add_member(
            client, v.admin, v.estate_id, "committee", display_name=f"委员{i + 2}"
        )
        tokens.append(token)
    return tokens


async def sheets(client: httpx.AsyncClient, token: str, consultation_id: int) -> dict[str, Any]:
    """The sheets by owner key."""
    response = await client.get(
        f"/api/consultations/{consultation_id}/sheets", headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    return {s["owner_key"]: s for s in response.json()["items"]}


async def enter(
    client: httpx.AsyncClient,
    token: str,
    consultation_id: int,
    code: str,
    choices: dict[int, str],
    photo: str | None = None,
) -> httpx.Response:
    body: dict[str, Any] = {
        "code": code,
        "choices": [{"motion_id": m, "choice": c} for m, c in choices.items()],
    }
    if photo is not None:
        body["photo_sha256"] = photo
    return await client.post(
        f"/api/consultations/{consultation_id}/paper-entries", json=body, headers=bearer(token)
    )


async def entered(
    client: httpx.AsyncClient,
    token: str,
    consultation_id: int,
    code: str,
    choices: dict[int, str],
    photo: str | None = None,
) -> dict[str, Any]:
    response = await enter(client, token, consultation_id, code, choices, photo)
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


async def tally(client: httpx.AsyncClient, token: str, motion_id: int) -> dict[str, Any]:
    response = await client.get(f"/api/motions/{motion_id}/tally", headers=bearer(token))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found
