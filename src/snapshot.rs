//! The immutable value every request reads: the site model and its search index, built
//! together and swapped in whole when content changes.

use std::path::Path;

use crate::loader;
use crate::model::Site;
use crate::search::SearchIndex;
use crate::source::SourceError;

/// One consistent state of the content.
#[derive(Debug)]
pub struct Snapshot {
    /// Documents, navigation, diagnostics.
    pub site: Site,
    /// The search index over `site`.
    pub search: SearchIndex,
}

impl Snapshot {
    /// Reads the content folder and builds the site and its index.
    pub fn load(root: &Path) -> Result<Self, SourceError> {
        let (site, _) = loader::load_site(root)?;
        Ok(Self::from_site(site))
    }

    /// The snapshot after a live update: `site` is the new model, `changes` says which
    /// documents were replaced or removed since `previous`.
    pub fn next(previous: &Snapshot, site: Site, changes: &crate::live::Changes) -> Self {
        let _ = (previous, changes);
        Self::from_site(site)
    }

    /// Indexes an already built site.
    pub fn from_site(site: Site) -> Self {
        let search = SearchIndex::build(&site);
        Self { site, search }
    }
}
