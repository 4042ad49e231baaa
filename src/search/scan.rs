//! The allocation-free core of the analyzers: finding chunks and their parts in place, and
//! stemming through a cache.
//!
//! Indexing spent a quarter of its time in the tokenizer (a `Vec` of chunks, a `Vec` of
//! parts per chunk, a `Vec<(usize, char)>` per chunk and a `String` per token, all built
//! before the first token was read) and another eighth in the Snowball stemmer (which also
//! allocates for most words). The stream here finds one chunk at a time, keeps its parts in
//! a buffer owned by the tokenizer, and writes every token into one reused `Token`; a
//! documentation corpus has a few tens of thousands of distinct words, so stems come from a
//! cache after the first pages.

use std::collections::HashMap;

use tantivy::tokenizer::{
    Language, RawTokenizer, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// Stems remembered per analyzer before the cache starts over (a bound on memory; a
/// corpus's vocabulary fits many times over).
const STEM_CACHE_WORDS: usize = 200_000;

/// True for the characters that may join two word characters into one chunk.
pub fn is_connector(c: char) -> bool {
    matches!(c, '_' | '.' | '-' | '\'' | '\u{2019}')
}

/// The character at byte `i` of `text` and its length (ASCII without decoding).
fn char_at(text: &str, i: usize) -> Option<(char, usize)> {
    let b = *text.as_bytes().get(i)?;
    if b < 0x80 {
        return Some((char::from(b), 1));
    }
    let c = text.get(i..)?.chars().next()?;
    Some((c, c.len_utf8()))
}

/// The next chunk at or after byte `from`, as a byte range: a run of word characters,
/// possibly joined by connector runs that have a word character on both sides, so `done.`
/// ends a sentence but `argocd.argoproj.io` stays one chunk.
pub fn next_chunk(text: &str, from: usize) -> Option<(usize, usize)> {
    let mut i = from;
    loop {
        let (c, len) = char_at(text, i)?;
        if c.is_alphanumeric() {
            break;
        }
        i += len;
    }
    let start = i;
    let mut end = i;
    while let Some((c, len)) = char_at(text, i) {
        if c.is_alphanumeric() {
            i += len;
            end = i;
        } else if is_connector(c) {
            let mut j = i + len;
            while let Some((c, len)) = char_at(text, j).filter(|(c, _)| is_connector(*c)) {
                let _ = c;
                j += len;
            }
            if char_at(text, j).is_some_and(|(c, _)| c.is_alphanumeric()) {
                i = j;
            } else {
                break;
            }
        } else {
            break;
        }
    }
    Some((start, end))
}

/// The parts of the chunk `text[start..end]` as absolute byte ranges, into `out`: split at
/// connectors and at camelCase boundaries (`crashLoop`, `HTTPServer`); letters and digits
/// stay together (`k8s`, `base64`, `v1`).
pub fn chunk_parts(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let chunk = &text[start..end];
    // Most chunks are lowercase words: one part, nothing to look at.
    if chunk
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        out.push((start, end));
        return;
    }
    let mut from: Option<usize> = None;
    let mut prev: Option<char> = None;
    let mut chars = chunk.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_connector(c) {
            if let Some(s) = from.take() {
                out.push((start + s, start + i));
            }
        } else if let Some(s) = from {
            let next = chars.peek().map(|&(_, n)| n);
            let boundary = c.is_uppercase()
                && prev.is_some_and(|p| {
                    p.is_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
                });
            if boundary {
                out.push((start + s, start + i));
                from = Some(i);
            }
        } else {
            from = Some(i);
        }
        prev = Some(c);
    }
    if let Some(s) = from {
        out.push((start + s, end));
    }
}

/// English stemming with a cache of the words seen (see the module comment).
#[derive(Debug, Clone, Copy, Default)]
pub struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerTokenizer<T> {
        CachedStemmerTokenizer {
            inner,
            stems: StemCache::default(),
        }
    }
}

/// A stemmer that remembers: word → stem.
#[derive(Clone)]
pub struct StemCache {
    stems: HashMap<String, String>,
    stemmer: TextAnalyzer,
}

impl Default for StemCache {
    fn default() -> Self {
        Self {
            stems: HashMap::new(),
            stemmer: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build(),
        }
    }
}

impl StemCache {
    /// Replaces `word` by its stem.
    pub fn stem_in_place(&mut self, word: &mut String) {
        if let Some(stem) = self.stems.get(word.as_str()) {
            word.clear();
            word.push_str(stem);
            return;
        }
        let stem = {
            let mut stream = self.stemmer.token_stream(word);
            if stream.advance() {
                stream.token().text.clone()
            } else {
                word.clone()
            }
        };
        if self.stems.len() >= STEM_CACHE_WORDS {
            self.stems.clear();
        }
        self.stems
            .insert(std::mem::replace(word, stem.clone()), stem);
    }
}

/// The tokenizer [`CachedStemmer`] wraps another one into.
#[derive(Clone)]
pub struct CachedStemmerTokenizer<T> {
    inner: T,
    stems: StemCache,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerTokenizer<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stems: &mut self.stems,
        }
    }
}

/// The token stream of [`CachedStemmerTokenizer`].
pub struct CachedStemmerStream<'a, T> {
    tail: T,
    stems: &'a mut StemCache,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        self.stems.stem_in_place(&mut self.tail.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut from = 0;
        while let Some((s, e)) = next_chunk(text, from) {
            out.push(&text[s..e]);
            from = e;
        }
        out
    }

    #[test]
    fn chunks_keep_connectors_only_between_word_characters() {
        assert_eq!(
            chunks("done. argocd.argoproj.io -flag __init__ é-b"),
            vec!["done", "argocd.argoproj.io", "flag", "init", "é-b"]
        );
    }

    #[test]
    fn stems_are_the_stemmers() {
        let mut cache = StemCache::default();
        for _ in 0..2 {
            let mut w = "running".to_owned();
            cache.stem_in_place(&mut w);
            assert_eq!(w, "run");
        }
    }
}
