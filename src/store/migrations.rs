//! The schema, as an append-only list of migrations (never edit a released one; add the next).
//!
//! rusqlite_migration records the applied count in `PRAGMA user_version`, so reopening a
//! database runs only what is new. Conventions the tables follow:
//! - times are INTEGER seconds since the Unix epoch, UTC (`*_at`), so range checks are
//!   plain integer comparisons on indexed columns;
//! - secrets (session and API tokens) are stored only as hex SHA-256;
//! - content ids (`module_id`, `tree_id`) are TEXT copied from content, deliberately not
//!   foreign keys: documents come and go with git, records of what people did stay;
//! - JSON columns (`answers`, `trail`) hold what the API received, checked by `json_valid`.

use super::db::migrate::{Part, Version};

/// Version 1: accounts, sessions, tokens, sign-in limits, attempts, tree outcomes, help
/// requests and the search log.
const V1_INITIAL: &str = r#"
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT,
    email         TEXT,
    -- NULL for accounts that sign in only through the SSO proxy or with API tokens.
    password_hash TEXT,
    is_admin      INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    source        TEXT    NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'proxy')),
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    label       TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    last_used   INTEGER,
    revoked_at  INTEGER
) STRICT;
CREATE INDEX api_tokens_by_user ON api_tokens(user_id);

-- Fixed-window counters of failed sign-ins; `key` is `account:NAME` or `client:ADDRESS`.
CREATE TABLE login_failures (
    key          TEXT    PRIMARY KEY,
    count        INTEGER NOT NULL,
    window_start INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE attempts (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    module_id       TEXT    NOT NULL,
    module_version  INTEGER NOT NULL CHECK (module_version >= 0),
    answers         TEXT    NOT NULL CHECK (json_valid(answers)),
    score           INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    passed          INTEGER NOT NULL CHECK (passed IN (0, 1)),
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX attempts_by_user ON attempts(user_id, created_at);
CREATE INDEX attempts_by_module ON attempts(module_id, created_at);
-- Qualification reads only passes: a partial covering index answers "passes of this
-- learner (at this module)" without touching the table or sorting.
CREATE INDEX attempts_passes ON attempts(user_id, module_id, module_version, created_at)
    WHERE passed = 1;

CREATE TABLE tree_outcomes (
    id            INTEGER PRIMARY KEY,
    tree_id       TEXT    NOT NULL,
    -- The tree document's content hash when the walk happened.
    tree_version  TEXT    NOT NULL,
    trail         TEXT    NOT NULL CHECK (json_valid(trail)),
    outcome       TEXT    NOT NULL CHECK (outcome IN ('resolved', 'escalate')),
    note          TEXT,
    user_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX tree_outcomes_by_tree ON tree_outcomes(tree_id, created_at);

CREATE TABLE help_requests (
    id          INTEGER PRIMARY KEY,
    outcome_id  INTEGER NOT NULL UNIQUE REFERENCES tree_outcomes(id) ON DELETE CASCADE,
    tree_id     TEXT    NOT NULL,
    trail       TEXT    NOT NULL CHECK (json_valid(trail)),
    note        TEXT,
    contact     TEXT,
    status      TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
    user_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX help_requests_by_status ON help_requests(status, created_at);
CREATE INDEX help_requests_by_tree ON help_requests(tree_id, created_at);

CREATE TABLE search_log (
    -- A UUIDv7 made when the search ran, so a later click can refer to it even when the
    -- log is written in batches.
    id           TEXT    PRIMARY KEY,
    query        TEXT    NOT NULL,
    -- Lowercased, whitespace collapsed: what "top queries" groups by.
    normalized   TEXT    NOT NULL,
    result_count INTEGER NOT NULL CHECK (result_count >= 0),
    took_ms      REAL    NOT NULL,
    created_at   INTEGER NOT NULL,
    opened_url   TEXT,
    opened_at    INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX search_log_by_time ON search_log(created_at);
CREATE INDEX search_log_by_query ON search_log(normalized, created_at);
"#;

/// Version 2: user names are stored case-folded (`UserName::parse` trims and lowercases, so
/// every spelling of a name is one account and one sign-in counter). The column has been
/// `UNIQUE COLLATE NOCASE` since version 1 and names never held spaces, so two rows cannot
/// fold to the same name; should a hand-edited database hold such a pair anyway, both keep
/// their stored spelling (start-up does not fail) and lookups, which compare without case,
/// find the older account — rename the other with SQL. Sign-in counters restart.
const V2_FOLDED_USER_NAMES: &str = r#"
-- `COLLATE BINARY`: the column's own NOCASE collation would call `Ada` and `ada` equal.
UPDATE users SET name = lower(name)
WHERE name COLLATE BINARY != lower(name)
  AND NOT EXISTS (
      SELECT 1 FROM users other
      WHERE other.id != users.id AND lower(other.name) = lower(users.name)
  );
DELETE FROM login_failures;
"#;

/// Version 3: the search log is bounded (issue 13: anonymous searches filled the disk). One
/// row per normalised query (at most 200 characters) per UTC day, with counters, replaces one
/// row per search; the server prunes it to `site.toml`'s retention and row cap, oldest
/// (lowest `id`) first. Existing searches are folded into the new rows (their opened URLs
/// and timings are dropped; nothing read them) and the old table goes; `Store::open` then
/// compacts the file once. `write_probe` is what `/healthz` writes to after a failed write,
/// to see whether the disk takes writes again.
const V3_BOUNDED_SEARCH_LOG: &str = r#"
CREATE TABLE search_queries (
    id           INTEGER PRIMARY KEY,
    -- Days since the Unix epoch, UTC.
    day          INTEGER NOT NULL,
    -- Lowercased, whitespace collapsed, cut to 200 characters: all that is kept of a query.
    normalized   TEXT    NOT NULL CHECK (length(normalized) BETWEEN 1 AND 200),
    searches     INTEGER NOT NULL CHECK (searches >= 1),
    zero_results INTEGER NOT NULL CHECK (zero_results BETWEEN 0 AND searches),
    opened       INTEGER NOT NULL DEFAULT 0 CHECK (opened BETWEEN 0 AND searches),
    last_at      INTEGER NOT NULL,
    UNIQUE (day, normalized)
) STRICT;

"#;

/// Version 3, SQLite only: the searches of the unbounded log folded into days.
const V3_FOLD_OLD_SEARCHES: &str = r#"
INSERT INTO search_queries (day, normalized, searches, zero_results, opened, last_at)
SELECT created_at / 86400, rtrim(substr(normalized, 1, 200)), COUNT(*),
       SUM(result_count = 0), COUNT(opened_url), MAX(created_at)
FROM search_log
WHERE rtrim(substr(normalized, 1, 200)) != ''
GROUP BY 1, 2
ORDER BY MIN(created_at);

"#;

/// Version 3, continued: the old log goes; the write probe for `/healthz`.
const V3_DROP_OLD_LOG: &str = r#"
DROP TABLE search_log;

CREATE TABLE write_probe (
    id     INTEGER PRIMARY KEY,
    filler BLOB NOT NULL
) STRICT;
"#;

/// Quiz attempts handed out by the server (modules that draw or shuffle questions): which
/// questions and choice orders a learner was shown (`drawn`, JSON), against the module's
/// file version (`content_hash`); `used_at` is set in the transaction that stores the
/// graded attempt, so one hand-out grades once. The second index answers "this learner's
/// recent attempts at this module" for the retry wait without a sort.
const V_QUIZ_HANDOUTS: &str = r#"
CREATE TABLE quiz_handouts (
    id           TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    module_id    TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    drawn        TEXT    NOT NULL CHECK (json_valid(drawn)),
    created_at   INTEGER NOT NULL,
    used_at      INTEGER
) STRICT;
CREATE INDEX quiz_handouts_by_learner ON quiz_handouts(user_id, module_id, created_at);
CREATE INDEX attempts_by_learner_module ON attempts(user_id, module_id, created_at);
"#;

/// Click feedback (issue 14): which pages searchers of a normalised query chose. Weights
/// decay with a half-life applied in Rust on each update and read (`store::search_clicks`);
/// `searches` counts the searches that chose anything, so one search clicked many times
/// cannot lift a page.
/// Both tables are pruned by age and to a row cap, oldest `last_at` first.
const V_SEARCH_CLICKS: &str = r#"
CREATE TABLE click_queries (
    normalized TEXT    PRIMARY KEY CHECK (length(normalized) BETWEEN 1 AND 200),
    searches   REAL    NOT NULL CHECK (searches >= 0),
    last_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX click_queries_by_age ON click_queries(last_at);
CREATE TABLE click_pages (
    normalized TEXT    NOT NULL CHECK (length(normalized) BETWEEN 1 AND 200),
    page       TEXT    NOT NULL CHECK (length(page) BETWEEN 1 AND 1000),
    weight     REAL    NOT NULL CHECK (weight >= 0),
    last_at    INTEGER NOT NULL,
    PRIMARY KEY (normalized, page)
) STRICT;
CREATE INDEX click_pages_by_age ON click_pages(last_at);
"#;

/// Fixed-window rate limits shared by every replica (issue 17; `store::rate_limits`): `key`
/// names what is limited for whom (`outcomes:ADDRESS`), `count` the slots taken in the window
/// that ends at `ends_at`. Transient: ended windows are pruned and `migrate-store` skips them.
const V_RATE_WINDOWS: &str = r#"
CREATE TABLE rate_windows (
    key     TEXT    PRIMARY KEY,
    count   INTEGER NOT NULL CHECK (count >= 1),
    ends_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX rate_windows_by_end ON rate_windows(ends_at);
"#;

/// Help requests keep what the requester saw and hear back (issue 15): `answers` (JSON, the
/// questions and the answers chosen, in order), the platform team's `reply` with who sent it
/// and when, and `token_hash`, the SHA-256 of the request's private link (the link itself is
/// shown once). Older requests keep NULLs there and still list. The second index answers "my
/// requests, newest first".
const V_HELP_REQUEST_REPLIES: &str = r#"
ALTER TABLE help_requests ADD COLUMN answers TEXT CHECK (answers IS NULL OR json_valid(answers));
ALTER TABLE help_requests ADD COLUMN reply TEXT;
ALTER TABLE help_requests ADD COLUMN replied_by INTEGER REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE help_requests ADD COLUMN replied_at INTEGER;
ALTER TABLE help_requests ADD COLUMN token_hash TEXT;
CREATE UNIQUE INDEX help_requests_by_token ON help_requests(token_hash);
CREATE INDEX help_requests_by_user ON help_requests(user_id, created_at);
"#;

/// "Was this helpful?" (issue 16): one row per vote on a page (`doc_id`, a content id like
/// the others), with an optional comment of at most 2,000 characters. Nothing says who voted.
/// Pruned like the search log: past its retention, and past its row cap oldest (lowest `id`)
/// first. The first index answers one page's comments newest first, the second a period's
/// figures per page (it covers the query, so the table is read only for comments).
const V_PAGE_FEEDBACK: &str = r#"
CREATE TABLE page_feedback (
    id         INTEGER PRIMARY KEY,
    doc_id     TEXT    NOT NULL CHECK (length(doc_id) BETWEEN 1 AND 1000),
    helpful    INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    comment    TEXT    CHECK (comment IS NULL OR length(comment) BETWEEN 1 AND 2000),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX page_feedback_by_doc ON page_feedback(doc_id, created_at);
CREATE INDEX page_feedback_by_time ON page_feedback(created_at, doc_id, helpful);
"#;

/// The search insights sum the log over a period per query and per day. With only the
/// `(day, normalized)` key, 200,000 rows cost a sort by query and a random read of the table
/// per row; these covering indexes make each sum one ordered pass over an index.
const V_SEARCH_INSIGHT_INDEXES: &str = r#"
CREATE INDEX search_queries_by_query
    ON search_queries (normalized, day, searches, zero_results, opened, last_at);
CREATE INDEX search_queries_by_day ON search_queries (day, searches, zero_results, opened);
"#;

/// The period figures of "Was this helpful?" read every vote of the period with whether it
/// has a comment: an index holding that too (as an expression, the same CASE the read
/// writes) answers them without reading the table (100,000 votes: 23 ms instead of 127).
const V_PAGE_FEEDBACK_COVER: &str = r#"
DROP INDEX page_feedback_by_time;
CREATE INDEX page_feedback_by_time ON page_feedback
    (created_at, doc_id, helpful, (CASE WHEN comment IS NULL THEN 0 ELSE 1 END));
"#;

/// Webhooks (issue 18): an outbox of messages, written in the transaction of the event they
/// announce so none is lost to a crash, and delivered by a background worker. `id` is the
/// `webhook-id` (`msg_…`), the same for every attempt; `claimed_until` is a worker's lease on
/// a message (a conditional UPDATE, so two replicas never send one message at once);
/// `round_start` is `attempts` when the current round began (a redelivery starts a new
/// retry schedule). Each attempt's result is a row of `webhook_attempts` (the admins' log).
/// `qualification_announced` holds the status last announced per learner and resource (no
/// row: missing), so the scheduled check announces only changes; `webhook_state` holds the
/// check's bookkeeping (whether the silent baseline was taken, how fresh the last check was).
const V_WEBHOOKS: &str = r#"
CREATE TABLE webhook_messages (
    id               TEXT    PRIMARY KEY,
    event_type       TEXT    NOT NULL,
    payload          TEXT    NOT NULL CHECK (json_valid(payload)),
    created_at       INTEGER NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    round_start      INTEGER NOT NULL DEFAULT 0 CHECK (round_start >= 0),
    next_attempt_at  INTEGER,
    claimed_until    INTEGER,
    last_attempt_at  INTEGER,
    last_http_status INTEGER,
    last_error       TEXT,
    last_duration_ms INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX webhook_messages_due ON webhook_messages(status, next_attempt_at);
CREATE INDEX webhook_messages_by_time ON webhook_messages(created_at);

CREATE TABLE webhook_attempts (
    id           INTEGER PRIMARY KEY,
    message_id   TEXT    NOT NULL REFERENCES webhook_messages(id) ON DELETE CASCADE,
    attempted_at INTEGER NOT NULL,
    http_status  INTEGER,
    error        TEXT,
    duration_ms  INTEGER NOT NULL CHECK (duration_ms >= 0)
) STRICT;
CREATE INDEX webhook_attempts_by_message ON webhook_attempts(message_id, id);

CREATE TABLE qualification_announced (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    resource_id TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('qualified', 'expiring', 'expired')),
    expires_at  INTEGER,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, resource_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE webhook_state (
    key   TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
"#;

/// Every schema version, oldest first: version N is `VERSIONS[N - 1]`. Append; never edit a
/// released version. PostgreSQL databases start at version 5, so versions 2 and 3 rewrite
/// data only SQLite files can hold and are SQLite-only there.
pub(crate) const VERSIONS: &[Version] = &[
    &[Part::Both(V1_INITIAL)],
    &[Part::SqliteOnly(V2_FOLDED_USER_NAMES)],
    &[
        Part::Both(V3_BOUNDED_SEARCH_LOG),
        Part::SqliteOnly(V3_FOLD_OLD_SEARCHES),
        Part::Both(V3_DROP_OLD_LOG),
    ],
    &[Part::Both(V_QUIZ_HANDOUTS)],
    &[Part::Both(V_SEARCH_CLICKS)],
    &[Part::Both(V_RATE_WINDOWS)],
    &[Part::Both(V_HELP_REQUEST_REPLIES)],
    &[Part::Both(V_PAGE_FEEDBACK)],
    &[Part::Both(V_SEARCH_INSIGHT_INDEXES)],
    &[Part::Both(V_PAGE_FEEDBACK_COVER)],
    &[Part::Both(V_WEBHOOKS)],
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::db::migrate;
    use crate::store::db::sqlite::SqliteDatabase;
    use crate::store::db::{Database, args};

    #[test]
    fn migrating_twice_is_a_no_op_and_counts_versions() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = SqliteDatabase::open(dir.path().join("m.db"), rusqlite::OpenFlags::default())
            .expect("db");
        let mut conn = db.connect().expect("conn");
        assert_eq!(
            migrate::to_latest(&mut *conn, VERSIONS).expect("first"),
            VERSIONS.len()
        );
        assert_eq!(migrate::to_latest(&mut *conn, VERSIONS).expect("second"), 0);
        assert_eq!(
            migrate::current_version(&mut *conn).expect("version"),
            VERSIONS.len()
        );
        let tables: i64 = conn
            .query_value(
                "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                args!["search_log"],
            )
            .expect("count");
        assert_eq!(tables, 0, "version 3 drops the unbounded log");
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = SqliteDatabase::open(dir.path().join("m.db"), rusqlite::OpenFlags::default())
            .expect("db");
        let mut conn = db.connect().expect("conn");
        conn.batch("PRAGMA user_version = 99").expect("pragma");
        let err = migrate::to_latest(&mut *conn, VERSIONS).expect_err("refused");
        assert!(format!("{:?}", err).contains("newer"), "{err:?}");
    }
}
