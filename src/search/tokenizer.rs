//! Text analysis: identifiers are split into words *and* kept whole, then English-stemmed.
//!
//! Runbooks are full of names people paste: `CrashLoopBackOff`, `permission_denied`,
//! `pg_txid_xmin_age`, `argocd-repo-server`, `v1.2.3`. tantivy's default tokenizer keeps
//! camelCase whole and loses the whole form of snake_case, so a query for either spelling
//! misses half the documents. [`split_chunks`] finds such a *chunk* and yields its parts; the
//! [`IdentTokenizer`] emits the whole chunk at the position of its first part, so phrase
//! queries over the parts ("crash loop back off") and the exact name both match.
//!
//! The same [`split_chunks`] drives the query builder, and [`normalize`] applies the same
//! filters as the index analyzer, so query terms are always spelled like indexed terms.

use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, Stemmer,
    TextAnalyzer, Token, TokenStream, Tokenizer,
};

/// Name of the stemming identifier analyzer (title, headings, body, summary, tags, path).
pub const TEXT: &str = "selfserve_text";
/// Name of the unstemmed analyzer of the spelling field (did-you-mean and fuzzy terms).
pub const SPELL: &str = "selfserve_spell";

/// Tokens longer than this (bytes) are dropped: hashes and base64 blobs, not words.
const MAX_TOKEN_BYTES: usize = 64;
/// A chunk with more parts than this is indexed whole plus its first parts only.
const MAX_PARTS: usize = 16;

/// Registers both analyzers on `index`. tantivy keeps tokenizers outside the index data,
/// so this must run every time an index is created or opened.
pub fn register(index: &Index) {
    index.tokenizers().register(TEXT, text_analyzer());
    index.tokenizers().register(SPELL, spell_analyzer());
}

/// Identifier split → lowercase → ASCII folding → English stemming.
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(IdentTokenizer)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Identifier split → lowercase → ASCII folding, no stemming: the words as written, so a
/// spelling suggestion reads like a word and not like a stem.
pub fn spell_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(IdentTokenizer)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Normalises one word (a chunk or a part) exactly as the index analyzer would.
pub fn normalize(word: &str) -> Option<String> {
    normalize_with(word, true)
}

/// [`normalize`] with its analyzer built once, for callers that normalise many words.
pub struct Normalizer {
    analyzer: TextAnalyzer,
}

impl std::fmt::Debug for Normalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Normalizer")
    }
}

impl Default for Normalizer {
    fn default() -> Self {
        Self {
            analyzer: TextAnalyzer::builder(RawTokenizer::default())
                .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .filter(Stemmer::new(Language::English))
                .build(),
        }
    }
}

impl Normalizer {
    /// The indexed form of `word`, as [`normalize`] gives it.
    pub fn normalize(&mut self, word: &str) -> Option<String> {
        let mut stream = self.analyzer.token_stream(word);
        let text = stream.next().map(|t| t.text.clone())?;
        (!text.is_empty()).then_some(text)
    }
}

/// Normalises one word as the spelling analyzer would (no stemming).
pub fn normalize_unstemmed(word: &str) -> Option<String> {
    normalize_with(word, false)
}

fn normalize_with(word: &str, stem: bool) -> Option<String> {
    let builder = TextAnalyzer::builder(RawTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter);
    let mut analyzer = if stem {
        builder.filter(Stemmer::new(Language::English)).build()
    } else {
        builder.build()
    };
    let mut stream = analyzer.token_stream(word);
    let text = stream.next().map(|t| t.text.clone())?;
    (!text.is_empty()).then_some(text)
}

/// A run of word characters, possibly joined by `_`, `.`, `-` or `'` between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk<'a> {
    /// The chunk as written.
    pub text: &'a str,
    /// Byte offset of the chunk in the analysed text.
    pub offset: usize,
    /// The words inside it, as `(byte offset in the text, word)`; one entry when the
    /// chunk is a plain word.
    pub parts: Vec<(usize, &'a str)>,
}

impl Chunk<'_> {
    /// True when the chunk is a compound (an identifier) rather than a plain word.
    pub fn is_compound(&self) -> bool {
        self.parts.len() > 1
    }
}

fn is_connector(c: char) -> bool {
    matches!(c, '_' | '.' | '-' | '\'' | '\u{2019}')
}

/// Splits `text` into chunks. Connectors count only between two word characters, so
/// `done.` ends a sentence but `argocd.argoproj.io` stays one chunk.
pub fn split_chunks(text: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if !c.is_alphanumeric() {
            chars.next();
            continue;
        }
        let mut end = start;
        // Consume word characters and connector runs that are followed by a word character.
        while let Some(&(i, c)) = chars.peek() {
            if c.is_alphanumeric() {
                end = i + c.len_utf8();
                chars.next();
            } else if is_connector(c) {
                let rest = &text[i..];
                let after = rest.trim_start_matches(is_connector);
                if after.chars().next().is_some_and(char::is_alphanumeric) {
                    let skip = rest.len() - after.len();
                    while chars.peek().is_some_and(|&(j, _)| j < i + skip) {
                        chars.next();
                    }
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        let chunk_text = &text[start..end];
        chunks.push(Chunk {
            text: chunk_text,
            offset: start,
            parts: split_parts(chunk_text, start),
        });
    }
    chunks
}

/// Splits one chunk at connectors and at camelCase boundaries (`crashLoop`, `HTTPServer`).
/// Letters and digits stay together (`k8s`, `base64`, `v1`).
fn split_parts(chunk: &str, base: usize) -> Vec<(usize, &str)> {
    let mut parts = Vec::new();
    let chars: Vec<(usize, char)> = chunk.char_indices().collect();
    let mut start: Option<usize> = None;
    for (n, &(i, c)) in chars.iter().enumerate() {
        if is_connector(c) {
            if let Some(s) = start.take() {
                parts.push((base + s, &chunk[s..i]));
            }
            continue;
        }
        let Some(s) = start else {
            start = Some(i);
            continue;
        };
        let prev = chars.get(n.wrapping_sub(1)).map(|&(_, p)| p);
        let next = chars.get(n + 1).map(|&(_, p)| p);
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if boundary {
            parts.push((base + s, &chunk[s..i]));
            start = Some(i);
        }
    }
    if let Some(s) = start {
        parts.push((base + s, &chunk[s..]));
    }
    parts
}

/// The tantivy tokenizer: for each chunk, the whole chunk (when it is a compound) and then
/// each part, the whole sharing the first part's position.
#[derive(Debug, Clone, Copy, Default)]
pub struct IdentTokenizer;

/// The tokens of one text, computed eagerly (texts are sections, not books).
#[derive(Debug)]
pub struct IdentTokenStream {
    tokens: Vec<Token>,
    /// Number of tokens handed out so far; the current token is `tokens[next - 1]`.
    next: usize,
    /// Returned by `token()` before the first `advance()` or on an empty stream.
    none: Token,
}

impl Tokenizer for IdentTokenizer {
    type TokenStream<'a> = IdentTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> IdentTokenStream {
        IdentTokenStream {
            tokens: tokenize(text),
            next: 0,
            none: Token::default(),
        }
    }
}

/// All tokens of `text`, positions assigned, before lowercasing and stemming.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut position = 0usize;
    for chunk in split_chunks(text) {
        if chunk.is_compound() {
            tokens.push(Token {
                offset_from: chunk.offset,
                offset_to: chunk.offset + chunk.text.len(),
                position,
                text: chunk.text.to_owned(),
                position_length: 1,
            });
        }
        let count = chunk.parts.len().min(MAX_PARTS);
        for &(offset, part) in chunk.parts.iter().take(count) {
            tokens.push(Token {
                offset_from: offset,
                offset_to: offset + part.len(),
                position,
                text: part.to_owned(),
                position_length: 1,
            });
            position += 1;
        }
    }
    tokens
}

impl TokenStream for IdentTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        match self.next.checked_sub(1).and_then(|i| self.tokens.get(i)) {
            Some(token) => token,
            None => &self.none,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.next.checked_sub(1) {
            Some(i) if i < self.tokens.len() => &mut self.tokens[i],
            _ => &mut self.none,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyze(text: &str) -> Vec<(String, usize)> {
        let mut analyzer = text_analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.position));
        }
        out
    }

    fn terms(text: &str) -> Vec<String> {
        analyze(text).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn camel_case_is_split_and_kept_whole() {
        assert_eq!(
            analyze("CrashLoopBackOff"),
            vec![
                ("crashloopbackoff".to_owned(), 0),
                ("crash".to_owned(), 0),
                ("loop".to_owned(), 1),
                ("back".to_owned(), 2),
                ("off".to_owned(), 3),
            ]
        );
    }

    #[test]
    fn snake_dotted_and_dashed_names_are_split_and_kept_whole() {
        let t = terms("permission_denied");
        assert!(
            t.contains(&"permiss".to_owned()) && t.contains(&"deni".to_owned()),
            "{t:?}"
        );
        assert!(t.iter().any(|x| x.starts_with("permission_deni")), "{t:?}");
        let t = terms("pg_txid_xmin_age");
        for w in ["pg", "txid", "xmin", "age"] {
            assert!(t.contains(&w.to_owned()), "{w} missing from {t:?}");
        }
        assert!(
            t.contains(&"pg_txid_xmin_ag".to_owned()) || t.contains(&"pg_txid_xmin_age".to_owned())
        );
        let t = terms("read_to_string");
        assert!(t.contains(&"read".to_owned()) && t.contains(&"string".to_owned()));
        let t = terms("argocd-repo-server app.kubernetes.io");
        assert!(
            t.contains(&"argocd-repo-serv".to_owned())
                || t.contains(&"argocd-repo-server".to_owned())
        );
        assert!(t.contains(&"repo".to_owned()) && t.contains(&"kubernet".to_owned()));
        let t = terms("upgrade to v1.2.3.");
        assert!(t.contains(&"v1.2.3".to_owned()), "{t:?}");
        assert!(t.contains(&"v1".to_owned()) && t.contains(&"3".to_owned()));
    }

    #[test]
    fn sentence_punctuation_is_not_a_connector() {
        assert_eq!(terms("done. next-"), vec!["done", "next"]);
        assert_eq!(
            terms("'quoted' -flag __init__"),
            vec!["quot", "flag", "init"]
        );
    }

    #[test]
    fn acronyms_and_digits() {
        let t = terms("HTTPServer k8s base64 IPv6");
        for w in ["httpserver", "http", "server", "k8s", "base64", "ipv6"] {
            assert!(t.contains(&w.to_owned()), "{w} missing from {t:?}");
        }
    }

    #[test]
    fn positions_follow_parts_so_phrases_match_across_styles() {
        let t = analyze("the SidekiqQueueTooLarge alert");
        let alert = t.iter().find(|(w, _)| w == "alert").map(|(_, p)| *p);
        assert_eq!(alert, Some(5));
    }

    #[test]
    fn normalize_matches_the_analyzer() {
        assert_eq!(normalize("Running").as_deref(), Some("run"));
        assert_eq!(
            normalize("CrashLoopBackOff").as_deref(),
            Some("crashloopbackoff")
        );
        assert_eq!(normalize_unstemmed("Running").as_deref(), Some("running"));
        assert_eq!(normalize(""), None);
    }

    #[test]
    fn empty_and_symbol_only_text_has_no_tokens() {
        assert!(terms("").is_empty());
        assert!(terms("::{}[]()!!--__..").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_offsets_are_char_boundaries(text in "\\PC{0,200}") {
            for t in tokenize(&text) {
                proptest::prop_assert!(text.is_char_boundary(t.offset_from));
                proptest::prop_assert!(text.is_char_boundary(t.offset_to));
                proptest::prop_assert_eq!(&text[t.offset_from..t.offset_to], t.text.as_str());
            }
            let _ = analyze(&text);
        }

        #[test]
        fn snake_case_identifiers_yield_whole_and_parts(
            words in proptest::collection::vec("[a-z]{2,8}", 2..5)
        ) {
            let ident = words.join("_");
            let raw: Vec<String> = tokenize(&ident).into_iter().map(|t| t.text).collect();
            proptest::prop_assert_eq!(&raw[0], &ident);
            proptest::prop_assert_eq!(&raw[1..], &words[..]);
        }

        #[test]
        fn camel_case_identifiers_yield_whole_and_parts(
            words in proptest::collection::vec("[A-Z][a-z]{1,7}", 2..5)
        ) {
            let ident = words.concat();
            let raw: Vec<String> = tokenize(&ident).into_iter().map(|t| t.text).collect();
            proptest::prop_assert_eq!(&raw[0], &ident);
            proptest::prop_assert_eq!(&raw[1..], &words[..]);
        }
    }
}
