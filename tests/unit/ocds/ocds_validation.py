"""OCDS 1.1 validation for the tests: the core schemas (1.1.5) with the bid and budget
breakdown extensions applied as JSON Merge Patches (RFC 7386), from the shared standards
folder (``../shared/standards/ocds-1.1`` beside the repository; the machines cannot
download schemas). Draft 4, as the schemas declare."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.conftest import ROOT

EXTENSIONS = ("ocds_bid_extension", "ocds_budget_breakdown_extension")
RELEASE_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"


# The schemas use two formats; jsonschema checks them only with optional packages this
# project does not install, so the checker here does it: RFC 3339 date-times (with an offset)
# and absolute URIs.
FORMATS = jsonschema.FormatChecker(formats=())
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    if not RFC3339.match(instance):
        return False
    datetime.fromisoformat(instance.replace("Z", "+00:00").replace("z", "+00:00"))
    return True


@FORMATS.checks("uri")
def _uri(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    parts = urlsplit(instance)
    return bool(parts.scheme and (parts.netloc or parts.path)) and " " not in instance


def schema_dir() -> Path:
    for base in (ROOT.parent, ROOT.parent.parent):
        found = base / "shared" / "standards" / "ocds-1.1"
        if (found / "release-schema.json").is_file():
            return found
    raise AssertionError("the OCDS schemas: ../shared/standards/ocds-1.1 not found")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge key by key, ``null`` removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def release_schema() -> dict[str, Any]:
    """The core release schema with both extensions merged in."""
    folder = schema_dir()
    schema = _load(folder / "release-schema.json")
    for name in EXTENSIONS:
        schema = merge_patch(schema, _load(folder / "extensions" / name / "release-schema.json"))
    return schema  # type: ignore[no-any-return]


@cache
def _validators() -> tuple[jsonschema.Draft4Validator, jsonschema.Draft4Validator]:
    folder = schema_dir()
    release = release_schema()
    # the package refers to the release schema by its URL: serve the patched one locally
    registry: Registry = Registry().with_resource(
        RELEASE_URL, Resource.from_contents(release, default_specification=DRAFT4)
    )
    package = _load(folder / "release-package-schema.json")
    checker = FORMATS
    return (
        jsonschema.Draft4Validator(package, registry=registry, format_checker=checker),
        jsonschema.Draft4Validator(release, format_checker=checker),
    )


def errors_of_release(release: Any) -> list[str]:
    _, validator = _validators()
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(release)]


def errors_of_package(package: Any) -> list[str]:
    """Every error of a release package: the package schema, then each release."""
    package_validator, _ = _validators()
    errors = [
        f"package {list(e.absolute_path)}: {e.message}"
        for e in package_validator.iter_errors(package)
    ]
    for release in package.get("releases", []):
        errors += [f"{release.get('id')}: {e}" for e in errors_of_release(release)]
    return errors


def errors_of_record_package(package: Any) -> list[str]:
    """A record package's releases and compiled release against the release schema (the
    record package schema is not among the shared files)."""
    errors = []
    for record in package["records"]:
        for release in [*record["releases"], record["compiledRelease"]]:
            errors += [f"{release.get('id')}: {e}" for e in errors_of_release(release)]
    return errors
