"""Final accounts' exports for people: per-household CSV and XLSX for the treasurer, and
printable settlement notices (退补通知) for staff and each owner (her own, once approved)."""

from __future__ import annotations

import io

from planner.access.guards import authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import NotFound
from planner.estates.store import estate_name, estate_time_zone
from planner.funding.exports.model import HouseholdLabel
from planner.funding.exports.store import household_labels
from planner.localtime import local_date
from planner.settlement import exports, rules, store
from planner.settlement.model import FinalAccountsOut


async def _export_basis(
    db: Database,
    final_id: int,
    principal: Principal,
    roles: tuple[str, ...],
    household_ids: list[int] | None = None,
) -> tuple[FinalAccountsOut, dict[int, HouseholdLabel], str, str]:
    """The version, its households' labels, the estate's name and time zone."""
    async with db.connection() as conn:
        final = await store.get_final_accounts(conn, final_id)
        if final is None:
            raise NotFound("final accounts")
        authorize(principal, final.estate_id, roles, what="final accounts")
        labels = await household_labels(conn, final.plan_id, household_ids)
        name = await estate_name(conn, final.estate_id) or ""
        time_zone = await estate_time_zone(conn, final.estate_id)
    return final, labels, name, time_zone


async def export_csv(
    db: Database, final_id: int, principal: Principal, lang: exports.Lang, bom: bool
) -> tuple[bytes, tuple[str, str]]:
    """Per-household CSV (treasurer, committee, admin) and its (UTF-8, ASCII) file names."""
    final, labels, name, _ = await _export_basis(db, final_id, principal, rules.EXPORT_FINAL)
    return exports.write_csv(final, labels, name, lang, bom), exports.file_names(final, name, "csv")


async def export_xlsx(
    db: Database, final_id: int, principal: Principal, lang: exports.Lang
) -> tuple[bytes, tuple[str, str]]:
    """Per-household XLSX with SUM formulas carrying their values."""
    final, labels, name, _ = await _export_basis(db, final_id, principal, rules.EXPORT_FINAL)
    buffer = io.BytesIO()
    exports.write_xlsx(final, labels, name, lang, buffer)
    return buffer.getvalue(), exports.file_names(final, name, "xlsx")


async def settlement_notices(
    db: Database,
    final_id: int,
    principal: Principal,
    lang: exports.Lang,
    household_id: int | None = None,
) -> str:
    """Printable settlement notices (退补通知): every household's (treasurer, committee,
    admin), or one household's: staff any, an owner only her own of an approved version
    (anything else 404, like a missing one)."""
    roles = rules.EXPORT_FINAL if household_id is None else rules.READ_FINAL
    final, labels, name, time_zone = await _export_basis(
        db, final_id, principal, roles, None if household_id is None else [household_id]
    )
    lines = final.households
    if household_id is not None:
        owner = principal.role == "owner"
        if owner and (final.status != "approved" or household_id not in principal.household_ids):
            raise NotFound("household")
        lines = [h for h in lines if h.household_id == household_id]
        if not lines:
            raise NotFound("household")
    day = local_date(final.approved_at, time_zone) if final.approved_at else ""
    return exports.render_notices(final, labels, lines, name, day, lang)
