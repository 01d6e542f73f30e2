"""The recountable record: recount from the file alone, the digest, pseudonyms."""

from __future__ import annotations

import copy
import io
import json

from planner.choice.record import FORMAT, pseudonym, recount, recount_command, sealed
from planner.choice.rules import CandidateWork, choose

WORKS = [CandidateWork(1, 30_000), CandidateWork(2, 30_000), CandidateWork(3, 10_000)]
SETS = [{1, 2}, {1, 2}, {1}, {3}]


def record() -> dict[str, object]:
    outcome = choose(WORKS, 50_000, SETS)
    secret = b"k" * 32
    return sealed(
        {
            "format": FORMAT,
            "round": {"id": 1, "budget_fen": 50_000},
            "works": [{"work_id": w.work_id, "title": "", "cost_fen": w.cost_fen} for w in WORKS],
            "approvals": [
                {"voter": pseudonym(secret, f"K{i}"), "work_ids": sorted(s), "channel": "online"}
                for i, s in enumerate(SETS)
            ],
            "methods": {},
            "result": {
                "mes_work_ids": outcome.mes_work_ids,
                "funded_work_ids": outcome.funded_work_ids,
                "greedy_work_ids": outcome.greedy_work_ids,
            },
        }
    )


def test_a_record_recounts_and_its_digest_holds() -> None:
    result = recount(record())
    assert result.matches and result.digest_ok
    out, err = io.StringIO(), io.StringIO()
    assert recount_command(json.dumps(record()).encode(), out, err) == 0
    assert "matches" in out.getvalue()


def test_a_changed_approval_breaks_the_digest_and_a_changed_result_the_recount() -> None:
    changed = copy.deepcopy(record())
    changed["approvals"][0]["work_ids"] = [3]  # type: ignore[index]
    assert not recount(changed).digest_ok
    lied = copy.deepcopy(record())
    lied["result"]["funded_work_ids"] = [2]  # type: ignore[index]
    assert not recount(lied).matches
    assert recount_command(json.dumps(lied).encode(), io.StringIO(), io.StringIO()) == 1
    assert recount_command(b"not json", io.StringIO(), io.StringIO()) == 2


def test_pseudonyms_are_per_round_and_per_owner() -> None:
    assert pseudonym(b"a" * 32, "K1") != pseudonym(b"b" * 32, "K1")
    assert pseudonym(b"a" * 32, "K1") != pseudonym(b"a" * 32, "K2")
    assert len(pseudonym(b"a" * 32, "K1")) == 16
