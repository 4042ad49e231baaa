//! How the legs' scores become one ranking: every candidate is scored by both legs and the
//! normalised scores are mixed ([`Fusion`]); past searchers' clicks then lift pages.
//!
//! Candidates are the pages the words match plus the pages nearest in meaning. Reciprocal
//! rank fusion was measured worse (a page one leg misses gets nothing from it), so each
//! candidate gets a real score from each leg: the lexical score divided by the best one,
//! and the similarity of its best passage scaled between a floor and the best similarity.

use std::collections::HashMap;

use crate::model::DocId;

use super::semantic::SemanticLeg;

/// What besides the words ranks a search (see [`super::SearchIndex::search_with`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Ranking<'a> {
    /// The semantic leg; used when it is ready.
    pub semantic: Option<&'a SemanticLeg>,
    /// The query's vector when the caller already has it (the server embeds it off its
    /// async workers); otherwise the leg embeds the query.
    pub query_vector: Option<&'a [f32]>,
    /// Past searchers' choices for this query: page → share of its recent (decayed)
    /// clicks, 0–1. A page is lifted by up to [`Fusion::click_weight`]; a page the search
    /// does not find is never added.
    pub click_lift: Option<&'a HashMap<DocId, f32>>,
    /// The mix.
    pub fusion: Fusion,
}

/// The weights of the mix (tuned on the tune half of the user-written query set).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fusion {
    /// Share of the lexical score for a query in words; the semantic score gets the rest.
    pub lexical_weight: f32,
    /// Share of the lexical score for a query that names something exactly (one word, an
    /// identifier, a flag, a pasted error or log line; see [`names_something_exactly`]):
    /// meaning alone was worst at these, the words best.
    pub exact_lexical_weight: f32,
    /// Similarity counted as nothing: below it a passage is unrelated.
    pub similarity_floor: f32,
    /// Pages nearest in meaning added as candidates.
    pub semantic_candidates: usize,
    /// A page found only by meaning needs at least this similarity.
    pub semantic_only_min: f32,
    /// Lexical candidates scored by the semantic leg, best lexical first (the rest keep
    /// their lexical score only; they rank below anyway).
    pub lexical_rescored: usize,
    /// Most a page is lifted by clicks: score × (1 + weight × share).
    pub click_weight: f32,
}

impl Default for Fusion {
    fn default() -> Self {
        Self {
            lexical_weight: 0.4,
            exact_lexical_weight: 0.8,
            similarity_floor: 0.1,
            semantic_candidates: 30,
            semantic_only_min: 0.3,
            lexical_rescored: 200,
            click_weight: 0.5,
        }
    }
}

impl Fusion {
    /// The lexical share for `query`.
    pub fn lexical_weight_for(&self, query: &str) -> f32 {
        if names_something_exactly(query) {
            self.exact_lexical_weight
        } else {
            self.lexical_weight
        }
    }

    /// The mixed score of a candidate with the lexical share `weight` (see
    /// [`Self::lexical_weight_for`]): `lexical` is its score over the best lexical score
    /// (0 when the words do not match it), `similarity` its best passage's cosine
    /// similarity (`None` when not scored), `best_similarity` the best among candidates.
    pub fn mix(
        &self,
        weight: f32,
        lexical: f32,
        similarity: Option<f32>,
        best_similarity: f32,
    ) -> f32 {
        let semantic = similarity.map_or(0.0, |s| {
            let span = best_similarity - self.similarity_floor;
            if span <= f32::EPSILON {
                0.0
            } else {
                ((s - self.similarity_floor) / span).clamp(0.0, 1.0)
            }
        });
        let weight = weight.clamp(0.0, 1.0);
        weight * lexical.clamp(0.0, 1.0) + (1.0 - weight) * semantic
    }

    /// `score` lifted by a click share.
    pub fn lift(&self, score: f32, share: Option<f32>) -> f32 {
        score * (1.0 + self.click_weight * share.unwrap_or(0.0).clamp(0.0, 1.0))
    }
}

/// True when `query` names something rather than describing it: a single word, a word
/// with inner capitals (`CrashLoopBackOff`), underscores, digits or punctuation inside
/// (`pg_stat_activity`, `x509:`, `--prune`, `v2.8`), a quoted string, or a long pasted line.
pub fn names_something_exactly(query: &str) -> bool {
    let words: Vec<&str> = query.split_whitespace().collect();
    if words.len() <= 1 || words.len() > 12 || query.contains('"') {
        return true;
    }
    words.iter().any(|w| {
        let inner = w.trim_matches(|c: char| matches!(c, ',' | '.' | '?' | '!' | '(' | ')'));
        let mut chars = inner.chars();
        let first = chars.next();
        let rest: Vec<char> = chars.collect();
        inner.starts_with('-')
            || rest.iter().any(|c| c.is_uppercase())
            || first.is_some_and(|c| c.is_uppercase()) && rest.iter().any(|c| c.is_uppercase())
            || inner
                .chars()
                .any(|c| matches!(c, '_' | ':' | '/' | '=' | '.' | '@' | '<' | '>'))
            || inner.chars().any(|c| c.is_ascii_digit()) && inner.chars().any(char::is_alphabetic)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn both_legs_count_and_a_page_found_by_one_leg_still_scores() {
        let f = Fusion::default();
        let both = f.mix(0.5, 1.0, Some(0.8), 0.8);
        let words_only = f.mix(0.5, 1.0, None, 0.8);
        let meaning_only = f.mix(0.5, 0.0, Some(0.8), 0.8);
        assert!(both > words_only && both > meaning_only);
        assert!(meaning_only > 0.0 && words_only > 0.0);
        assert_eq!(
            f.mix(0.5, 0.5, Some(0.05), 0.8),
            0.25,
            "below the floor adds nothing"
        );
    }

    #[test]
    fn names_are_told_from_descriptions() {
        for exact in [
            "pgbouncer",
            "CrashLoopBackOff pods",
            "pg_stat_activity query",
            "argocd app sync --prune",
            "x509: certificate signed by unknown authority",
            "upgrade to v2.8",
            "error \"permission denied\" on push",
            "a b c d e f g h i j k l m",
        ] {
            assert!(names_something_exactly(exact), "{exact}");
        }
        for words in [
            "disk has free space but cannot create new files",
            "How do I roll back a deployment?",
            "Grafana graph is empty",
        ] {
            assert!(!names_something_exactly(words), "{words}");
        }
    }

    #[test]
    fn clicks_lift_by_at_most_the_weight() {
        let f = Fusion::default();
        assert_eq!(f.lift(2.0, None), 2.0);
        assert_eq!(f.lift(2.0, Some(1.0)), 3.0);
        assert_eq!(f.lift(2.0, Some(7.0)), 3.0);
    }

    proptest! {
        #[test]
        fn the_mix_stays_between_zero_and_one(w in -1.0f32..2.0, l in -2.0f32..3.0, s in -1.0f32..1.0, best in -1.0f32..1.0) {
            let m = Fusion::default().mix(w, l, Some(s), best);
            prop_assert!((0.0..=1.0).contains(&m), "{m}");
        }
    }
}
