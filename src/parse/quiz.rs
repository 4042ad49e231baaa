//! Quiz fences: a YAML list of questions with choices, answer index(es) and an explanation.
//!
//! STUB: the interface is fixed; the implementation is being written.

use crate::model::Question;

use super::diagnostic::Diagnostic;
use super::markdown::QuizBlock;

/// Parses one quiz block of the file at `path` whose whole text is `file_text`. Problems
/// (YAML syntax, missing keys, fewer than two choices, answer out of range) become
/// diagnostics at their line; questions that parse are returned.
pub fn parse_quiz(path: &str, file_text: &str, block: &QuizBlock) -> (Vec<Question>, Vec<Diagnostic>) {
    let _ = (path, file_text, block);
    (Vec::new(), Vec::new())
}
