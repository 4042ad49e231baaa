//! Problems found in content, each pointing at `PATH:LINE:COL`, and the line index that
//! turns byte offsets into those positions.

use std::fmt;

use serde::Serialize;

/// How bad a problem is: errors fail `selfserve check`, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must be fixed; the check exits 1.
    Error,
    /// Worth fixing; the check still passes.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem at one place in one file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Diagnostic {
    /// Path relative to the content root, `/`-separated.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
    /// Error or warning.
    pub severity: Severity,
    /// A sentence saying what is wrong and, where it can be guessed, what to do.
    pub message: String,
}

impl Diagnostic {
    /// An error at a position.
    pub fn error(path: &str, pos: Position, message: impl Into<String>) -> Self {
        Self::new(path, pos, Severity::Error, message)
    }

    /// A warning at a position.
    pub fn warning(path: &str, pos: Position, message: impl Into<String>) -> Self {
        Self::new(path, pos, Severity::Warning, message)
    }

    /// A problem at a position.
    pub fn new(path: &str, pos: Position, severity: Severity, message: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            line: pos.line,
            column: pos.column,
            severity,
            message: message.into(),
        }
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.path,
            self.line,
            self.column,
            self.severity.as_str(),
            self.message
        )
    }
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
}

impl Position {
    /// The first character of a file.
    pub const START: Position = Position { line: 1, column: 1 };

    /// A position from line and column.
    pub fn new(line: u32, column: u32) -> Self {
        Self {
            line: line.max(1),
            column: column.max(1),
        }
    }
}

/// Maps byte offsets of one text to line and column.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `text`.
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, line_starts }
    }

    /// The position of a byte offset; offsets past the end point at the end, and offsets
    /// inside a multi-byte character point at that character.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self
            .line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.line_starts[line];
        let mut end = offset;
        while end > start && !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.text[start..end].chars().count() + 1;
        Position::new(to_u32(line + 1), to_u32(column))
    }

    /// The byte offset where 1-based `line` starts (the end of the text past the last line).
    pub fn line_start(&self, line: u32) -> usize {
        let idx = (line as usize).saturating_sub(1);
        self.line_starts
            .get(idx)
            .copied()
            .unwrap_or(self.text.len())
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let idx = LineIndex::new("ab\ncé\nx");
        assert_eq!(idx.position(0), Position::new(1, 1));
        assert_eq!(idx.position(3), Position::new(2, 1));
        assert_eq!(idx.position(6), Position::new(2, 3));
        assert_eq!(idx.position(100), Position::new(3, 2));
        assert_eq!(idx.line_start(3), 7);
    }

    #[test]
    fn display_is_path_line_col() {
        let d = Diagnostic::error("guides/a.md", Position::new(3, 7), "broken link");
        assert_eq!(d.to_string(), "guides/a.md:3:7: error: broken link");
    }
}
