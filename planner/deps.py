"""Types for handler parameters that Litestar injects by name.

Write ``db: DbDep``, ``principal: PrincipalDep``, ``settings: SettingsDep`` in handlers, so the
one place to change is here when Litestar 3 wants injected parameters marked explicitly.
"""

from __future__ import annotations

from typing import TypeAlias

from planner.access.model import Principal
from planner.db.pool import Database
from planner.settings import Settings

DbDep: TypeAlias = Database
PrincipalDep: TypeAlias = Principal
SettingsDep: TypeAlias = Settings
