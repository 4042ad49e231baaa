//! A bound on how deeply a body's HTML nests, applied to the rewritten events before HTML is
//! written and sanitised.
//!
//! The sanitiser's HTML parser (html5ever) walks its stack of open elements for most start
//! tags, so its work grows with depth × tags: 15,000 `>` (one line of quote markers) or
//! 10,000 unclosed `<div>`s took seconds, a 1 MB file of them hours. No real page nests
//! more than a few dozen levels, so past [`MAX_DEPTH`] Markdown blocks are flattened (their
//! content kept) and raw HTML is shown as text.
//!
//! The depth is an estimate that errs high, so it cannot be talked down: each Markdown block
//! counts one level (an HTML block none, it writes no element); a raw start tag pushes its
//! element, and a raw end tag pops only when it closes the innermost open raw element (the
//! parser may close more, never fewer that matter). Void elements and those whose end tag
//! may be left out (`<p>`, `<li>`, `<td>`, …) do not count: they cannot nest without a counted
//! element between, so the real depth stays within a small multiple of the estimate.

use pulldown_cmark::{CowStr, Event, Tag};

use super::rendered::OutEvent;

/// Deepest nesting of Markdown blocks and raw HTML elements kept.
pub(super) const MAX_DEPTH: usize = 64;

/// What became of one Markdown block's start.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Block {
    Counted,
    /// An HTML block: it writes no element.
    Uncounted,
    Dropped,
}

/// Flattens what nests deeper than [`MAX_DEPTH`]; returns the file offset of the first
/// event changed, if any.
pub(super) fn limit(events: &mut [OutEvent]) -> Option<usize> {
    let mut open = Open::default();
    let mut blocks: Vec<Block> = Vec::new();
    let mut dropping = 0usize;
    let mut first = None;
    for (event, at) in events.iter_mut() {
        match event {
            Event::Start(Tag::HtmlBlock) if dropping == 0 => blocks.push(Block::Uncounted),
            Event::Start(_) => {
                if dropping > 0 || open.depth() >= MAX_DEPTH {
                    dropping += 1;
                    *event = Event::Text(CowStr::Borrowed(""));
                    first.get_or_insert(*at);
                    blocks.push(Block::Dropped);
                } else {
                    open.blocks += 1;
                    blocks.push(Block::Counted);
                }
            }
            Event::End(_) => match blocks.pop() {
                Some(Block::Dropped) => {
                    dropping = dropping.saturating_sub(1);
                    *event = Event::Text(CowStr::Borrowed(""));
                }
                Some(Block::Counted) => open.blocks = open.blocks.saturating_sub(1),
                Some(Block::Uncounted) | None => {}
            },
            Event::Html(raw) | Event::InlineHtml(raw) if !open.feed(raw) => {
                *event = Event::Text(raw.clone());
                first.get_or_insert(*at);
            }
            _ => {}
        }
    }
    first
}

/// The estimated stack of open elements.
#[derive(Default)]
struct Open {
    /// Markdown blocks open.
    blocks: usize,
    /// Raw HTML elements open, innermost last.
    raw: Vec<String>,
}

/// Elements without content.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr",
];

/// Elements whose end tag may be omitted: a second one closes the first.
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "rb",
    "rt", "rtc", "rp", "colgroup", "caption",
];

impl Open {
    fn depth(&self) -> usize {
        self.blocks + self.raw.len()
    }

    /// Raw HTML: applies its tags, or returns false (changing nothing) when they would nest
    /// deeper than the limit.
    fn feed(&mut self, html: &str) -> bool {
        let tags = tags(html);
        let mut depth = self.depth();
        for (name, end) in &tags {
            if !end && counts(name) {
                depth += 1;
                if depth > MAX_DEPTH {
                    return false;
                }
            }
        }
        for (name, end) in tags {
            if !end {
                if counts(&name) {
                    self.raw.push(name);
                }
            } else if self.raw.last() == Some(&name) {
                self.raw.pop();
            }
        }
        true
    }
}

fn counts(name: &str) -> bool {
    !VOID.contains(&name) && !OPTIONAL_END.contains(&name)
}

/// The start and end tags in raw HTML, names lowercased: `(name, is_end)`. Comments,
/// doctypes and processing instructions are skipped.
fn tags(html: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            rest = after.find("-->").map_or("", |j| &after[j + 3..]);
            continue;
        }
        let (end, body) = match rest.strip_prefix('/') {
            Some(b) => (true, b),
            None => (false, rest),
        };
        let name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        out.push((name.to_ascii_lowercase(), end));
        rest = &body[name.len()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(events: &[OutEvent]) -> String {
        let mut out = String::new();
        pulldown_cmark::html::push_html(&mut out, events.iter().map(|(e, _)| e.clone()));
        out
    }

    fn events(markdown: &str) -> Vec<OutEvent> {
        pulldown_cmark::Parser::new(markdown)
            .into_offset_iter()
            .map(|(e, r)| (e.into_static(), r.start))
            .collect()
    }

    #[test]
    fn ordinary_nesting_is_untouched() {
        let text = "> a\n>\n> > b\n\n- x\n  - y\n\n<div><div><p>z</p></div></div>\n";
        let mut evs = events(text);
        let before = html(&evs);
        assert_eq!(limit(&mut evs), None);
        assert_eq!(html(&evs), before);
    }

    #[test]
    fn deep_quotes_are_flattened_past_the_limit() {
        let text = format!("{} deep\n", ">".repeat(1000));
        let mut evs = events(&text);
        assert!(limit(&mut evs).is_some());
        let out = html(&evs);
        assert_eq!(out.matches("<blockquote>").count(), MAX_DEPTH);
        assert_eq!(out.matches("</blockquote>").count(), MAX_DEPTH);
        assert!(out.contains("deep"));
    }

    #[test]
    fn deep_raw_html_becomes_text_and_closed_elements_do_not_count() {
        let balanced = "<div><span>x</span></div>\n\n".repeat(500);
        let mut evs = events(&balanced);
        assert_eq!(limit(&mut evs), None);

        let mut evs = events(&"<div>".repeat(1000));
        assert!(limit(&mut evs).is_some());
        assert!(html(&evs).contains("&lt;div&gt;"));

        // End tags that do not close the innermost element, and blocks that end, do not
        // lower the estimate.
        let mut evs = events(&"<span><div></span>".repeat(1000));
        assert!(limit(&mut evs).is_some());
        let mut evs = events(&"a <div>\n\n".repeat(1000));
        assert!(limit(&mut evs).is_some());
    }
}
