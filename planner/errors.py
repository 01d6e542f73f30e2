"""Domain errors that the app renders as problem+json responses.

Every error carries a stable machine ``code`` (and its ``params``) beside the English
sentence: clients translate codes, never sentences. ``CODES`` is the one table of codes
(``docs/errors.md`` prints it; the web's ``error.<code>`` translations must match it, which
``tests/unit/test_error_codes.py`` checks). An error raised with a code missing from the
table fails at once, so a new code cannot ship untranslated.

The body of an error answer::

    {status, title, detail, code, params, errors: [{field, code, reason, params}]}
"""

from __future__ import annotations

import re
from typing import Any

Params = dict[str, Any]

# code → what it means, in English, with its parameters in braces. One section per slice:
# a slice adds its codes to its own section.
CODES: dict[str, str] = {
    # general (400 input, 401, 403, 404, 409, 422, 5xx)
    "invalid": "the value is not valid ({reason})",
    "required": "the field is required",
    "unknown_field": "the field is not part of this request",
    "wrong_type": "expected {expected}, got {got}",
    "too_long": "at most {max} characters",
    "too_short": "at least {min} characters",
    "too_many": "at most {max} items",
    "too_few": "at least {min} items",
    "too_small": "must be at least {min}",
    "too_large": "must be at most {max}",
    "blank": "must contain a non-blank character",
    "control_character": "contains a control character ({char})",
    "bidi_control": "contains a bidi control character ({char}) that reorders text",
    "invisible_only": "has no visible character",
    "invisible_character": "contains an invisible character ({char})",
    "not_allowed": "the value is not one of the allowed choices",
    "bad_format": "the value does not have the expected format",
    "not_json": "the body is not valid JSON",
    "not_utf8": "the body is not valid UTF-8",
    "too_deep": "the body is nested too deeply",
    "not_storable": "a value cannot be stored (text with NUL characters, or a number out of range)",
    "body_too_large": "the request body is too large",
    "unsupported_media_type": "the body's media type is not supported",
    "duplicate_in_request": "the same item appears twice in the request",
    "not_in_estate": "{what} does not belong to this estate",
    "not_in_scope": "{what} is outside the scope",
    "bad_range": "the range is not valid",
    "bad_path_parameter": "the path parameter is not valid",
    "unauthorized": "missing or invalid token",
    "forbidden": "not allowed for your role or estate",
    "not_a_member": "you are not a member of this estate",
    "role_not_allowed": "your role ({role}) may not do this",
    "too_many_requests": "too many requests; try again later",
    "method_not_allowed": "this method is not allowed here",
    "not_found": "the resource was not found",
    "conflict": "the change conflicts with the current state",
    "already_exists": "{what} already exists",
    "wrong_status": "{what} is {status}; this needs {needed}",
    "illegal_transition": "{what} cannot go from {from} to {to}",
    "not_yet_available": "this is made when {when}",
    "unprocessable": "the request cannot be carried out",
    "internal": "the server failed; the change was not made",
    "unavailable": "the service is unavailable; try again later",
    "database_unavailable": "the database cannot be reached; try again in {retry_after_s} s",
    # access, estates, live
    "csrf_failed": "missing or wrong X-CSRF-Token for a cookie-authenticated change",
    "admin_only": "only the admin may do this",
    "rank_too_low": "your role ({role}) may not revoke a member ranked higher ({target_role})",
    "revocation_already_requested": (
        "you already asked to revoke this member; another committee member or the admin must "
        "confirm"
    ),
    "revocation_not_pending": "no revocation of this member is pending",
    "revocation_not_yours": (
        "only the member who asked, or the admin, may withdraw this revocation request"
    ),
    "signin_link_invalid": "this sign-in link is not valid (mistyped, cut short or never issued)",
    "signin_link_revoked": "this sign-in link was revoked; ask your committee for a new one",
    "supplier_id_mismatch": "supplier_id is required for role supplier and only for it",
    "partner_kind_mismatch": "partner_kind is only for role partner, not {role}",
    "bad_csv": "line {line}: the file is not a valid CSV ({error})",
    "csv_empty": "the file holds no households",
    "csv_field_count": "line {line}: expected {expected} fields, got {got}",
    "csv_unknown_columns": "unknown columns: {columns}",
    "csv_duplicate_columns": "duplicate columns: {columns}",
    "csv_missing_columns": "missing columns: {columns}",
    "csv_duplicate_unit": "line {line}: unit {building} {unit} is also on line {other_line}",
    "not_a_number": "not a number: {value}",
    "not_a_whole_number": "not a whole number: {value}",
    "out_of_range": "must be between {min} and {max}",
    "too_precise": "at most {places} decimal places",
    "not_positive": "must be positive",
    "unknown_building": "line {line}: the estate has no building {building}",
    "estate_not_found": "the estate was not found",
    "unknown_time_zone": "not a time zone zoneinfo knows: {value} (e.g. Asia/Shanghai)",
    "building_not_found": "the building was not found",
    "household_not_found": "the household was not found",
    "member_not_found": "the member was not found",
    # works and negotiation
    "supplier_only": "only a supplier's negotiator may do this",
    "work_not_found": "the work was not found",
    "tenders_not_found": "there is no work to export: an OCDS release package needs one at least",
    "supplier_not_found": "the supplier was not found",
    "quote_not_found": "the quote was not found",
    "round_not_found": "the round was not found",
    "reference_prices_not_found": "the reference prices were not found",
    "stale_round": "round {round} was superseded by round {latest}",
    "round_expired": "round {round} was valid until {valid_until}",
    "round_final": "round {round} was marked final",
    "sealed": "the bids are sealed until their opening time",
    "already_quoted": "you already quoted for this work; send a new round instead",
    "already_invited": "the supplier is already invited",
    "award_needs_motion": "this work needs a passed motion before the award",
    "award_via_quote": "a work is awarded by awarding a quote",
    "nothing_to_change": "name at least one field to change",
    "only_with_rule": "only the {rule} rule takes this field",
    "in_the_past": "must not be before today ({today})",
    "counter_offer_empty": "give a target total, line targets or both",
    "no_such_line": "the round has lines 1..{lines}",
    # deliberation
    "not_your_unit": "you may not vote for these units",
    "no_units_in_scope": "you hold no units (own or delegated) in this scope",
    "delegation_not_found": "the delegation was not found",
    "meeting_not_found": "the meeting was not found",
    "motion_not_found": "the motion was not found",
    "motion_closed": "the motion is closed; ballots are no longer taken",
    "meeting_not_open": "the meeting is not open; open it first",
    "meeting_closed": "the meeting is closed; no motion can be added",
    "proxy_not_voter": "a {role} may not vote, so not as proxy",
    "idempotency_key_reused": (
        "this idempotency key was already used for another ballot; send a new key"
    ),
    # written consultation
    "consultation_not_found": "the consultation was not found",
    "managed_by_consultation": "this is a written consultation; it runs on its schedule",
    "time_without_offset": "give the time with its offset, e.g. 2026-12-20T09:00:00+08:00",
    "closes_before_opens": "the voting window must close after it opens",
    "unknown_rule_set": "unknown rule set {name}; known: {known}",
    "no_motions": "add at least one motion before publishing",
    "notice_too_short": (
        "the notice must be posted {days} days before voting opens (earliest {earliest})"
    ),
    "early_close_refused": (
        "it may close before {closes_at} only when every owner in scope has voted"
    ),
    "sheet_code_invalid": "this is not a sheet code of this consultation; check the code",
    "sheet_not_on_roll": "the sheet's owner has no unit on this consultation's roll",
    "sheet_choices_invalid": (
        "every motion needs exactly one choice (missing: {missing}; unknown or repeated: {extra})"
    ),
    "same_member_entry": "you have already entered this sheet; another member must enter it",
    "consultation_closed": "the consultation closed at {closes_at}; paper ballots are refused",
    "photo_not_found": "the photo was not found",
    "photo_invalid": "a photo must be a JPEG, PNG or WebP image (up to 8 MiB)",
    # needs and choosing works
    "suggestion_not_found": "the suggestion was not found",
    "questionnaire_not_found": "the questionnaire was not found",
    "household_not_yours": "owners submit for their own units only",
    "sheet_no_taken": "sheet {sheet_no} was already entered (suggestion {suggestion_id})",
    "answer_sheet_taken": (
        "sheet {sheet_no} of this questionnaire was already entered (answer {answer_id})"
    ),
    "helper_required": "say who helps the residents solve it",
    "duplicate_cycle": (
        "suggestion {suggestion_id} cannot be a duplicate of {of}: itself or its own duplicate"
    ),
    "answers_count": "give one answer per question ({expected})",
    "unknown_option": "{option} is not an option of this question",
    "one_option_only": "choose one option",
    "import_invalid": "{count} faults in the file; nothing was imported",
    "import_empty": "the file holds no answers",
    "import_duplicate_sheet": "line {line}: sheet {sheet_no} is also on line {other_line}",
    "import_sheet_taken": "line {line}: sheet {sheet_no} was already entered (answer {answer_id})",
    "import_unknown_unit": "line {line}: the estate has no unit {building} {unit}",
    "xlsx_unreadable": "the file is not a readable XLSX workbook",
    "problem_not_found": "the common problem was not found",
    "suggestion_in_problem": (
        "suggestions {ids} are already in another common problem ({problem_ids})"
    ),
    "problem_merged": "problem {id} was merged into problem {into}",
    "problem_has_work": "this problem already became work {work_id}",
    "wish_not_found": "the wish was not found",
    "not_your_wish": "this wish is not for one of your units",
    "not_your_claim": "another partner unit claimed this wish",
    "pledge_not_found": "the pledge was not found",
    "not_your_pledge": "another partner unit made this pledge",
    "pledge_in_use": "the approved funding plan uses this pledge; it cannot be withdrawn",
    "choice_round_not_found": "the choice round was not found",
    "choice_work_not_eligible": (
        "works {ids} cannot be chosen: a work of this estate with an estimate, candidate or"
        " proposed"
    ),
    "choice_no_unit": "you hold no unit in this estate, so you have no approvals to give",
    "choice_paper_prevails": "your approvals were entered from paper sheet {sheet_no}; it stands",
    "choice_sheet_entered": "sheet {sheet_no} has already been entered in this round",
    "choice_paper_exists": "this owner's paper sheet {sheet_no} has already been entered",
    # collection, delivery and settlement
    "milestone_not_found": "the milestone was not found",
    "acceptance_not_found": "the acceptance was not found",
    "defect_not_found": "the defect was not found",
    "bad_period": (
        "planned must be a month (2026-03), a quarter (2026-Q2), a half-year (2026-H1) or a "
        "date (2026-03-15), not {value}"
    ),
    "weights_over_100": "the milestones' weights add up to {total} %, more than 100",
    "progress_decrease_needs_note": (
        "progress goes back from {previous} % to {percent} %: say why in a note"
    ),
    "already_signed": "you have already signed this acceptance",
    "not_owner_representative": (
        "only an owner holding a unit in the work's scope signs for the owners"
    ),
    "acceptance_incomplete": (
        "the acceptance still needs {committee_signatures} committee signature(s), "
        "{owner_signatures} owner representative signature(s) and {open_defects} defect(s) fixed"
    ),
    "variation_not_found": "the variation was not found",
    "final_accounts_not_found": "the final accounts were not found",
    "zero_amount": "a variation changes the cost: not 0",
    "work_not_awarded": "the work is {status}; a variation needs an awarded work",
    "variation_needs_decision": (
        "the variation of {amount_fen} fen is above the estate's threshold of {threshold_fen} "
        "fen; link a passed motion"
    ),
    "motion_not_passed": "motion {motion_id} has not passed",
    "not_in_plan": "work {work_id} is not in the plan",
    "final_cost_of_awarded_work": (
        "work {work_id} is awarded; its final cost is the award plus approved variations"
    ),
    "final_cost_missing": "work {work_id} of the plan has no award; give its final cost",
    "final_accounts_frozen": (
        "version {version} of these final accounts is approved; they are frozen"
    ),
    "final_accounts_infeasible": "no final accounts satisfy the plan's rules with these costs",
    "ledger_entry_not_found": "the ledger entry was not found",
    "receipt_no_taken": "receipt number {receipt_no} is already in the ledger",
    "entry_already_reversed": "entry {entry_id} was reversed already",
    "reversal_not_reversible": "a reversal cannot be reversed; record a new payment instead",
    "date_in_future": "the date is after today ({today})",
    "bank_statement_not_found": "the bank statement was not found",
    "bank_line_not_found": "the bank statement line was not found",
    "bank_line_not_open": (
        "this bank statement line is {status}; only unmatched or ambiguous lines can be assigned"
    ),
    "bank_csv_invalid": "line {line}: {field} is not valid",
    # funding, payments and exports
    "not_your_notice": "owners may print only their own notice",
    "funding_plan_not_found": "the funding plan was not found",
    "funding_source_not_found": "the funding source was not found",
    "payment_not_found": "the payment was not found",
    "plan_not_draft": "only a draft plan can be approved",
    "plan_in_force_changed": (
        "version {version} was approved after version {draft} was solved; solve again to replace it"
    ),
    "plan_not_approved": "this needs an approved plan",
    "plan_failed": "this plan version failed and has nothing to show",
    "plan_infeasible": "no funding plan satisfies the constraints",
    "solve_timeout": "the solver ran out of time; try again or reduce the problem",
    "solve_failed": "the solver failed; the attempt is stored as a failed version",
    "not_a_share": 'must be a share between 0 and 1, e.g. "0.30"',
    "pledge_not_eligible": "a pledged work must be eligible",
    "works_without_cost": "works without a cost: {ids}",
    # tendering
    "auction_not_found": "the auction was not found",
    "auction_not_open": "the work's bids are not open for an auction (the work is {status})",
    "auction_too_few_bidders": "{have} bidders; the auction needs at least {need}",
    "auction_exists": "the work already has a scheduled or running auction",
    "auction_one_step": "give min_step_pct or min_step_fen, not both",
    "auction_step_too_small": (
        "a bid must be at most {max_fen} fen (your price minus the step of {step_fen} fen)"
    ),
    "auction_not_your_turn": "it is bidder {label}'s turn",
    "auction_turn_over": "your turn in round {round} is over",
    "auction_not_running": "the auction takes no bids now ({status})",
    "auction_not_bidder": "only a bidder of this auction may bid",
    "auction_under_way": "an auction is under way for this work",
    # the district (issue 21)
    "district_member_not_found": "the district member was not found",
    "estates_unknown": "no such estates: {ids}",
}


def _checked(code: str) -> str:
    if code not in CODES:
        raise ValueError(f"error code {code!r} is not in planner.errors.CODES")
    return code


def field_error(field: str, code: str, reason: str, params: Params | None = None) -> Params:
    """One entry of ``errors``: the failing field's JSON path, its code and the reason."""
    return {"field": field, "code": _checked(code), "reason": reason, "params": params or {}}


class PlannerError(Exception):
    """Base of every error a handler may raise on purpose."""

    status = 400
    title = "Bad request"
    default_code = "invalid"

    def __init__(
        self,
        detail: str,
        errors: list[Params] | None = None,
        extra: Params | None = None,
        *,
        code: str | None = None,
        params: Params | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = _checked(code or self.default_code)
        self.params = params or {}
        self.errors = errors or []
        self.extra = extra or {}


class BadRequest(PlannerError):
    """400 naming the failing field (a JSON path such as ``lines[2].quantity``) and the reason."""

    def __init__(
        self, field: str, reason: str, code: str = "invalid", params: Params | None = None
    ) -> None:
        params = dict(params or {})
        if code == "invalid":
            params.setdefault("reason", reason)
        entry = field_error(field, code, reason, params)
        super().__init__(f"{field}: {reason}", [entry], code=code, params=params)


class Unauthorized(PlannerError):
    status = 401
    title = "Unauthorized"
    default_code = "unauthorized"

    def __init__(self, detail: str = "missing or invalid token", code: str | None = None) -> None:
        super().__init__(detail, code=code)


class Forbidden(PlannerError):
    status = 403
    title = "Forbidden"
    default_code = "forbidden"

    def __init__(
        self,
        detail: str = "not allowed for your role or estate",
        code: str | None = None,
        params: Params | None = None,
    ) -> None:
        super().__init__(detail, code=code, params=params)


class NotFound(PlannerError):
    """404 with code ``<what>_not_found`` (``funding plan`` → ``funding_plan_not_found``)."""

    status = 404
    title = "Not found"
    default_code = "not_found"

    def __init__(self, what: str = "resource") -> None:
        code = f"{what.replace(' ', '_')}_not_found"
        super().__init__(
            f"{what} not found", code=code if code in CODES else None, params={"what": what}
        )


class Conflict(PlannerError):
    """409: the current state does not allow the change (which step is missing, in words)."""

    status = 409
    title = "Conflict"
    default_code = "conflict"

    def __init__(self, detail: str, code: str | None = None, params: Params | None = None) -> None:
        super().__init__(detail, code=code, params=params)


class Unprocessable(PlannerError):
    """422: the request is well formed but no result can be made (e.g. an infeasible plan)."""

    status = 422
    title = "Unprocessable"
    default_code = "unprocessable"

    def __init__(
        self,
        detail: str,
        details: Any = None,
        code: str | None = None,
        params: Params | None = None,
    ) -> None:
        super().__init__(
            detail,
            extra={"details": details} if details is not None else None,
            code=code,
            params=params,
        )


_MSGSPEC_CODES: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (re.compile(r"^Object contains unknown field `(?P<name>[^`]*)`$"), "unknown_field", ()),
    (re.compile(r"^Object missing required field `(?P<name>[^`]*)`$"), "required", ()),
    (re.compile(r"^Expected `str` of length <= (?P<max>\d+)$"), "too_long", ("max",)),
    (re.compile(r"^Expected `str` of length >= (?P<min>\d+)$"), "too_short", ("min",)),
    (re.compile(r"^Expected `(?:array|object)` of length <= (?P<max>\d+)$"), "too_many", ("max",)),
    (re.compile(r"^Expected `(?:array|object)` of length >= (?P<min>\d+)$"), "too_few", ("min",)),
    (re.compile(r"^Expected `\w+` >= (?P<min>\S+)$"), "too_small", ("min",)),
    (re.compile(r"^Expected `\w+` > (?P<min>\S+)$"), "too_small", ("min",)),
    (re.compile(r"^Expected `\w+` <= (?P<max>\S+)$"), "too_large", ("max",)),
    (re.compile(r"^Expected `\w+` < (?P<max>\S+)$"), "too_large", ("max",)),
    (re.compile(r"^Expected `str` matching regex '\\S'$"), "blank", ()),
    (re.compile(r"^Expected `str` matching regex"), "bad_format", ()),
    (re.compile(r"^Invalid enum value"), "not_allowed", ()),
    # the text rules of planner.model (text_fault)
    (
        re.compile(r"^contains a control character \((?P<char>U\+[0-9A-F]+)\)$"),
        "control_character",
        ("char",),
    ),
    (
        re.compile(r"^contains a bidi control character \((?P<char>U\+[0-9A-F]+)\)$"),
        "bidi_control",
        ("char",),
    ),
    (re.compile(r"^has no visible character$"), "invisible_only", ()),
    (
        re.compile(r"^contains an invisible character \((?P<char>U\+[0-9A-F]+)\)$"),
        "invisible_character",
        ("char",),
    ),
    (
        re.compile(r"^Expected `(?P<expected>[^`]*)`, got `(?P<got>[^`]*)`$"),
        "wrong_type",
        ("expected", "got"),
    ),
)


def code_for_reason(reason: str) -> tuple[str, Params]:
    """The code and parameters of one of msgspec's validation sentences (``invalid`` if unknown)."""
    for pattern, code, names in _MSGSPEC_CODES:
        match = pattern.search(reason)
        if match:
            return code, {name: match.group(name) for name in names}
    return "invalid", {"reason": reason}


def codes_markdown() -> str:
    """The table of codes for ``docs/errors.md`` (``python -m planner.errors`` prints it)."""
    rows = ["| code | meaning (English; parameters in braces) |", "| --- | --- |"]
    rows += [f"| `{code}` | {meaning} |" for code, meaning in CODES.items()]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(codes_markdown(), end="")
