//! `selfserve migrate-store`: every record copied from one database to another (SQLite to
//! PostgreSQL, or back), then checked table by table.
//!
//! The copy reads the source inside one read transaction (one consistent state even while a
//! server writes to it) and writes the target inside one write transaction, so a failed copy
//! leaves the target as it was. Rows keep their ids; on PostgreSQL the identity sequences are
//! moved past them afterwards, so the next new row does not collide. A target that holds any
//! record is refused before anything is written.
//!
//! Verification reads the target again after commit and compares, per table, the row count
//! and a SHA-256 over the rows in primary-key order (values serialised by [`digest_rows`], the
//! same function for both sides, and sorted in Rust, because the two databases order text by
//! different collations).
//!
//! [`TABLES`] is the list of what is copied, in foreign-key order; a test checks it against
//! the migrated SQLite schema, so a new table or column cannot be forgotten.

use std::cmp::Ordering;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::db::{Conn, Dialect, Row, Value};
use super::{DatabaseUrl, Result, Store, StoreError};

/// One table the copy moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    /// The table's name.
    pub name: &'static str,
    /// Every column, in the schema's order.
    pub columns: &'static [&'static str],
    /// The primary key's columns (what rows are ordered by for the checksum).
    pub key: &'static [&'static str],
    /// True when the key is a row id (`INTEGER PRIMARY KEY`): an identity column on
    /// PostgreSQL whose sequence must move past the copied ids.
    pub identity: bool,
}

/// Every table with records, parents before children. `write_probe` (what `/healthz` writes
/// after a failed write) and `rate_windows` (rate limits' windows of a minute or so) hold
/// nothing worth copying.
pub const TABLES: &[Table] = &[
    Table {
        name: "users",
        columns: &[
            "id",
            "name",
            "display_name",
            "email",
            "password_hash",
            "is_admin",
            "disabled",
            "source",
            "created_at",
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "sessions",
        columns: &[
            "token_hash",
            "user_id",
            "csrf_token",
            "created_at",
            "expires_at",
            "last_seen",
        ],
        key: &["token_hash"],
        identity: false,
    },
    Table {
        name: "api_tokens",
        columns: &[
            "id",
            "user_id",
            "label",
            "token_hash",
            "created_at",
            "last_used",
            "revoked_at",
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "login_failures",
        columns: &["key", "count", "window_start"],
        key: &["key"],
        identity: false,
    },
    Table {
        name: "attempts",
        columns: &[
            "id",
            "user_id",
            "module_id",
            "module_version",
            "answers",
            "score",
            "passed",
            "created_at",
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "quiz_handouts",
        columns: &[
            "id",
            "user_id",
            "module_id",
            "content_hash",
            "drawn",
            "created_at",
            "used_at",
        ],
        key: &["id"],
        identity: false,
    },
    Table {
        name: "tree_outcomes",
        columns: &[
            "id",
            "tree_id",
            "tree_version",
            "trail",
            "outcome",
            "note",
            "user_id",
            "created_at",
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "help_requests",
        columns: &[
            "id",
            "outcome_id",
            "tree_id",
            "trail",
            "note",
            "contact",
            "status",
            "user_id",
            "created_at",
            "updated_at",
            "answers",
            "reply",
            "replied_by",
            "replied_at",
            "token_hash",
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "search_queries",
        columns: &[
            "id",
            "day",
            "normalized",
            "searches",
            "zero_results",
            "opened",
            "last_at",
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "click_queries",
        columns: &["normalized", "searches", "last_at"],
        key: &["normalized"],
        identity: false,
    },
    Table {
        name: "click_pages",
        columns: &["normalized", "page", "weight", "last_at"],
        key: &["normalized", "page"],
        identity: false,
    },
    Table {
        name: "page_feedback",
        columns: &["id", "doc_id", "helpful", "comment", "created_at"],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "webhook_messages",
        columns: &[
            "id",
            "event_type",
            "payload",
            "created_at",
            "status",
            "attempts",
            "round_start",
            "next_attempt_at",
            "claimed_until",
            "last_attempt_at",
            "last_http_status",
            "last_error",
            "last_duration_ms",
        ],
        key: &["id"],
        identity: false,
    },
    Table {
        name: "webhook_attempts",
        columns: &[
            "id",
            "message_id",
            "attempted_at",
            "http_status",
            "error",
            "duration_ms",
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "qualification_announced",
        columns: &[
            "user_id",
            "resource_id",
            "status",
            "expires_at",
            "updated_at",
        ],
        key: &["user_id", "resource_id"],
        identity: false,
    },
    Table {
        name: "webhook_state",
        columns: &["key", "value"],
        key: &["key"],
        identity: false,
    },
];

/// Rows per INSERT: well under SQLite's and PostgreSQL's parameter limits, and few round
/// trips for a large table.
const PARAMETERS_PER_INSERT: usize = 900;

/// One table's figures on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCheck {
    /// The table.
    pub table: &'static str,
    /// Rows read from the source.
    pub source_rows: u64,
    /// Rows found in the target after the copy.
    pub target_rows: u64,
    /// SHA-256 (hex) of the source's rows.
    pub source_checksum: String,
    /// SHA-256 (hex) of the target's rows.
    pub target_checksum: String,
}

impl TableCheck {
    /// True when count and checksum agree.
    pub fn matches(&self) -> bool {
        self.source_rows == self.target_rows && self.source_checksum == self.target_checksum
    }
}

/// What a copy did.
#[derive(Debug, Clone)]
pub struct CopyReport {
    /// Per table, in copy order.
    pub tables: Vec<TableCheck>,
    /// How long reading, writing and verifying took.
    pub elapsed: Duration,
}

impl CopyReport {
    /// True when every table's count and checksum agree.
    pub fn verified(&self) -> bool {
        self.tables.iter().all(TableCheck::matches)
    }

    /// Rows copied, all tables together.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.source_rows).sum()
    }
}

/// Copies every record from the database at `from` (which must exist; its schema is brought
/// up to date first, as the server would) into the one at `to` (created and migrated when
/// missing, refused when it holds any record), then verifies the copy.
pub fn copy_store(from: &DatabaseUrl, to: &DatabaseUrl) -> Result<CopyReport> {
    if from == to {
        return Err(StoreError::Invalid(format!(
            "--from and --to both name {from}; give the target database as --to"
        )));
    }
    let started = Instant::now();
    // Existing first: a mistyped --from must not leave an empty database behind.
    drop(Store::connect_existing(from)?);
    let source = Store::connect(from)?;
    let target = Store::connect(to)?;
    super::on_plain_thread(true, || {
        let copied = copy_tables(&source, &target)?;
        let mut conn = target.database().connect()?;
        let mut tables = Vec::with_capacity(TABLES.len());
        for (table, (source_rows, source_checksum)) in TABLES.iter().zip(copied) {
            let (target_rows, target_checksum) = digest_rows(table, read_table(&mut *conn, table)?);
            tables.push(TableCheck {
                table: table.name,
                source_rows,
                target_rows,
                source_checksum,
                target_checksum,
            });
        }
        Ok(CopyReport {
            tables,
            elapsed: started.elapsed(),
        })
    })
}

/// The copy itself: one read transaction on the source, one write transaction on the
/// target. Each table's (rows, checksum) as read from the source.
fn copy_tables(source: &Store, target: &Store) -> Result<Vec<(u64, String)>> {
    let source_db = source.database();
    let mut src = source_db.connect()?;
    src.begin_snapshot()?;
    let target_db = target.database();
    let mut dst = target_db.connect()?;
    dst.begin_transaction()?;
    let result =
        refuse_non_empty(&mut *dst, target.url()).and_then(|()| copy_each(&mut *src, &mut *dst));
    // The source only read; ending its transaction either way releases its snapshot.
    let _ = src.batch("COMMIT");
    match result {
        Ok(figures) => {
            dst.batch("COMMIT")?;
            Ok(figures)
        }
        Err(error) => {
            let _ = dst.batch("ROLLBACK");
            Err(error)
        }
    }
}

fn copy_each(src: &mut dyn Conn, dst: &mut dyn Conn) -> Result<Vec<(u64, String)>> {
    let mut figures = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let rows = read_table(src, table)?;
        insert_rows(dst, table, &rows)?;
        if table.identity && dst.dialect() == Dialect::Postgres {
            let key = table.key[0];
            // Table and column names come from TABLES, never from input.
            dst.query(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{name}', '{key}'), COALESCE(MAX({key}), 0) + 1, false) FROM {name}",
                    name = table.name
                ),
                &[],
            )?;
        }
        figures.push(digest_rows(table, rows));
    }
    Ok(figures)
}

/// Refuses a target that holds any record, naming the tables that do.
fn refuse_non_empty(conn: &mut dyn Conn, url: &DatabaseUrl) -> Result<()> {
    let mut filled = Vec::new();
    for table in TABLES {
        let rows: i64 = conn.query_value(&format!("SELECT COUNT(*) FROM {}", table.name), &[])?;
        if rows > 0 {
            filled.push(format!("{} ({rows} rows)", table.name));
        }
    }
    if filled.is_empty() {
        return Ok(());
    }
    Err(StoreError::Conflict(format!(
        "{url} already holds records in {}; nothing was copied: give an empty database as --to",
        filled.join(", ")
    )))
}

fn read_table(conn: &mut dyn Conn, table: &Table) -> Result<Vec<Row>> {
    let sql = format!("SELECT {} FROM {}", table.columns.join(", "), table.name);
    Ok(conn.query(&sql, &[])?)
}

fn insert_rows(conn: &mut dyn Conn, table: &Table, rows: &[Row]) -> Result<()> {
    let width = table.columns.len();
    let per_insert = (PARAMETERS_PER_INSERT / width).max(1);
    for chunk in rows.chunks(per_insert) {
        let tuples: Vec<String> = (0..chunk.len())
            .map(|r| {
                let slots: Vec<String> =
                    (1..=width).map(|c| format!("?{}", r * width + c)).collect();
                format!("({})", slots.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            table.name,
            table.columns.join(", "),
            tuples.join(", ")
        );
        let params: Vec<Value> = chunk
            .iter()
            .flat_map(|row| row.values().iter().cloned())
            .collect();
        conn.execute(&sql, &params)?;
    }
    Ok(())
}

/// The row count and the hex SHA-256 of `rows` in primary-key order: each value as a kind
/// byte and its bytes (integers and reals as 8 big-endian bytes, text and bytes after their
/// length), so the same records give the same digest whichever database held them.
pub fn digest_rows(table: &Table, mut rows: Vec<Row>) -> (u64, String) {
    let key: Vec<usize> = table
        .key
        .iter()
        .filter_map(|k| table.columns.iter().position(|c| c == k))
        .collect();
    rows.sort_by(|a, b| {
        key.iter()
            .map(|&i| compare(a.values().get(i), b.values().get(i)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    let mut hasher = Sha256::new();
    for row in &rows {
        for value in row.values() {
            match value {
                Value::Null => hasher.update(b"N"),
                Value::Int(i) => {
                    hasher.update(b"I");
                    hasher.update(i.to_be_bytes());
                }
                Value::Real(r) => {
                    hasher.update(b"R");
                    hasher.update(r.to_bits().to_be_bytes());
                }
                Value::Text(s) => {
                    hasher.update(b"T");
                    hasher.update((s.len() as u64).to_be_bytes());
                    hasher.update(s.as_bytes());
                }
                Value::Blob(b) => {
                    hasher.update(b"B");
                    hasher.update((b.len() as u64).to_be_bytes());
                    hasher.update(b);
                }
            }
        }
    }
    (rows.len() as u64, crate::digest::hex(&hasher.finalize()))
}

/// Key order that does not depend on a database's collation: numbers by value, text by
/// bytes.
fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    fn rank(v: Option<&Value>) -> u8 {
        match v {
            None | Some(Value::Null) => 0,
            Some(Value::Int(_) | Value::Real(_)) => 1,
            Some(Value::Text(_)) => 2,
            Some(Value::Blob(_)) => 3,
        }
    }
    match (a, b) {
        (Some(Value::Int(x)), Some(Value::Int(y))) => x.cmp(y),
        (Some(Value::Real(x)), Some(Value::Real(y))) => x.total_cmp(y),
        (Some(Value::Text(x)), Some(Value::Text(y))) => x.as_bytes().cmp(y.as_bytes()),
        (Some(Value::Blob(x)), Some(Value::Blob(y))) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

#[cfg(test)]
#[path = "copy_tests.rs"]
mod tests;
