//! Watches the content folder (notify, debounced) and reports batches of changed paths,
//! relative to the content root, so one save or one `git checkout` becomes one update.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use super::{ContentRoot, is_ignored_name};

/// How long the debouncer waits for a path to go quiet. Editors write a temp file, rename
/// it and touch it again within a few milliseconds; this window folds those into one event.
pub const DEBOUNCE: Duration = Duration::from_millis(30);

/// After a batch of several paths arrives, further batches arriving within this gap join
/// it, so a bulk change (500 files from a `git checkout`) becomes one update instead of
/// several. A one-path batch (a save) does not wait.
pub const COALESCE: Duration = Duration::from_millis(25);

/// A batch of changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeBatch {
    /// These content-relative paths changed (files or folders; created, modified or removed).
    Paths(BTreeSet<String>),
    /// The watcher lost track (overflow); everything must be read again.
    Rescan,
}

/// Keeps the watch alive; dropping it stops watching.
pub struct ContentWatcher {
    _debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    batches: Receiver<ChangeBatch>,
}

impl std::fmt::Debug for ContentWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContentWatcher").finish_non_exhaustive()
    }
}

impl ContentWatcher {
    /// Starts watching `root` recursively.
    pub fn start(root: &Path) -> notify::Result<Self> {
        Self::start_root(&ContentRoot::new(root))
    }

    /// Starts watching `root` recursively, leaving out the folders it excludes (the data
    /// folder, whose database changes on every write).
    pub fn start_root(root: &ContentRoot) -> notify::Result<Self> {
        let (tx, rx) = channel();
        let handler_root = root.clone();
        let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
            forward(&handler_root, result, &tx);
        })?;
        debouncer.watch(root.canonical(), RecursiveMode::Recursive)?;
        Ok(Self {
            _debouncer: debouncer,
            batches: rx,
        })
    }

    /// Waits for the next batch. A batch of one path (a save) is returned at once; a batch
    /// of several (a bulk change still being written) absorbs the batches that follow within
    /// [`COALESCE`], so a `git checkout` becomes one update. `None` when the watcher stopped.
    pub fn next_batch(&self) -> Option<ChangeBatch> {
        let first = self.batches.recv().ok()?;
        Some(self.coalesce(first))
    }

    /// Like [`Self::next_batch`], giving up after `timeout`.
    pub fn try_next_batch(&self, timeout: Duration) -> Option<ChangeBatch> {
        let first = self.batches.recv_timeout(timeout).ok()?;
        Some(self.coalesce(first))
    }

    fn coalesce(&self, mut batch: ChangeBatch) -> ChangeBatch {
        loop {
            let more = if is_single_save(&batch) {
                self.batches.try_recv().ok()
            } else {
                self.batches.recv_timeout(COALESCE).ok()
            };
            match more {
                Some(more) => batch = merge(batch, more),
                None => return batch,
            }
        }
    }
}

fn is_single_save(batch: &ChangeBatch) -> bool {
    matches!(batch, ChangeBatch::Paths(paths) if paths.len() == 1)
}

fn merge(a: ChangeBatch, b: ChangeBatch) -> ChangeBatch {
    match (a, b) {
        (ChangeBatch::Paths(mut a), ChangeBatch::Paths(b)) => {
            a.extend(b);
            ChangeBatch::Paths(a)
        }
        _ => ChangeBatch::Rescan,
    }
}

fn forward(root: &ContentRoot, result: DebounceEventResult, tx: &Sender<ChangeBatch>) {
    match result {
        Ok(events) => {
            if events.iter().any(|e| e.need_rescan()) {
                let _ = tx.send(ChangeBatch::Rescan);
                return;
            }
            let paths: BTreeSet<String> = events
                .iter()
                .filter(|e| is_change(&e.kind))
                .flat_map(|e| e.paths.iter())
                .filter_map(|p| relative(root.canonical(), p))
                .filter(|rel| !root.is_excluded(rel))
                .collect();
            if !paths.is_empty() {
                let _ = tx.send(ChangeBatch::Paths(paths));
            }
        }
        Err(errors) => {
            for error in errors {
                tracing::warn!(%error, "watching the content folder reported an error");
            }
            let _ = tx.send(ChangeBatch::Rescan);
        }
    }
}

/// True for events that may change what a path holds. inotify also reports opens and
/// read-only closes, and the server's own reads of a changed file (or walk of a changed
/// folder) would otherwise come back as a new batch: a loop that re-read whole folders.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// The content-relative form of an event path, or `None` outside the root or under an
/// ignored name (`.git/`, swap files).
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel: PathBuf = path.strip_prefix(root).ok()?.to_path_buf();
    let mut parts = Vec::new();
    for component in rel.components() {
        let part = component.as_os_str().to_str()?;
        if is_ignored_name(part) {
            return None;
        }
        parts.push(part);
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_skip_ignored_names_and_outsiders() {
        let root = Path::new("/c");
        assert_eq!(
            relative(root, Path::new("/c/guides/a.md")).as_deref(),
            Some("guides/a.md")
        );
        assert_eq!(relative(root, Path::new("/c/.git/index")), None);
        assert_eq!(relative(root, Path::new("/c/guides/.a.md.swp")), None);
        assert_eq!(relative(root, Path::new("/elsewhere/a.md")), None);
        assert_eq!(relative(root, Path::new("/c")), None);
    }

    #[test]
    fn reads_are_not_changes() {
        use notify::event::{CreateKind, ModifyKind, RemoveKind};
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
        assert!(is_change(&EventKind::Modify(ModifyKind::Any)));
        assert!(is_change(&EventKind::Remove(RemoveKind::Folder)));
    }

    #[test]
    fn reading_a_watched_folder_reports_nothing() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir_all(dir.path().join("guides"))?;
        std::fs::write(dir.path().join("guides/a.md"), "# A")?;
        let watcher = ContentWatcher::start(dir.path())?;
        for entry in std::fs::read_dir(dir.path().join("guides"))? {
            std::fs::read(entry?.path())?;
        }
        assert_eq!(watcher.try_next_batch(Duration::from_millis(300)), None);
        Ok(())
    }

    #[test]
    fn a_save_arrives_as_one_batch() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir_all(dir.path().join("guides"))?;
        let watcher = ContentWatcher::start(dir.path())?;
        // An editor-style save: temp file, rename over the target, touch.
        let tmp = dir.path().join("guides/.a.md.tmp");
        std::fs::write(&tmp, "# A")?;
        std::fs::rename(&tmp, dir.path().join("guides/a.md"))?;
        std::fs::write(dir.path().join("guides/a.md"), "# A again")?;
        let batch = watcher.next_batch();
        match batch {
            Some(ChangeBatch::Paths(paths)) => assert!(paths.contains("guides/a.md"), "{paths:?}"),
            Some(ChangeBatch::Rescan) => {}
            None => return Err("watcher stopped".into()),
        }
        Ok(())
    }
}
