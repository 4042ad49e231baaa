//! The PostgreSQL backend: a pool of clients of the synchronous `postgres` driver.
//!
//! Several replicas share one database, so everything they must agree on (accounts,
//! sessions, tokens, sign-in counters, attempts, outcomes, logs) is here, and a write is
//! acknowledged only after PostgreSQL committed it. Statements are prepared once per client
//! and reused. The store's SQL uses SQLite's `?1` placeholders; they become `$1` here.
//!
//! The driver runs its own small runtime per client, which must not be entered from an
//! async task: the web layer calls the store from `web::block` threads, and
//! [`crate::store::Store`] moves a call made on an async thread to a plain one.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::str::FromStr;
use std::time::Duration;

use bytes::BytesMut;
use postgres::error::SqlState;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Statement};

use super::{Conn, Database, DbError, DbResult, Dialect, FromValue, Row, Value};

/// The advisory lock key that serialises migrations across replicas ("selfserve" in ASCII).
const MIGRATION_LOCK: i64 = 0x73_656c_6673_6572;

/// Made before the first migration: where the version is kept, and `json_valid`, which the
/// schema's CHECKs use and PostgreSQL lacks.
const MIGRATION_PRELUDE: &str = r#"
SET client_min_messages TO WARNING;
CREATE TABLE IF NOT EXISTS selfserve_schema (version BIGINT NOT NULL);
CREATE OR REPLACE FUNCTION json_valid(doc TEXT) RETURNS BOOLEAN
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM doc::jsonb;
    RETURN TRUE;
EXCEPTION WHEN others THEN
    RETURN FALSE;
END
$$;
"#;

/// Clients in each replica's pool. Ten replicas keep 80 connections open at most, below
/// PostgreSQL's default `max_connections` of 100.
const POOL_SIZE: u32 = 8;

/// A pool on one PostgreSQL database.
pub struct PostgresDatabase {
    pool: r2d2::Pool<Manager>,
}

impl PostgresDatabase {
    /// Connects (one client at once, so a wrong address fails here with the driver's reason).
    pub fn open(url: &str) -> DbResult<PostgresDatabase> {
        let mut config =
            postgres::Config::from_str(url).map_err(|e| DbError::Unreachable(Box::new(e)))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("selfserve");
        }
        let manager = Manager { config };
        // Fail fast with the driver's own reason instead of r2d2's timeout.
        drop(r2d2::ManageConnection::connect(&manager)?);
        let pool = super::pool(manager, POOL_SIZE)?;
        Ok(PostgresDatabase { pool })
    }
}

impl Database for PostgresDatabase {
    fn connect(&self) -> DbResult<Box<dyn Conn + '_>> {
        Ok(Box::new(PostgresConn(super::checkout(&self.pool)?)))
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn pool_state(&self) -> super::PoolState {
        super::pool_state_of(&self.pool)
    }
}

/// Makes clients for the pool.
struct Manager {
    config: postgres::Config,
}

/// A client and the statements it has prepared, by the store's SQL text.
struct PreparedClient {
    client: Client,
    statements: HashMap<String, Statement>,
}

impl r2d2::ManageConnection for Manager {
    type Connection = PreparedClient;
    type Error = DbError;

    fn connect(&self) -> Result<PreparedClient, DbError> {
        let client = self
            .config
            .connect(NoTls)
            .map_err(|e| DbError::Unreachable(Box::new(e)))?;
        Ok(PreparedClient {
            client,
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, conn: &mut PreparedClient) -> Result<(), DbError> {
        conn.client.simple_query("")?;
        Ok(())
    }

    fn has_broken(&self, conn: &mut PreparedClient) -> bool {
        conn.client.is_closed()
    }
}

/// A pooled client.
struct PostgresConn(r2d2::PooledConnection<Manager>);

impl PostgresConn {
    fn statement(&mut self, sql: &str) -> DbResult<Statement> {
        let prepared = &mut *self.0;
        if let Some(stmt) = prepared.statements.get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = prepared.client.prepare(&placeholders(sql))?;
        prepared.statements.insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }
}

impl Conn for PostgresConn {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> DbResult<u64> {
        let stmt = self.statement(sql)?;
        let params: Vec<Param<'_>> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        Ok(self.0.client.execute(&stmt, &refs)?)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>> {
        let stmt = self.statement(sql)?;
        let params: Vec<Param<'_>> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        let rows = self.0.client.query(&stmt, &refs)?;
        rows.iter().map(row_values).collect()
    }

    fn batch(&mut self, sql: &str) -> DbResult<()> {
        Ok(self.0.client.batch_execute(sql)?)
    }

    fn begin_transaction(&mut self) -> DbResult<()> {
        self.batch("BEGIN")
    }

    fn begin_snapshot(&mut self) -> DbResult<()> {
        self.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    }

    fn schema_version(&mut self) -> DbResult<usize> {
        let exists: bool =
            first(self.query("SELECT to_regclass('selfserve_schema') IS NOT NULL", &[])?)?;
        if !exists {
            return Ok(0);
        }
        let rows = self.query("SELECT version FROM selfserve_schema", &[])?;
        let version: i64 = if rows.is_empty() { 0 } else { first(rows)? };
        Ok(usize::try_from(version).unwrap_or(0))
    }

    fn set_schema_version(&mut self, version: usize) -> DbResult<()> {
        self.execute("DELETE FROM selfserve_schema", &[])?;
        self.execute(
            "INSERT INTO selfserve_schema (version) VALUES (?1)",
            &[version.into()],
        )
        .map(drop)
    }

    fn ddl(&self, sql: &str) -> String {
        postgres_ddl(sql)
    }

    fn begin_migrations(&mut self) -> DbResult<()> {
        self.execute("SELECT pg_advisory_lock(?1)", &[MIGRATION_LOCK.into()])?;
        self.batch(MIGRATION_PRELUDE)
    }

    fn end_migrations(&mut self) -> DbResult<()> {
        self.execute("SELECT pg_advisory_unlock(?1)", &[MIGRATION_LOCK.into()])
            .map(drop)
    }

    fn lock(&mut self, key: &str) -> DbResult<()> {
        // `execute`: the function returns `void`, a column type rows cannot carry.
        self.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(?1, 0))",
            &[Value::from(key)],
        )
        .map(drop)
    }
}

/// The first column of the first of `rows`.
fn first<T: FromValue>(rows: Vec<Row>) -> DbResult<T> {
    rows.into_iter().next().ok_or(DbError::NoRow)?.get(0)
}

/// SQLite DDL as PostgreSQL DDL: the subset the schema uses.
pub fn postgres_ddl(sql: &str) -> String {
    sql.replace(
        "INTEGER PRIMARY KEY",
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    )
    .replace("INTEGER", "BIGINT")
    .replace(" REAL ", " DOUBLE PRECISION ")
    .replace(" BLOB ", " BYTEA ")
    .replace(") STRICT, WITHOUT ROWID;", ");")
    .replace(") STRICT;", ");")
    .replace(" COLLATE NOCASE", "")
}

/// `?1` → `$1`, outside quoted text.
pub(crate) fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push('$');
                continue;
            }
            None => {}
        }
        out.push(c);
    }
    out
}

/// One row as values, by each column's type.
fn row_values(row: &postgres::Row) -> DbResult<Row> {
    let mut values = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let ty = column.type_();
        let value = if *ty == Type::INT8 {
            row.try_get::<_, Option<i64>>(i)?.map(Value::Int)
        } else if *ty == Type::INT4 {
            row.try_get::<_, Option<i32>>(i)?
                .map(|v| Value::Int(v.into()))
        } else if *ty == Type::INT2 {
            row.try_get::<_, Option<i16>>(i)?
                .map(|v| Value::Int(v.into()))
        } else if *ty == Type::BOOL {
            row.try_get::<_, Option<bool>>(i)?
                .map(|v| Value::Int(v.into()))
        } else if *ty == Type::FLOAT8 {
            row.try_get::<_, Option<f64>>(i)?.map(Value::Real)
        } else if *ty == Type::FLOAT4 {
            row.try_get::<_, Option<f32>>(i)?
                .map(|v| Value::Real(v.into()))
        } else if *ty == Type::BYTEA {
            row.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Blob)
        } else if [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME].contains(ty) {
            row.try_get::<_, Option<String>>(i)?.map(Value::Text)
        } else {
            // NUMERIC (SUM and AVG of integers) and the rest: the store casts to BIGINT.
            return Err(DbError::Other(
                format!("column {i} has type {ty}, which the store does not read; cast it to BIGINT, DOUBLE PRECISION or TEXT").into(),
            ));
        };
        values.push(value.unwrap_or(Value::Null));
    }
    Ok(Row(values))
}

/// A value sent as whatever type PostgreSQL inferred for its placeholder.
#[derive(Debug)]
struct Param<'a>(&'a Value);

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => {
                if *ty == Type::INT8 {
                    i.to_sql(ty, out)
                } else if *ty == Type::INT4 {
                    i32::try_from(*i)?.to_sql(ty, out)
                } else if *ty == Type::INT2 {
                    i16::try_from(*i)?.to_sql(ty, out)
                } else if *ty == Type::BOOL {
                    (*i != 0).to_sql(ty, out)
                } else if *ty == Type::FLOAT8 {
                    #[allow(clippy::cast_precision_loss)]
                    (*i as f64).to_sql(ty, out)
                } else {
                    i.to_string().as_str().to_sql(ty, out)
                }
            }
            Value::Real(r) => {
                if *ty == Type::FLOAT4 {
                    #[allow(clippy::cast_possible_truncation)]
                    (*r as f32).to_sql(ty, out)
                } else if *ty == Type::FLOAT8 {
                    r.to_sql(ty, out)
                } else {
                    r.to_string().as_str().to_sql(ty, out)
                }
            }
            Value::Text(s) => s.as_str().to_sql(ty, out),
            Value::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl From<postgres::Error> for DbError {
    /// Sorts PostgreSQL's errors the way SQLite's are sorted.
    fn from(err: postgres::Error) -> Self {
        let state = err.code().cloned();
        let closed = err.is_closed();
        let boxed = Box::new(err);
        match state {
            Some(s) if s == SqlState::UNIQUE_VIOLATION => DbError::Unique(boxed),
            Some(s) if s == SqlState::DISK_FULL => DbError::DiskFull(boxed),
            Some(s) if s == SqlState::IO_ERROR || s == SqlState::READ_ONLY_SQL_TRANSACTION => {
                DbError::DiskFailed(boxed)
            }
            Some(s)
                if s == SqlState::ADMIN_SHUTDOWN
                    || s == SqlState::CANNOT_CONNECT_NOW
                    || s == SqlState::TOO_MANY_CONNECTIONS =>
            {
                DbError::Unreachable(boxed)
            }
            None if closed => DbError::Unreachable(boxed),
            _ => DbError::Other(boxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ddl_translates_to_postgres() {
        let sql = "CREATE TABLE t (\n    id INTEGER PRIMARY KEY,\n    n INTEGER NOT NULL,\n    r REAL NOT NULL,\n    b BLOB NOT NULL,\n    s TEXT UNIQUE COLLATE NOCASE\n) STRICT;\nCREATE TABLE u (k TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;";
        let pg = postgres_ddl(sql);
        assert!(
            pg.contains("id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
            "{pg}"
        );
        assert!(pg.contains("n BIGINT NOT NULL"), "{pg}");
        assert!(pg.contains("r DOUBLE PRECISION NOT NULL"), "{pg}");
        assert!(pg.contains("b BYTEA NOT NULL"), "{pg}");
        assert!(
            !pg.contains("STRICT") && !pg.contains("ROWID") && !pg.contains("NOCASE"),
            "{pg}"
        );
    }

    #[test]
    fn placeholders_change_outside_quotes_only() {
        assert_eq!(
            placeholders("SELECT a FROM t WHERE a = ?1 AND b = '?2' AND c = ?12"),
            "SELECT a FROM t WHERE a = $1 AND b = '?2' AND c = $12"
        );
        assert_eq!(placeholders("SELECT '?' || ?3"), "SELECT '?' || $3");
    }
}
