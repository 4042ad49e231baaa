//! Full-text search over every document kind (tantivy), built with each snapshot.
//!
//! ```text
//! Document ──schema::entries──► one tantivy doc per passage of a section ──► index files
//! query text ──words──► query::plan ──► tantivy Query ──collect::ByPage──► best entry per page
//!            ──filters, facets, paging──► snippet::snippet ──► SearchResults
//! ```
//!
//! The index is built with each snapshot from the content folder, the source of truth, so
//! there is nothing to back up, migrate or recover. The server keeps its files in a
//! temporary folder under the data folder (`<data>/search/`, see [`storage`]), read through
//! memory maps, so only the parts searches touch stay resident: at 100× the corpus the
//! index is ~300 MB of files and in RAM it cost ~0.9 GB at its peak. Unit tests and the
//! criterion benches build it in RAM ([`IndexStorage::Memory`]); both answer the same (a
//! test compares them), and the integration tests run the server's way.
//!
//! Files: [`tokenizer`] (analysis), [`schema`] (fields, document → entries), [`words`]
//! (text → words), [`query`] (words → query; `spelling` for typos, `segment` for
//! run-together words), [`collect`] (grouping),
//! [`snippet`] (highlighting), `index` (build, incremental update, search), [`request`]
//! (request and result types), [`storage`] (where the files live).

mod candidates;
pub mod collect;
pub mod hybrid;
mod index;
pub mod query;
pub mod request;
mod scan;
pub mod schema;
mod segment;
pub mod semantic;
pub mod snippet;
mod spelling;
mod storage;
pub mod tokenizer;
pub mod words;

pub use hybrid::{Fusion, Ranking};
pub use index::{LEXICAL, SEMANTIC, SearchIndex};
pub use request::{Facets, Hit, KindCount, SearchError, SearchRequest, SearchResults, TagCount};
pub use storage::IndexStorage;
