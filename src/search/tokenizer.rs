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
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};

use super::scan::{CachedStemmer, chunk_parts, next_chunk};

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
    TextAnalyzer::builder(IdentTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedStemmer)
        .build()
}

/// Identifier split → lowercase → ASCII folding, no stemming: the words as written, so a
/// spelling suggestion reads like a word and not like a stem.
pub fn spell_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(IdentTokenizer::default())
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
                .filter(CachedStemmer)
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
        builder.filter(CachedStemmer).build()
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

/// Splits `text` into chunks. Connectors count only between two word characters, so
/// `done.` ends a sentence but `argocd.argoproj.io` stays one chunk.
pub fn split_chunks(text: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let mut parts = Vec::new();
    let mut from = 0;
    while let Some((start, end)) = next_chunk(text, from) {
        chunk_parts(text, start, end, &mut parts);
        chunks.push(Chunk {
            text: &text[start..end],
            offset: start,
            parts: parts.iter().map(|&(s, e)| (s, &text[s..e])).collect(),
        });
        from = end;
    }
    chunks
}

/// The tantivy tokenizer: for each chunk, the whole chunk (when it is a compound) and then
/// each part, the whole sharing the first part's position. Lazy: one chunk at a time, its
/// parts in a buffer reused across texts, every token written into one `Token`.
#[derive(Debug, Clone, Default)]
pub struct IdentTokenizer {
    parts: Vec<(usize, usize)>,
}

/// The tokens of one text, found as they are read.
#[derive(Debug)]
pub struct IdentTokenStream<'a> {
    text: &'a str,
    /// Where the next chunk is looked for.
    from: usize,
    /// The current chunk's parts (absolute byte ranges).
    parts: &'a mut Vec<(usize, usize)>,
    /// The next part to hand out.
    part: usize,
    /// The current chunk, to hand out whole before its parts.
    whole: Option<(usize, usize)>,
    /// The next position.
    position: usize,
    token: Token,
}

impl Tokenizer for IdentTokenizer {
    type TokenStream<'a> = IdentTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> IdentTokenStream<'a> {
        self.parts.clear();
        IdentTokenStream {
            text,
            from: 0,
            parts: &mut self.parts,
            part: 0,
            whole: None,
            position: 0,
            token: Token::default(),
        }
    }
}

impl IdentTokenStream<'_> {
    fn set(&mut self, from: usize, to: usize, position: usize) {
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = position;
        self.token.position_length = 1;
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
    }
}

/// All tokens of `text`, positions assigned, before lowercasing and stemming.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokenizer = IdentTokenizer::default();
    let mut stream = tokenizer.token_stream(text);
    let mut tokens = Vec::new();
    while stream.advance() {
        tokens.push(stream.token().clone());
    }
    tokens
}

impl TokenStream for IdentTokenStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            if let Some((from, to)) = self.whole.take() {
                self.set(from, to, self.position);
                return true;
            }
            if self.part < self.parts.len().min(MAX_PARTS) {
                let (from, to) = self.parts[self.part];
                self.part += 1;
                self.set(from, to, self.position);
                self.position += 1;
                return true;
            }
            let Some((start, end)) = next_chunk(self.text, self.from) else {
                return false;
            };
            self.from = end;
            chunk_parts(self.text, start, end, self.parts);
            self.part = 0;
            if self.parts.len() > 1 {
                self.whole = Some((start, end));
            }
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
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
