//! Snippets: the part of a section that best shows why it matched, as safe HTML.
//!
//! tantivy's snippet generator only knows the terms of the query it is given, so matches
//! found through typo correction would come back unmarked, and overlapping tokens (an
//! identifier and its parts) would nest. This one re-analyses the text with the index
//! analyzer, marks every token whose term the query used, merges overlaps, and escapes
//! everything else: the output is the only search text that reaches a page unescaped.

use std::cell::RefCell;
use std::collections::HashSet;

use super::tokenizer::{Normalizer, split_chunks};
use crate::escape::push_escaped_html;

/// Longest snippet, in bytes of source text.
pub const SNIPPET_BYTES: usize = 220;
/// Text before the first match kept for context.
const LEAD_BYTES: usize = 40;

/// One run of snippet text: plain, or a match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    /// The text, whitespace collapsed, not escaped.
    pub text: String,
    /// True for a match (shown in `<mark>`).
    pub marked: bool,
}

/// A snippet as fragments, so templates can escape the text themselves and the JSON API can
/// get the same content as HTML through [`to_html`].
pub type Snippet = Vec<Fragment>;

/// The best window of `text` for `terms`: matches marked, `…` where text was cut. Without
/// any match, the start of the text.
pub fn snippet(text: &str, terms: &HashSet<String>) -> Snippet {
    let text = text.trim();
    let mut out: Snippet = Vec::new();
    if text.is_empty() {
        return out;
    }
    let marks = match_ranges(text, terms);
    let (start, end) = window(text, &marks);
    let mut push = |piece: &str, marked: bool| {
        let collapsed = collapse(piece);
        if collapsed.is_empty() {
            return;
        }
        match out.last_mut() {
            Some(last) if last.marked == marked => last.text.push_str(&collapsed),
            _ => out.push(Fragment {
                text: collapsed,
                marked,
            }),
        }
    };
    if start > 0 {
        push("…", false);
    }
    let mut at = start;
    for &(from, to) in marks.iter().filter(|(f, t)| *f >= start && *t <= end) {
        push(&text[at..from], false);
        push(&text[from..to], true);
        at = to;
    }
    push(&text[at..end], false);
    if end < text.len() {
        push("…", false);
    }
    out
}

/// The snippet as HTML: matches in `<mark>`, everything else escaped.
pub fn to_html(snippet: &[Fragment]) -> String {
    let mut out = String::new();
    for fragment in snippet {
        if fragment.marked {
            out.push_str("<mark>");
            push_escaped_html(&mut out, &fragment.text);
            out.push_str("</mark>");
        } else {
            push_escaped_html(&mut out, &fragment.text);
        }
    }
    out
}

/// Runs of whitespace (code blocks, line breaks) become one space: a snippet is a line of a
/// result list.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

/// Byte ranges of matching tokens, sorted, overlaps merged.
fn match_ranges(text: &str, terms: &HashSet<String>) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    if terms.is_empty() {
        return ranges;
    }
    // Stemming every word of every hit is the slow part; a stem keeps its word's first
    // letter (for ASCII words), so words starting with a letter no term starts with are
    // skipped without stemming.
    let firsts: HashSet<u8> = terms.iter().filter_map(|t| t.bytes().next()).collect();
    // One analyzer per thread, so its stem cache serves every hit of every search.
    thread_local! {
        static NORMALIZER: RefCell<Normalizer> = RefCell::new(Normalizer::default());
    }
    NORMALIZER.with_borrow_mut(|normalizer| {
        let mut consider = |offset: usize, word: &str| {
            let first = word.as_bytes().first().map(u8::to_ascii_lowercase);
            if word.is_ascii() && first.is_some_and(|b| !firsts.contains(&b)) {
                return;
            }
            if normalizer
                .normalize(word)
                .is_some_and(|t| terms.contains(&t))
            {
                ranges.push((offset, offset + word.len()));
            }
        };
        for chunk in split_chunks(text) {
            if chunk.is_compound() {
                consider(chunk.offset, chunk.text);
            }
            for &(offset, part) in &chunk.parts {
                consider(offset, part);
            }
        }
    });
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (from, to) in ranges {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    merged
}

/// The window (byte range on char boundaries) holding the most matches.
fn window(text: &str, marks: &[(usize, usize)]) -> (usize, usize) {
    let mut best = (0usize, 0usize); // (matches, first mark index)
    for (i, &(from, _)) in marks.iter().enumerate() {
        let limit = from.saturating_sub(LEAD_BYTES) + SNIPPET_BYTES;
        let count = marks[i..].iter().take_while(|(_, to)| *to <= limit).count();
        if count > best.0 {
            best = (count, i);
        }
    }
    let start = match marks.get(best.1) {
        Some(&(from, _)) if best.0 > 0 => word_start(text, from.saturating_sub(LEAD_BYTES)),
        _ => 0,
    };
    let start = if start < LEAD_BYTES { 0 } else { start };
    let end = word_end(text, (start + SNIPPET_BYTES).min(text.len()));
    // Never cut a mark in two.
    let end = marks
        .iter()
        .find(|(from, to)| *from < end && *to > end)
        .map_or(end, |&(_, to)| to);
    (start, end)
}

/// Moves `at` forward to the start of a word (or a char boundary at least).
fn word_start(text: &str, mut at: usize) -> usize {
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    if at == 0 {
        return 0;
    }
    match text[at..].find(char::is_whitespace) {
        Some(ws) if ws < 20 => {
            let next = at + ws;
            next + text[next..].len() - text[next..].trim_start().len()
        }
        _ => at,
    }
}

/// Moves `at` back to the end of a word (or a char boundary at least).
fn word_end(text: &str, mut at: usize) -> usize {
    while at < text.len() && !text.is_char_boundary(at) {
        at -= 1;
    }
    if at >= text.len() {
        return text.len();
    }
    match text[..at].rfind(char::is_whitespace) {
        Some(ws) if at - ws < 20 => ws,
        _ => at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &[&str]) -> HashSet<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    fn html(text: &str, words: &[&str]) -> String {
        to_html(&snippet(text, &terms(words)))
    }

    #[test]
    fn matches_are_marked_and_everything_else_escaped() {
        let s = html(
            "Run <script>alert('x')</script> & restart the pods",
            &["restart", "script"],
        );
        assert_eq!(
            s,
            "Run &lt;<mark>script</mark>&gt;alert(&#39;x&#39;)&lt;/<mark>script</mark>&gt; &amp; <mark>restart</mark> the pods"
        );
    }

    #[test]
    fn identifiers_are_marked_once_not_nested() {
        let s = html(
            "Pod in CrashLoopBackOff state",
            &["crashloopbackoff", "crash", "loop"],
        );
        assert_eq!(s, "Pod in <mark>CrashLoopBackOff</mark> state");
    }

    #[test]
    fn long_text_is_cut_around_the_matches() {
        let text = format!(
            "{} the needle is here {}",
            "hay ".repeat(100),
            "hay ".repeat(100)
        );
        let s = html(&text, &["needl"]);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<mark>needle</mark>"));
        assert!(s.len() < SNIPPET_BYTES + 60);
    }

    #[test]
    fn no_match_gives_the_start() {
        assert_eq!(html("  just text\n\nhere ", &["zzz"]), "just text here");
        assert!(snippet("", &terms(&["x"])).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn output_never_contains_raw_markup(text in "\\PC{0,400}", word in "[a-z]{1,6}") {
            let s = html(&text, &[word.as_str()]);
            let stripped = s.replace("<mark>", "").replace("</mark>", "");
            proptest::prop_assert!(!stripped.contains('<') && !stripped.contains('>'));
        }
    }
}
