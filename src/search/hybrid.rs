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
    /// Share of the lexical score; the semantic score gets the rest.
    pub lexical_weight: f32,
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
            lexical_weight: 0.5,
            similarity_floor: 0.1,
            semantic_candidates: 30,
            semantic_only_min: 0.3,
            lexical_rescored: 200,
            click_weight: 0.5,
        }
    }
}

impl Fusion {
    /// The mixed score of a candidate: `lexical` is its score over the best lexical score
    /// (0 when the words do not match it), `similarity` its best passage's cosine
    /// similarity (`None` when not scored), `best_similarity` the best among candidates.
    pub fn mix(&self, lexical: f32, similarity: Option<f32>, best_similarity: f32) -> f32 {
        let semantic = similarity.map_or(0.0, |s| {
            let span = best_similarity - self.similarity_floor;
            if span <= f32::EPSILON {
                0.0
            } else {
                ((s - self.similarity_floor) / span).clamp(0.0, 1.0)
            }
        });
        self.lexical_weight * lexical.clamp(0.0, 1.0) + (1.0 - self.lexical_weight) * semantic
    }

    /// `score` lifted by a click share.
    pub fn lift(&self, score: f32, share: Option<f32>) -> f32 {
        score * (1.0 + self.click_weight * share.unwrap_or(0.0).clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn both_legs_count_and_a_page_found_by_one_leg_still_scores() {
        let f = Fusion::default();
        let both = f.mix(1.0, Some(0.8), 0.8);
        let words_only = f.mix(1.0, None, 0.8);
        let meaning_only = f.mix(0.0, Some(0.8), 0.8);
        assert!(both > words_only && both > meaning_only);
        assert!(meaning_only > 0.0 && words_only > 0.0);
        assert_eq!(f.mix(0.5, Some(0.05), 0.8), 0.25, "below the floor adds nothing");
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
        fn the_mix_stays_between_zero_and_one(l in -2.0f32..3.0, s in -1.0f32..1.0, best in -1.0f32..1.0) {
            let m = Fusion::default().mix(l, Some(s), best);
            prop_assert!((0.0..=1.0).contains(&m), "{m}");
        }
    }
}
