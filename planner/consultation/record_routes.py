"""The recountable record of a closed consultation over HTTP (JSON or CSV)."""

from __future__ import annotations

import asyncio
from typing import Literal

from litestar import Controller, Response, get
from litestar.params import FromPath, FromQuery

from planner.consultation import record
from planner.consultation.recount import to_csv, to_json
from planner.deps import DbDep, PrincipalDep


class RecordController(Controller):
    tags = ["consultation"]

    @get("/api/consultations/{consultation_id:int}/record")
    async def get_record(
        self,
        consultation_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        format: FromQuery[Literal["json", "csv"]] = "json",
    ) -> Response[bytes]:
        """Members, once closed (409 before): every motion's roll, every ballot and the tally
        of record, each line with its chained hash, and the final digest (also in the
        consultation's ``record_digest``). ``format=csv``: one line per ballot. Recount it
        offline with ``planner recount FILE``."""
        found = await record.download(db, principal, consultation_id)
        name = f"consultation-{consultation_id}-record"
        headers = {"x-record-digest": found.digest, "cache-control": "private, no-store"}
        if format == "csv":
            headers["content-disposition"] = f'attachment; filename="{name}.csv"'
            text = await asyncio.to_thread(to_csv, found)  # ~0.3 s for 2,000 units × 3 motions
            return Response(text.encode(), media_type="text/csv; charset=utf-8", headers=headers)
        headers["content-disposition"] = f'attachment; filename="{name}.json"'
        content = await asyncio.to_thread(to_json, found)
        return Response(content, media_type="application/json", headers=headers)


route_handlers = [RecordController]
