"""A supplier's reply note with a round (issue 16): the committee reads it beside his lines;
another supplier never sees it, nor does anyone while the bids are sealed; the text rules
and a length limit apply."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.negotiation.conftest import ROUND_A1, ROUND_A2, ROUND_B1, Scene

NOTE_1 = "单价含脚手架与垃圾清运；\n工期 45 天"
NOTE_2 = "按贵方目标价调整了电缆单价，变压器已是底价"


async def test_the_committee_sees_his_note_and_another_supplier_never(scene: Scene) -> None:
    client = scene.client
    work = await scene.work()
    first = await client.post(
        f"/api/works/{work['id']}/quotes",
        json={"lines": ROUND_A1, "reply_note": NOTE_1},
        headers=scene.a,
    )
    assert first.status_code == 201, first.text
    quote_id = first.json()["id"]
    assert first.json()["rounds"][0]["reply_note"] == NOTE_1
    quote_b = await scene.quote(work["id"], scene.b, ROUND_B1)
    second = await client.post(
        f"/api/quotes/{quote_id}/rounds",
        json={"based_on_round": 1, "lines": ROUND_A2, "reply_note": NOTE_2},
        headers=scene.a,
    )
    assert second.status_code == 201, second.text

    for who in (scene.committee, scene.treasurer, scene.a):
        seen = (await client.get(f"/api/quotes/{quote_id}", headers=who)).json()
        assert [r["reply_note"] for r in seen["rounds"]] == [NOTE_1, NOTE_2]
    # B: A's quote does not exist; nothing B can read carries A's note
    assert (await client.get(f"/api/quotes/{quote_id}", headers=scene.b)).status_code == 404
    readable = [
        await client.get(f"/api/works/{work['id']}/quotes", headers=scene.b),
        await client.get(f"/api/works/{work['id']}/comparison", headers=scene.b),
        await client.get(f"/api/quotes/{quote_b['id']}", headers=scene.b),
    ]
    for response in readable:
        assert response.status_code == 200, response.text
        assert "脚手架" not in response.text and "目标价" not in response.text
    own = (await client.get(f"/api/quotes/{quote_b['id']}", headers=scene.b)).json()
    assert own["rounds"][0]["reply_note"] == ""
    for event in await scene.events_seen_by("b"):
        assert "脚手架" not in str(event["data"]) and "目标价" not in str(event["data"])


async def test_while_sealed_only_the_bidder_reads_his_note(scene: Scene) -> None:
    client = scene.client
    work = await scene.work(sealed_until="2099-01-01T00:00:00Z")
    sent = await client.post(
        f"/api/works/{work['id']}/quotes",
        json={"lines": ROUND_A1, "reply_note": NOTE_1},
        headers=scene.a,
    )
    assert sent.status_code == 201, sent.text
    quote_id = sent.json()["id"]
    mine = (await client.get(f"/api/quotes/{quote_id}", headers=scene.a)).json()
    assert mine["rounds"][0]["reply_note"] == NOTE_1
    committee = await client.get(f"/api/quotes/{quote_id}", headers=scene.committee)
    if committee.status_code == 200:
        assert committee.json()["rounds"][0]["reply_note"] is None
    assert "脚手架" not in committee.text
    for name in ("committee", "treasurer", "owner", "b"):
        for event in await scene.events_seen_by(name):
            assert "脚手架" not in str(event["data"]), name


@pytest.mark.parametrize(
    "note",
    ["注" * 1001, "请看\u202e附件", "响应\x07提示"],
    ids=["too_long", "bidi_control", "control_character"],
)
async def test_a_bad_reply_note_is_400(scene: Scene, note: str) -> None:
    client = scene.client
    work = await scene.work()
    bodies: list[tuple[str, dict[str, Any]]] = [
        (f"/api/works/{work['id']}/quotes", {"lines": ROUND_A1, "reply_note": note}),
    ]
    for path, body in bodies:
        response = await client.post(path, json=body, headers=scene.a)
        assert response.status_code == 400, response.text
        assert "reply_note" in response.text and "unknown_field" not in response.text
    quote = await scene.quote(work["id"], scene.a, ROUND_A1)
    response = await client.post(
        f"/api/quotes/{quote['id']}/rounds",
        json={"based_on_round": 1, "lines": ROUND_A2, "reply_note": note},
        headers=scene.a,
    )
    assert response.status_code == 400, response.text
    assert "reply_note" in response.text and "unknown_field" not in response.text
    assert (
        len((await client.get(f"/api/quotes/{quote['id']}", headers=scene.a)).json()["rounds"]) == 1
    )
    # the refusal is the note's own fault: at the limit, with line breaks, it is taken whole
    longest = await client.post(
        f"/api/quotes/{quote['id']}/rounds",
        json={"based_on_round": 1, "lines": ROUND_A2, "reply_note": "注\n" * 500},
        headers=scene.a,
    )
    assert longest.status_code == 201, longest.text
    assert longest.json()["rounds"][1]["reply_note"] == "注\n" * 500
