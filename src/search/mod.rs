//! Full-text search over every document kind (tantivy), built with each snapshot.
//!
//! ```text
//! Document ──schema::entries──► one tantivy doc per section ──► in-RAM index
//! query text ──query::plan──► tantivy Query ──collect::ByPage──► best section per page
//!            ──filters, facets, paging──► snippet::snippet ──► SearchResults
//! ```
//!
//! The index lives in RAM: the corpora are a few MB, it is rebuilt from content in about a
//! second, it is never the source of truth (see ARCHITECTURE.md), and a disk index would
//! add a directory to manage, lock files and stale state after a crash for no gain.
//!
//! Files: [`tokenizer`] (analysis), [`schema`] (fields, document → entries), [`words`]
//! (text → words), [`query`] (words → query; `spelling` for typos), [`collect`] (grouping),
//! [`snippet`] (highlighting), `index` (build, incremental update, search), [`request`]
//! (request and result types).

pub mod collect;
mod index;
pub mod query;
pub mod request;
pub mod schema;
pub mod snippet;
mod spelling;
pub mod tokenizer;
pub mod words;

pub use index::SearchIndex;
pub use request::{Facets, Hit, KindCount, SearchError, SearchRequest, SearchResults, TagCount};
