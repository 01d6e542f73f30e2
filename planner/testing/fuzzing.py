"""Schema fuzzing with schemathesis (v4 Python API), shared by the test and the bench script.

Every operation of ``/schema/openapi.json`` is called with generated requests under the
token of each role. Path ids are those of the populated world most of the time (so the
bodies reach real objects) and generated the rest. Checks: no 5xx; a successful
response's body and content type conform to the schema; an error is problem+json.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@dataclass
class FuzzReport:
    requests: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    operations: int = 0
    seconds: float = 0.0

    def add(self, status: int) -> None:
        self.requests += 1
        self.by_status[status] = self.by_status.get(status, 0) + 1


def fuzz(
    base_url: str,
    tokens: dict[str, str],
    ids: dict[str, int],
    max_examples: int,
    skip: Iterable[str] = (),
    seed: int | None = 20261126,
) -> FuzzReport:
    """Run every operation × role with ``max_examples`` generated cases each."""
    started = time.monotonic()
    schema = schemathesis.openapi.from_url(f"{base_url}/schema/openapi.json")
    report = FuzzReport()
    session = requests.Session()
    skipped = set(skip)
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if label in skipped:
            continue
        report.operations += 1
        for role, token in tokens.items():
            _fuzz_operation(
                operation, label, role, token, ids, max_examples, base_url, session, report, seed
            )
    report.seconds = time.monotonic() - started
    return report


def _header(response: Any, name: str) -> str:
    value = response.headers.get(name) or response.headers.get(name.title()) or ""
    return str(value[0] if isinstance(value, list) and value else value)


def _problem_failure(response: Any) -> str | None:
    """Errors are ours to check: 5xx never; 4xx as problem+json with status and detail.

    (Litestar documents error responses as ``application/json`` with its own shape, so the
    schema's error entries are not what the service promises; API.md's problem+json is.)
    """
    status = response.status_code
    if status >= 500:
        return f"{status} server error | body {response.content[:300]!r}"
    if status < 400 or status == 405:
        return None
    content_type = _header(response, "content-type")
    if not content_type.startswith("application/problem+json"):
        return f"{status} with content type {content_type!r}: {response.text[:200]!r}"
    body = json.loads(response.text)
    if body.get("status") != status or not body.get("detail"):
        return f"{status} problem without status or detail: {response.text[:300]!r}"
    return None


def _fuzz_operation(
    operation: Any,
    label: str,
    role: str,
    token: str,
    ids: dict[str, int],
    max_examples: int,
    base_url: str,
    session: requests.Session,
    report: FuzzReport,
    seed: int | None,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}

    @hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=seed is not None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(), use_known=st.booleans())
    def run(case: Any, use_known: bool) -> None:
        if use_known and case.path_parameters:
            for name in list(case.path_parameters):
                if name in ids:
                    case.path_parameters[name] = ids[name]
        try:
            response = case.call(base_url=base_url, session=session, headers=headers, timeout=180)
        except requests.RequestException as exc:
            report.failures.append(f"{label} as {role}: transport error {exc!r}")
            return
        report.add(response.status_code)
        problem = _problem_failure(response)
        if problem:
            report.failures.append(f"{label} as {role}: {problem}")
            return
        if response.status_code >= 400:
            return
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except BaseException as exc:  # every failed check is recorded, then the run goes on
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            report.failures.append(
                f"{label} as {role}: {response.status_code} {type(exc).__name__}: "
                f"{str(exc)[:500]} | body {response.content[:300]!r}"
            )

    run()
