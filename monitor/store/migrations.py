"""Ordered schema migrations. Append only: a released migration never changes.

The SQL stays portable to PostgreSQL: TEXT/INTEGER/REAL/BLOB columns, ISO 8601
UTC timestamps as TEXT (they sort correctly), no AUTOINCREMENT, no SQLite-only
functions. Connection pragmas live in the store, not here.
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
            last_attempt TEXT,
            last_success TEXT,
            last_error TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            next_attempt TEXT,
            status TEXT NOT NULL DEFAULT 'active',
            status_note TEXT,
            items_seen INTEGER NOT NULL DEFAULT 0,
            added_at TEXT NOT NULL
        )""",
        """CREATE TABLE documents (
            key TEXT PRIMARY KEY,
            source_id TEXT NOT NULL REFERENCES sources(id),
            url TEXT,
            title TEXT,
            first_seen TEXT NOT NULL,
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
            published TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            relevance REAL NOT NULL,
            relevance_json TEXT NOT NULL,
            status TEXT NOT NULL,
            novelty REAL,
            novelty_json TEXT,
            matched_item TEXT,
            story_id TEXT,
            fingerprint BLOB
        )""",
        "CREATE INDEX items_first_seen ON items (first_seen)",
        "CREATE INDEX items_story ON items (story_id)",
        "CREATE INDEX items_doc ON items (doc_key)",
        """CREATE TABLE item_sources (
            item_id TEXT NOT NULL REFERENCES items(id),
            source_id TEXT NOT NULL REFERENCES sources(id),
            url TEXT,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (item_id, source_id)
        )""",
        """CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            lead_item TEXT NOT NULL REFERENCES items(id),
            first_seen TEXT NOT NULL,
            digest_id TEXT
        )""",
        "CREATE INDEX stories_digest ON stories (digest_id)",
        """CREATE TABLE digests (
            id TEXT PRIMARY KEY,
            day TEXT NOT NULL,
            created_at TEXT NOT NULL,
            message_id TEXT NOT NULL,
            subject TEXT NOT NULL,
            story_count INTEGER NOT NULL,
            html TEXT NOT NULL,
            text TEXT NOT NULL,
            json TEXT NOT NULL,
            eml BLOB,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            next_attempt TEXT,
            sent_at TEXT
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
            ran_at TEXT PRIMARY KEY,
            digest_id TEXT
        )""",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)
