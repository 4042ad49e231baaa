//! Scratch databases for tests: a SQLite file in a temporary folder, or a fresh schema on
//! the PostgreSQL server named by `SELFSERVE_TEST_POSTGRES` (set by `.ci/run`).
//!
//! Public (and hidden) because the integration tests use it too. Each PostgreSQL scratch
//! store lives in its own schema, made here and dropped when the [`Scratch`] is, so tests run
//! side by side on one server without seeing each other's rows.

use std::path::Path;

use super::{DatabaseUrl, Result, Store, StoreError};

/// The environment variable naming the test server (`postgres://…`).
pub const POSTGRES_ENV: &str = "SELFSERVE_TEST_POSTGRES";

/// The test server's URL, if one is configured.
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_ENV)
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// A scratch database; dropping it removes it.
pub struct Scratch {
    /// Where the store is.
    pub url: DatabaseUrl,
    /// For PostgreSQL: the server and the schema to drop.
    postgres: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl Scratch {
    /// A SQLite file in a new temporary folder.
    pub fn sqlite() -> std::io::Result<Scratch> {
        let dir = tempfile::tempdir()?;
        Ok(Scratch {
            url: DatabaseUrl::in_data_dir(dir.path()),
            postgres: None,
            _dir: Some(dir),
        })
    }

    /// A fresh schema on the server at `server` (a `postgres://` URL).
    pub fn postgres(server: &str) -> Result<Scratch> {
        let schema = format!("t_{}", super::random_hex(8)?);
        run_sql(server, &format!("CREATE SCHEMA {schema}"))?;
        let separator = if server.contains('?') { '&' } else { '?' };
        let url = format!("{server}{separator}options=-c%20search_path%3D{schema}");
        Ok(Scratch {
            url: DatabaseUrl::Postgres(url),
            postgres: Some((server.to_owned(), schema)),
            _dir: None,
        })
    }

    /// The folder of a SQLite scratch database.
    pub fn sqlite_folder(&self) -> Option<&Path> {
        self._dir.as_ref().map(tempfile::TempDir::path)
    }

    /// Opens (and migrates) the store.
    pub fn open(&self) -> Result<Store> {
        Store::connect(&self.url)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some((server, schema)) = &self.postgres {
            let _ = run_sql(server, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// Runs one statement on its own connection, on a plain thread (see `on_plain_thread`).
fn run_sql(server: &str, sql: &str) -> Result<()> {
    let (server, sql) = (server.to_owned(), sql.to_owned());
    std::thread::spawn(move || -> Result<()> {
        let mut client = postgres::Client::connect(&server, postgres::NoTls)
            .map_err(|e| StoreError::from(super::db::DbError::from(e)))?;
        client
            .batch_execute(&sql)
            .map_err(|e| StoreError::from(super::db::DbError::from(e)))
    })
    .join()
    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Every backend the tests can reach: SQLite always, PostgreSQL when [`POSTGRES_ENV`] is
/// set. Each entry is a migrated store and the scratch database that must outlive it.
pub fn stores() -> Vec<(Store, Scratch)> {
    let mut all = Vec::new();
    let sqlite = Scratch::sqlite().expect("a temporary folder for the test database");
    all.push((sqlite.open().expect("the SQLite test store opens"), sqlite));
    if let Some(server) = postgres_url() {
        let pg = Scratch::postgres(&server).expect("a schema on the test PostgreSQL server");
        all.push((pg.open().expect("the PostgreSQL test store opens"), pg));
    }
    all
}
