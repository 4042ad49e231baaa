//! The index schema and how a [`Document`] becomes index entries: one entry per section.
//!
//! A hit should land where the answer is, so every section (the text under one heading, a
//! tree node, a module's lesson section) is its own tantivy document carrying its page's
//! title, summary, tags and path as well. Results are grouped by page afterwards
//! (see `collect.rs`), so a long page cannot fill the list.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};

use std::borrow::Cow;

use crate::model::{Detail, Document, SectionTexts, folder_title};

use super::tokenizer;

/// Handles to every field, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// The page's id, raw; deleting a page deletes by this term.
    pub id: Field,
    /// The page's number in this index (fast field): results are grouped by it.
    pub page: Field,
    /// The section's place in its page (fast field): ties go to the earlier section.
    pub ord: Field,
    /// The page's kind, raw (filterable).
    pub kind: Field,
    /// The page's tags, raw and lowercased (filterable).
    pub tag: Field,
    /// The page title.
    pub title: Field,
    /// The section heading (tree node title).
    pub heading: Field,
    /// The section's plain text, code included.
    pub body: Field,
    /// The page summary.
    pub summary: Field,
    /// The page's tags as words.
    pub tags: Field,
    /// The page owner as words.
    pub owner: Field,
    /// The page id as words: folder names are often the best description a runbook has.
    pub path: Field,
    /// The page's aliases and symptoms (front matter): what people call it.
    pub aliases: Field,
    /// For a folder's landing page (`README`, `index`, `_index`), the folder's whole name,
    /// normalised as one word (`mimir-rules-jsonnet` is not named by `jsonnet`): a one-word
    /// query naming the folder finds its landing page first.
    pub folder: Field,
    /// Title, heading, body, tags, aliases and symptoms unstemmed, for spelling suggestions
    /// and fuzzy terms.
    pub spell: Field,
    /// The page's title, tags, aliases and symptoms unstemmed, on its first entry only: a
    /// word's frequency here counts pages that name it.
    pub names: Field,
}

/// Builds the schema and returns it with its field handles.
pub fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let positions = || {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer::TEXT)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    // Nothing is stored: hits read their text from the page table in memory (see
    // `index.rs`), which is faster than decompressing doc-store blocks for every hit.
    let id = b.add_text_field("id", STRING);
    let page = b.add_u64_field("page", FAST | INDEXED);
    let ord = b.add_u64_field("ord", FAST);
    let kind = b.add_text_field("kind", STRING);
    let tag = b.add_text_field("tag", STRING);
    let title = b.add_text_field("title", positions());
    let heading = b.add_text_field("heading", positions());
    let body = b.add_text_field("body", positions());
    let summary = b.add_text_field("summary", positions());
    let tags = b.add_text_field("tags", positions());
    let owner = b.add_text_field("owner", positions());
    let path = b.add_text_field("path", positions());
    let aliases = b.add_text_field("aliases", positions());
    let folder = b.add_text_field("folder", STRING);
    let spell = b.add_text_field(
        "spell",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer::SPELL)
                .set_index_option(IndexRecordOption::Basic),
        ),
    );
    let names = b.add_text_field(
        "names",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer::SPELL)
                .set_index_option(IndexRecordOption::Basic),
        ),
    );
    let fields = Fields {
        id,
        page,
        ord,
        kind,
        tag,
        title,
        heading,
        body,
        summary,
        tags,
        owner,
        path,
        aliases,
        folder,
        spell,
        names,
    };
    (b.build(), fields)
}

/// One searchable place in a page, borrowing the document's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The heading (empty for a page's introduction).
    pub heading: &'a str,
    /// Plain text under it (a passage of it, for long sections).
    pub text: Cow<'a, str>,
    /// Where a hit lands.
    pub url: String,
    /// Where the text comes from, to find it again without keeping a copy.
    pub place: Place,
}

/// Where an entry's text lives in its document: the index keeps this (a few bytes) rather
/// than the text, which the document already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// What holds the text.
    pub source: Source,
    /// The passage's byte range in that text.
    pub from: u32,
    /// End of the range.
    pub to: u32,
}

/// The text an entry is cut from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `doc.sections[i]`.
    Section(u32),
    /// Node `i` of a tree: its text and choice labels.
    Node(u32),
    /// No text (a page without any).
    Empty,
}

impl Place {
    /// The heading, URL and text of this place in `doc` (the text as indexed).
    pub fn resolve<'a>(&self, doc: &'a Document) -> (&'a str, String, Cow<'a, str>) {
        let (heading, url, text): (&str, String, Cow<'_, str>) = match self.source {
            Source::Section(i) => match doc.body.sections().get(i as usize) {
                Some(s) => (
                    s.heading.as_str(),
                    section_url(doc, s.anchor.as_deref()),
                    Cow::Owned(doc.body.section_text(i as usize)),
                ),
                None => ("", doc.url(), Cow::Borrowed("")),
            },
            Source::Node(i) => match &doc.detail {
                Detail::Tree(tree) => match tree.nodes.get(i as usize) {
                    Some(node) => (
                        node.title.as_str(),
                        node_url(doc, &node.id),
                        node_text(node),
                    ),
                    None => ("", doc.url(), Cow::Borrowed("")),
                },
                _ => ("", doc.url(), Cow::Borrowed("")),
            },
            Source::Empty => ("", doc.url(), Cow::Borrowed("")),
        };
        let range = self.from as usize..self.to as usize;
        let text = match text {
            Cow::Borrowed(t) => Cow::Borrowed(t.get(range).unwrap_or("")),
            Cow::Owned(t) => Cow::Owned(t.get(range).unwrap_or("").to_owned()),
        };
        (heading, url, text)
    }
}

/// A tree node's searchable text: its body and its choices.
fn node_text(node: &crate::model::TreeNode) -> Cow<'_, str> {
    if node.choices.is_empty() {
        return Cow::Borrowed(node.text.as_str());
    }
    let mut text = node.text.clone();
    for choice in &node.choices {
        text.push('\n');
        text.push_str(&choice.label);
    }
    Cow::Owned(text)
}

/// The URL of one tree node. The one place that knows how node URLs look, so the trees
/// pages can change the scheme without touching the index.
pub fn node_url(doc: &Document, node_id: &str) -> String {
    format!("{}#{}", doc.url(), fragment(node_id))
}

/// The URL of a section of a page (`None`: the page itself).
pub fn section_url(doc: &Document, anchor: Option<&str>) -> String {
    match anchor {
        Some(anchor) if !anchor.is_empty() => format!("{}#{}", doc.url(), fragment(anchor)),
        _ => doc.url(),
    }
}

/// Percent-encodes what may not appear raw in a URL fragment.
fn fragment(anchor: &str) -> String {
    const FRAGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'<')
        .add(b'>')
        .add(b'`')
        .add(b'#')
        .add(b'%');
    percent_encoding::utf8_percent_encode(anchor, FRAGMENT).to_string()
}

/// The index entries of a document: tree nodes for trees, sections for everything else,
/// and at least one entry so that every page is findable by its title. Sections longer than
/// [`PASSAGE_WORDS`] are cut into passages that share their heading and URL. `body` is
/// `doc.body.texts()`.
pub fn entries<'a>(doc: &'a Document, body: &'a SectionTexts) -> Vec<Entry<'a>> {
    let mut out = Vec::new();
    let tree = match &doc.detail {
        Detail::Tree(tree) if !tree.nodes.is_empty() => Some(tree),
        _ => None,
    };
    let node_ids: std::collections::HashSet<&str> = tree
        .map(|t| t.nodes.iter().map(|n| n.id.as_str()).collect())
        .unwrap_or_default();
    for (i, s) in doc.body.sections().iter().enumerate() {
        let text = body.section_text(i);
        let keep = if tree.is_some() {
            // A tree's introduction: sections that are not nodes (text before the first node).
            s.anchor.as_deref().is_none_or(|a| !node_ids.contains(a)) && !text.trim().is_empty()
        } else {
            !(s.heading.is_empty() && text.trim().is_empty())
        };
        if keep {
            push_passages(
                &mut out,
                &s.heading,
                section_url(doc, s.anchor.as_deref()),
                Cow::Borrowed(text),
                Source::Section(index(i)),
            );
        }
    }
    for (i, node) in tree.iter().flat_map(|t| t.nodes.iter()).enumerate() {
        push_passages(
            &mut out,
            &node.title,
            node_url(doc, &node.id),
            node_text(node),
            Source::Node(index(i)),
        );
    }
    if out.is_empty() {
        out.push(Entry {
            heading: "",
            text: Cow::Borrowed(""),
            url: doc.url(),
            place: Place {
                source: Source::Empty,
                from: 0,
                to: 0,
            },
        });
    }
    out
}

fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Words per index entry. BM25 divides by length, so one 2,000-word section (a README
/// without headings, a long FAQ answer) would bury the rare identifier it contains; passages
/// of this size keep scores comparable and snippets close to the match.
pub const PASSAGE_WORDS: usize = 150;

/// Pushes the passages of one text (one entry when it is short), sharing heading and URL.
fn push_passages<'a>(
    out: &mut Vec<Entry<'a>>,
    heading: &'a str,
    url: String,
    text: Cow<'a, str>,
    source: Source,
) {
    let base = text.as_ptr() as usize;
    let ranges: Vec<(usize, usize)> = passages(&text, PASSAGE_WORDS)
        .into_iter()
        .map(|p| {
            let from = p.as_ptr() as usize - base;
            (from, from + p.len())
        })
        .collect();
    for (from, to) in ranges {
        let passage = match &text {
            Cow::Borrowed(t) => Cow::Borrowed(&t[from..to]),
            Cow::Owned(t) => Cow::Owned(t[from..to].to_owned()),
        };
        out.push(Entry {
            heading,
            text: passage,
            url: url.clone(),
            place: Place {
                source,
                from: index(from),
                to: index(to),
            },
        });
    }
}

/// Cuts `text` after every `words` whitespace-separated words; the last passage takes the
/// rest when it would be shorter than half of that.
pub fn passages(text: &str, words: usize) -> Vec<&str> {
    let words = words.max(1);
    let mut out = Vec::new();
    let mut start = 0;
    let mut count = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if in_word {
                count += 1;
                in_word = false;
                if count == words {
                    out.push(&text[start..i]);
                    start = i;
                    count = 0;
                }
            }
        } else {
            in_word = true;
        }
    }
    let rest = &text[start..];
    let rest_words = count + usize::from(in_word);
    let short_tail = rest_words < words / 2;
    if let (Some(last), true) = (out.last_mut(), short_tail) {
        let from = text.len() - last.len() - rest.len();
        *last = &text[from..];
    } else if !rest.trim().is_empty() || out.is_empty() {
        out.push(rest);
    }
    out
}

/// The folders above a page, titled: `gitlab-runbooks/docs/sidekiq/README` →
/// `["Gitlab runbooks", "Docs", "Sidekiq"]`.
pub fn breadcrumb(doc: &Document) -> Vec<String> {
    let id = doc.id.as_str();
    let mut segments: Vec<&str> = id.split('/').collect();
    segments.pop();
    segments.into_iter().map(folder_title).collect()
}

/// The id as words for the `path` field: separators become spaces so every folder name is
/// a word, while `README`/`index` (say nothing) are dropped.
pub fn path_words(doc: &Document) -> String {
    doc.id
        .as_str()
        .split('/')
        .filter(|s| !s.eq_ignore_ascii_case("readme") && !s.eq_ignore_ascii_case("index"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The folder a page is the landing page of (`README`, `index` or `_index` in it), as its
/// name: `guides/gitaly/README.md` → `gitaly`.
pub fn landing_folder(doc: &Document) -> Option<&str> {
    let mut segments = doc.source_path.rsplit('/');
    let file = segments.next()?;
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    let landing = ["readme", "index", "_index"]
        .iter()
        .any(|name| stem.eq_ignore_ascii_case(name));
    if landing { segments.next() } else { None }
}

/// A summary for result lists: the author's, or the start of the first passage that reads
/// like prose (at least eight words), so boilerplate such as "Table of Contents" is skipped.
/// `body` is `doc.body.texts()`.
pub fn display_summary(doc: &Document, body: &SectionTexts) -> String {
    if let Some(summary) = doc.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        return summary.trim().to_owned();
    }
    let texts = || {
        (0..doc.body.sections().len())
            .map(|i| body.section_text(i).trim())
            .filter(|t| !t.is_empty())
    };
    let text = texts()
        .find(|t| t.split_whitespace().nth(7).is_some())
        .or_else(|| texts().next())
        .unwrap_or("");
    let first_line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    truncate_words(first_line, 200)
}

/// Cuts `text` to at most `max` bytes at a word boundary, adding `…` when cut.
pub fn truncate_words(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = &text[..end];
    let cut = cut.rfind(char::is_whitespace).map_or(cut, |i| &cut[..i]);
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
