//! A document's rendered HTML and its sections' plain text, compressed together (LZ4).
//!
//! The model holds every document at once, and at 100× the real corpus these two were
//! ~890 MB of it: 390 MB of HTML (already compressed on its own) and 502 MB of section
//! text. The plain text is nearly all repeated from the HTML, so compressed in one block
//! right after it, it costs a few percent more instead of its size. A page render unpacks
//! the block once (rendered pages are cached); a search hit unpacks its page's block for
//! the snippet; the index unpacks each document once while indexing it.

use std::fmt;

use super::Section;

/// The HTML and section texts of one document, packed; headings and anchors stay unpacked
/// (navigation, tables of contents and the index read them without the text).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Body {
    /// LZ4 (size first) of the HTML followed by every section's text.
    bytes: Box<[u8]>,
    html_len: usize,
    sections: Vec<SectionHead>,
}

/// A section without its text (which is in the packed block).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionHead {
    /// The heading's anchor, `None` for text before the first heading.
    pub anchor: Option<String>,
    /// The heading's plain text (empty before the first heading).
    pub heading: String,
    text_len: usize,
}

/// A body unpacked: the HTML and the section texts, borrowed from one buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpacked {
    text: String,
    html_len: usize,
    /// Where each section's text ends in `text`.
    ends: Vec<usize>,
}

impl Body {
    /// Packs `html` with the texts of `sections`.
    pub fn new(html: &str, sections: Vec<Section>) -> Self {
        let text_bytes: usize = sections.iter().map(|s| s.text.len()).sum();
        let mut all = String::with_capacity(html.len() + text_bytes);
        all.push_str(html);
        let heads = sections
            .into_iter()
            .map(|s| {
                all.push_str(&s.text);
                SectionHead {
                    anchor: s.anchor,
                    heading: s.heading,
                    text_len: s.text.len(),
                }
            })
            .collect();
        let bytes = if all.is_empty() {
            Box::default()
        } else {
            lz4_flex::compress_prepend_size(all.as_bytes()).into_boxed_slice()
        };
        Self {
            bytes,
            html_len: html.len(),
            sections: heads,
        }
    }

    /// The sections, in page order.
    pub fn sections(&self) -> &[SectionHead] {
        &self.sections
    }

    /// The HTML alone.
    pub fn html(&self) -> String {
        self.unpack().into_html()
    }

    /// The HTML and every section's text. Only this module writes the bytes, so they always
    /// decode; should they not, the HTML is a sentence, the texts are empty, and the request
    /// is served rather than failed.
    pub fn unpack(&self) -> Unpacked {
        let mut end = self.html_len;
        let ends = self
            .sections
            .iter()
            .map(|s| {
                end += s.text_len;
                end
            })
            .collect();
        if self.bytes.is_empty() {
            return Unpacked {
                text: String::new(),
                html_len: 0,
                ends: vec![0; self.sections.len()],
            };
        }
        match lz4_flex::decompress_size_prepended(&self.bytes)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .filter(|text| text.len() == end)
        {
            Some(text) => Unpacked {
                text,
                html_len: self.html_len,
                ends,
            },
            None => {
                tracing::error!("a document's stored body could not be decompressed");
                let text = "<p>This page could not be shown; reload the content or restart the server.</p>"
                    .to_owned();
                Unpacked {
                    html_len: text.len(),
                    ends: vec![text.len(); self.sections.len()],
                    text,
                }
            }
        }
    }

    /// Bytes held by the packed block.
    pub fn packed_len(&self) -> usize {
        self.bytes.len()
    }
}

impl Unpacked {
    /// The HTML.
    pub fn html(&self) -> &str {
        self.text.get(..self.html_len).unwrap_or("")
    }

    /// The HTML, owned.
    pub fn into_html(mut self) -> String {
        self.text.truncate(self.html_len);
        self.text
    }

    /// The plain text of section `i` ("" past the last).
    pub fn section_text(&self, i: usize) -> &str {
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = match i.checked_sub(1) {
            Some(before) => self.ends.get(before).copied().unwrap_or(end),
            None => self.html_len,
        };
        self.text.get(start..end).unwrap_or("")
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Body")
            .field("packed_bytes", &self.bytes.len())
            .field("sections", &self.sections)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn section(anchor: Option<&str>, heading: &str, text: &str) -> Section {
        Section {
            anchor: anchor.map(str::to_owned),
            heading: heading.into(),
            text: text.into(),
        }
    }

    #[test]
    fn an_empty_body_holds_nothing() {
        let body = Body::new("", vec![]);
        assert_eq!(body.packed_len(), 0);
        assert_eq!(body.html(), "");
        assert_eq!(body.unpack().section_text(0), "");
    }

    #[test]
    fn sections_without_text_keep_their_headings() {
        let body = Body::new("", vec![section(Some("a"), "A", "")]);
        assert_eq!(body.sections()[0].heading, "A");
        assert_eq!(body.unpack().section_text(0), "");
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
            let unpacked = body.unpack();
            prop_assert_eq!(unpacked.html(), html.as_str());
            for (i, text) in texts.iter().enumerate() {
                prop_assert_eq!(unpacked.section_text(i), text.as_str());
                prop_assert_eq!(&body.sections()[i].heading, &format!("S{i}"));
            }
            prop_assert_eq!(unpacked.section_text(texts.len()), "");
            prop_assert_eq!(body.html(), html);
        }
    }
}
