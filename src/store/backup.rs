//! Consistent copies of the database while the server runs (SQLite's online backup API).
//!
//! The copy is taken in a single backup step, which holds one read transaction for its
//! whole length: in WAL mode that does not block the server's writers, and the copy is the
//! database exactly as of one commit. It is written to a temporary file beside the target
//! and renamed into place, so a failed or interrupted backup never leaves a half-written
//! file under the target's name.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::backup::{Backup, StepResult};

use super::{DatabaseUrl, Result, Store, StoreError};

/// How often a busy backup step is retried before giving up (with a short pause each time).
const BUSY_RETRIES: u32 = 100;

impl Store {
    /// Copies the database to `dest`. An existing `dest` is an error unless `overwrite`.
    /// SQLite only: a PostgreSQL database is refused with a pointer to `pg_dump`.
    pub fn backup_to(&self, dest: &Path, overwrite: bool) -> Result<()> {
        if self.is_postgres() {
            return Err(pg_dump_instead(self.url()));
        }
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| StoreError::Io { path, source }
        };
        if !overwrite && dest.exists() {
            return Err(StoreError::Conflict(format!(
                "{} already exists; pass --force to replace it",
                dest.display()
            )));
        }
        if same_file(dest, self.path()) {
            return Err(StoreError::Invalid(format!(
                "{} is the live database; write the backup somewhere else",
                dest.display()
            )));
        }
        let folder = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        // Said here in words: SQLite would only answer "unable to open database file".
        if !folder.is_dir() {
            return Err(StoreError::Invalid(format!(
                "the folder {} does not exist; create it first or write the backup to an existing folder",
                folder.display()
            )));
        }
        let file_name = dest
            .file_name()
            .ok_or_else(|| StoreError::Invalid(format!("{} is not a file name", dest.display())))?;
        let tmp = folder.join(format!(
            ".{}.{}.tmp",
            file_name.to_string_lossy(),
            super::random_hex(6)?
        ));
        let result = self.copy_into(&tmp).and_then(|()| {
            // Flush the copy to disk before it takes the target's name.
            std::fs::File::open(&tmp)
                .and_then(|f| f.sync_all())
                .map_err(io(&tmp))?;
            std::fs::rename(&tmp, dest).map_err(io(dest))
        });
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    fn copy_into(&self, tmp: &Path) -> Result<()> {
        let Some(database) = self.sqlite() else {
            return Err(pg_dump_instead(self.url()));
        };
        let src = database.raw()?;
        let mut dst = Connection::open(tmp).map_err(|e| match e {
            rusqlite::Error::SqliteFailure(..) => StoreError::Io {
                path: tmp.to_owned(),
                source: std::io::Error::other(e),
            },
            other => other.into(),
        })?;
        {
            let backup = Backup::new(&src, &mut dst)?;
            let mut retries = 0;
            loop {
                // -1: all pages in one step, i.e. one read transaction, i.e. one snapshot.
                match backup.step(-1)? {
                    StepResult::Done => break,
                    StepResult::More => {}
                    _ if retries < BUSY_RETRIES => {
                        retries += 1;
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    _ => {
                        return Err(StoreError::Conflict(
                            "the database stayed locked; try the backup again".into(),
                        ));
                    }
                }
            }
        }
        // The copy inherits WAL mode from the source; switch it back so the backup is one
        // self-contained file with no -wal or -shm companions.
        dst.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
        dst.close().map_err(|(_, e)| e)?;
        Ok(())
    }
}

/// True when both paths name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Backs up the database in `data_dir` to `dest` without creating or migrating it: what
/// `selfserve backup` runs next to a live server.
pub fn backup_data_dir(data_dir: &Path, dest: &Path, overwrite: bool) -> Result<()> {
    backup_database(&DatabaseUrl::in_data_dir(data_dir), dest, overwrite)
}

/// Backs up the SQLite database at `url` to `dest` (`selfserve backup --database`). A
/// PostgreSQL database is refused: its own tools take consistent copies.
pub fn backup_database(url: &DatabaseUrl, dest: &Path, overwrite: bool) -> Result<()> {
    if url.is_postgres() {
        return Err(pg_dump_instead(url));
    }
    Store::connect_existing(url)?.backup_to(dest, overwrite)
}

/// The refusal for a PostgreSQL database, whose own tools take consistent copies.
fn pg_dump_instead(url: &DatabaseUrl) -> StoreError {
    StoreError::Invalid(format!(
        "`selfserve backup` copies a SQLite file, and {url} is PostgreSQL; back it up with pg_dump (for example `pg_dump --format=custom --file=selfserve.dump URL`)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::store;
    use crate::store::{NewAttempt, UserName};

    fn integrity(path: &Path) -> String {
        let conn = Connection::open(path).expect("backup opens");
        conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("check")
    }

    #[test]
    fn backup_is_a_complete_database_that_passes_integrity_check() {
        let (store, dir) = store();
        let ada = store
            .create_user(&UserName::parse("ada").expect("n"), true, None)
            .expect("user");
        for _ in 0..50 {
            store
                .record_attempt(&NewAttempt::sample(ada.id, "m", true))
                .expect("attempt");
        }
        let dest = dir.path().join("copy.db");
        store.backup_to(&dest, false).expect("backup");
        assert_eq!(integrity(&dest), "ok");
        let copy = Connection::open(&dest).expect("open");
        let n: i64 = copy
            .query_row("SELECT COUNT(*) FROM attempts", [], |r| r.get(0))
            .expect("n");
        assert_eq!(n, 50);
        let mode: String = copy
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("mode");
        assert_eq!(mode, "delete");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp") || n.starts_with("copy.db-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        // The copy is a selfserve data folder in its own right.
        let restored = tempfile::tempdir().expect("dir");
        std::fs::copy(&dest, restored.path().join(crate::store::DB_FILE)).expect("copy");
        let reopened = Store::open(restored.path()).expect("reopen");
        assert_eq!(reopened.attempt_count().expect("count"), 50);
    }

    #[test]
    fn backup_during_writes_is_a_consistent_snapshot() {
        let (store, dir) = store();
        let ada = store
            .create_user(&UserName::parse("ada").expect("n"), false, None)
            .expect("user");
        let writer = {
            let store = store.clone();
            std::thread::spawn(move || {
                for _ in 0..300 {
                    store
                        .record_attempt(&NewAttempt::sample(ada.id, "m", false))
                        .expect("attempt during backup");
                }
            })
        };
        let dest = dir.path().join("live.db");
        store.backup_to(&dest, false).expect("backup while writing");
        writer.join().expect("writer");
        assert_eq!(integrity(&dest), "ok");
        let copy = Connection::open(&dest).expect("open");
        let n: i64 = copy
            .query_row("SELECT COUNT(*) FROM attempts", [], |r| r.get(0))
            .expect("n");
        assert!((0..=300).contains(&n));
        assert_eq!(store.attempt_count().expect("count"), 300);
    }

    #[test]
    fn existing_files_are_kept_unless_forced() {
        let (store, dir) = store();
        let dest = dir.path().join("copy.db");
        std::fs::write(&dest, "precious").expect("write");
        let err = store.backup_to(&dest, false).expect_err("refused");
        assert!(
            err.to_string().contains("already exists; pass --force"),
            "{err}"
        );
        assert_eq!(std::fs::read(&dest).expect("read"), b"precious");
        store.backup_to(&dest, true).expect("forced");
        assert_eq!(integrity(&dest), "ok");
    }

    #[test]
    fn the_live_database_is_never_a_target() {
        let (store, _dir) = store();
        let live = store.path().to_owned();
        let err = store.backup_to(&live, true).expect_err("refused");
        assert!(matches!(err, StoreError::Invalid(_)));
        store.ping().expect("still fine");
    }

    #[test]
    fn a_missing_target_folder_is_an_error_and_leaves_nothing() {
        let (store, dir) = store();
        let dest = dir.path().join("no/such/folder/copy.db");
        assert!(store.backup_to(&dest, false).is_err());
        assert!(!dest.exists());
    }

    #[test]
    fn backup_data_dir_needs_an_existing_database() {
        let empty = tempfile::tempdir().expect("dir");
        let err =
            backup_data_dir(empty.path(), &empty.path().join("b.db"), false).expect_err("none");
        assert!(err.to_string().contains("there is no database"), "{err}");
    }

    #[test]
    fn an_open_postgres_store_refuses_a_backup() {
        for (store, db) in crate::store::test_support::stores() {
            let Some(folder) = db.sqlite_folder() else {
                let dir = tempfile::tempdir().expect("dir");
                let dest = dir.path().join("b.db");
                let err = store.backup_to(&dest, false).expect_err("refused");
                assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
                assert!(err.to_string().contains("pg_dump"), "{err}");
                assert!(!dest.exists());
                continue;
            };
            store
                .backup_to(&folder.join("b.db"), false)
                .expect("SQLite backs up");
        }
    }

    #[test]
    fn a_postgres_database_is_refused_with_a_pointer_to_pg_dump() {
        let dir = tempfile::tempdir().expect("dir");
        let url = DatabaseUrl::parse("postgres://ada:secret@127.0.0.1:1/none").expect("url");
        let dest = dir.path().join("b.db");
        let err = backup_database(&url, &dest, false).expect_err("refused");
        let text = err.to_string();
        assert!(
            text.contains("pg_dump") && !text.contains("secret"),
            "{text}"
        );
        assert!(!dest.exists());
    }
}
