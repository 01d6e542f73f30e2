"""may_see: the role filter applied to replay and live events alike."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from planner.access.model import Principal
from planner.live.visibility import may_listen, may_see


@dataclass
class Ev:
    audience: str
    supplier_id: int | None = None


def who(role: str, supplier_id: int | None = None, estate_id: int | None = 1) -> Principal:
    return Principal(
        member_id=1,
        estate_id=estate_id,
        role=role,  # type: ignore[arg-type]
        display_name="x",
        supplier_id=supplier_id,
    )


COMMITTEE, OWNER, TREASURER, OBSERVER, ADMIN = (
    who("committee"),
    who("owner"),
    who("treasurer"),
    who("observer"),
    who("admin", estate_id=None),
)
SUPPLIER_A, SUPPLIER_B = who("supplier", 10), who("supplier", 11)

CASES = [
    # audience, supplier_id, principals who see it
    ("all", None, {COMMITTEE, OWNER, TREASURER, OBSERVER, ADMIN, SUPPLIER_A, SUPPLIER_B}),
    ("members", None, {COMMITTEE, OWNER, TREASURER, OBSERVER, ADMIN}),
    ("staff", None, {COMMITTEE, TREASURER, OBSERVER, ADMIN}),
    ("supplier", 10, {COMMITTEE, TREASURER, OBSERVER, ADMIN, SUPPLIER_A}),
    ("bidder", 10, {SUPPLIER_A}),
    ("bidder", None, set()),
    ("supplier", None, {COMMITTEE, TREASURER, OBSERVER, ADMIN}),
    ("typo", None, set()),
]
EVERYONE = [COMMITTEE, OWNER, TREASURER, OBSERVER, ADMIN, SUPPLIER_A, SUPPLIER_B]


@pytest.mark.parametrize(("audience", "supplier_id", "seers"), CASES)
def test_audience_table(audience: str, supplier_id: int | None, seers: set[Principal]) -> None:
    event = Ev(audience, supplier_id)
    for principal in EVERYONE:
        assert may_see(principal, event) == (principal in seers), (audience, principal.role)


def test_a_supplier_never_sees_another_suppliers_quote_events() -> None:
    for audience in ("supplier", "bidder"):
        assert not may_see(SUPPLIER_B, Ev(audience, 10))


def test_supplier_without_supplier_id_sees_no_supplier_events() -> None:
    assert not may_see(who("supplier", None), Ev("bidder", None))


def test_may_listen_only_in_own_estate_or_as_global_admin() -> None:
    assert may_listen(OWNER, 1) and not may_listen(OWNER, 2)
    assert may_listen(ADMIN, 2)
    assert not may_listen(who("admin", estate_id=1), 2)
