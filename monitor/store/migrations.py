"""Ordered schema migrations. Append only: a released migration never changes.

One list for both backends. Columns are TEXT or INTEGER, or named by role and
filled in by the backend (``TYPES`` in sqlite.py and postgres.py):

    {TS}    a moment: ISO 8601 UTC text in SQLite (sorts correctly), timestamptz
    {BLOB}  bytes: BLOB, bytea
    {REAL}  a float: REAL, double precision

No AUTOINCREMENT, no backend-only functions, no literal braces (the
statements go through ``str.format_map``). Connection settings live in the
backends, not here.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the first schema.
    (
        """CREATE TABLE sources (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            url TEXT,
            configured_url TEXT,
            etag TEXT,
            last_modified TEXT,
            last_attempt {TS},
            last_success {TS},
            last_error TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            next_attempt {TS},
            status TEXT NOT NULL DEFAULT 'active',
            status_note TEXT,
            items_seen INTEGER NOT NULL DEFAULT 0,
            added_at {TS} NOT NULL
        )""",
        """CREATE TABLE documents (
            key TEXT PRIMARY KEY,
            source_id TEXT NOT NULL REFERENCES sources(id),
            url TEXT,
            title TEXT,
            first_seen {TS} NOT NULL,
            notes TEXT NOT NULL DEFAULT ''
        )""",
        """CREATE TABLE items (
            id TEXT PRIMARY KEY,
            doc_key TEXT NOT NULL REFERENCES documents(key),
            part INTEGER NOT NULL,
            source_id TEXT NOT NULL REFERENCES sources(id),
            source_name TEXT NOT NULL,
            url TEXT,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            lang TEXT NOT NULL,
            published {TS} NOT NULL,
            first_seen {TS} NOT NULL,
            relevance {REAL} NOT NULL,
            relevance_json TEXT NOT NULL,
            status TEXT NOT NULL,
            novelty {REAL},
            novelty_json TEXT,
            matched_item TEXT,
            story_id TEXT,
            fingerprint {BLOB}
        )""",
        "CREATE INDEX items_first_seen ON items (first_seen)",
        "CREATE INDEX items_story ON items (story_id)",
        "CREATE INDEX items_doc ON items (doc_key)",
        """CREATE TABLE item_sources (
            item_id TEXT NOT NULL REFERENCES items(id),
            source_id TEXT NOT NULL REFERENCES sources(id),
            url TEXT,
            seen_at {TS} NOT NULL,
            PRIMARY KEY (item_id, source_id)
        )""",
        """CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            lead_item TEXT NOT NULL REFERENCES items(id),
            first_seen {TS} NOT NULL,
            digest_id TEXT
        )""",
        "CREATE INDEX stories_digest ON stories (digest_id)",
        """CREATE TABLE digests (
            id TEXT PRIMARY KEY,
            day TEXT NOT NULL,
            created_at {TS} NOT NULL,
            message_id TEXT NOT NULL,
            subject TEXT NOT NULL,
            story_count INTEGER NOT NULL,
            html TEXT NOT NULL,
            text TEXT NOT NULL,
            json TEXT NOT NULL,
            eml {BLOB},
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            next_attempt {TS},
            sent_at {TS}
        )""",
        "CREATE INDEX digests_status ON digests (status)",
        """CREATE TABLE digest_stories (
            digest_id TEXT NOT NULL REFERENCES digests(id),
            story_id TEXT NOT NULL REFERENCES stories(id),
            position INTEGER NOT NULL,
            PRIMARY KEY (digest_id, story_id)
        )""",
    ),
    # 2: when each digest cycle ran, so the daemon can tell a missed digest time.
    (
        """CREATE TABLE digest_runs (
            ran_at {TS} PRIMARY KEY,
            digest_id TEXT
        )""",
    ),
    # 3: several workers on one (PostgreSQL) database: who is alive, who polls which feed.
    (
        """CREATE TABLE workers (
            id TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            started_at {TS} NOT NULL,
            last_seen {TS} NOT NULL,
            doing TEXT
        )""",
        """CREATE TABLE feed_leases (
            source_id TEXT PRIMARY KEY,
            worker TEXT,
            leased_until {TS},
            polled_at {TS}
        )""",
    ),
    # 4: items a worker prepared wait for the judging leader; the leader's terms.
    (
        "CREATE INDEX items_pending ON items (first_seen, doc_key, part)"
        " WHERE status IN ('pending', 'pending-backlog')",
        """CREATE TABLE judging (
            id INTEGER PRIMARY KEY,
            term INTEGER NOT NULL,
            leader TEXT,
            since {TS}
        )""",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)
