//! The SQLite backend: a pool of connections to one file in WAL mode.
//!
//! Readers never wait for the writer; writers queue behind each other for up to
//! [`BUSY_TIMEOUT`] before a call fails. Write transactions start with `BEGIN IMMEDIATE`, so
//! every write holds the one writer lock from its first statement: a read-check-write inside
//! one needs no further locking ([`Conn::lock`] is a no-op here).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::{BoxError, Conn, Database, DbError, DbResult, Dialect, Row, Value};

/// How long a call waits for another connection's write lock before it fails.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections in the pool. SQLite serialises writers anyway; a few connections let reads
/// proceed beside a write without making every blocking thread hold a file handle.
const POOL_SIZE: u32 = 8;

/// A pool on one SQLite file.
pub struct SqliteDatabase {
    pool: r2d2::Pool<SqliteConnectionManager>,
    path: PathBuf,
    /// A page limit for tests (`health`), applied to new connections too.
    max_pages: Arc<Mutex<Option<u64>>>,
    /// This process's write transactions, one at a time (see [`Database::writer_turn`]).
    writer: Mutex<()>,
}

impl SqliteDatabase {
    /// Opens a pool on `path` with `flags` (no CREATE flag: the file must exist).
    pub fn open(path: PathBuf, flags: OpenFlags) -> DbResult<SqliteDatabase> {
        let max_pages: Arc<Mutex<Option<u64>>> = Arc::default();
        let pages = Arc::clone(&max_pages);
        let manager = SqliteConnectionManager::file(&path)
            .with_flags(flags)
            .with_init(move |conn| {
                configure(conn)?;
                match *pages.lock().unwrap_or_else(|e| e.into_inner()) {
                    Some(limit) => apply_max_pages(conn, Some(limit)),
                    None => Ok(()),
                }
            });
        let pool = super::pool(manager, POOL_SIZE)?;
        Ok(SqliteDatabase {
            pool,
            path,
            max_pages,
            writer: Mutex::new(()),
        })
    }

    /// A pooled connection as rusqlite's own type (backup, page limits).
    pub fn raw(&self) -> DbResult<r2d2::PooledConnection<SqliteConnectionManager>> {
        super::checkout(&self.pool)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Limits the database to `pages` pages on every pooled connection (`None`: SQLite's
    /// default), so a write that needs more fails as on a full disk.
    pub fn set_max_page_count(&self, pages: Option<u64>) -> DbResult<()> {
        *self.max_pages.lock().unwrap_or_else(|e| e.into_inner()) = pages;
        // Hold every connection at once, so each one that exists (or is made) gets it.
        let held: Vec<_> = (0..self.pool.max_size())
            .map(|_| super::checkout(&self.pool))
            .collect::<DbResult<_>>()?;
        for conn in &held {
            apply_max_pages(conn, pages).map_err(DbError::from)?;
        }
        Ok(())
    }
}

impl Database for SqliteDatabase {
    fn connect(&self) -> DbResult<Box<dyn Conn + '_>> {
        Ok(Box::new(SqliteConn(super::checkout(&self.pool)?)))
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn pool_state(&self) -> super::PoolState {
        super::pool_state_of(&self.pool)
    }

    fn writer_turn(&self) -> Option<std::sync::MutexGuard<'_, ()>> {
        // A writer that panicked left no transaction open (the connection rolled back), so
        // the lock's poison carries no meaning here.
        Some(self.writer.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Per-connection settings; none of these persist in the file except WAL.
pub fn configure(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // NORMAL is durable across application crashes in WAL mode; only a power cut can lose
    // the last commits, never corrupt the file.
    // journal_size_limit: a checkpoint truncates the WAL back to 16 MiB, so one burst of
    // writes (a search-log prune, a bulk import) does not leave a large WAL for the server's life.
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 16777216;",
    )
}

/// Sets `PRAGMA max_page_count` (a per-connection setting).
pub fn apply_max_pages(conn: &Connection, pages: Option<u64>) -> rusqlite::Result<()> {
    // SQLite's default limit; the pragma never lowers the limit below the current size.
    let pages = pages.unwrap_or(4_294_967_294);
    conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))
}

/// A pooled connection.
struct SqliteConn(r2d2::PooledConnection<SqliteConnectionManager>);

impl Conn for SqliteConn {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> DbResult<u64> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let changed = stmt.execute(rusqlite::params_from_iter(params.iter().map(to_sql)))?;
        Ok(changed as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let width = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter().map(to_sql)))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(width);
            read_row(row, width, &mut values)?;
            out.push(Row(values));
        }
        Ok(out)
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(&Row) -> DbResult<()>,
    ) -> DbResult<()> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let width = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter().map(to_sql)))?;
        let mut values = Row(Vec::with_capacity(width));
        while let Some(row) = rows.next()? {
            values.0.clear();
            read_row(row, width, &mut values.0)?;
            f(&values)?;
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> DbResult<()> {
        Ok(self.0.execute_batch(sql)?)
    }

    fn lock(&mut self, _key: &str) -> DbResult<()> {
        Ok(())
    }

    fn begin_transaction(&mut self) -> DbResult<()> {
        self.batch("BEGIN IMMEDIATE")
    }

    fn begin_snapshot(&mut self) -> DbResult<()> {
        // Deferred: the first SELECT takes a WAL snapshot and keeps it to COMMIT.
        self.batch("BEGIN")
    }

    /// `PRAGMA user_version`, where `rusqlite_migration` kept it, so older files carry on.
    fn schema_version(&mut self) -> DbResult<usize> {
        let version: i64 = self.0.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        Ok(usize::try_from(version).unwrap_or(0))
    }

    fn set_schema_version(&mut self, version: usize) -> DbResult<()> {
        // PRAGMA takes no parameters; the number is ours.
        self.batch(&format!("PRAGMA user_version = {version}"))
    }

    fn sqlite(&mut self) -> Option<&mut Connection> {
        Some(&mut self.0)
    }
}

fn to_sql(value: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match value {
        Value::Null => V::Null,
        Value::Int(i) => V::Integer(*i),
        Value::Real(r) => V::Real(*r),
        Value::Text(s) => V::Text(s.clone()),
        Value::Blob(b) => V::Blob(b.clone()),
    }
}

/// Appends a row's `width` values to `out`.
fn read_row(row: &rusqlite::Row<'_>, width: usize, out: &mut Vec<Value>) -> DbResult<()> {
    for i in 0..width {
        out.push(from_sql(row.get_ref(i)?));
    }
    Ok(())
}

fn from_sql(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

impl From<rusqlite::Error> for DbError {
    /// Sorts SQLite's errors: a full or failing disk is temporary and said so (503 in the
    /// web layer), a duplicate key is the caller's conflict, everything else a fault.
    fn from(err: rusqlite::Error) -> Self {
        let unique = matches!(
            &err,
            rusqlite::Error::SqliteFailure(e, _)
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        );
        let code = err.sqlite_error_code();
        let boxed: BoxError = Box::new(err);
        if unique {
            return DbError::Unique(boxed);
        }
        match code {
            Some(rusqlite::ErrorCode::DiskFull) => DbError::DiskFull(boxed),
            Some(rusqlite::ErrorCode::SystemIoFailure | rusqlite::ErrorCode::ReadOnly) => {
                DbError::DiskFailed(boxed)
            }
            Some(rusqlite::ErrorCode::CannotOpen) => DbError::Unreachable(boxed),
            _ => DbError::Other(boxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database() -> (SqliteDatabase, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = SqliteDatabase::open(dir.path().join("t.db"), OpenFlags::default()).expect("db");
        (db, dir)
    }

    #[test]
    fn values_round_trip_through_sqlite() {
        let (db, _dir) = database();
        let mut conn = db.connect().expect("conn");
        conn.batch("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, r REAL, s TEXT, b BLOB)")
            .expect("table");
        let id: i64 = conn
            .query_value(
                "INSERT INTO t (n, r, s, b) VALUES (?1, ?2, ?3, ?4) RETURNING id",
                crate::store::db::args![42_i64, 1.5, "x", vec![1_u8, 2]],
            )
            .expect("insert");
        let row = conn
            .query_one(
                "SELECT n, r, s, b FROM t WHERE id = ?1",
                crate::store::db::args![id],
            )
            .expect("row");
        assert_eq!(row.get::<i64>(0).expect("n"), 42);
        assert_eq!(row.get::<f64>(1).expect("r"), 1.5);
        assert_eq!(row.get::<String>(2).expect("s"), "x");
        assert_eq!(row.get::<Vec<u8>>(3).expect("b"), vec![1, 2]);
        conn.batch("CREATE UNIQUE INDEX t_s ON t(s)")
            .expect("index");
        let err = conn
            .execute("INSERT INTO t (s) VALUES ('x')", &[])
            .expect_err("duplicate");
        assert!(matches!(err, DbError::Unique(_)), "{err:?}");
        assert!(
            conn.query_opt("SELECT 1 WHERE 0", &[])
                .expect("none")
                .is_none()
        );
    }
}
