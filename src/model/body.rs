//! A document's rendered HTML and its sections' plain text, compressed (LZ4) in two blocks:
//! the text, then the HTML with the text as its dictionary.
//!
//! The model holds every document at once, and at 100× the real corpus these two were
//! ~890 MB of it: 390 MB of HTML (already compressed on its own) and 502 MB of section
//! text. The plain text is nearly all repeated in the HTML, so compressing the HTML against
//! the text costs about what the HTML's markup alone costs: both together take ~500 MB.
//! Search reads only the text block (snippets, indexing), the page render both (rendered
//! pages are cached).

use std::fmt;

use super::{Section, TocEntry};

/// The HTML and section texts of one document, packed; headings and anchors stay unpacked
/// (navigation, tables of contents and the index read them without the text).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Body {
    /// LZ4 of every section's text, one after the other.
    text: Box<[u8]>,
    /// LZ4 of the HTML, with the unpacked text as the dictionary.
    html: Box<[u8]>,
    html_len: usize,
    sections: Vec<SectionHead>,
}

/// A section without its text (which is in the packed block).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionHead {
    /// The heading's level (1–4), 0 for text before the first heading.
    pub level: u8,
    /// The heading's anchor, `None` for text before the first heading.
    pub anchor: Option<String>,
    /// The heading's plain text (empty before the first heading).
    pub heading: String,
    text_len: usize,
}

/// The section texts of a body, unpacked into one buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionTexts {
    text: String,
    /// Where each section's text ends in `text`.
    ends: Vec<usize>,
}

/// Largest text block decoded into the per-thread buffer (which keeps its size); larger
/// ones get a buffer of their own.
const SCRATCH_KEPT: usize = 1 << 20;

thread_local! {
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// What a page shows when its stored body does not decode (never expected: only this
/// module writes the bytes).
const UNREADABLE: &str =
    "<p>This page could not be shown; reload the content or restart the server.</p>";

impl Body {
    /// Packs `html` with the texts of `sections`.
    pub fn new(html: &str, sections: Vec<Section>) -> Self {
        let text_bytes: usize = sections.iter().map(|s| s.text.len()).sum();
        let mut text = String::with_capacity(text_bytes);
        let heads = sections
            .into_iter()
            .map(|s| {
                text.push_str(&s.text);
                SectionHead {
                    level: s.level,
                    anchor: s.anchor,
                    heading: s.heading,
                    text_len: s.text.len(),
                }
            })
            .collect();
        Self {
            text: pack(text.as_bytes(), b""),
            html: pack(html.as_bytes(), text.as_bytes()),
            html_len: html.len(),
            sections: heads,
        }
    }

    /// The sections, in page order.
    pub fn sections(&self) -> &[SectionHead] {
        &self.sections
    }

    /// The table of contents: the level 2–4 headings, which are exactly the sections that
    /// start at one (the parser cuts sections at levels 1–4), so it is not stored twice —
    /// at 100× the corpus that was 736,000 entries, ~90 MB.
    pub fn toc(&self) -> Vec<TocEntry> {
        self.sections
            .iter()
            .filter(|s| (2..=4).contains(&s.level))
            .filter_map(|s| {
                Some(TocEntry {
                    level: s.level,
                    anchor: s.anchor.clone()?,
                    title: s.heading.clone(),
                })
            })
            .collect()
    }

    /// Every section's text. Should the bytes not decode, the texts are empty (the error
    /// is logged) rather than the request failing.
    pub fn texts(&self) -> SectionTexts {
        let mut end = 0;
        let ends: Vec<usize> = self
            .sections
            .iter()
            .map(|s| {
                end += s.text_len;
                end
            })
            .collect();
        match unpack(&self.text, end, b"") {
            Some(text) => SectionTexts { text, ends },
            None => SectionTexts {
                text: String::new(),
                ends: vec![0; ends.len()],
            },
        }
    }

    /// The text of section `i` alone ("" past the last): what a search hit needs. Decodes
    /// into a per-thread buffer and copies out just that section, so a hit allocates and
    /// checks (as UTF-8) one section, not its whole page.
    pub fn section_text(&self, i: usize) -> String {
        let start: usize = self.sections.iter().take(i).map(|s| s.text_len).sum();
        let Some(len) = self.sections.get(i).map(|s| s.text_len).filter(|&l| l > 0) else {
            return String::new();
        };
        let total: usize = self.sections.iter().map(|s| s.text_len).sum();
        let copy_out = |buffer: &mut Vec<u8>| {
            buffer.resize(total, 0);
            let decoded = lz4_flex::block::decompress_into(&self.text, buffer)
                .ok()
                .filter(|&n| n == total)
                .and_then(|_| buffer.get(start..start + len))
                .and_then(|bytes| std::str::from_utf8(bytes).ok())
                .map(str::to_owned);
            decoded.unwrap_or_else(|| {
                tracing::error!("a document's stored body could not be decompressed");
                String::new()
            })
        };
        if total > SCRATCH_KEPT {
            return copy_out(&mut Vec::new());
        }
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut buffer) => copy_out(&mut buffer),
            Err(_) => copy_out(&mut Vec::new()),
        })
    }

    /// The HTML; should the bytes not decode, a sentence saying so.
    pub fn html(&self) -> String {
        let texts = self.texts();
        unpack(&self.html, self.html_len, texts.text.as_bytes())
            .unwrap_or_else(|| UNREADABLE.to_owned())
    }

    /// Bytes held by the packed blocks.
    pub fn packed_len(&self) -> usize {
        self.text.len() + self.html.len()
    }
}

/// LZ4 of `bytes` against `dictionary`; nothing for nothing.
///
/// Compressed into a scratch buffer of the worst-case size and copied out at its exact
/// size: shrinking the worst-case buffer instead (what `compress_with_dict` does) lets the
/// allocator keep the whole block in place when the result is over half of it, which
/// plain text often is — at 100× the corpus that kept ~100 MB of empty tails.
fn pack(bytes: &[u8], dictionary: &[u8]) -> Box<[u8]> {
    if bytes.is_empty() {
        return Box::default();
    }
    let mut scratch = vec![0; lz4_flex::block::get_maximum_output_size(bytes.len())];
    // A dictionary shorter than LZ4's shortest match cannot be referenced (lz4_flex's own
    // vector API skips it the same way); decoding with it is still exact.
    let packed = if dictionary.len() < 4 {
        lz4_flex::block::compress_into(bytes, &mut scratch)
    } else {
        lz4_flex::block::compress_into_with_dict(bytes, &mut scratch, dictionary)
    };
    match packed {
        Ok(len) => Box::from(scratch.get(..len).unwrap_or_default()),
        // Unreachable with a worst-case buffer; the plain path allocates its own.
        Err(_) => lz4_flex::block::compress_with_dict(bytes, dictionary).into_boxed_slice(),
    }
}

/// The `len` bytes `packed` holds, as text.
fn unpack(packed: &[u8], len: usize, dictionary: &[u8]) -> Option<String> {
    if len == 0 {
        return Some(String::new());
    }
    let decoded = lz4_flex::block::decompress_with_dict(packed, len, dictionary)
        .ok()
        .filter(|bytes| bytes.len() == len)
        .and_then(|bytes| String::from_utf8(bytes).ok());
    if decoded.is_none() {
        tracing::error!("a document's stored body could not be decompressed");
    }
    decoded
}

impl SectionTexts {
    /// The plain text of section `i` ("" past the last).
    pub fn section_text(&self, i: usize) -> &str {
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = match i.checked_sub(1) {
            Some(before) => self.ends.get(before).copied().unwrap_or(end),
            None => 0,
        };
        self.text.get(start..end).unwrap_or("")
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Body")
            .field("packed_bytes", &self.packed_len())
            .field("sections", &self.sections)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn section(anchor: Option<&str>, heading: &str, text: &str) -> Section {
        Section::sample(anchor, heading, text)
    }

    #[test]
    fn an_empty_body_holds_nothing() {
        let body = Body::new("", vec![]);
        assert_eq!(body.packed_len(), 0);
        assert_eq!(body.html(), "");
        assert_eq!(body.texts().section_text(0), "");
    }

    #[test]
    fn sections_without_text_keep_their_headings() {
        let body = Body::new("", vec![section(Some("a"), "A", "")]);
        assert_eq!(body.sections()[0].heading, "A");
        assert_eq!(body.texts().section_text(0), "");
    }

    #[test]
    fn section_text_costs_little_next_to_its_html() {
        let paragraph = "Restart the gitaly pod when replication lags behind the primary. ";
        let html = format!("<h2 id=\"fix\">Fix</h2>\n<p>{}</p>\n", paragraph.repeat(40));
        let with_text = Body::new(
            &html,
            vec![section(Some("fix"), "Fix", &paragraph.repeat(40))],
        );
        let without = Body::new(&html, vec![section(Some("fix"), "Fix", "")]);
        assert!(
            with_text.packed_len() < without.packed_len() + paragraph.len(),
            "{} vs {}",
            with_text.packed_len(),
            without.packed_len()
        );
    }

    proptest! {
        #[test]
        fn html_and_every_section_come_back_unchanged(
            html in any::<String>(),
            texts in proptest::collection::vec(any::<String>(), 0..6),
        ) {
            let sections: Vec<Section> = texts
                .iter()
                .enumerate()
                .map(|(i, t)| section(Some(&format!("s{i}")), &format!("S{i}"), t))
                .collect();
            let body = Body::new(&html, sections);
            let unpacked = body.texts();
            prop_assert_eq!(body.html(), html.as_str());
            for (i, text) in texts.iter().enumerate() {
                prop_assert_eq!(unpacked.section_text(i), text.as_str());
                prop_assert_eq!(&body.sections()[i].heading, &format!("S{i}"));
            }
            prop_assert_eq!(unpacked.section_text(texts.len()), "");
            for (i, text) in texts.iter().enumerate() {
                prop_assert_eq!(&body.section_text(i), text);
            }
            prop_assert_eq!(body.section_text(texts.len()), "");
            prop_assert_eq!(body.html(), html);
        }
    }
}
