"""OCDS merging (pure): a contracting process's releases, in date order, into its compiled
release: objects merge by key, arrays of objects by ``id``, other arrays are replaced, and a
``null`` removes a field (the standard's merge rules, without versioned releases)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Json = dict[str, Any]


def _merge_value(old: Any, new: Any) -> Any:
    if isinstance(old, dict) and isinstance(new, dict):
        return merge_objects(old, new)
    if (
        isinstance(old, list)
        and isinstance(new, list)
        and all(isinstance(x, dict) and "id" in x for x in (*old, *new))
    ):
        merged = {x["id"]: x for x in old}
        for x in new:
            merged[x["id"]] = _merge_value(merged[x["id"]], x) if x["id"] in merged else x
        return list(merged.values())
    return new


def merge_objects(old: Mapping[str, Any], new: Mapping[str, Any]) -> Json:
    """OCDS merging of one release into the compiled state (null removes a field)."""
    out = dict(old)
    for key, item in new.items():
        if item is None:
            out.pop(key, None)
        else:
            out[key] = _merge_value(out[key], item) if key in out else item
    return out


def compiled(rels: Sequence[Json]) -> Json:
    """The compiled release: the releases merged in order; tag ``compiled``."""
    state: Json = {}
    for r in rels:
        state = merge_objects(state, r)
    state["id"] = f"{rels[-1]['ocid']}-compiled"
    state["tag"] = ["compiled"]
    return state
