//! The immutable value every request reads: the site model, its search index and the pages
//! rendered from it, swapped in whole when content changes.
//!
//! The server starts answering as soon as the site is built: the first search index is built
//! on a background thread ([`spawn_index_build`]) and swapped in when ready; until then
//! [`Snapshot::search`] is `None` and search answers "still being built".

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwap;

use crate::loader;
use crate::model::{DocId, Document, Site};
use crate::page_cache::PageCache;
use crate::search::{IndexStorage, SearchIndex};
use crate::source::SourceError;

/// A change touching more than one document in this many rebuilds the index instead of
/// replacing their entries (a rebuild writes one merged segment; many replacements leave
/// deletions behind).
const REBUILD_ONE_IN: usize = 4;
/// Changes up to this many documents are always replaced in place.
const ALWAYS_IN_PLACE: usize = 64;

/// One consistent state of the content.
#[derive(Debug)]
pub struct Snapshot {
    /// Documents, navigation, diagnostics.
    pub site: Arc<Site>,
    /// The search index over `site`; `None` while the first one is still being built.
    pub search: Option<SearchIndex>,
    /// Pages rendered from `site` for anonymous readers; a snapshot with a new `site` starts
    /// with an empty cache, so a reload invalidates it by construction.
    pub pages: Arc<PageCache>,
}

/// The snapshot every request reads, and the lock its writers (the live-reload watcher and
/// the background index build) take so neither overwrites the other's update.
#[derive(Debug)]
pub struct CurrentSnapshot {
    current: ArcSwap<Snapshot>,
    writers: Mutex<()>,
    /// Counted for `/metrics`: every swap, and the swaps that brought a new site.
    swaps: SwapCounts,
}

/// How often the snapshot was replaced, read by `/metrics` (`web::metrics`).
#[derive(Debug, Default)]
struct SwapCounts {
    /// Every swap (a reload, the background index build).
    generation: AtomicU64,
    /// Swaps that brought a new site (a live reload).
    reloads: AtomicU64,
    /// When the site last changed (the start until the first reload), Unix seconds.
    site_since: AtomicU64,
}

/// [`CurrentSnapshot`]'s counts at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SwapFigures {
    /// Snapshots swapped in since the start.
    pub generation: u64,
    /// Of those, the ones with a new site (live reloads).
    pub reloads: u64,
    /// When the current site was swapped in (or the server started), Unix seconds.
    pub site_since: u64,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl CurrentSnapshot {
    /// Starts with `snapshot`.
    pub fn new(snapshot: Snapshot) -> Self {
        let swaps = SwapCounts::default();
        swaps.site_since.store(unix_now(), Ordering::Relaxed);
        Self {
            current: ArcSwap::from_pointee(snapshot),
            writers: Mutex::new(()),
            swaps,
        }
    }

    /// How often the snapshot was replaced, and when the site last changed.
    pub fn swaps(&self) -> SwapFigures {
        SwapFigures {
            generation: self.swaps.generation.load(Ordering::Relaxed),
            reloads: self.swaps.reloads.load(Ordering::Relaxed),
            site_since: self.swaps.site_since.load(Ordering::Relaxed),
        }
    }

    /// The current snapshot; a request loads it once and reads only from it.
    pub fn load(&self) -> arc_swap::Guard<Arc<Snapshot>> {
        self.current.load()
    }

    /// The current snapshot, owned.
    pub fn load_full(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Replaces the snapshot with `update(current)`, one writer at a time.
    pub fn update(&self, update: impl FnOnce(&Arc<Snapshot>) -> Snapshot) {
        let _writer = self.writers.lock().unwrap_or_else(PoisonError::into_inner);
        let current = self.current.load_full();
        let next = Arc::new(update(&current));
        if !Arc::ptr_eq(&next.site, &current.site) {
            self.swaps.reloads.fetch_add(1, Ordering::Relaxed);
            self.swaps.site_since.store(unix_now(), Ordering::Relaxed);
        }
        self.current.store(next);
        self.swaps.generation.fetch_add(1, Ordering::Relaxed);
    }
}

impl Snapshot {
    /// Reads the content folder and builds the site and its index.
    pub fn load(root: &Path) -> Result<Self, SourceError> {
        let (site, _) = loader::load_site(root)?;
        Ok(Self::from_site(site))
    }

    /// Indexes an already built site.
    pub fn from_site(site: Site) -> Self {
        let search = SearchIndex::build(&site);
        Self {
            site: Arc::new(site),
            search: Some(search),
            pages: Arc::default(),
        }
    }

    /// A snapshot whose index is still to be built (see [`spawn_index_build`]).
    pub fn without_index(site: Site) -> Self {
        Self {
            site: Arc::new(site),
            search: None,
            pages: Arc::default(),
        }
    }

    /// The snapshot after a live update: `site` is the new model. The index of `previous`
    /// is brought up to date (see [`update_index`]); it is shared with `previous`, so a
    /// search still running on the old snapshot may already see new entries, while pages
    /// and navigation always come from one snapshot.
    pub fn next(previous: &Snapshot, site: Site) -> Self {
        let search = previous
            .search
            .as_ref()
            .map(|index| update_index(index, &previous.site, &site));
        Self {
            site: Arc::new(site),
            search,
            pages: Arc::default(),
        }
    }

    /// `current` with `index`, an index built from `built_from` (an earlier site), brought
    /// up to date. The page cache is kept: pages do not depend on the index.
    pub fn with_index(current: &Snapshot, built_from: &Site, index: SearchIndex) -> Self {
        let search = update_index(&index, built_from, &current.site);
        Self {
            site: Arc::clone(&current.site),
            search: Some(search),
            pages: Arc::clone(&current.pages),
        }
    }
}

/// The index for `after`, from `index`, the index for `before`. Documents are compared by
/// identity: live reload keeps the same `Arc` for every document it did not rebuild, so a
/// different `Arc` is exactly a re-rendered document. Their entries are replaced in one
/// commit (a 500-file `git checkout` costs one commit, not 500); a change touching a large
/// share of the site rebuilds the index instead.
fn update_index(index: &SearchIndex, before: &Site, after: &Site) -> SearchIndex {
    let changed: Vec<Arc<Document>> = after
        .documents
        .values()
        .filter(|doc| {
            before
                .documents
                .get(&doc.id)
                .is_none_or(|old| !Arc::ptr_eq(old, doc))
        })
        .cloned()
        .collect();
    let removed: Vec<DocId> = before
        .documents
        .keys()
        .filter(|id| !after.documents.contains_key(*id))
        .cloned()
        .collect();
    let touched = changed.len() + removed.len();
    if touched == 0 {
        return index.clone();
    }
    if touched > ALWAYS_IN_PLACE && touched * REBUILD_ONE_IN > after.documents.len() {
        return SearchIndex::build_in(after, &index.storage());
    }
    match index.replace_documents(&changed, &removed) {
        Ok(()) => index.clone(),
        Err(error) => {
            tracing::warn!(%error, "could not update the search index in place; rebuilding it");
            SearchIndex::build_in(after, &index.storage())
        }
    }
}

/// Builds the search index of the current site on a background thread and swaps it in when
/// done, bringing it up to date with any live edits made meanwhile.
pub fn spawn_index_build(
    current: Arc<CurrentSnapshot>,
    storage: IndexStorage,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("search-index".into())
        .spawn(move || build_index(&current, &storage))?;
    Ok(())
}

/// Builds the search index of the current site and swaps it in, brought up to date with any
/// live edits made meanwhile, with its files in `storage`. Does nothing when the snapshot
/// already has one.
pub fn build_index(current: &CurrentSnapshot, storage: &IndexStorage) {
    let built_from = {
        let snapshot = current.load();
        if snapshot.search.is_some() {
            return;
        }
        Arc::clone(&snapshot.site)
    };
    let started = Instant::now();
    let index = SearchIndex::build_in(&built_from, storage);
    current.update(|now| Snapshot::with_index(now, &built_from, index));
    tracing::info!(
        documents = built_from.documents.len(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "search index ready"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::ContentState;
    use crate::search::SearchRequest;

    fn ids_for(snapshot: &Snapshot, q: &str) -> Vec<String> {
        let index = snapshot.search.as_ref().expect("an index");
        let results = index.search(&SearchRequest::new(q)).expect("search");
        results.hits.into_iter().map(|h| h.id).collect()
    }

    fn write(root: &Path, rel: &str, text: &str) {
        std::fs::write(root.join(rel), text).expect("write");
    }

    /// A content folder with `a` (zebrafish) and `b` (platypus), loaded.
    fn two_documents() -> (tempfile::TempDir, ContentState) {
        let dir = tempfile::tempdir().expect("temp dir");
        write(dir.path(), "a.md", "# Alpha\n\nzebrafish\n");
        write(dir.path(), "b.md", "# Beta\n\nplatypus\n");
        let content = ContentState::load(dir.path()).expect("loads");
        (dir, content)
    }

    #[test]
    fn an_index_built_in_the_background_catches_up_with_edits_made_meanwhile() {
        let (dir, mut content) = two_documents();
        let root = dir.path();
        let first = Snapshot::without_index(content.site());
        assert!(first.search.is_none());
        let built_from = Arc::clone(&first.site);
        let index = SearchIndex::build(&built_from);

        // While the index builds: b is edited, a deleted, c created.
        write(root, "b.md", "# Beta\n\nwombat\n");
        std::fs::remove_file(root.join("a.md")).expect("remove");
        write(root, "c.md", "# Gamma\n\nquokka\n");
        let paths = ["a.md", "b.md", "c.md"].map(String::from).into();
        let changes = content.apply(&paths);
        let now = Snapshot::next(&first, content.site_after(&first.site, &changes));
        assert!(now.search.is_none(), "no index until the build ends");

        let ready = Snapshot::with_index(&now, &built_from, index);
        assert!(Arc::ptr_eq(&ready.site, &now.site));
        assert!(
            Arc::ptr_eq(&ready.pages, &now.pages),
            "pages survive the swap"
        );
        assert_eq!(ids_for(&ready, "wombat"), ["b"]);
        assert!(ids_for(&ready, "platypus").is_empty());
        assert!(ids_for(&ready, "zebrafish").is_empty());
        assert_eq!(ids_for(&ready, "quokka"), ["c"]);
    }

    #[test]
    fn a_live_update_replaces_only_changed_entries() {
        let (dir, mut content) = two_documents();
        let root = dir.path();
        let first = Snapshot::from_site(content.site());
        write(root, "a.md", "# Alpha\n\nnarwhal\n");
        let changes = content.apply(&["a.md".to_owned()].into());
        let next = Snapshot::next(&first, content.site_after(&first.site, &changes));
        assert_eq!(ids_for(&next, "narwhal"), ["a"]);
        assert!(ids_for(&next, "zebrafish").is_empty());
        assert_eq!(ids_for(&next, "platypus"), ["b"]);
        let b = |s: &Snapshot| Arc::clone(s.site.get_str("b").expect("b is served"));
        assert!(Arc::ptr_eq(&b(&first), &b(&next)), "b was not rebuilt");
    }
}
