//! Snippets: the part of a section that best shows why it matched, as safe HTML.
//!
//! tantivy's snippet generator only knows the terms of the query it is given, so matches
//! found through typo correction would come back unmarked, and overlapping tokens (an
//! identifier and its parts) would nest. This one re-analyses the text with the index
//! analyzer, marks every token whose term the query used, merges overlaps, and escapes
//! everything else: the output is the only search text that reaches a page unescaped.

use std::collections::HashSet;

use tantivy::tokenizer::TokenStream;

use super::tokenizer::text_analyzer;

/// Longest snippet, in bytes of source text.
pub const SNIPPET_BYTES: usize = 220;
/// Text before the first match kept for context.
const LEAD_BYTES: usize = 40;

/// The best window of `text` for `terms`, with matches in `<mark>` and all else escaped.
/// Without any match, the start of the text.
pub fn snippet(text: &str, terms: &HashSet<String>) -> String {
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let marks = match_ranges(text, terms);
    let (start, end) = window(text, &marks);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut at = start;
    for &(from, to) in marks.iter().filter(|(f, t)| *f >= start && *t <= end) {
        push_escaped(&mut out, &text[at..from]);
        out.push_str("<mark>");
        push_escaped(&mut out, &text[from..to]);
        out.push_str("</mark>");
        at = to;
    }
    push_escaped(&mut out, &text[at..end]);
    if end < text.len() {
        out.push('…');
    }
    out
}

/// Byte ranges of matching tokens, sorted, overlaps merged.
fn match_ranges(text: &str, terms: &HashSet<String>) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    if terms.is_empty() {
        return ranges;
    }
    let mut analyzer = text_analyzer();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        if terms.contains(&token.text) {
            ranges.push((token.offset_from, token.offset_to));
        }
    }
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

/// Appends `text` HTML-escaped, with runs of whitespace (code blocks, line breaks) as one
/// space: a snippet is a line of a result list.
pub fn push_escaped(out: &mut String, text: &str) {
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
            continue;
        }
        space = false;
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Escapes `text` for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &[&str]) -> HashSet<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn matches_are_marked_and_everything_else_escaped() {
        let s = snippet(
            "Run <script>alert('x')</script> & restart the pods",
            &terms(&["restart", "script"]),
        );
        assert_eq!(
            s,
            "Run &lt;<mark>script</mark>&gt;alert(&#39;x&#39;)&lt;/<mark>script</mark>&gt; &amp; <mark>restart</mark> the pods"
        );
    }

    #[test]
    fn identifiers_are_marked_once_not_nested() {
        let s = snippet("Pod in CrashLoopBackOff state", &terms(&["crashloopbackoff", "crash", "loop"]));
        assert_eq!(s, "Pod in <mark>CrashLoopBackOff</mark> state");
    }

    #[test]
    fn long_text_is_cut_around_the_matches() {
        let text = format!("{} the needle is here {}", "hay ".repeat(100), "hay ".repeat(100));
        let s = snippet(&text, &terms(&["needl"]));
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<mark>needle</mark>"));
        assert!(s.len() < SNIPPET_BYTES + 60);
    }

    #[test]
    fn no_match_gives_the_start() {
        assert_eq!(snippet("  just text\n\nhere ", &terms(&["zzz"])), "just text here");
        assert_eq!(snippet("", &terms(&["x"])), "");
    }

    proptest::proptest! {
        #[test]
        fn output_never_contains_raw_markup(text in "\\PC{0,400}", word in "[a-z]{1,6}") {
            let s = snippet(&text, &terms(&[word.as_str()]));
            let stripped = s.replace("<mark>", "").replace("</mark>", "");
            proptest::prop_assert!(!stripped.contains('<') && !stripped.contains('>'));
        }
    }
}
