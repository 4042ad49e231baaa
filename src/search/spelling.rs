//! Typo tolerance: known words close to an unknown one (from the unstemmed `spell` field),
//! and the "did you mean" rewrite of the query.

use std::collections::HashMap;

use tantivy::query::FuzzyTermQuery;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

/// Typo candidates per word.
const FUZZY_CANDIDATES: usize = 3;

/// Known words within one edit (two for long words) of `word`, most frequent first, with
/// the weight they get in the query. Only words clearly more common than `word` itself,
/// or, for a word the index does not know, words of a page's title, tags, aliases or
/// symptoms (`names`, one entry per page): a page's own name is worth suggesting even when
/// the page is the only one using it.
pub(super) fn close_words(
    searcher: &Searcher,
    field: Field,
    names: Field,
    word: &str,
    known: u64,
) -> Vec<(String, f32)> {
    let len = word.chars().count();
    let distance: u8 = if len >= 8 { 2 } else { 1 };
    let Ok(automaton) =
        FuzzyTermQuery::new(Term::from_field_text(field, word), distance, true).automaton()
    else {
        return Vec::new();
    };
    let found = matching_terms(searcher, field, &automaton, word);
    let named = if known == 0 {
        matching_terms(searcher, names, &automaton, word)
    } else {
        HashMap::new()
    };
    let mut ranked: Vec<(String, u64, usize)> = found
        .into_iter()
        .filter(|(term, df)| *df > known.saturating_mul(5).max(1) || named.contains_key(term))
        .map(|(term, df)| {
            // Optimal string alignment on characters: a swapped pair of letters costs one.
            let d = strsim::osa_distance(word, &term);
            (term, df, d)
        })
        .collect();
    ranked.sort_by(|a, b| a.2.cmp(&b.2).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
    ranked
        .into_iter()
        .take(FUZZY_CANDIDATES)
        .map(|(term, _, d)| (term, if d <= 1 { 0.8 } else { 0.5 }))
        .collect()
}

/// Terms of `field` accepted by `automaton` (other than `word`), with their frequencies.
fn matching_terms(
    searcher: &Searcher,
    field: Field,
    automaton: &tantivy::query::DfaWrapper,
    word: &str,
) -> HashMap<String, u64> {
    let mut found: HashMap<String, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        let Ok(inverted) = segment.inverted_index(field) else {
            continue;
        };
        let Ok(mut stream) = inverted.terms().search(automaton).into_stream() else {
            continue;
        };
        while stream.advance() {
            if let Ok(term) = std::str::from_utf8(stream.key())
                && term != word
            {
                *found.entry(term.to_owned()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
    }
    found
}

/// The cleaned query with each corrected word replaced, or `None` when nothing changed.
pub(super) fn suggestion(cleaned: &str, corrections: &[(usize, usize, String)]) -> Option<String> {
    if corrections.is_empty() {
        return None;
    }
    let mut out = String::new();
    let mut at = 0;
    for (offset, len, replacement) in corrections {
        out.push_str(cleaned.get(at..*offset)?);
        out.push_str(replacement);
        at = offset + len;
    }
    out.push_str(cleaned.get(at..)?);
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (out != cleaned.trim()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_distance_counts_transpositions_once() {
        // Pins the semantics ranking relies on (strsim's optimal string alignment).
        assert_eq!(strsim::osa_distance("kubernetes", "kubernetes"), 0);
        assert_eq!(strsim::osa_distance("kuberentes", "kubernetes"), 1);
        assert_eq!(strsim::osa_distance("sidekq", "sidekiq"), 1);
        assert_eq!(strsim::osa_distance("", "abc"), 3);
    }

    #[test]
    fn suggestions_replace_only_the_corrected_words() {
        let s = suggestion("argo  snyc failed", &[(6, 4, "sync".into())]);
        assert_eq!(s.as_deref(), Some("argo sync failed"));
        assert_eq!(suggestion("x", &[]), None);
    }
}
