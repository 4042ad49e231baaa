//! Whether the database can be written, and refusing a database that was emptied.
//!
//! `/healthz` used to answer `ok` while every write failed on a full disk. Now a write that
//! fails for lack of space (or with a disk I/O error) is noted here ([`Store::note_failure`]);
//! while noted, [`Store::check_writable`] retries a small write and answers with a sentence
//! until one succeeds. It also refuses when the data folder's file system has almost no room
//! left, so a full disk shows before the first write fails.
//!
//! A database file that is empty (or missing) where a database existed before — its
//! write-ahead log still holds data, or the marker written beside it says so — is refused at
//! open with a sentence, instead of silently becoming a new, empty database.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use super::db::DbError;
use super::{Result, Store, StoreError};

/// Below this much free space in the data folder's file system, the store reports itself
/// unwritable: SQLite needs room for its write-ahead log and checkpoints.
pub const MIN_FREE_BYTES: u64 = 8 * 1024 * 1024;

/// Written by the probe: enough that a database with no room for a few pages fails.
const PROBE_BYTES: usize = 64 * 1024;

/// The marker beside the default database that says one was created here (a database
/// file `X` has its marker at `X-created`).
pub const MARKER_FILE: &str = "selfserve.db-created";

/// Set when a write failed for lack of space or with an I/O error, until a write works.
#[derive(Debug, Default)]
pub(crate) struct WriteHealth {
    failed: AtomicBool,
}

impl StoreError {
    /// True when the error says the disk cannot take writes (full, or failing): the request
    /// may work later, and `/healthz` should say so meanwhile.
    pub fn is_unwritable(&self) -> bool {
        matches!(self, StoreError::DiskFull(_) | StoreError::DiskFailed(_))
    }
}

impl Store {
    /// Notes a failed call: after a full-disk or I/O error, [`Self::check_writable`] answers
    /// with a sentence until a write works again. Other errors are ignored.
    pub fn note_failure(&self, error: &StoreError) {
        if error.is_unwritable() {
            self.note_unwritable();
        }
    }

    /// Notes that a write failed for lack of space or with an I/O error (for callers that
    /// no longer hold the [`StoreError`], such as the web layer's error pages).
    pub fn note_unwritable(&self) {
        self.health.failed.store(true, Ordering::Relaxed);
    }

    /// `Ok` when the database answers and can be written; otherwise the sentence for
    /// `/healthz`. Cheap unless a write failed lately: then it tries a small write.
    pub fn check_writable(&self) -> Result<()> {
        self.ping()?;
        // PostgreSQL watches its own disk; a SQLite file's folder is ours to watch.
        if let Some(folder) = self.sqlite_path().and_then(Path::parent)
            && let Ok(free) = fs4::available_space(folder)
            && free < MIN_FREE_BYTES
        {
            return Err(StoreError::DiskFull(DbError::DiskFull(
                format!("{free} bytes free in {}", folder.display()).into(),
            )));
        }
        if self.health.failed.load(Ordering::Relaxed) {
            let probe = self.write_probe();
            if let Err(error) = &probe {
                self.note_failure(error);
            } else {
                self.health.failed.store(false, Ordering::Relaxed);
            }
            probe?;
        }
        Ok(())
    }

    /// Writes (and deletes, in the same transaction) a blob of [`PROBE_BYTES`].
    fn write_probe(&self) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO write_probe (filler) VALUES (?1)",
                &[vec![0_u8; PROBE_BYTES].into()],
            )?;
            tx.execute("DELETE FROM write_probe", &[])?;
            Ok(())
        })
    }

    /// Limits the database to `pages` pages on every pooled connection (`None`: SQLite's
    /// default), so a write that needs more fails as on a full disk. For tests and drills:
    /// there is no other way to fill a disk without root. SQLite only.
    #[doc(hidden)]
    pub fn set_max_page_count(&self, pages: Option<u64>) -> Result<()> {
        match self.sqlite() {
            Some(db) => Ok(db.set_max_page_count(pages)?),
            None => Err(StoreError::Invalid(
                "a page limit exists only for SQLite databases".into(),
            )),
        }
    }
}

/// Why an empty or missing database file must not be replaced by a new one, if it must not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Emptied {
    /// The write-ahead log beside it still holds this many bytes.
    WalHoldsData(u64),
    /// The marker says a database was created here before.
    CreatedBefore,
}

/// The rule: a database file that is missing or 0 bytes is new only if nothing says a
/// database lived here (no data in its write-ahead log, no marker).
pub fn emptied(db_len: Option<u64>, wal_len: Option<u64>, marker: bool) -> Option<Emptied> {
    if db_len.is_some_and(|n| n > 0) {
        return None;
    }
    match wal_len {
        Some(n) if n > 0 => Some(Emptied::WalHoldsData(n)),
        _ if marker => Some(Emptied::CreatedBefore),
        _ => None,
    }
}

/// The file `db` with `suffix` added to its name (`selfserve.db-wal`).
fn beside(db: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    db.with_file_name(name)
}

/// Refuses to open the database file `db` when it was emptied (see [`emptied`]).
pub(crate) fn refuse_emptied(db: &Path) -> Result<()> {
    let len = |path: &Path| std::fs::metadata(path).ok().map(|m| m.len());
    let wal = beside(db, "-wal");
    let marker = beside(db, "-created");
    let Some(why) = emptied(len(db), len(&wal), marker.exists()) else {
        return Ok(());
    };
    let state = if db.exists() {
        "is empty"
    } else {
        "is missing"
    };
    let name = |p: &Path| {
        p.file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    };
    let (db_name, wal_name, marker_name) = (name(db), name(&wal), name(&marker));
    let evidence = match why {
        Emptied::WalHoldsData(n) => format!("its write-ahead log {wal_name} still holds {n} bytes"),
        Emptied::CreatedBefore => format!("{marker_name} says a database was created there"),
    };
    Err(StoreError::Emptied(format!(
        "the database {} {state} although {evidence}, so its data is gone and starting would \
         silently begin an empty one; restore the copy `selfserve backup` wrote (delete \
         {db_name}-wal and {db_name}-shm, then copy the backup to {db_name}), or delete \
         {db_name}, {db_name}-wal, {db_name}-shm and {marker_name} to start with an empty database",
        db.display()
    )))
}

/// Writes the marker beside a database that now holds data (a failure only costs the
/// protection, so it is logged, not fatal).
pub(crate) fn write_marker(db: &Path) {
    let marker = beside(db, "-created");
    if marker.exists() {
        return;
    }
    let db_name = db.file_name().unwrap_or_default().to_string_lossy();
    let text = format!(
        "selfserve keeps its database in {db_name} in this folder. While this file exists, a \
         missing or empty {db_name} stops the server instead of becoming a new, empty \
         database. To start afresh on purpose, delete this file with the database.\n"
    );
    if let Err(error) = std::fs::write(&marker, text) {
        tracing::warn!(%error, path = %marker.display(), "cannot write the database marker");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_database_is_new_only_without_traces() {
        assert_eq!(emptied(None, None, false), None, "a fresh folder");
        assert_eq!(emptied(Some(0), None, false), None, "a touched file");
        assert_eq!(emptied(Some(0), Some(0), false), None);
        assert_eq!(emptied(Some(4096), Some(9000), true), None, "a database");
        assert_eq!(
            emptied(Some(0), Some(9000), false),
            Some(Emptied::WalHoldsData(9000))
        );
        assert_eq!(
            emptied(None, Some(9000), true),
            Some(Emptied::WalHoldsData(9000))
        );
        assert_eq!(emptied(Some(0), None, true), Some(Emptied::CreatedBefore));
        assert_eq!(emptied(None, None, true), Some(Emptied::CreatedBefore));
    }

    #[test]
    fn a_noted_failure_clears_when_the_probe_writes() {
        for (store, _db) in crate::store::test_support::stores() {
            store.check_writable().expect("writable");
            store.note_unwritable();
            store.check_writable().expect("the probe clears it");
            let probes: i64 = store
                .read(|c| Ok(c.query_value("SELECT COUNT(*) FROM write_probe", &[])?))
                .expect("count");
            assert_eq!(probes, 0, "the probe leaves no row");
        }
    }

    /// SQLite-only: a page limit is how a test fills a SQLite "disk".
    #[test]
    fn a_full_database_is_noted_until_a_write_works() {
        let (store, _dir) = crate::store::test_support::store();
        store.check_writable().expect("writable");
        let pages: i64 = store
            .sqlite()
            .expect("sqlite")
            .raw()
            .expect("conn")
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .expect("pages");
        store
            .set_max_page_count(Some(u64::try_from(pages).expect("positive")))
            .expect("limit");
        let flood: Vec<_> = (0..2000)
            .map(|i| crate::store::SearchLogEntry::new(&format!("{i} {}", "x".repeat(150)), 1))
            .collect();
        let limits = crate::store::SearchLogLimits {
            retention_days: 1,
            max_rows: 100_000,
        };
        let err = store
            .log_searches(&flood, limits)
            .expect_err("no room for the searches");
        assert!(matches!(err, StoreError::DiskFull(_)), "{err:?}");
        assert!(err.to_string().contains("disk is full"), "{err}");
        store.note_failure(&err);
        let health = store.check_writable().expect_err("still full");
        assert!(health.is_unwritable(), "{health:?}");
        store.set_max_page_count(None).expect("room again");
        store.check_writable().expect("the probe clears it");
        store.log_searches(&flood, limits).expect("written");
    }
}
