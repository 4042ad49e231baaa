//! Full-text search over every document kind (tantivy), built with each snapshot.
//!
//! ```text
//! Document ──schema::entries──► one tantivy doc per passage of a section ──► in-RAM index
//! query text ──words──► query::plan ──► tantivy Query ──collect::ByPage──► best entry per page
//!            ──filters, facets, paging──► snippet::snippet ──► SearchResults
//! ```
//!
//! The index lives in RAM (`Index::create_in_ram`) and is built with each snapshot: both
//! real corpora together (1,145 pages, ~6.6 MB of Markdown) index in about a second, and
//! the whole server serving them stays under 100 MB resident; the content folder is the
//! source of truth, so there is nothing to back up or recover; and a disk index would add a
//! directory to manage, lock files, and stale or half-written state after a crash, for no
//! gain at this size. Past ~100k pages building at start-up gets slow; then persist it with
//! `Index::create_in_dir` beside the data.
//!
//! Files: [`tokenizer`] (analysis), [`schema`] (fields, document → entries), [`words`]
//! (text → words), [`query`] (words → query; `spelling` for typos), [`collect`] (grouping),
//! [`snippet`] (highlighting), `index` (build, incremental update, search), [`request`]
//! (request and result types).

mod candidates;
pub mod collect;
mod index;
pub mod query;
pub mod request;
mod scan;
pub mod schema;
pub mod snippet;
mod spelling;
mod storage;
pub mod tokenizer;
pub mod words;

pub use index::SearchIndex;
pub use request::{Facets, Hit, KindCount, SearchError, SearchRequest, SearchResults, TagCount};
pub use storage::IndexStorage;
