"""Copy a whole state from one database into another (SQLite into PostgreSQL, say).

Used by `monitor migrate --from OLD.db`. The target must be empty and at the
same schema version; every table is copied row for row in one transaction, in
an order that satisfies the foreign keys, and the row counts are compared
afterwards. A table this module does not know stops the copy rather than being
left behind, so a move never silently loses data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor.errors import StoreError

if TYPE_CHECKING:
    from monitor.store import Store

#: Tables in an order that satisfies the foreign keys.
COPY_ORDER = (
    "sources", "documents", "items", "item_sources", "stories", "digests", "digest_stories",
    "digest_runs",
)  # fmt: skip
#: Not copied: the bookkeeping of the store itself and of running workers (and their leader).
SKIPPED = ("schema_version", "workers", "feed_leases", "judging")
BATCH = 1000


def copy_state(source: Store, target: Store) -> dict[str, int]:
    """Copy every row of ``source`` into the empty ``target``; rows per table."""
    if source.schema_version() != target.schema_version():
        raise StoreError(
            f"{source.target} is at schema {source.schema_version()} and {target.target} at "
            f"{target.schema_version()}: run `monitor migrate` on the older one first"
        )
    unknown = sorted(set(source.backend.table_names(source.db)) - set(COPY_ORDER) - set(SKIPPED))
    if unknown:
        raise StoreError(f"{source.target}: table {unknown[0]} is unknown to the copy; not moved")
    copied: dict[str, int] = {}
    with target.transaction():
        for table in COPY_ORDER:
            if target.db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
                raise StoreError(f"{target.target}: not empty ({table} has rows); nothing copied")
        for table in COPY_ORDER:
            cursor = source.db.execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in cursor.description]
            insert = (
                f"INSERT INTO {table} ({', '.join(columns)})"
                f" VALUES ({', '.join('?' * len(columns))})"
            )
            count = 0
            while rows := cursor.fetchmany(BATCH):
                target.db.executemany(insert, [tuple(row) for row in rows])
                count += len(rows)
            copied[table] = count
        for table, count in copied.items():
            there = target.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            if there != count:
                raise StoreError(f"{table}: copied {count} rows but {there} arrived; rolled back")
    return copied
