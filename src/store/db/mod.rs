//! The store's seam with its database: one small SQL interface, two backends.
//!
//! Every query in `store` is written once, against [`Conn`], in the SQL that SQLite and
//! PostgreSQL share (`?1` placeholders, `ON CONFLICT … DO …`, `RETURNING id`, plain integer
//! and text columns). A backend turns that into its own calls:
//!
//! ```text
//!   store::{accounts, attempts, …}  ──►  dyn Conn  ──►  sqlite.rs   (rusqlite, r2d2 pool, a file)
//!                                                  └─►  postgres.rs (postgres, r2d2 pool, a server)
//! ```
//!
//! Values cross the seam as [`Value`] (integer, real, text, bytes, null) and rows come back as
//! [`Row`]s of them, so no driver type reaches the rest of the store. Times are integer
//! seconds since the Unix epoch in both databases. Adding a backend means one file here that
//! implements [`Database`] and [`Conn`] (its DDL dialect and schema version included), one
//! arm in [`DatabaseUrl`], one in `store::Backend`, and its driver in `Cargo.toml`.

pub mod migrate;
pub mod postgres;
pub mod sqlite;
mod value;

use std::fmt;
use std::path::{Path, PathBuf};

pub use value::{FromValue, Row, Value};

/// Which SQL a backend speaks where the two differ (DDL, a few functions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite 3.4x (bundled).
    Sqlite,
    /// PostgreSQL 13 or later.
    Postgres,
}

/// A database error, sorted into what callers act on. The driver's own error is the source.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A UNIQUE or PRIMARY KEY constraint refused the row (a duplicate name, token, id).
    #[error("a row with the same key exists")]
    Unique(#[source] BoxError),
    /// The disk (or the database server's disk) is full.
    #[error("the database's disk is full")]
    DiskFull(#[source] BoxError),
    /// The disk failed a read or write, or the database became read-only.
    #[error("the database's disk failed")]
    DiskFailed(#[source] BoxError),
    /// The database cannot be reached or refused the connection. Shows the driver's reason
    /// alone: the store's sentence before it already says what happened.
    #[error(transparent)]
    Unreachable(BoxError),
    /// A column did not hold the type the code reads it as (a bug, or a hand-edited row).
    #[error("column {index} holds {found}, not {wanted}")]
    Column {
        /// Zero-based column index.
        index: usize,
        /// What was there.
        found: &'static str,
        /// What the code asked for.
        wanted: &'static str,
    },
    /// A query that must return a row returned none.
    #[error("the query returned no row")]
    NoRow,
    /// Anything else the driver reported.
    #[error("the database failed")]
    Other(#[source] BoxError),
}

/// A driver's error, type-erased so it cannot leak into callers' matches.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Results of calls through the seam.
pub type DbResult<T> = Result<T, DbError>;

/// One connection, checked out of a pool for the length of a store call.
///
/// Inside [`crate::store::Store::write`] the connection is in a transaction that commits when
/// the closure returns `Ok` and rolls back otherwise.
pub trait Conn {
    /// The SQL dialect, for the few statements that must differ.
    fn dialect(&self) -> Dialect;
    /// Runs one statement; the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> DbResult<u64>;
    /// Runs one query and collects its rows.
    fn query(&mut self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>>;
    /// Runs one query and hands each row to `f` as it is read, for reads too large to
    /// collect first (a period of the search log). By default the rows are collected and
    /// then handed over; SQLite streams them through one reused row.
    fn query_each(
        &mut self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(&Row) -> DbResult<()>,
    ) -> DbResult<()> {
        for row in self.query(sql, params)? {
            f(&row)?;
        }
        Ok(())
    }
    /// Runs several statements without parameters (DDL, transaction control).
    fn batch(&mut self, sql: &str) -> DbResult<()>;
    /// Inside a write transaction: waits until no other transaction holds `key`, then holds
    /// it until commit. SQLite's writer lock already serialises every write (a no-op there);
    /// on PostgreSQL it is a transaction-scoped advisory lock, so read-check-write sequences
    /// (a retry wait, a decayed counter) stay correct across replicas.
    fn lock(&mut self, key: &str) -> DbResult<()>;
    /// Starts a write transaction that takes the write lock at once where the database has
    /// one (`BEGIN IMMEDIATE` on SQLite), so a transaction never fails half-way for a lock.
    fn begin_transaction(&mut self) -> DbResult<()>;
    /// Starts a read-only transaction that sees the database as of one commit throughout.
    fn begin_snapshot(&mut self) -> DbResult<()>;
    /// The applied schema version (0: an empty database).
    fn schema_version(&mut self) -> DbResult<usize>;
    /// Records `version` as applied, inside the migration's transaction.
    fn set_schema_version(&mut self, version: usize) -> DbResult<()>;
    /// Migration DDL (written in SQLite's dialect) in this backend's.
    fn ddl(&self, sql: &str) -> String {
        sql.to_owned()
    }
    /// Takes whatever serialises migrations across processes and prepares for them.
    fn begin_migrations(&mut self) -> DbResult<()> {
        Ok(())
    }
    /// Releases what [`Self::begin_migrations`] took.
    fn end_migrations(&mut self) -> DbResult<()> {
        Ok(())
    }
    /// The SQLite connection underneath, for the SQLite-only features (backup, page limits).
    fn sqlite(&mut self) -> Option<&mut rusqlite::Connection> {
        None
    }
}

impl dyn Conn + '_ {
    /// The first row, if any.
    pub fn query_opt(&mut self, sql: &str, params: &[Value]) -> DbResult<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The first row; [`DbError::NoRow`] when there is none.
    pub fn query_one(&mut self, sql: &str, params: &[Value]) -> DbResult<Row> {
        self.query_opt(sql, params)?.ok_or(DbError::NoRow)
    }

    /// Each row mapped by `f`.
    pub fn query_map<T>(
        &mut self,
        sql: &str,
        params: &[Value],
        f: impl FnMut(&Row) -> DbResult<T>,
    ) -> DbResult<Vec<T>> {
        self.query(sql, params)?.iter().map(f).collect()
    }

    /// The first column of the first row (a count, an id from `RETURNING id`).
    pub fn query_value<T: FromValue>(&mut self, sql: &str, params: &[Value]) -> DbResult<T> {
        self.query_one(sql, params)?.get(0)
    }
}

/// A pool of connections to one database.
pub trait Database: Send + Sync {
    /// A connection, waiting for one to become free.
    fn connect(&self) -> DbResult<Box<dyn Conn + '_>>;
    /// The SQL dialect.
    fn dialect(&self) -> Dialect;
    /// Held for the length of a write transaction where the database has one writer at a
    /// time (SQLite): this process's writers then queue on a fair lock instead of SQLite's
    /// busy handler, which sleeps and retries. `None` where writers run side by side.
    fn writer_turn(&self) -> Option<std::sync::MutexGuard<'_, ()>> {
        None
    }
    /// The pool's connections at this moment (for `/metrics`).
    fn pool_state(&self) -> PoolState;
}

/// A connection pool at one moment: how many connections are open and how many of those wait
/// unused. Read without touching the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolState {
    /// Connections open (in use or idle).
    pub open: u32,
    /// Open connections no call holds.
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

impl PoolState {
    /// Connections held by a call right now.
    pub fn in_use(&self) -> u32 {
        self.open.saturating_sub(self.idle)
    }
}

/// `pool`'s [`PoolState`].
fn pool_state_of<M: r2d2::ManageConnection>(pool: &r2d2::Pool<M>) -> PoolState {
    let state = pool.state();
    PoolState {
        open: state.connections,
        idle: state.idle_connections,
        max: pool.max_size(),
    }
}

/// A pool of at most `size` connections made by `manager`, opened on demand (a CLI command
/// needs one, the server a few), waiting up to 30 s for a free one.
fn pool<M: r2d2::ManageConnection>(manager: M, size: u32) -> DbResult<r2d2::Pool<M>> {
    r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(std::time::Duration::from_secs(30))
        .build(manager)
        .map_err(|e| DbError::Unreachable(Box::new(e)))
}

/// A connection from `pool`, waiting for one to become free.
fn checkout<M: r2d2::ManageConnection>(
    pool: &r2d2::Pool<M>,
) -> DbResult<r2d2::PooledConnection<M>> {
    pool.get().map_err(|e| DbError::Unreachable(Box::new(e)))
}

/// Where the store lives: `sqlite://PATH` or `postgres://…` (`--database`,
/// `SELFSERVE_DATABASE`).
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (URL or key=value form), kept whole for the driver.
    Postgres(String),
}

impl DatabaseUrl {
    /// The default: `selfserve.db` in the data folder.
    pub fn in_data_dir(data_dir: &Path) -> DatabaseUrl {
        DatabaseUrl::Sqlite(data_dir.join(crate::store::DB_FILE))
    }

    /// Parses `sqlite://PATH`, `sqlite:PATH`, `postgres://…` or `postgresql://…`.
    pub fn parse(text: &str) -> Result<DatabaseUrl, String> {
        let text = text.trim();
        if let Some(path) = text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(
                    "a sqlite:// database needs a file path, as in sqlite://./data/selfserve.db"
                        .into(),
                );
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(text.to_owned()));
        }
        Err(format!(
            "`{}` is not a database this server can use; give sqlite://PATH or postgres://USER@HOST/NAME",
            redact(text)
        ))
    }

    /// True for PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self, DatabaseUrl::Postgres(_))
    }
}

impl fmt::Display for DatabaseUrl {
    /// The URL without its password, for logs and messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A connection string with any password replaced by `***`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let redacted = match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once("password=") {
        Some((before, after)) => {
            let rest = after.split_once('&').map_or("", |(_, r)| r);
            format!(
                "{before}password=***{}{rest}",
                if rest.is_empty() { "" } else { "&" }
            )
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{redacted}{tail}")
}

/// Parameters for a call through the seam: `args![user.id.0, name, now]`.
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        &[$($crate::store::db::Value::from($value)),*]
    };
}
pub(crate) use args;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_and_hide_passwords() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://./data/x.db").expect("sqlite"),
            DatabaseUrl::Sqlite(PathBuf::from("./data/x.db"))
        );
        let pg = DatabaseUrl::parse("postgres://ada:secret@db:5432/selfserve").expect("pg");
        assert!(pg.is_postgres());
        assert_eq!(pg.to_string(), "postgres://ada:***@db:5432/selfserve");
        let pg =
            DatabaseUrl::parse("postgresql://db/s?user=a&password=x&sslmode=disable").expect("pg");
        assert_eq!(
            pg.to_string(),
            "postgresql://db/s?user=a&password=***&sslmode=disable"
        );
        let err = DatabaseUrl::parse("mysql://root:pw@db/x").expect_err("refused");
        assert!(err.contains("sqlite://PATH"), "{err}");
        assert!(!err.contains("pw"), "{err}");
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }
}
