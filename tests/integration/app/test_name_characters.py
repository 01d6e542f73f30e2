"""Names refuse control, bidi and invisible-only text and are stored in NFC (issue 15, item 9).

The issue's three names (a bidi override spelling ``exe.gpj`` backwards, three zero-width
spaces, BEL and ESC) were each created with 201; now every create route that names a thing
answers 400 naming the field and the code, and stores nothing. A decomposed "é" is stored
composed.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from planner.testing import Served, World, bearer, row_counts

pytestmark = pytest.mark.timeout(120)

HOSTILE = [
    ("\u202eevil\u202cgpj.exe", "bidi_control", {"char": "U+202E"}),
    ("\u200b\u200b\u200b", "invisible_only", {}),
    ("a\x07\x1bb", "control_character", {"char": "U+0007"}),
]

# (path, body with the name in it, the field the 400 names)
Route = tuple[str, Callable[[str], Any], str]


def routes(w: World) -> list[Route]:
    e, meeting = w.estate_a, w.ids["meeting_id"]
    return [
        ("/api/estates", lambda n: {"name": n}, "name"),
        ("/api/estates", lambda n: {"name": "小区", "district": n}, "district"),
        (f"/api/estates/{e}/buildings", lambda n: {"name": n}, "name"),
        (
            f"/api/estates/{e}/members",
            lambda n: {"role": "observer", "display_name": n},
            "display_name",
        ),
        (f"/api/estates/{e}/suppliers", lambda n: {"name": n}, "name"),
        (f"/api/estates/{e}/works", lambda n: {"title": n, "category": "roof"}, "title"),
        (
            f"/api/estates/{e}/meetings",
            lambda n: {"title": n, "kind": "building_meeting"},
            "title",
        ),
        (f"/api/meetings/{meeting}/motions", lambda n: {"title": n, "matter": 9}, "title"),
        (
            f"/api/estates/{e}/funding-sources",
            lambda n: {"name": n, "kind": "other", "budget_fen": 1},
            "name",
        ),
        (
            f"/api/works/{w.ids['work_id']}/reference-prices",
            lambda n: {"lines": [{"description": "电缆", "unit_price_fen": 1, "line_key": n}]},
            "lines[0].line_key",
        ),
    ]


def _csv(owner_name: str) -> bytes:
    return (
        "building,unit,floor,area_m2,owner_key,owner_name\n"
        f"8栋,801,8,70.00,K8,业主八\n8栋,802,8,70.00,K9,{owner_name}\n"
    ).encode()


async def test_hostile_names_are_refused_everywhere_and_nothing_is_stored(served: Served) -> None:
    w = served.world
    before = await row_counts(served.database_url)
    async with httpx.AsyncClient(base_url=served.base_url, timeout=30) as http:
        for name, code, params in HOSTILE:
            for path, body, field in routes(w):
                method = http.put if path.endswith("reference-prices") else http.post
                response = await method(path, json=body(name), headers=bearer(w.admin))
                assert response.status_code == 400, (path, name, response.text)
                problem = response.json()
                assert problem["code"] == code, (path, name, problem)
                (error,) = problem["errors"]
                assert (error["field"], error["code"], error["params"]) == (field, code, params)
            # a JSON body sent as text/plain takes Litestar's own decoding: the same answer
            plain = await http.post(
                "/api/estates",
                content=json.dumps({"name": name}).encode(),
                headers={**bearer(w.admin), "content-type": "text/plain"},
            )
            assert plain.status_code == 400, plain.text
            (error,) = plain.json()["errors"]
            assert (error["field"], error["code"], error["params"]) == ("name", code, params)
            imported = await http.post(
                f"/api/estates/{w.estate_a}/households/import",
                content=_csv(name),
                headers={**bearer(w.admin), "content-type": "text/csv"},
            )
            assert imported.status_code == 400, imported.text
            (error,) = imported.json()["errors"]
            assert (error["field"], error["code"]) == ("line 3.owner_name", code)
            assert params.items() <= error["params"].items()
    assert await row_counts(served.database_url) == before


async def test_free_text_keeps_newlines_but_not_bidi_or_other_controls(served: Served) -> None:
    w = served.world
    path = f"/api/estates/{w.estate_a}/works"
    async with httpx.AsyncClient(base_url=served.base_url, timeout=30) as http:
        for text, code in (("a\u202eb", "bidi_control"), ("a\rb", "control_character")):
            body = {"title": "屋面", "category": "roof", "description": text}
            refused = await http.post(path, json=body, headers=bearer(w.admin))
            assert refused.status_code == 400, refused.text
            assert (refused.json()["errors"][0]["field"], refused.json()["code"]) == (
                "description",
                code,
            )
        body = {"title": "屋面", "category": "roof", "description": "第一行\n\t第二行"}
        kept = await http.post(path, json=body, headers=bearer(w.admin))
        assert kept.status_code == 201, kept.text
        assert kept.json()["description"] == "第一行\n\t第二行"
        title = await http.post(
            path, json={"title": "第一行\n第二行", "category": "roof"}, headers=bearer(w.admin)
        )
        assert (title.status_code, title.json()["code"]) == (400, "control_character")


async def test_a_decomposed_name_is_stored_composed(served: Served) -> None:
    w = served.world
    decomposed = "Cafe\u0301 楼"
    composed = unicodedata.normalize("NFC", decomposed)
    assert composed != decomposed
    async with httpx.AsyncClient(base_url=served.base_url, timeout=30) as http:
        made = await http.post(
            f"/api/estates/{w.estate_a}/buildings",
            json={"name": decomposed},
            headers=bearer(w.admin),
        )
        assert made.status_code == 201, made.text
        assert made.json()["name"] == composed
        listed = await http.get(f"/api/estates/{w.estate_a}/buildings", headers=bearer(w.admin))
        assert composed in [b["name"] for b in listed.json()]
        assert decomposed not in [b["name"] for b in listed.json()]
        imported = await http.post(
            f"/api/estates/{w.estate_a}/households/import",
            content=_csv(decomposed),
            headers={**bearer(w.admin), "content-type": "text/csv"},
        )
        assert imported.status_code == 201, imported.text
        households = await http.get(
            f"/api/estates/{w.estate_a}/households", headers=bearer(w.admin)
        )
        names = [h["owner_name"] for h in households.json()]
        assert composed in names
        assert decomposed not in names
