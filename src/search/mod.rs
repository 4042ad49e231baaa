//! Full-text search over every document kind (tantivy).
//!
//! STUB: the search issue builds the index; this placeholder keeps the seams in place.

use crate::model::Site;

/// The search index of one snapshot.
#[derive(Debug, Default)]
pub struct SearchIndex {}

impl SearchIndex {
    /// Builds the index for a site.
    pub fn build(site: &Site) -> Self {
        let _ = site;
        Self {}
    }
}
