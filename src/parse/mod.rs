//! Parsing: front matter, Markdown, trees and quizzes into model values plus diagnostics.
//!
//! Pure functions over text; nothing here reads files. pulldown-cmark's options live in
//! [`markdown`], which runs the one rendering pipeline. Custom blocks form a closed set:
//! MkDocs/Docusaurus admonitions and `[[_TOC_]]` are recognised in the text pre-pass
//! (`admonition`), GitHub alerts, mermaid and quiz fences in the event pass (`writer`, which
//! hands code blocks to `code_block`, whose [`highlight_rendered`] colours them when a page is
//! shown), tree nodes in [`tree`] on top of the rendered events.

mod admonition;
mod code_block;
mod depth;
pub mod front_matter;
mod front_matter_errors;
mod headings;
mod inline;
mod links;
pub mod markdown;
pub mod module_settings;
pub mod quiz;
mod rendered;
mod sanitize;
mod source_map;
pub mod tree;
mod writer;

pub use code_block::highlight_rendered;
