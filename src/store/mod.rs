//! The only code that touches SQLite: accounts, sessions, tokens, attempts, outcomes, logs.
//!
//! A [`Store`] is a cheap-to-clone handle on a pool of connections to `DATA/selfserve.db`.
//! Every method blocks (SQLite does I/O on the calling thread), so the web layer calls them
//! inside `web::block`. The database is in WAL mode: readers never wait for the writer, and
//! writers queue behind each other for up to [`BUSY_TIMEOUT`] before a call fails.
//!
//! Content document ids (modules, trees) are stored as plain text, never as foreign keys:
//! content comes and goes with git, while what people did must survive it.
//!
//! Each area lives in its own file and adds `impl Store` blocks: [`accounts`] (users; the
//! argon2id hashing is in `passwords`), [`sessions`] (browser sessions, sign-in rate
//! limits), [`tokens`] (API tokens), [`attempts`] (quiz attempts and passes), [`outcomes`]
//! (tree walks, help requests), [`page_feedback`] ("Was this helpful?", bounded), [`rate_limits`] (limits every replica shares), [`search_log`] (bounded), [`search_clicks`] (click
//! feedback, bounded and decaying) and [`backup`]; [`health`] says
//! whether the disk takes writes and refuses an emptied database. The schema is in
//! `migrations`.
//!
//! Errors: every method returns [`StoreError`]; its `Display` is a sentence a person can act
//! on, and the underlying cause (if any) is its `source()`.

pub mod accounts;
pub mod attempts;
pub mod backup;
pub mod bulk;
pub mod copy;
pub mod db;
pub mod handouts;
pub mod health;
pub mod help_requests;
mod migrations;
pub mod outcomes;
pub mod page_feedback;
mod passwords;
pub mod rate_limits;
pub mod search_clicks;
pub mod search_log;
pub mod sessions;
#[doc(hidden)]
pub mod testing;
pub mod tokens;
pub mod tree_walks;
pub mod webhooks;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags};

pub use accounts::{User, UserId, UserName, UserSource};
pub use attempts::{Attempt, AttemptId, Gated, NewAttempt, Pass};
pub use db::DatabaseUrl;
pub use handouts::Handout;
pub use outcomes::{
    Answer, HelpFilter, HelpRequest, NewOutcome, NodeStats, OutcomeId, Reply, RequestId,
    RequestStatus, SentRequest, TreeStats,
};
pub use rate_limits::RateSlot;
pub use search_clicks::{Choice, PageFeedback, QueryFeedback};
pub use search_log::{QueryCount, QueryKey, SearchLogEntry, SearchLogLimits};
pub use sessions::{LoginKey, Session};
pub use tokens::{ApiToken, TokenId};

use db::postgres::PostgresDatabase;
use db::sqlite::SqliteDatabase;
use db::{Conn, Database, DbError};

/// The database file's name inside the data folder.
pub const DB_FILE: &str = "selfserve.db";

/// How long a call waits for another connection's write lock before it fails (SQLite).
pub const BUSY_TIMEOUT: std::time::Duration = db::sqlite::BUSY_TIMEOUT;

/// Everything that can go wrong in the store. The message is a sentence for people; the
/// cause, when there is one, is the error's `source()` (never a driver type to match on).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist (an unknown user, token, request).
    #[error("{0}")]
    NotFound(String),
    /// The change collides with existing data (a duplicate user name, an existing file).
    #[error("{0}")]
    Conflict(String),
    /// The input is not acceptable (a bad user name, an empty password, a score out of range).
    #[error("{0}")]
    Invalid(String),
    /// The data folder or a backup file cannot be read or written.
    #[error("cannot use {}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The database reported an error (a corrupt file, a lock held longer than the timeout).
    #[error("the database failed")]
    Database(#[source] DbError),
    /// The database cannot be reached (PostgreSQL down, no pooled connection in time).
    #[error("the database cannot be reached; try again in a moment or tell the platform team")]
    Unreachable(#[source] DbError),
    /// The disk is full: the database could not grow (`SQLITE_FULL`, PostgreSQL's 53100).
    #[error(
        "the server's disk is full, so this could not be saved; try again later or tell the platform team"
    )]
    DiskFull(#[source] DbError),
    /// The disk failed a read or write, or the database became read-only.
    #[error(
        "the server could not use its disk, so this could not be done; try again later or tell the platform team"
    )]
    DiskFailed(#[source] DbError),
    /// The database file is empty or missing where a database existed (see [`health`]).
    #[error("{0}")]
    Emptied(String),
    /// Hashing a password failed (argon2 refused its parameters or input).
    #[error("a password could not be hashed")]
    Hash(String),
    /// The operating system's random number generator failed.
    #[error("the system's random number generator failed")]
    Random,
}

impl From<DbError> for StoreError {
    /// A full or failing disk is temporary and said so (503 in the web layer); a
    /// duplicate key that a caller did not turn into a conflict is a fault like any other.
    fn from(err: DbError) -> Self {
        match err {
            DbError::DiskFull(_) => StoreError::DiskFull(err),
            DbError::DiskFailed(_) => StoreError::DiskFailed(err),
            DbError::Unreachable(_) => StoreError::Unreachable(err),
            _ => StoreError::Database(err),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        DbError::from(err).into()
    }
}

impl StoreError {
    /// True when the error is the caller's doing (4xx), false for server faults (5xx).
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            StoreError::NotFound(_) | StoreError::Conflict(_) | StoreError::Invalid(_)
        )
    }
}

/// Results of store calls.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database behind a store.
#[derive(Clone)]
enum Backend {
    Sqlite(Arc<SqliteDatabase>),
    Postgres(Arc<PostgresDatabase>),
}

/// A handle on the database: clone it freely, every clone shares one connection pool.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    url: DatabaseUrl,
    /// Whether a write failed for lack of space lately (shared by every clone).
    health: Arc<health::WriteHealth>,
    /// Whether events queue webhook messages (`webhooks`; shared by every clone).
    webhooks: Arc<std::sync::atomic::AtomicBool>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("url", &self.url).finish()
    }
}

impl Store {
    /// Opens (creating when missing) `data_dir/selfserve.db` and brings its schema up to date.
    pub fn open(data_dir: &Path) -> Result<Store> {
        Self::connect(&DatabaseUrl::in_data_dir(data_dir))
    }

    /// Opens the database at `url` (creating a missing SQLite file) and brings its schema up
    /// to date.
    pub fn connect(url: &DatabaseUrl) -> Result<Store> {
        match url {
            DatabaseUrl::Sqlite(path) => Self::open_sqlite(path),
            DatabaseUrl::Postgres(conn) => {
                let database = on_plain_thread(true, || PostgresDatabase::open(conn))?;
                let store = Store {
                    backend: Backend::Postgres(Arc::new(database)),
                    url: url.clone(),
                    health: Arc::default(),
                    webhooks: Arc::default(),
                };
                store.read(|conn| Ok(db::migrate::to_latest(conn, migrations::VERSIONS)?))?;
                Ok(store)
            }
        }
    }

    fn open_sqlite(path: &Path) -> Result<Store> {
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&folder).map_err(|source| StoreError::Io {
            path: folder.clone(),
            source,
        })?;
        health::refuse_emptied(path)?;
        // Migrate on a connection of our own before the pool exists, so no pooled connection
        // ever sees a half-migrated schema.
        let mut conn = Connection::open(path).map_err(|e| open_error(path, e))?;
        db::sqlite::configure(&mut conn)?;
        // WAL is a property of the file (it persists), so setting it once here is enough.
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "SQLite refused WAL mode; writers will block readers");
        }
        let unbounded_log: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'search_log')",
            [],
            |r| r.get(0),
        )?;
        drop(conn);
        let store = Self::with_pool(path.to_owned(), OpenFlags::default())?;
        store.read(|conn| Ok(db::migrate::to_latest(conn, migrations::VERSIONS)?))?;
        if unbounded_log {
            // The old search log may have grown the file by gigabytes; the migration folded
            // it, and compacting now returns the space (once, at the upgrade).
            tracing::info!("compacting the database after folding the search log");
            store.read(|conn| Ok(conn.batch("VACUUM")?))?;
        }
        health::write_marker(path);
        Ok(store)
    }

    /// Opens an existing database without creating or migrating it (for `backup`).
    pub fn open_existing(data_dir: &Path) -> Result<Store> {
        Self::connect_existing(&DatabaseUrl::in_data_dir(data_dir))
    }

    /// Opens the database at `url` without creating it (for the commands that only read or
    /// change records: a mistyped `--data` must not leave an empty database behind).
    pub fn connect_existing(url: &DatabaseUrl) -> Result<Store> {
        let path = match url {
            DatabaseUrl::Sqlite(path) => path,
            DatabaseUrl::Postgres(_) => return Self::connect(url),
        };
        health::refuse_emptied(path)?;
        if !path.is_file() {
            return Err(StoreError::NotFound(format!(
                "there is no database at {}; point --data at the folder the server uses",
                path.display()
            )));
        }
        // No CREATE flag: a wrong --data must not leave an empty database behind.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        // Open once up front: the pool would retry a failing open until its timeout.
        Connection::open_with_flags(path, flags).map_err(|e| open_error(path, e))?;
        Self::with_pool(path.to_owned(), flags)
    }

    fn with_pool(path: PathBuf, flags: OpenFlags) -> Result<Store> {
        let url = DatabaseUrl::Sqlite(path.clone());
        let database = SqliteDatabase::open(path, flags)?;
        Ok(Store {
            backend: Backend::Sqlite(Arc::new(database)),
            url,
            health: Arc::default(),
            webhooks: Arc::default(),
        })
    }

    /// Where the database is (without a password).
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The SQLite file, or `None` on PostgreSQL.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Sqlite(db) => Some(db.path()),
            Backend::Postgres(_) => None,
        }
    }

    /// The database file (SQLite) or an empty path (PostgreSQL).
    pub fn path(&self) -> &Path {
        self.sqlite_path().unwrap_or(Path::new(""))
    }

    /// The connection pool at this moment: open, idle, most (for `/metrics`; no query).
    pub fn pool_state(&self) -> db::PoolState {
        self.database().pool_state()
    }

    fn database(&self) -> &dyn Database {
        match &self.backend {
            Backend::Sqlite(db) => db.as_ref(),
            Backend::Postgres(db) => db.as_ref(),
        }
    }

    /// Runs `f` on a pooled connection, outside any transaction (each statement commits
    /// on its own).
    pub(crate) fn read<T: Send>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T> + Send,
    ) -> Result<T> {
        on_plain_thread(self.is_postgres(), || {
            let mut conn = self.database().connect()?;
            f(&mut *conn)
        })
    }

    /// Runs `f` in a write transaction that commits when `f` returns `Ok` and rolls back
    /// otherwise. On SQLite it holds the writer lock from the start (`BEGIN IMMEDIATE`);
    /// on PostgreSQL, `f` calls [`Conn::lock`] before a read-check-write.
    pub(crate) fn write<T: Send>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T> + Send,
    ) -> Result<T> {
        on_plain_thread(self.is_postgres(), || {
            let database = self.database();
            let _turn = database.writer_turn();
            let mut conn = database.connect()?;
            conn.begin_transaction()?;
            match f(&mut *conn) {
                Ok(value) => {
                    conn.batch("COMMIT")?;
                    Ok(value)
                }
                Err(error) => {
                    // The transaction is void either way; a failed rollback adds nothing.
                    let _ = conn.batch("ROLLBACK");
                    Err(error)
                }
            }
        })
    }

    /// True on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// The SQLite pool, for the SQLite-only features (backup, page limits).
    pub(crate) fn sqlite(&self) -> Option<&SqliteDatabase> {
        match &self.backend {
            Backend::Sqlite(db) => Some(db),
            Backend::Postgres(_) => None,
        }
    }

    /// Cheap liveness check for `/healthz`.
    pub fn ping(&self) -> Result<()> {
        self.read(|conn| Ok(conn.query_value::<i64>("SELECT 1", &[]).map(drop)?))
    }
}

/// Runs `f` where a blocking database driver may run: the PostgreSQL driver drives its own
/// small runtime, which panics if entered from an async task, so a call made on such a
/// thread (a test, a handler that forgot `web::block`) moves to a short-lived plain thread.
fn on_plain_thread<T: Send>(postgres: bool, f: impl FnOnce() -> T + Send) -> T {
    if postgres && tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|scope| match scope.spawn(f).join() {
            Ok(value) => value,
            Err(panic) => std::panic::resume_unwind(panic),
        })
    } else {
        f()
    }
}

/// An open failure (a missing folder, no permission) reads as a file problem, not a
/// database fault.
fn open_error(path: &Path, e: rusqlite::Error) -> StoreError {
    StoreError::Io {
        path: path.to_owned(),
        source: std::io::Error::other(e),
    }
}

/// `n` bytes from the operating system's generator, as lowercase hex.
pub(crate) fn random_hex(n: usize) -> Result<String> {
    use rand::TryRngCore;
    let mut bytes = vec![0u8; n];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|_| StoreError::Random)?;
    Ok(crate::digest::hex(&bytes))
}

/// Hex SHA-256 of a secret: what the database keeps instead of session and API tokens.
/// A plain hash suffices because the secrets are 256 random bits, not guessable passwords.
pub(crate) fn sha256_hex(secret: &str) -> String {
    crate::digest::sha256_hex(secret.as_bytes())
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A fresh store in a temporary folder for each test: real SQLite, real files.

    use super::Store;
    pub(crate) use super::testing::stores;

    /// The store and the folder that must outlive it.
    pub(crate) fn store() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store opens");
        (store, dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite-only: the pragmas are per connection and per file.
    #[test]
    fn open_sets_wal_and_pragmas() {
        let (store, _dir) = test_support::store();
        let conn = store.sqlite().expect("sqlite").raw().expect("conn");
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("mode");
        assert_eq!(mode, "wal");
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .expect("fk");
        assert_eq!(fk, 1);
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .expect("sync");
        assert_eq!(sync, 1, "NORMAL");
        let timeout: i64 = conn
            .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
            .expect("busy");
        assert_eq!(timeout, 5000);
        let wal_limit: i64 = conn
            .query_row("PRAGMA journal_size_limit", [], |r| r.get(0))
            .expect("journal size limit");
        assert_eq!(wal_limit, 16 * 1024 * 1024, "a burst leaves no large WAL");
        store.ping().expect("ping");
    }

    #[test]
    fn reopening_keeps_data_and_does_not_rerun_migrations() {
        for (store, scratch) in test_support::stores() {
            let name = UserName::parse("ada").expect("name");
            store.create_user(&name, false, None).expect("user");
            let version = |s: &Store| -> usize {
                s.read(|c| Ok(db::migrate::current_version(c)?))
                    .expect("version")
            };
            let before = version(&store);
            drop(store);
            let store = scratch.open().expect("second open");
            assert_eq!(version(&store), before);
            assert_eq!(before, migrations::VERSIONS.len());
            assert_eq!(store.list_users().expect("list").len(), 1);
        }
    }

    #[test]
    fn open_fails_with_a_sentence_when_the_folder_is_a_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, "x").expect("write");
        let err = Store::open(&file).expect_err("must fail");
        assert!(err.to_string().starts_with("cannot use "), "{err}");
    }

    #[test]
    fn open_existing_refuses_a_missing_database() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = Store::open_existing(dir.path()).expect_err("must fail");
        assert!(matches!(err, StoreError::NotFound(_)));
        assert!(!dir.path().join(DB_FILE).exists(), "must not create it");
    }

    #[test]
    fn secrets_are_hex_and_hashes_are_stable() {
        let a = random_hex(32).expect("random");
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, random_hex(32).expect("random"));
        assert_eq!(sha256_hex("abc").len(), 64);
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
