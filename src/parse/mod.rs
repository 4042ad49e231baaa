//! Parsing: front matter, Markdown, trees and quizzes into model values plus diagnostics.
//!
//! Pure functions over text; nothing here reads files. pulldown-cmark's options live in
//! [`markdown`], and custom blocks (admonitions, quiz fences, tree nodes) are recognised there.

pub mod diagnostic;
pub mod front_matter;
pub mod markdown;
pub mod quiz;
pub mod tree;
