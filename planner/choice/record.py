"""The recountable record of a closed choice round, and its recount from the file alone.

The record (``planner.choice-round/1``) holds the round (budget, times), its works with the
costs snapshotted at creation, every owner's approval set under a pseudonym, the method
names and the pabutools version, and the result. Pseudonyms are HMAC-SHA-256 of the owner
key under the round's own secret (16 hex characters): an owner's units share one, no name is
revealed, and pseudonyms cannot be linked across rounds. ``digest`` is ``sha256:`` and the
hex SHA-256 of the canonical JSON (sorted keys, no spaces) of every other field.

``recount(record)`` recomputes the result with ``planner.choice.rules.choose`` (pabutools)
from the record alone and says whether it matches; it needs no database.
"""

from __future__ import annotations

import hashlib
import hmac
from importlib.metadata import version
from typing import IO, Any

import msgspec

from planner.choice.rules import (
    COMPLETION_METHOD,
    GREEDY_METHOD,
    MES_METHOD,
    CandidateWork,
    choose,
)

FORMAT = "planner.choice-round/1"
PSEUDONYM_HEX = 16


def pseudonym(secret: bytes, owner_key: str) -> str:
    """An owner's name in the record of one round."""
    message = f"owner\x00{owner_key}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]


def methods() -> dict[str, str]:
    return {
        "mes": MES_METHOD,
        "completion": COMPLETION_METHOD,
        "greedy": GREEDY_METHOD,
        "pabutools": version("pabutools"),
    }


def digest_of(body: dict[str, Any]) -> str:
    canonical = msgspec.json.encode(
        {k: v for k, v in body.items() if k != "digest"}, order="sorted"
    )
    return "sha256:" + hashlib.sha256(canonical).hexdigest()


def sealed(body: dict[str, Any]) -> dict[str, Any]:
    """The record with its digest."""
    return {**body, "digest": digest_of(body)}


class Recount(msgspec.Struct, frozen=True):
    matches: bool
    digest_ok: bool
    recorded: dict[str, list[int]]
    recounted: dict[str, list[int]]


KEYS = ("mes_work_ids", "funded_work_ids", "greedy_work_ids")


def recount(record: dict[str, Any]) -> Recount:
    """Recompute the three sets from the record's works, budget and approvals."""
    if record.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} record")
    works = [CandidateWork(int(w["work_id"]), int(w["cost_fen"])) for w in record["works"]]
    approvals = [set(map(int, a["work_ids"])) for a in record["approvals"]]
    outcome = choose(works, int(record["round"]["budget_fen"]), approvals)
    recounted = {
        "mes_work_ids": outcome.mes_work_ids,
        "funded_work_ids": outcome.funded_work_ids,
        "greedy_work_ids": outcome.greedy_work_ids,
    }
    recorded = {k: sorted(int(w) for w in record["result"][k]) for k in KEYS}
    return Recount(
        matches=recorded == recounted,
        digest_ok=record.get("digest") == digest_of(record),
        recorded=recorded,
        recounted=recounted,
    )


def recount_command(data: bytes, out: IO[str], err: IO[str]) -> int:
    """``planner recount-choice FILE``: 0 when the recount matches and the digest holds, 1 when
    not, 2 when the file is not a record."""
    try:
        record = msgspec.json.decode(data)
        result = recount(record)
    except (ValueError, KeyError, TypeError, msgspec.DecodeError) as problem:
        print(f"not a choice-round record: {problem}", file=err)
        return 2
    for key in KEYS:
        print(f"{key}: recorded {result.recorded[key]} recounted {result.recounted[key]}", file=out)
    print(f"digest: {'ok' if result.digest_ok else 'DOES NOT MATCH'}", file=out)
    print("result: " + ("matches" if result.matches else "DOES NOT MATCH"), file=out)
    return 0 if result.matches and result.digest_ok else 1
