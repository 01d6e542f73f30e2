"""Delete estates and everything that hangs off them, in one transaction.

The rows to delete are found from the database's own foreign keys, not from a list of
tables: starting at the estates, every row that references a doomed row is doomed too,
until nothing new turns up. So a table a later migration adds is covered as long as it
points (directly or through others) at an estate. All doomed rows then go in a single
statement, which lets the foreign-key checks (run at its end) accept cycles such as
works ↔ quotes.

Some tables refuse DELETE by trigger (rounds, counter-offers, ballots and funding plans
are append-only). The purge disables user triggers on the tables it deletes from for the
length of its transaction; ``ALTER TABLE`` holds an exclusive lock until commit, so no
other session ever sees them disabled.
"""

from __future__ import annotations

import asyncpg

_FOREIGN_KEYS = """
    SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent,
           array_agg(ca.attname ORDER BY k.i) AS child_cols,
           array_agg(pa.attname ORDER BY k.i) AS parent_cols
    FROM pg_constraint c
    CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(ck, pk, i)
    JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = k.ck
    JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = k.pk
    WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
    GROUP BY c.oid, c.conrelid, c.confrelid
    ORDER BY 1, 2, 3
"""


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def purge_estates(conn: asyncpg.Connection, estate_ids: list[int]) -> dict[str, int]:
    """Delete the estates and every row depending on them; returns rows deleted per table.

    Must run inside a transaction (the caller's), which it leaves holding exclusive locks
    on the tables it touched until commit.
    """
    if not estate_ids:
        return {}
    if not conn.is_in_transaction():
        raise RuntimeError("purge_estates must run inside a transaction")
    await conn.execute(
        "CREATE TEMP TABLE demo_doomed (rel text NOT NULL, row_ctid tid NOT NULL,"
        " PRIMARY KEY (rel, row_ctid)) ON COMMIT DROP"
    )
    await conn.execute(
        "INSERT INTO demo_doomed SELECT 'estates', ctid FROM estates WHERE id = ANY($1::bigint[])",
        estate_ids,
    )
    keys = await conn.fetch(_FOREIGN_KEYS)
    grown = True
    while grown:
        grown = False
        for key in keys:
            child, parent = key["child"], key["parent"]
            join = " AND ".join(
                f"c.{_ident(cc)} = p.{_ident(pc)}"
                for cc, pc in zip(key["child_cols"], key["parent_cols"], strict=True)
            )
            status = await conn.execute(
                f"""INSERT INTO demo_doomed
                    SELECT $1, c.ctid FROM {_ident(child)} c JOIN {_ident(parent)} p ON {join}
                    WHERE p.ctid IN (SELECT row_ctid FROM demo_doomed WHERE rel = $2)
                    ON CONFLICT DO NOTHING""",
                child,
                parent,
            )
            grown = grown or not status.endswith(" 0")
    tables = [r["rel"] for r in await conn.fetch("SELECT DISTINCT rel FROM demo_doomed ORDER BY 1")]
    for table in tables:
        await conn.execute(f"ALTER TABLE {_ident(table)} DISABLE TRIGGER USER")
    deletes = ",\n".join(
        f"d{i} AS (DELETE FROM {_ident(t)} WHERE ctid IN "
        f"(SELECT row_ctid FROM demo_doomed WHERE rel = '{t}') RETURNING 1)"
        for i, t in enumerate(tables)
    )
    counts = " UNION ALL ".join(
        f"SELECT '{t}' AS rel, count(*) AS n FROM d{i}" for i, t in enumerate(tables)
    )
    rows = await conn.fetch(f"WITH {deletes}\n{counts}")
    for table in tables:
        await conn.execute(f"ALTER TABLE {_ident(table)} ENABLE TRIGGER USER")
    await conn.execute("DROP TABLE demo_doomed")
    return {r["rel"]: r["n"] for r in rows}
