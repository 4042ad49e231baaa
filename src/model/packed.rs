//! Rendered HTML kept compressed in the model: a document's body is read once per render
//! (and rendered pages are cached), while the whole site's HTML stays resident, so at 100×
//! the corpus compressing it (LZ4, ~4× on HTML) is most of the model's memory back.

use std::fmt;

/// HTML compressed with LZ4; [`PackedHtml::unpack`] gives the text back.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct PackedHtml {
    bytes: Box<[u8]>,
}

impl PackedHtml {
    /// Compresses `html`.
    pub fn new(html: &str) -> Self {
        if html.is_empty() {
            return Self::default();
        }
        Self {
            bytes: lz4_flex::compress_prepend_size(html.as_bytes()).into_boxed_slice(),
        }
    }

    /// The HTML. Only this module writes the bytes, so they always decode; should they not,
    /// the page shows a sentence instead of failing the request.
    pub fn unpack(&self) -> String {
        if self.bytes.is_empty() {
            return String::new();
        }
        match lz4_flex::decompress_size_prepended(&self.bytes)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
        {
            Some(html) => html,
            None => {
                tracing::error!("a document's stored HTML could not be decompressed");
                "<p>This page could not be shown; reload the content or restart the server.</p>"
                    .to_owned()
            }
        }
    }

    /// True when `needle` occurs in the HTML (tests and tools; decompresses).
    pub fn contains(&self, needle: &str) -> bool {
        self.unpack().contains(needle)
    }

    /// Bytes held.
    pub fn packed_len(&self) -> usize {
        self.bytes.len()
    }
}

impl fmt::Debug for PackedHtml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PackedHtml({} bytes packed)", self.bytes.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_html_holds_nothing() {
        let packed = PackedHtml::new("");
        assert_eq!(packed.packed_len(), 0);
        assert_eq!(packed.unpack(), "");
    }

    #[test]
    fn html_compresses() {
        let html = "<p>Restart the <code>gitaly</code> pod.</p>\n".repeat(200);
        let packed = PackedHtml::new(&html);
        assert!(
            packed.packed_len() * 4 < html.len(),
            "{}",
            packed.packed_len()
        );
        assert_eq!(packed.unpack(), html);
    }

    proptest! {
        #[test]
        fn any_text_comes_back_unchanged(text in any::<String>()) {
            prop_assert_eq!(PackedHtml::new(&text).unpack(), text);
        }
    }
}
