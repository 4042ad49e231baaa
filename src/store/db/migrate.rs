//! Brings a database's schema up to date from the one list of steps in `store::migrations`.
//!
//! Steps are written in SQLite's DDL; each backend translates them ([`Conn::ddl`]:
//! PostgreSQL makes integer columns BIGINT and row ids identity columns).
//! A step that only rewrites data that databases from before PostgreSQL support could hold
//! is marked SQLite-only. Where the version is kept and how migrations are serialised is
//! the backend's ([`Conn::schema_version`], [`Conn::begin_migrations`]).

use super::{Conn, DbError, DbResult, Dialect};

/// One part of a schema version.
#[derive(Debug, Clone, Copy)]
pub enum Part {
    /// Runs on every backend, through the backend's [`Conn::ddl`].
    Both(&'static str),
    /// Runs on SQLite only: a fix-up of data older than PostgreSQL support.
    SqliteOnly(&'static str),
}

/// A version: its parts, run in one transaction.
pub type Version = &'static [Part];

/// The applied version (0 for an empty database).
pub fn current_version(conn: &mut dyn Conn) -> DbResult<usize> {
    conn.schema_version()
}

/// Applies every version after the database's own; the number applied. Holds the
/// backend's migration lock throughout, so replicas starting together migrate once.
pub fn to_latest(conn: &mut dyn Conn, versions: &[Version]) -> DbResult<usize> {
    conn.begin_migrations()?;
    let result = apply(conn, versions);
    let ended = conn.end_migrations();
    result.and_then(|n| ended.map(|()| n))
}

fn apply(conn: &mut dyn Conn, versions: &[Version]) -> DbResult<usize> {
    let from = conn.schema_version()?;
    if from > versions.len() {
        return Err(DbError::Other(
            format!(
                "the database's schema is version {from}, newer than this server's {}; run the newer selfserve or restore a backup",
                versions.len()
            )
            .into(),
        ));
    }
    for (index, parts) in versions.iter().enumerate().skip(from) {
        conn.begin_transaction()?;
        match apply_version(conn, parts, index + 1) {
            Ok(()) => conn.batch("COMMIT")?,
            Err(e) => {
                let _ = conn.batch("ROLLBACK");
                return Err(e);
            }
        }
    }
    Ok(versions.len() - from)
}

fn apply_version(conn: &mut dyn Conn, parts: &[Part], version: usize) -> DbResult<()> {
    let sqlite = conn.dialect() == Dialect::Sqlite;
    for part in parts {
        match part {
            Part::Both(sql) => {
                let sql = conn.ddl(sql);
                conn.batch(&sql)?;
            }
            Part::SqliteOnly(sql) if sqlite => conn.batch(sql)?,
            Part::SqliteOnly(_) => {}
        }
    }
    conn.set_schema_version(version)
}
