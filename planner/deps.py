"""Types for handler parameters that Litestar injects by name.

Write ``db: DbDep``, ``principal: PrincipalDep``, ``settings: SettingsDep`` in handlers, so the
one place that marks injected parameters explicitly (Litestar 2.23+ deprecates inferred ones).
``read_db: ReadDbDep`` is for reads that may lag by a moment (the district view): the
streaming standby when ``DATABASE_REPLICA_URL`` is set and it answers, else the primary
(``planner.db.replica``; say how fresh with ``freshness(conn)``). Never for a change.
"""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency

from planner.access.model import Principal
from planner.db.pool import Database
from planner.settings import Settings

DbDep: TypeAlias = NamedDependency[Database]
ReadDbDep: TypeAlias = NamedDependency[Database]
PrincipalDep: TypeAlias = NamedDependency[Principal]
SettingsDep: TypeAlias = NamedDependency[Settings]
