//! The semantic leg: passages embedded by a small sentence model, found by meaning.
//!
//! ```text
//! Site ──passages──► (ord, hash, text) ──cache hit? else Embedder──► Quantized ──► VectorSet
//! query text ──Embedder──► unit vector ──VectorSet::nearest / PageVectors::best──► fuse (index.rs)
//! ```
//!
//! Serving never waits for it: [`SemanticLeg::start`] loads the model and embeds on one
//! background thread, and searches stay lexical until the first pass over the site is done
//! ([`SemanticLeg::is_ready`]). Each later site (a live edit) is brought up to date the same
//! way, embedding only passages whose text is new: unchanged pages keep their vectors, and
//! every vector is also kept in the cache file under the data folder ([`cache`]), so a
//! restart embeds nothing that was embedded before.

mod cache;
pub mod model;
mod passages;
mod queries;
pub mod vectors;
mod worker;

use std::path::PathBuf;

pub use model::{DIMS, Embedder, MODEL_ID};
pub use passages::{passage_hash, passages};
pub use vectors::{Near, PageVectors, Quantized, VectorSet};
pub use worker::{SemanticLeg, SemanticStatus};

/// What can go wrong loading the model or keeping its vectors.
#[derive(Debug, thiserror::Error)]
pub enum SemanticError {
    /// The model files compiled into the binary cannot be read (a broken build).
    #[error("the search model cannot be loaded: {0}; rebuild selfserve from a clean checkout")]
    Model(String),
    /// Inference failed.
    #[error("the search model failed: {0}")]
    Inference(#[from] candle_core::Error),
    /// The vector cache under the data folder cannot be used.
    #[error(
        "cannot use the search vector cache {}: {source}; check that the data folder is writable",
        path.display()
    )]
    Cache {
        /// The cache folder or file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}
