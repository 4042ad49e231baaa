//! The text pre-pass for block syntax pulldown-cmark does not know: MkDocs (`!!! note`,
//! `??? tip`) and Docusaurus (`:::tip … :::`) admonitions and GitLab's `[[_TOC_]]`.
//!
//! Each construct becomes a synthetic HTML-comment line (an HTML block that ends on its own
//! line and can interrupt a paragraph), which the renderer recognises by its offset and
//! replaces. MkDocs bodies are de-indented. Every byte of the prepared text maps back to
//! the body through a [`SourceMap`](super::source_map::SourceMap), so positions still
//! point into the author's file.

use super::source_map::SourceMap;
use crate::escape::escape_html;

/// One callout kind, as rendered: `callout callout-{kind}`.
pub(super) fn callout_kind(word: &str) -> &'static str {
    match word.to_ascii_lowercase().as_str() {
        "abstract" | "summary" | "tldr" => "abstract",
        "info" | "todo" => "info",
        "tip" | "hint" => "tip",
        "important" => "important",
        "success" | "check" | "done" => "success",
        "question" | "help" | "faq" => "question",
        "warning" | "warn" | "attention" => "warning",
        "caution" => "caution",
        "danger" | "error" | "failure" | "fail" | "missing" => "danger",
        "bug" => "bug",
        "example" => "example",
        "quote" | "cite" => "quote",
        _ => "note",
    }
}

/// The title shown when the author gives none: the word they wrote, capitalised.
pub(super) fn default_title(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => "Note".to_owned(),
    }
}

/// An admonition to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Callout {
    /// One of the kinds [`callout_kind`] returns.
    pub kind: &'static str,
    /// Plain-text title; `None` for MkDocs' explicit empty title (`!!! note ""`).
    pub title: Option<String>,
    /// `Some(open)` for MkDocs' collapsible `???` (`???+` starts open).
    pub collapsible: Option<bool>,
}

impl Callout {
    /// The opening HTML, up to where the body starts.
    pub fn open_html(&self) -> String {
        let title = self.title.as_deref().map(escape_html);
        match (self.collapsible, title) {
            (Some(open), title) => format!(
                "<details class=\"callout callout-{}\"{}><summary class=\"callout-title\">{}</summary>\n",
                self.kind,
                if open { " open" } else { "" },
                title.unwrap_or_else(|| default_title(self.kind))
            ),
            (None, Some(title)) => format!(
                "<div class=\"callout callout-{}\"><p class=\"callout-title\">{title}</p>\n",
                self.kind
            ),
            (None, None) => format!("<div class=\"callout callout-{}\">\n", self.kind),
        }
    }

    /// The closing HTML.
    pub fn close_html(&self) -> &'static str {
        if self.collapsible.is_some() {
            "</details>\n"
        } else {
            "</div>\n"
        }
    }
}

/// What a synthetic line stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Marker {
    /// Start of an admonition.
    Open(Callout),
    /// End of the admonition opened by the matching `Open`.
    Close(Callout),
    /// `[[_TOC_]]` or `[TOC]`: the table of contents goes here.
    Toc,
}

/// The text of every marker line; the offset, not the text, identifies a marker.
const MARKER_LINE: &str = "<!-- selfserve -->";

/// Nesting deeper than this is left as written, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 16;

/// The body after the pre-pass.
#[derive(Debug, Clone, Default)]
pub(super) struct Prepared {
    /// Markdown for pulldown-cmark.
    pub text: String,
    /// Prepared offsets → body offsets.
    pub map: SourceMap,
    /// Prepared offset of each marker line's start → what it stands for.
    pub markers: std::collections::HashMap<usize, Marker>,
    /// Body offsets of `:::` openers that were never closed.
    pub unclosed: Vec<usize>,
}

impl Prepared {
    /// The marker whose line contains prepared offset `at`, if any.
    pub fn marker_at(&self, at: usize) -> Option<&Marker> {
        if !self.map.is_synthetic(at) {
            return None;
        }
        let before = self.text.get(..at)?;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        self.markers.get(&line_start)
    }
}

/// One line of the body: where its kept text starts and the text (without `\n`).
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    start: usize,
    text: &'a str,
    newline: bool,
}

/// Runs the pre-pass over a body.
pub(super) fn prepare(body: &str) -> Prepared {
    let mut lines = Vec::new();
    let mut start = 0;
    for piece in body.split_inclusive('\n') {
        let text = piece.strip_suffix('\n').unwrap_or(piece);
        lines.push(Line {
            start,
            text,
            newline: text.len() < piece.len(),
        });
        start += piece.len();
    }
    let mut out = Prepared::default();
    process(&lines, &mut out, 0, 0);
    out
}

/// Width of leading whitespace in columns (tabs to the next multiple of 4) and its bytes.
fn indentation(text: &str) -> (usize, usize) {
    let mut cols = 0;
    for (i, c) in text.char_indices() {
        match c {
            ' ' => cols += 1,
            '\t' => cols += 4 - cols % 4,
            _ => return (cols, i),
        }
    }
    (cols, text.len())
}

/// Drops `cols` columns of leading whitespace (a tab straddling the limit is dropped whole).
fn dedent(line: Line<'_>, cols: usize) -> Line<'_> {
    let mut seen = 0;
    let mut cut = 0;
    for (i, c) in line.text.char_indices() {
        if seen >= cols {
            break;
        }
        match c {
            ' ' => seen += 1,
            '\t' => seen += 4 - seen % 4,
            _ => break,
        }
        cut = i + c.len_utf8();
    }
    Line {
        start: line.start + cut,
        text: line.text.get(cut..).unwrap_or(""),
        newline: line.newline,
    }
}

fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// An open fenced code block, tracked so nothing inside one is transformed.
#[derive(Debug, Clone, Copy)]
struct Fence {
    ch: char,
    len: usize,
    indent: usize,
}

impl Fence {
    /// CommonMark: three or more backticks or tildes; a backtick fence's info string has
    /// no backtick (so ```` ```inline``` ```` in a paragraph is not a fence).
    fn opens(text: &str) -> Option<Fence> {
        let (indent, bytes) = indentation(text);
        let rest = text.get(bytes..)?;
        let ch = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
        let len = rest.chars().take_while(|c| *c == ch).count();
        if len < 3 || (ch == '`' && rest.get(len..).is_some_and(|info| info.contains('`'))) {
            return None;
        }
        Some(Fence { ch, len, indent })
    }

    /// A closing fence, or (for fences indented like list content) a line that leaves
    /// the list and so ends the block with it.
    fn closed_by(&self, text: &str) -> bool {
        let (indent, bytes) = indentation(text);
        let rest = text.get(bytes..).unwrap_or("").trim_end();
        let run = rest.chars().take_while(|c| *c == self.ch).count();
        let closer = run >= self.len && run == rest.chars().count();
        closer || (self.indent >= 4 && indent == 0 && !rest.is_empty())
    }

    fn closing_line(&self, indent: usize) -> String {
        let mut s = " ".repeat(indent);
        s.extend(std::iter::repeat_n(self.ch, self.len));
        s
    }
}

/// `!!! kind "Title"`, `??? kind`, `???+ kind`: (kind word, title, collapsible). Extra
/// classes before the title (`!!! danger highlight "T"`) are allowed; `""` means no title.
fn mkdocs_opener(rest: &str) -> Option<(&str, Option<String>, Option<bool>)> {
    let (collapsible, after) = if let Some(a) = rest.strip_prefix("!!!") {
        (None, a)
    } else if let Some(a) = rest.strip_prefix("???+") {
        (Some(true), a)
    } else if let Some(a) = rest.strip_prefix("???") {
        (Some(false), a)
    } else {
        return None;
    };
    if !after.starts_with([' ', '\t']) {
        return None;
    }
    let after = after.trim();
    let (classes, title) = match after.split_once('"') {
        Some((classes, quoted)) => {
            let title = quoted.strip_suffix('"')?.trim();
            (classes, (!title.is_empty()).then(|| title.to_owned()))
        }
        None => (after, None),
    };
    let is_word = |w: &str| {
        w.chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    };
    let mut words = classes.split_whitespace();
    let word = words.next()?;
    if !is_word(word) || !words.all(is_word) {
        return None;
    }
    let title = if after.contains('"') {
        title
    } else {
        Some(default_title(word))
    };
    Some((word, title, collapsible))
}

/// `:::kind`, `:::kind Title`, `:::kind[Title]`, `:::kind{attrs}`: (colons, kind word, title).
fn docusaurus_opener(rest: &str) -> Option<(usize, &str, String)> {
    let colons = rest.chars().take_while(|c| *c == ':').count();
    if colons < 3 {
        return None;
    }
    let after = rest.get(colons..)?.trim_start();
    let word_end = after.find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'));
    let (word, tail) = after.split_at(word_end.unwrap_or(after.len()));
    if !word.chars().next().is_some_and(char::is_alphabetic) {
        return None;
    }
    let tail = tail.trim();
    let title = if let Some(bracketed) = tail.strip_prefix('[') {
        bracketed
            .rfind(']')
            .and_then(|end| bracketed.get(..end))
            .unwrap_or(bracketed)
            .trim()
    } else if tail.starts_with('{') {
        ""
    } else {
        tail
    };
    let title = if title.is_empty() {
        default_title(word)
    } else {
        title.to_owned()
    };
    Some((colons, word, title))
}

/// `:::` alone (three or more colons).
fn docusaurus_closer(rest: &str) -> Option<usize> {
    let rest = rest.trim_end();
    let colons = rest.chars().take_while(|c| *c == ':').count();
    (colons >= 3 && colons == rest.len()).then_some(colons)
}

/// `- `, `* `, `+ `, `1. ` or `1) ` (or the marker alone).
fn starts_list_item(rest: &str) -> bool {
    let after = if let Some(a) = rest.strip_prefix(['-', '*', '+']) {
        a
    } else {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        match rest.get(digits..) {
            Some(a) if (1..=9).contains(&digits) => match a.strip_prefix(['.', ')']) {
                Some(a) => a,
                None => return false,
            },
            _ => return false,
        }
    };
    after.is_empty() || after.starts_with([' ', '\t'])
}

fn is_toc(rest: &str) -> bool {
    let rest = rest.trim_end();
    rest.eq_ignore_ascii_case("[[_toc_]]") || rest.eq_ignore_ascii_case("[toc]")
}

/// An open Docusaurus container.
struct OpenContainer {
    colons: usize,
    callout: Callout,
    opener: usize,
    indent: usize,
}

impl Prepared {
    /// Copies a line of the author's text, after `pad` synthetic spaces when it has content.
    fn push_original(&mut self, line: Line<'_>, pad: usize) {
        if pad > 0 && !is_blank(line.text) {
            self.push_run(line.start, &" ".repeat(pad), true);
        }
        self.push_run(line.start, line.text, false);
        if line.newline {
            self.push_run(line.start + line.text.len(), "\n", false);
        }
    }

    /// Writes a synthetic line that stands for the construct at body offset `anchor`.
    fn push_synthetic(&mut self, anchor: usize, text: &str) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.push_run(anchor, "\n", true);
        }
        self.push_run(anchor, text, true);
        self.push_run(anchor, "\n", true);
    }

    /// A blank line (ending paragraphs and HTML blocks) and a marker line.
    fn push_marker(&mut self, anchor: usize, indent: usize, marker: Marker) {
        self.push_synthetic(anchor, "");
        let line_start = self.text.len();
        self.push_synthetic(anchor, &format!("{}{MARKER_LINE}", " ".repeat(indent)));
        self.markers.insert(line_start, marker);
    }

    fn push_run(&mut self, body: usize, text: &str, synthetic: bool) {
        if text.is_empty() {
            return;
        }
        let prepared = self.text.len();
        self.text.push_str(text);
        self.map.push(prepared, body, text.len(), synthetic);
    }
}

/// Transforms one level of lines (the body, or a de-indented MkDocs body) into `out`,
/// writing `pad` spaces before each line so a nested body keeps its list indentation.
fn process(lines: &[Line<'_>], out: &mut Prepared, depth: usize, pad: usize) {
    let mut fence: Option<Fence> = None;
    let mut containers: Vec<OpenContainer> = Vec::new();
    let mut in_list = false;
    let mut i = 0;
    while let Some(&line) = lines.get(i) {
        i += 1;
        if let Some(f) = fence {
            if f.closed_by(line.text) {
                fence = None;
            }
            out.push_original(line, pad);
            continue;
        }
        if let Some(f) = Fence::opens(line.text) {
            fence = Some(f);
            out.push_original(line, pad);
            continue;
        }
        let (indent, bytes) = indentation(line.text);
        let rest = line.text.get(bytes..).unwrap_or("");
        if indent < 4 && !rest.is_empty() {
            in_list = starts_list_item(rest);
        }
        // Four columns of indentation make code, except inside a list item, where MkDocs
        // authors indent admonitions by four to keep them in the item.
        if (indent >= 4 && !in_list) || depth >= MAX_DEPTH {
            out.push_original(line, pad);
            continue;
        }
        if let Some((word, title, collapsible)) = mkdocs_opener(rest) {
            // The body is every following line indented four columns past the opener,
            // with blank lines in between; trailing blank lines stay outside.
            let mut end = i;
            let mut j = i;
            while let Some(next) = lines.get(j) {
                if is_blank(next.text) {
                    j += 1;
                } else if indentation(next.text).0 >= indent + 4 {
                    j += 1;
                    end = j;
                } else {
                    break;
                }
            }
            let body: Vec<Line<'_>> = lines
                .get(i..end)
                .unwrap_or(&[])
                .iter()
                .map(|l| dedent(*l, indent + 4))
                .collect();
            let callout = Callout {
                kind: callout_kind(word),
                title,
                collapsible,
            };
            out.push_marker(line.start, pad + indent, Marker::Open(callout.clone()));
            process(&body, out, depth + 1, pad + indent);
            out.push_marker(line.start, pad + indent, Marker::Close(callout));
            i = end;
            continue;
        }
        // A closer shorter than the innermost opener is text, so `::::` can wrap `:::`.
        if let Some(colons) = docusaurus_closer(rest)
            && let Some(open) = containers.pop_if(|c| colons >= c.colons)
        {
            out.push_marker(line.start, open.indent, Marker::Close(open.callout));
            continue;
        }
        if let Some((colons, word, title)) = docusaurus_opener(rest)
            && depth + containers.len() < MAX_DEPTH
        {
            let callout = Callout {
                kind: callout_kind(word),
                title: Some(title),
                collapsible: None,
            };
            out.push_marker(line.start, pad + indent, Marker::Open(callout.clone()));
            containers.push(OpenContainer {
                colons,
                callout,
                opener: line.start,
                indent: pad + indent,
            });
            continue;
        }
        if is_toc(rest) {
            out.push_marker(line.start, pad + indent, Marker::Toc);
            continue;
        }
        out.push_original(line, pad);
    }
    let end = lines.last().map_or(0, |l| l.start + l.text.len());
    if let Some(f) = fence {
        // An unclosed fence would swallow the closing markers that follow.
        if depth > 0 || !containers.is_empty() {
            out.push_synthetic(end, &f.closing_line(pad + f.indent.min(3)));
        }
    }
    while let Some(open) = containers.pop() {
        out.unclosed.push(open.opener);
        out.push_marker(end, open.indent, Marker::Close(open.callout));
    }
}

#[cfg(test)]
#[path = "admonition_tests.rs"]
mod tests;
