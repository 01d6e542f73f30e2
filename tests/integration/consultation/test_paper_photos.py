"""Photos of signed sheets, stored by content hash per estate (issue 17)."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

import httpx
import pytest

from planner.testing.voting import Voting, setup_voting
from tests.conftest import bearer
from tests.integration.consultation.helpers import ROWS

MakeEstate = Callable[..., Awaitable[int]]
pytestmark = pytest.mark.timeout(60)

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(64)


@pytest.fixture
async def voting(client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate) -> Voting:
    return await setup_voting(client, admin_token, make_estate, ROWS)


async def _upload(
    client: httpx.AsyncClient, token: str, estate_id: int, content: bytes, media_type: str
) -> httpx.Response:
    return await client.post(
        f"/api/estates/{estate_id}/photos",
        content=content,
        headers={**bearer(token), "content-type": media_type},
    )


async def test_photos_are_stored_once_by_hash_and_read_back(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    for content, media_type in ((JPEG, "image/jpeg"), (PNG, "image/png"), (WEBP, "image/webp")):
        first = await _upload(client, voting.committee, voting.estate_id, content, media_type)
        assert first.status_code == 201, first.text
        assert first.json() == {
            "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content),
            "media_type": media_type,
        }
        again = await _upload(client, voting.admin, voting.estate_id, content, media_type)
        assert again.status_code == 201 and again.json() == first.json()
        back = await client.get(
            f"/api/estates/{voting.estate_id}/photos/{first.json()['sha256']}",
            headers=bearer(voting.committee),
        )
        assert back.status_code == 200 and back.content == content
        assert back.headers["content-type"] == media_type


async def test_anything_but_a_photo_is_refused(client: httpx.AsyncClient, voting: Voting) -> None:
    cases = [
        (b"<svg onload=alert(1)>", "image/svg+xml"),
        (b"GIF89a" + bytes(10), "image/gif"),
        (PNG, "image/jpeg"),  # the first bytes disagree with the declared type
        (b"<html>", "image/png"),
        (b"", "image/jpeg"),
        (JPEG, "text/plain"),
    ]
    for content, media_type in cases:
        refused = await _upload(client, voting.committee, voting.estate_id, content, media_type)
        assert refused.status_code == 400, (media_type, refused.text)
        assert refused.json()["code"] == "photo_invalid"
    # a phone's photo is larger than the API's usual 1 MiB limit: up to 8 MiB is taken
    large = JPEG + bytes(8 * 1024 * 1024 - len(JPEG))
    taken = await _upload(client, voting.committee, voting.estate_id, large, "image/jpeg")
    assert taken.status_code == 201 and taken.json()["size"] == 8 * 1024 * 1024
    too_big = await _upload(
        client, voting.committee, voting.estate_id, JPEG + bytes(8 * 1024 * 1024), "image/jpeg"
    )
    assert too_big.status_code == 413


async def test_photos_are_the_committees_of_their_estate(
    client: httpx.AsyncClient, voting: Voting, make_estate: MakeEstate
) -> None:
    stored = await _upload(client, voting.committee, voting.estate_id, JPEG, "image/jpeg")
    sha = stored.json()["sha256"]
    owner = voting.owners["A"][1]
    assert (await _upload(client, owner, voting.estate_id, JPEG, "image/jpeg")).status_code == 403
    path = f"/api/estates/{voting.estate_id}/photos/{sha}"
    assert (await client.get(path, headers=bearer(owner))).status_code == 403
    other = await setup_voting(client, voting.admin, make_estate, ROWS)
    hidden = await client.get(path, headers=bearer(other.committee))
    assert hidden.status_code == 404
    # the same bytes in another estate are that estate's own copy
    elsewhere = f"/api/estates/{other.estate_id}/photos/{sha}"
    assert (await client.get(elsewhere, headers=bearer(other.committee))).status_code == 404
    mine = await _upload(client, other.committee, other.estate_id, JPEG, "image/jpeg")
    assert mine.json()["sha256"] == sha
    assert (await client.get(elsewhere, headers=bearer(other.committee))).status_code == 200
    missing = await client.get(
        f"/api/estates/{voting.estate_id}/photos/{'0' * 64}", headers=bearer(voting.committee)
    )
    assert missing.status_code == 404 and missing.json()["code"] == "photo_not_found"
