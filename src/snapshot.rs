//! The immutable value every request reads: the site model and its search index, built
//! together and swapped in whole when content changes.

use std::path::Path;

use crate::loader;
use crate::model::Site;
use crate::search::SearchIndex;
use crate::source::SourceError;
use crate::web::page_cache::PageCache;

/// Above this many changed documents a live update rebuilds the index instead of replacing
/// entries one commit at a time.
const INCREMENTAL_LIMIT: usize = 40;

/// One consistent state of the content.
#[derive(Debug)]
pub struct Snapshot {
    /// Documents, navigation, diagnostics.
    pub site: Site,
    /// The search index over `site`.
    pub search: SearchIndex,
    /// Pages rendered from `site` for anonymous readers; starts empty in every snapshot, so
    /// a reload invalidates it by construction.
    pub pages: PageCache,
}

impl Snapshot {
    /// Reads the content folder and builds the site and its index.
    pub fn load(root: &Path) -> Result<Self, SourceError> {
        let (site, _) = loader::load_site(root)?;
        Ok(Self::from_site(site))
    }

    /// The snapshot after a live update: `site` is the new model, `changes` says which
    /// documents were replaced or removed since `previous`.
    ///
    /// A handful of changed documents are replaced in the previous index (one commit each, a
    /// few milliseconds); a bulk change (a `git checkout`) rebuilds the index once, which is
    /// cheaper than hundreds of commits. The index handle is shared with `previous`, so a
    /// search still running on the old snapshot may already see the new entries; pages and
    /// navigation always come from one snapshot.
    pub fn next(previous: &Snapshot, site: Site, changes: &crate::live::Changes) -> Self {
        let touched = changes.upserted.len() + changes.removed.len();
        if touched > INCREMENTAL_LIMIT {
            return Self::from_site(site);
        }
        let search = previous.search.clone();
        for id in &changes.removed {
            if site.get(id).is_none()
                && let Err(error) = search.remove_document(id)
            {
                tracing::warn!(%error, %id, "could not remove a document from the index; rebuilding it");
                return Self::from_site(site);
            }
        }
        for doc in &changes.upserted {
            if let Err(error) = search.replace_document(doc) {
                tracing::warn!(%error, id = %doc.id, "could not update the index; rebuilding it");
                return Self::from_site(site);
            }
        }
        Self {
            site,
            search,
            pages: PageCache::default(),
        }
    }

    /// Indexes an already built site.
    pub fn from_site(site: Site) -> Self {
        let search = SearchIndex::build(&site);
        Self {
            site,
            search,
            pages: PageCache::default(),
        }
    }
}
