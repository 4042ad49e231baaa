//! Where an index keeps its files: in RAM (tests and tools), or in a folder under the
//! server's data folder, memory-mapped, so the operating system keeps only the parts that
//! searches touch resident.
//!
//! At 100× the real corpus the index is ~300 MB of files; in RAM they also cost tantivy's
//! growth slack and, during the build's one merge, the inputs and the output at once —
//! about 0.9 GB on top of the site model. On disk the merge reads its inputs through the
//! page cache and writes the output with plain writes; the build reads through
//! [`IndexFolder`] with `pread` into short-lived buffers rather than memory maps, whose
//! pages would stay resident — counted against the server — until the merge ends; searches
//! then read the finished index through memory maps. The files are a cache of the content
//! folder, rebuilt at every start: each index gets its own temporary folder, deleted when
//! the index is dropped, and folders left by a server that died are removed at start-up.
//! A server that stops while other threads still hold its index (the `--watch` watcher)
//! removes its folders itself ([`IndexStorage::remove_created_folders`]); and since a
//! container's server often has the same process id every run, folders named after this
//! process that it did not create are a previous run's and removed too.
//! Nothing is worth an `fsync` then, so none is made (tantivy's own directory makes about
//! ten per commit, which added ~15 ms to every live edit).

use std::path::{Path, PathBuf};

use std::ops::Range;
use std::sync::{Arc, Mutex};

use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes,
    TerminatingWrite, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::schema::Schema;
use tantivy::{HasLen, Index, IndexSettings};

use super::request::SearchError;

/// Index folders this process created (some may be gone since): the folders named after
/// this process that are not listed here are a previous process's with the same id.
static CREATED_FOLDERS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn created_folders() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A panic while the list was held leaves it complete enough to use.
    CREATED_FOLDERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Where a [`super::SearchIndex`] keeps its files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum IndexStorage {
    /// In RAM: nothing touches the disk (tests, `check`, benches).
    #[default]
    Memory,
    /// In a fresh temporary folder inside this one.
    Folder(PathBuf),
}

/// An index and, on disk, the folder that holds it (deleted on drop).
pub(super) struct Created {
    pub index: Index,
    pub folder: Option<tempfile::TempDir>,
}

impl Created {
    /// The index for searching once built: on disk, reopened through memory maps.
    pub fn into_searchable(self) -> Result<Self, SearchError> {
        match self.folder {
            None => Ok(self),
            Some(folder) => {
                drop(self.index);
                let directory = IndexFolder::open(folder.path(), Reads::Mapped)
                    .map_err(tantivy::TantivyError::from)?;
                let index = Index::open(directory)?;
                Ok(Self {
                    index,
                    folder: Some(folder),
                })
            }
        }
    }
}

impl IndexStorage {
    /// Indexes in temporary folders under `parent` (created if missing), after removing
    /// the folders of servers that are no longer running.
    pub fn in_folder(parent: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(parent).map_err(|source| SearchError::Folder {
            path: parent.to_path_buf(),
            source,
        })?;
        remove_leftovers(parent);
        Ok(Self::Folder(parent.to_path_buf()))
    }

    /// Removes every index folder this process made here, in use or not: for a server
    /// that is stopping while other threads may still hold an index. Memory-mapped files
    /// stay readable until unmapped, so a late reader does not crash.
    pub fn remove_created_folders(&self) {
        let Self::Folder(parent) = self else {
            return;
        };
        let mut created = created_folders();
        created.retain(|folder| {
            if !folder.starts_with(parent) {
                return true;
            }
            if let Err(error) = std::fs::remove_dir_all(folder)
                && error.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(path = %folder.display(), %error, "could not remove a search index folder");
            }
            false
        });
    }

    /// A new, empty index with `schema`.
    pub(super) fn create(&self, schema: Schema) -> Result<Created, SearchError> {
        match self {
            Self::Memory => Ok(Created {
                index: Index::create_in_ram(schema),
                folder: None,
            }),
            Self::Folder(parent) => {
                let folder = tempfile::Builder::new()
                    .prefix(&format!("{}-", std::process::id()))
                    .tempdir_in(parent)
                    .map_err(|source| SearchError::Folder {
                        path: parent.clone(),
                        source,
                    })?;
                created_folders().push(folder.path().to_path_buf());
                let directory = IndexFolder::open(folder.path(), Reads::Copied)
                    .map_err(tantivy::TantivyError::from)?;
                let index = Index::create(directory, schema, IndexSettings::default())?;
                Ok(Created {
                    index,
                    folder: Some(folder),
                })
            }
        }
    }
}

/// Removes index folders whose server process is gone. Folders are named after the process
/// id that made them: another id that no longer runs, or this process's id on a folder
/// this process did not create (a previous run with the same id, as in containers).
/// Without `/proc` (not Linux) nothing is removed.
fn remove_leftovers(parent: &Path) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let own = std::process::id();
    let created = created_folders().clone();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let stale = if pid == own {
            !created.contains(&entry.path())
        } else {
            !proc.join(pid.to_string()).exists()
        };
        if stale && let Err(error) = std::fs::remove_dir_all(entry.path()) {
            tracing::warn!(
                path = %entry.path().display(),
                %error,
                "could not remove an old search index folder"
            );
        }
    }
}

/// An index's folder: tantivy's memory-mapped directory, without `fsync`s (the files are a
/// cache), and read either through its memory maps or with positioned reads.
#[derive(Debug, Clone)]
struct IndexFolder {
    root: std::path::PathBuf,
    inner: MmapDirectory,
    reads: Reads,
}

/// How an [`IndexFolder`] is read.
#[derive(Debug, Clone, Copy)]
enum Reads {
    /// Each read copies its range into a buffer freed when tantivy is done with it: a
    /// merge's memory is its working set, not every page of its inputs (the build).
    Copied,
    /// Through memory maps: a search touches only the pages of its words (searching).
    Mapped,
}

impl IndexFolder {
    fn open(root: &Path, reads: Reads) -> Result<Self, OpenDirectoryError> {
        Ok(Self {
            root: root.to_path_buf(),
            inner: MmapDirectory::open(root)?,
            reads,
        })
    }
}

/// A file being written, flushed but not synced when done.
struct UnsyncedFile(std::fs::File);

impl std::io::Write for UnsyncedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl TerminatingWrite for UnsyncedFile {
    fn terminate_ref(&mut self, _: AntiCallToken) -> std::io::Result<()> {
        std::io::Write::flush(&mut self.0)
    }
}

/// One open file of an [`IndexFolder`] read with copies.
#[derive(Debug)]
struct ReadFile {
    file: std::fs::File,
    len: usize,
}

impl HasLen for ReadFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for ReadFile {
    fn read_bytes(&self, range: Range<usize>) -> std::io::Result<OwnedBytes> {
        let mut buffer = vec![0; range.len()];
        read_at(&self.file, &mut buffer, range.start)?;
        Ok(OwnedBytes::new(buffer))
    }
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buffer: &mut [u8], offset: usize) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buffer, offset as u64)
}

#[cfg(windows)]
fn read_at(file: &std::fs::File, mut buffer: &mut [u8], offset: usize) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    let mut offset = offset as u64;
    while !buffer.is_empty() {
        match file.seek_read(buffer, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buffer = &mut buffer[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

impl Directory for IndexFolder {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        if let Reads::Mapped = self.reads {
            return self.inner.get_file_handle(path);
        }
        let full = self.root.join(path);
        let file = std::fs::File::open(&full).map_err(|error| {
            if error.kind() == std::io::ErrorKind::NotFound {
                OpenReadError::FileDoesNotExist(path.to_path_buf())
            } else {
                OpenReadError::wrap_io_error(error, path.to_path_buf())
            }
        })?;
        let len = file
            .metadata()
            .map_err(|error| OpenReadError::wrap_io_error(error, path.to_path_buf()))?
            .len();
        let len = usize::try_from(len).map_err(|_| {
            OpenReadError::wrap_io_error(
                std::io::Error::other("file larger than memory"),
                path.to_path_buf(),
            )
        })?;
        Ok(Arc::new(ReadFile { file, len }))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.root.join(path))
            .map_err(|error| {
                if error.kind() == std::io::ErrorKind::AlreadyExists {
                    OpenWriteError::FileAlreadyExists(path.to_path_buf())
                } else {
                    OpenWriteError::wrap_io_error(error, path.to_path_buf())
                }
            })?;
        Ok(std::io::BufWriter::new(Box::new(UnsyncedFile(file))))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        let mut temp = tempfile::Builder::new().tempfile_in(&self.root)?;
        temp.write_all(data)?;
        temp.persist(self.root.join(path))
            .map(drop)
            .map_err(|error| error.error)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_index_lives_in_its_own_folder_until_dropped() {
        let data = tempfile::tempdir().expect("temp dir");
        let storage = IndexStorage::in_folder(&data.path().join("search")).expect("storage");
        let (schema, _) = super::super::schema::build_schema();
        let created = storage.create(schema).expect("index");
        let folder = created
            .folder
            .as_ref()
            .expect("a folder")
            .path()
            .to_path_buf();
        assert!(folder.join("meta.json").exists());
        drop(created);
        assert!(!folder.exists(), "dropping the index removes its files");
    }

    #[test]
    fn segments_read_without_memory_maps_merge_and_reopen_for_searching() {
        use tantivy::collector::Count;
        use tantivy::query::TermQuery;
        use tantivy::schema::{IndexRecordOption, STRING};
        use tantivy::{IndexWriter, Term, doc};

        let data = tempfile::tempdir().expect("temp dir");
        let storage = IndexStorage::in_folder(data.path()).expect("storage");
        let mut builder = Schema::builder();
        let word = builder.add_text_field("word", STRING);
        let created = storage.create(builder.build()).expect("index");
        let mut writer: IndexWriter = created
            .index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        for batch in 0..3 {
            for i in 0..100 {
                let w = if i % 10 == 0 { "rare" } else { "common" };
                writer
                    .add_document(doc!(word => format!("{w}{}", batch % 2)))
                    .expect("add");
            }
            writer.commit().expect("commit");
        }
        let segments = created.index.searchable_segment_ids().expect("segments");
        assert_eq!(segments.len(), 3);
        writer
            .merge(&segments)
            .wait()
            .expect("a merge reading through pread");
        writer.wait_merging_threads().expect("merged");
        let created = created.into_searchable().expect("reopened");
        let reader = created.index.reader().expect("reader");
        let searcher = reader.searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        let count = |text: &str| {
            let query = TermQuery::new(Term::from_field_text(word, text), IndexRecordOption::Basic);
            searcher.search(&query, &Count).expect("search")
        };
        assert_eq!(
            (count("rare0"), count("common0"), count("rare1")),
            (20, 180, 10)
        );
    }

    #[test]
    fn folders_of_dead_servers_are_removed_and_others_kept() {
        let data = tempfile::tempdir().expect("temp dir");
        let parent = data.path().join("search");
        // No process has the largest pid; pid 1 always runs; a folder with our own pid that
        // this process did not make is a previous run's (same pid, as in containers).
        let dead = parent.join(format!("{}-abc", u32::MAX));
        let alive = parent.join("1-def");
        let reused = parent.join(format!("{}-ghi", std::process::id()));
        let foreign = parent.join("notes");
        for dir in [&dead, &alive, &reused, &foreign] {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        IndexStorage::in_folder(&parent).expect("storage");
        if Path::new("/proc/self").exists() {
            assert!(!dead.exists());
            assert!(!reused.exists());
        }
        assert!(alive.exists());
        assert!(
            foreign.exists(),
            "folders not named after a process are not ours"
        );
    }

    #[test]
    fn an_unusable_parent_is_a_sentence() {
        let data = tempfile::tempdir().expect("temp dir");
        let file = data.path().join("taken");
        std::fs::write(&file, "a file, not a folder").expect("write");
        let error = IndexStorage::in_folder(&file.join("search")).expect_err("not a folder");
        assert!(error.to_string().contains("taken"), "{error}");
    }
}
