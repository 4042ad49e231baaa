//! The second pass over the events: rewrites headings, callouts, code blocks, links,
//! images, footnotes, quiz fences and the inline TOC into the events HTML is written from,
//! while collecting sections, references and quiz blocks.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, CowStr, Event, LinkType, Tag, TagEnd};

use crate::model::Section;

use super::admonition::{self, Marker, Prepared};
use super::code_block;
use super::headings::{self, HeadingInfo};
use super::links::{self, Resolved};
use super::rendered::{
    HeadingMark, ImageRef, LinkRef, LinkTargets, OutEvent, Parsed, QuizBlock, RenderInput,
    Rendered, normalize_ws,
};
use crate::escape::escape_html;
use crate::model::diagnostic::{Diagnostic, LineIndex};

/// A code block being collected.
struct Code {
    lang: Option<String>,
    text: String,
    /// Prepared offset of the content's first byte.
    content_start: Option<usize>,
    /// Prepared offset of the opening fence.
    start: usize,
}

/// Second-pass state.
pub(super) struct Writer<'a, 'p> {
    input: RenderInput<'a>,
    targets: &'a dyn LinkTargets,
    prepared: &'p Prepared,
    index: LineIndex<'a>,
    /// Taken by the first `[[_TOC_]]`: each copy would repeat every heading, so a file of
    /// markers and headings would grow its HTML quadratically.
    toc_html: Option<String>,
    rendered: Rendered,
    infos: &'p [HeadingInfo],
    ids: &'p [String],
    headings: Vec<HeadingMark>,
    out: Vec<OutEvent>,
    /// The section being filled (`None` before the first heading: anchor `None`).
    section: Option<(String, String, u8)>,
    text: String,
    /// The heading being written: its index in `headings`.
    heading_open: Option<usize>,
    code: Option<Code>,
    footnotes: HashMap<String, usize>,
    /// Tables written so far: each scroll box's name is numbered, as landmarks need distinct names.
    tables: usize,
}

impl<'a, 'p> Writer<'a, 'p> {
    /// A writer for one body; `rendered` already holds the first pass's results.
    pub fn new(
        input: RenderInput<'a>,
        targets: &'a dyn LinkTargets,
        prepared: &'p Prepared,
        index: LineIndex<'a>,
        infos: &'p [HeadingInfo],
        ids: &'p [String],
        rendered: Rendered,
    ) -> Self {
        Writer {
            input,
            targets,
            prepared,
            index,
            toc_html: Some(headings::toc_html(&rendered.toc)),
            rendered,
            infos,
            ids,
            headings: Vec::new(),
            out: Vec::new(),
            section: None,
            text: String::new(),
            heading_open: None,
            code: None,
            footnotes: HashMap::new(),
            tables: 0,
        }
    }

    fn file_offset(&self, prepared: usize) -> usize {
        self.input.body_offset + self.prepared.map.to_body(prepared)
    }

    fn push(&mut self, event: Event<'_>, prepared: usize) {
        let offset = self.file_offset(prepared);
        self.out.push((event.into_static(), offset));
    }

    fn html(&mut self, html: String, prepared: usize) {
        self.push(Event::Html(CowStr::from(html)), prepared);
    }

    /// Text for search: skipped inside level 1–4 headings, whose text is the section title.
    fn searchable(&mut self, text: &str) {
        let in_titled_heading = self
            .heading_open
            .and_then(|i| self.headings.get(i))
            .is_some_and(|h| h.level <= 4);
        if !in_titled_heading {
            self.text.push_str(text);
        }
    }

    fn flush_section(&mut self) {
        let text = normalize_ws(&std::mem::take(&mut self.text));
        match self.section.take() {
            Some((anchor, heading, level)) => self.rendered.sections.push(Section {
                level,
                anchor: Some(anchor),
                heading,
                text,
            }),
            None if !text.is_empty() => self.rendered.sections.push(Section {
                level: 0,
                anchor: None,
                heading: String::new(),
                text,
            }),
            None => {}
        }
    }

    /// Handles one event of the prepared text.
    pub fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        if let Some(code) = self.code.as_mut() {
            match event {
                Event::Text(t) => {
                    code.content_start.get_or_insert(range.start);
                    code.text
                        .push_str(&strip_synthetic(self.prepared, &t, &range));
                }
                Event::End(TagEnd::CodeBlock) => self.finish_code(),
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(Tag::Heading { .. }) => self.start_heading(range.start),
            Event::End(TagEnd::Heading(_)) => self.end_heading(range.start),
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                        .next()
                        .filter(|l| !l.is_empty())
                        .map(str::to_owned),
                    CodeBlockKind::Indented => None,
                };
                self.code = Some(Code {
                    lang,
                    text: String::new(),
                    content_start: None,
                    start: range.start,
                });
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (word, title) = alert(kind);
                let callout = admonition::Callout {
                    kind: admonition::callout_kind(word),
                    title: Some(title.to_owned()),
                    collapsible: None,
                };
                self.html(callout.open_html(), range.start);
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                self.text.push(' ');
                self.html("</div>\n".to_owned(), range.start);
            }
            Event::Html(_) | Event::InlineHtml(_) => match self.prepared.marker_at(range.start) {
                Some(Marker::Open(c)) => self.html(c.open_html(), range.start),
                Some(Marker::Close(c)) => {
                    self.text.push(' ');
                    self.html(c.close_html().to_owned(), range.start);
                }
                Some(Marker::Toc) => self.toc(range.start),
                None => self.push(event, range.start),
            },
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                // Autolinks are absolute; an email autolink's URL even lacks its `mailto:`.
                let autolink = matches!(link_type, LinkType::Autolink | LinkType::Email);
                let rewritten = if autolink {
                    None
                } else {
                    self.rewrite(&dest_url, range.start, false)
                };
                let dest_url = rewritten.map_or(dest_url, CowStr::from);
                let link = Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                };
                self.push(Event::Start(link), range.start);
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = self
                    .rewrite(&dest_url, range.start, true)
                    .map_or(dest_url, CowStr::from);
                let image = Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                };
                self.push(Event::Start(image), range.start);
            }
            // A wide table scrolls inside its own box (a focusable region, so keyboards can
            // scroll it) instead of pushing the page sideways.
            Event::Start(Tag::Table(_)) => {
                self.tables += 1;
                let open = format!(
                    "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"Table {}\">\n",
                    self.tables
                );
                self.html(open, range.start);
                self.push(event, range.start);
            }
            Event::End(TagEnd::Table) => {
                self.searchable(" ");
                self.push(event, range.start);
                self.html("</div>\n".to_owned(), range.start);
            }
            // A disabled checkbox still needs a name: it says whether the item is done.
            Event::TaskListMarker(checked) => {
                let html = if checked {
                    "<input type=\"checkbox\" disabled=\"\" checked=\"\" aria-label=\"Done\"> "
                } else {
                    "<input type=\"checkbox\" disabled=\"\" aria-label=\"Not done\"> "
                };
                self.push(Event::InlineHtml(CowStr::from(html)), range.start);
            }
            Event::FootnoteReference(label) => {
                let (id, n) = self.footnote(&label);
                let html =
                    format!("<sup class=\"footnote-reference\"><a href=\"#{id}\">{n}</a></sup>");
                self.html(html, range.start);
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let (id, n) = self.footnote(&label);
                let html = format!(
                    "<div class=\"footnote-definition\" id=\"{id}\"><sup class=\"footnote-definition-label\">{n}</sup>\n"
                );
                self.html(html, range.start);
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                self.text.push(' ');
                self.html("</div>\n".to_owned(), range.start);
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                self.searchable(t);
                self.push(event, range.start);
            }
            Event::SoftBreak | Event::HardBreak => {
                self.searchable(" ");
                self.push(event, range.start);
            }
            Event::End(end) => {
                // Words of adjacent blocks must not run together; inline ends add nothing.
                if !is_inline(end) {
                    self.searchable(" ");
                }
                self.push(Event::End(end), range.start);
            }
            other => self.push(other, range.start),
        }
    }

    fn start_heading(&mut self, at: usize) {
        let n = self.headings.len();
        let (Some(info), Some(id)) = (self.infos.get(n), self.ids.get(n)) else {
            return;
        };
        let mut open = format!("<h{} id=\"{}\"", info.level, escape_html(id));
        if !info.classes.is_empty() {
            open.push_str(&format!(
                " class=\"{}\"",
                escape_html(&info.classes.join(" "))
            ));
        }
        open.push('>');
        let section = (info.level <= 4).then(|| {
            self.flush_section();
            self.section = Some((id.clone(), info.title.clone(), info.level));
            self.rendered.sections.len()
        });
        let position = self.index.position(self.file_offset(info.start));
        let first = self.out.len();
        self.html(open, at);
        self.headings.push(HeadingMark {
            level: info.level,
            id: id.clone(),
            explicit: info.explicit.is_some(),
            classes: info.classes.clone(),
            title: info.title.clone(),
            position,
            top_level: info.top_level,
            events: first..first,
            section,
        });
        self.heading_open = Some(n);
    }

    fn end_heading(&mut self, at: usize) {
        let Some(n) = self.heading_open.take() else {
            return;
        };
        let Some(mark) = self.headings.get(n) else {
            return;
        };
        // A real link with a name of its own: hidden from screen readers it would still be a
        // tab stop that announces nothing.
        let close = format!(
            "<a class=\"anchor\" href=\"#{}\" aria-label=\"Link to this section: {}\">#</a></h{}>\n",
            escape_html(&mark.id),
            escape_html(&mark.title),
            mark.level
        );
        self.html(close, at);
        let end = self.out.len();
        if let Some(mark) = self.headings.get_mut(n) {
            mark.events.end = end;
        }
        self.text.push(' ');
    }

    fn finish_code(&mut self) {
        let Some(code) = self.code.take() else { return };
        let content_start = code.content_start.unwrap_or_else(|| {
            let rest = self.prepared.text.get(code.start..).unwrap_or("");
            code.start + rest.find('\n').map_or(rest.len(), |i| i + 1)
        });
        let lang = code.lang.as_deref();
        if lang == Some("quiz") && self.input.extract_quizzes {
            // Not in the HTML and not in search: the answer key stays on the server.
            let offset = self.file_offset(content_start);
            self.rendered.quizzes.push(QuizBlock {
                yaml: code.text,
                offset,
            });
            return;
        }
        self.text.push(' ');
        self.text.push_str(&code.text);
        self.text.push(' ');
        let html = code_block::code_html(lang, &code.text);
        self.html(html, code.start);
    }

    /// The anchor id and number of a footnote, numbered in order of first appearance.
    fn footnote(&mut self, label: &str) -> (String, usize) {
        let next = self.footnotes.len() + 1;
        let n = *self.footnotes.entry(label.to_owned()).or_insert(next);
        let slug = headings::slug(label);
        let id = if slug.is_empty() {
            format!("fn-{n}")
        } else {
            format!("fn-{slug}")
        };
        self.rendered.anchors.insert(id.clone());
        (id, n)
    }

    /// The table of contents at the first `[[_TOC_]]`; later ones are dropped with a warning.
    fn toc(&mut self, at: usize) {
        match self.toc_html.take() {
            Some(html) => self.html(html, at),
            None => {
                let position = self.index.position(self.file_offset(at));
                self.rendered.diagnostics.push(Diagnostic::warning(
                    self.input.source_path,
                    position,
                    "only the first `[[_TOC_]]` shows the table of contents; remove this one",
                ));
            }
        }
    }

    /// Records a relative link or image and returns its rewritten URL, if it changes.
    fn rewrite(&mut self, dest: &str, at: usize, image: bool) -> Option<String> {
        let position = self.index.position(self.file_offset(at));
        let own = self.input.source_path;
        match links::resolve_link(dest, own, image, self.targets) {
            Resolved::Unchanged => None,
            Resolved::AboveRoot => {
                let what = if image { "image" } else { "link" };
                self.rendered.diagnostics.push(Diagnostic::error(
                    own,
                    position,
                    format!(
                        "{what} `{dest}` points above the content root; link to a file inside \
                         the content folder or use an absolute URL"
                    ),
                ));
                None
            }
            Resolved::Anchor(anchor) => {
                self.rendered.links.push(LinkRef {
                    target_path: own.to_owned(),
                    anchor: Some(anchor),
                    position,
                });
                None
            }
            Resolved::Doc { path, anchor, url } => {
                self.rendered.links.push(LinkRef {
                    target_path: path,
                    anchor,
                    position,
                });
                url
            }
            Resolved::Asset { path, url } => {
                if image {
                    self.rendered.images.push(ImageRef {
                        target_path: path,
                        position,
                    });
                }
                Some(url)
            }
        }
    }

    /// The rewritten events and everything collected.
    pub fn finish(mut self) -> Parsed {
        if self.code.is_some() {
            self.finish_code();
        }
        self.flush_section();
        Parsed {
            events: self.out,
            headings: self.headings,
            rendered: self.rendered,
        }
    }
}

fn is_inline(end: TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// The kind word and title of a GitHub alert.
fn alert(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

/// Code text without any synthetic pre-pass lines that ended up inside a code block
/// (possible only when the pre-pass and pulldown-cmark disagree about a fence).
fn strip_synthetic(prepared: &Prepared, text: &str, range: &Range<usize>) -> String {
    let verbatim = prepared.text.get(range.clone()) == Some(text);
    if !verbatim || !prepared.map.any_synthetic(range.clone()) {
        return text.to_owned();
    }
    text.char_indices()
        .filter(|(i, _)| !prepared.map.is_synthetic(range.start + i))
        .map(|(_, c)| c)
        .collect()
}
