//! The first pass over the events: headings with their text, anchors (GitHub-style slugs,
//! made unique; explicit `{#id}` wins), ids raw HTML defines, and the inline table of contents.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::model::TocEntry;

use super::rendered::normalize_ws;
use crate::escape::escape_html;

/// What the first pass learns about a heading.
pub(super) struct HeadingInfo {
    pub level: u8,
    pub explicit: Option<String>,
    pub classes: Vec<String>,
    pub title: String,
    pub start: usize,
    pub top_level: bool,
}

fn level_of(level: pulldown_cmark::HeadingLevel) -> u8 {
    level as u8
}

/// First pass: headings with their text, and ids raw HTML defines.
pub(super) fn scan(
    events: &[(Event<'_>, Range<usize>)],
    anchors: &mut BTreeSet<String>,
) -> Vec<HeadingInfo> {
    let mut infos = Vec::new();
    let mut current: Option<HeadingInfo> = None;
    let mut depth = 0usize;
    for (event, range) in events {
        match event {
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => {
                current = Some(HeadingInfo {
                    level: level_of(*level),
                    explicit: id.as_ref().map(|s| s.to_string()).filter(|s| !s.is_empty()),
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    title: String::new(),
                    start: range.start,
                    top_level: depth == 0,
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(mut info) = current.take() {
                    info.title = normalize_ws(&info.title);
                    infos.push(info);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(info) = current.as_mut() {
                    info.title.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(info) = current.as_mut() {
                    info.title.push(' ');
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => html_ids(h, anchors),
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    infos
}

/// Adds the values of `id="…"` and `name="…"` attributes in raw HTML to `anchors`.
fn html_ids(html: &str, anchors: &mut BTreeSet<String>) {
    for attr in ["id=", "name="] {
        for (at, _) in html.match_indices(attr) {
            let preceded_by_space = html
                .get(..at)
                .and_then(|before| before.chars().next_back())
                .is_some_and(char::is_whitespace);
            let Some(rest) = html.get(at + attr.len()..) else {
                continue;
            };
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            // Only a closed quote makes a value: `id="x` is not an anchor.
            let value = rest
                .get(1..)
                .and_then(|v| v.split_once(quote))
                .map(|(v, _)| v);
            if let Some(value) = value.filter(|v| preceded_by_space && !v.is_empty()) {
                anchors.insert(value.to_owned());
            }
        }
    }
}

/// The anchor of each heading: its explicit id, else a unique slug that avoids every
/// explicit id in the document.
pub(super) fn assign_ids(infos: &[HeadingInfo]) -> Vec<String> {
    let mut anchors = Anchors::default();
    for id in infos.iter().filter_map(|i| i.explicit.as_deref()) {
        anchors.reserve(id);
    }
    infos
        .iter()
        .map(|info| {
            info.explicit
                .clone()
                .unwrap_or_else(|| anchors.unique(&info.title))
        })
        .collect()
}

/// GitHub's slug: lowercase; letters, digits, `-` and `_` kept; spaces become `-`;
/// everything else dropped.
pub(super) fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            out.push('-');
        }
    }
    out
}

/// Hands out anchors, suffixing `-1`, `-2` … when a slug is taken.
#[derive(Debug, Default)]
pub(super) struct Anchors {
    used: BTreeSet<String>,
    /// The next suffix to try per slug, so many equal headings stay linear.
    next: HashMap<String, usize>,
}

impl Anchors {
    /// Reserves ids the author wrote, so generated slugs avoid them.
    pub fn reserve(&mut self, id: &str) {
        self.used.insert(id.to_owned());
    }

    /// A unique anchor for a heading without an explicit id.
    pub fn unique(&mut self, text: &str) -> String {
        let base = match slug(text) {
            s if s.is_empty() => "section".to_owned(),
            s => s,
        };
        let mut n = self.next.get(&base).copied().unwrap_or(0);
        let mut candidate = base.clone();
        if n > 0 {
            candidate = format!("{base}-{n}");
        }
        while self.used.contains(&candidate) {
            n += 1;
            candidate = format!("{base}-{n}");
        }
        self.next.insert(base, n + 1);
        self.used.insert(candidate.clone());
        candidate
    }
}

/// The table of contents as a nested list, for `[[_TOC_]]`: each entry nests under the
/// nearest earlier entry of a smaller level.
pub(super) fn toc_html(toc: &[TocEntry]) -> String {
    // children[i] lists the entries under entry i; the last slot is the root.
    let root = toc.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); toc.len() + 1];
    let mut stack: Vec<usize> = Vec::new();
    for (i, entry) in toc.iter().enumerate() {
        while stack
            .last()
            .and_then(|&top| toc.get(top))
            .is_some_and(|top| top.level >= entry.level)
        {
            stack.pop();
        }
        let parent = stack.last().copied().unwrap_or(root);
        if let Some(list) = children.get_mut(parent) {
            list.push(i);
        }
        stack.push(i);
    }
    let mut out = String::from("<nav class=\"toc-inline\">");
    write_list(toc, &children, root, &mut out);
    out.push_str("</nav>\n");
    out
}

fn write_list(toc: &[TocEntry], children: &[Vec<usize>], parent: usize, out: &mut String) {
    let Some(list) = children.get(parent).filter(|l| !l.is_empty()) else {
        return;
    };
    out.push_str("<ul>");
    for &i in list {
        if let Some(entry) = toc.get(i) {
            out.push_str(&format!(
                "<li><a href=\"#{}\">{}</a>",
                escape_html(&entry.anchor),
                escape_html(&entry.title)
            ));
            write_list(toc, children, i, out);
            out.push_str("</li>");
        }
    }
    out.push_str("</ul>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_github() {
        assert_eq!(slug("Hello, World!"), "hello-world");
        assert_eq!(
            slug("  `kubectl` logs --previous "),
            "kubectl-logs---previous"
        );
        assert_eq!(slug("Über größe_x"), "über-größe_x");
        assert_eq!(slug("C++ & Rust"), "c--rust");
    }

    #[test]
    fn duplicates_get_suffixes_and_avoid_explicit_ids() {
        let mut a = Anchors::default();
        a.reserve("setup-1");
        assert_eq!(a.unique("Setup"), "setup");
        assert_eq!(a.unique("Setup"), "setup-2");
        assert_eq!(a.unique("Setup"), "setup-3");
        assert_eq!(a.unique("!!!"), "section");
        assert_eq!(
            a.unique("Setup 2"),
            "setup-2-1",
            "`setup-2` was handed out already"
        );
    }

    #[test]
    fn raw_html_ids_need_a_closed_quote() {
        let mut anchors = BTreeSet::new();
        html_ids(
            "<a name=\"old\"></a><div id='x' data-id=\"no\"><p id=\"open",
            &mut anchors,
        );
        assert_eq!(anchors.into_iter().collect::<Vec<_>>(), ["old", "x"]);
    }

    #[test]
    fn toc_nests_by_level() {
        let e = |level, anchor: &str| TocEntry {
            level,
            anchor: anchor.to_owned(),
            title: anchor.to_uppercase(),
        };
        let html = toc_html(&[
            e(2, "a"),
            e(3, "b"),
            e(4, "c"),
            e(2, "d"),
            e(4, "e"),
            e(3, "f"),
        ]);
        assert_eq!(
            html,
            "<nav class=\"toc-inline\"><ul><li><a href=\"#a\">A</a><ul><li><a href=\"#b\">B</a><ul>\
             <li><a href=\"#c\">C</a></li></ul></li></ul></li><li><a href=\"#d\">D</a><ul><li>\
             <a href=\"#e\">E</a></li><li><a href=\"#f\">F</a></li></ul></li></ul></nav>\n"
        );
    }
}
