"""The result announcement (表决结果公告, issue 17): the committee's draft once closed (marked
未公告), everyone's once announced and on the public page; per motion the tallies by area and
head count, passed or not, the rule set with its thresholds spelled out, turnout by channel,
the units that took part (choices only for an open ballot), the chain head at the close, the
publication time and a QR code; the Chinese page has no Latin sentence."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from html.parser import HTMLParser

import httpx
import pytest

from planner.db.pool import Database
from planner.testing.voting import Voting, setup_voting
from tests.conftest import bearer
from tests.integration.consultation.helpers import ROWS, create, open_consultation, wait_status
from tests.integration.consultation.outreach_helpers import three_channels

MakeEstate = Callable[..., Awaitable[int]]
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture
async def voting(client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate) -> Voting:
    return await setup_voting(client, admin_token, make_estate, ROWS)


class _Shown(HTMLParser):
    """The text a reader sees, without the style sheet, SVG and ``lang=en`` code."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "svg") or (tag == "code" and ("lang", "en") in attrs):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "svg", "code") and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.text.append(data)


def shown_text(page: str) -> str:
    parser = _Shown()
    parser.feed(page)
    return " ".join(parser.text)


async def _closed(
    client: httpx.AsyncClient, voting: Voting, db: Database, **more: object
) -> dict[str, object]:
    opened = await open_consultation(client, voting, closes_in=6, matters=(5, 7), **more)
    await three_channels(client, voting, db, opened)
    return await wait_status(client, voting.committee, opened["id"], "closed")


async def test_announcement_draft_then_announced(
    client: httpx.AsyncClient, voting: Voting, db: Database
) -> None:
    closed = await _closed(client, voting, db)
    cid, token = closed["id"], closed["public_token"]
    owner = voting.owners["A"][1]
    path = f"/api/consultations/{cid}/announcement.html"
    draft = await client.get(path, headers=bearer(voting.committee))
    assert draft.status_code == 200, draft.text
    assert "未公告（草稿）" in draft.text
    for early in (
        await client.get(path, headers=bearer(owner)),
        await client.get(f"/api/public/consultations/{token}/announcement.html"),
    ):
        assert early.status_code == 409 and early.json()["code"] == "not_yet_available"

    announced = await client.post(
        f"/api/consultations/{cid}/announce", headers=bearer(voting.committee)
    )
    assert announced.status_code == 200, announced.text
    page = (await client.get(path, headers=bearer(owner))).text
    public = await client.get(f"/api/public/consultations/{token}/announcement.html")
    assert public.status_code == 200 and "表决结果公告" in public.text
    assert "未公告" not in page and "公告发布" in page
    text = shown_text(page)
    # the rule set and its thresholds, spelled out
    assert "民法典（2021）第二百七十八条" in text
    assert "由专有部分面积占比三分之二以上的业主且人数占比三分之二以上的业主参与表决" in text
    assert "经参与表决专有部分面积过半数的业主且参与表决人数过半数的业主同意" in text  # matter 5
    assert "经参与表决专有部分面积四分之三以上的业主且参与表决人数四分之三以上的业主同意" in text
    assert "使用建筑物及其附属设施的维修资金" in text and "改建、重建建筑物及其附属设施" in text
    # tallies by area and head count; matter 5 passes (265 of 325 m², 2 of 3 owners), matter 7
    # (three quarters needed) does not: 265/325 m² is 81.5 % but 2 of 3 owners is 66.7 %
    assert text.count("结果：通过") == 1 and text.count("结果：未通过") == 1
    assert text.index("结果：通过") < text.index("结果：未通过")
    assert "<td class=n>425.00</td><td class=n>4</td>" in page
    assert "<td class=n>265.00</td><td class=n>2</td>" in page
    # turnout by channel, the units that took part without their choices (secret ballot)
    assert "<th>纸质表决票</th><td class=n>1</td><td class=n>60.00</td>" in page
    assert "<th>书面委托</th><td class=n>1</td><td class=n>95.00</td>" in page
    assert "参与表决的房屋（4 户）" in text and "1栋-101、1栋-102、2栋-101、2栋-102" in text
    assert "1栋-201" not in text and "1栋-101 同意" not in text
    # the chain head at the close, as the minutes print it, and the QR to the public page
    async with db.connection() as conn:
        head = await conn.fetchrow(
            "SELECT close_head_seq, close_head_hash FROM meetings WHERE id = $1", cid
        )
    assert f"第 {head['close_head_seq']} 条事件" in text
    assert bytes(head["close_head_hash"]).hex() in page
    assert f"http://testserver.local/#/c/{token}" in page and "<svg" in page
    # the record's digest, sealed at the close, to check a downloaded record against
    got = await client.get(f"/api/consultations/{cid}", headers=bearer(owner))
    digest = got.json()["record_digest"]
    assert digest and f"--expect-digest {digest}" in page and "表决记录摘要" in text
    # Chinese without Latin words (data aside: m² in the area heading)
    words = set(LATIN_WORD.findall(text))
    assert not words, sorted(words)
    english = await client.get(f"{path}?lang=en", headers=bearer(owner))
    assert "Announcement of the result" in english.text and "NOT PASSED" in english.text
    assert "at least 3/4 of the participating area" in english.text
    english_text = shown_text(english.text)
    for data in (str(closed["title"]), "测试小区", "栋", "事项"):  # data stays as typed
        english_text = english_text.replace(data, " ")
    assert not re.search(r"[\u4e00-\u9fff]", english_text), english_text


async def test_open_ballot_lists_choices(
    client: httpx.AsyncClient, voting: Voting, db: Database
) -> None:
    closed = await _closed(client, voting, db, open_ballot=True)
    page = await client.get(
        f"/api/consultations/{closed['id']}/announcement.html", headers=bearer(voting.committee)
    )
    text = shown_text(page.text)
    assert "1栋-101 同意、1栋-102 同意、2栋-101 同意、2栋-102 反对" in text


async def test_notice_spells_out_window_and_rules(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    """The printable notice: the window in the estate's zone, motions with their matter, how to
    vote on each channel, the rule set; a draft is the committee's preview only."""
    opened = await open_consultation(client, voting, matters=(5, 7), both_channels="paper")
    page = await client.get(
        f"/api/consultations/{opened['id']}/notice.html", headers=bearer(voting.owners["B"][1])
    )
    assert page.status_code == 200
    text = shown_text(page.text)
    assert "业主大会书面征求意见公告" in text and "（北京时间）" in text
    assert "第七项事项" in text and "第五项事项" in text and "第六、七、八项事项" in text
    assert "网上表决" in text and "纸质表决票" in text and "书面委托" in text
    assert "以纸质表决票为准" in text and "表决截止后收到的表决票不计入" in text
    assert "草稿预览" not in text
    assert not set(LATIN_WORD.findall(text)), sorted(set(LATIN_WORD.findall(text)))


async def test_a_draft_notice_is_the_committee_s_preview(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    draft = await create(client, voting, opens_in=600, closes_in=1200)
    path = f"/api/consultations/{draft['id']}/notice.html"
    preview = await client.get(path, headers=bearer(voting.committee))
    assert preview.status_code == 200 and "草稿预览，尚未公告" in preview.text
    english = await client.get(f"{path}?lang=en", headers=bearer(voting.committee))
    assert "DRAFT PREVIEW" in english.text and "Proxy in writing" in english.text
    hidden = await client.get(path, headers=bearer(voting.owners["A"][1]))
    assert hidden.status_code == 404
    wrong = await client.get(f"{path}?lang=fr", headers=bearer(voting.committee))
    assert wrong.status_code == 400
