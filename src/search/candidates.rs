//! Candidate entries: a query's work bounded by the entries that can rank, not by the index.
//!
//! On a large index a pasted error or a query of common words matches most entries (97,000
//! of 114,500 pages at 100× the corpora), and tantivy's unions score every match, in
//! windows of 4,096 documents, even under a `Must` filter. So when the query's words are
//! expected to match more than a budget of entries, `query::plan` first collects the
//! entries that hold its rarer words (no scoring: cheap) and then builds the real query with
//! every leaf (term or phrase) intersected with that list: unions above the leaves then only
//! ever see candidates, and the work no longer grows with the index.
//!
//! Candidates are collected per segment and looked up by [`SegmentId`] when a leaf's scorer
//! is made, because `Weight::scorer` gets a segment reader and not its ordinal.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::query::{
    BooleanQuery, EmptyScorer, EnableScoring, Explanation, Occur, Query, Scorer, Weight,
};
use tantivy::{DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED};

/// The candidate entries of one query, per segment, sorted.
#[derive(Debug, Default)]
pub struct Candidates {
    by_segment: HashMap<SegmentId, Arc<[DocId]>>,
    count: usize,
}

impl Candidates {
    /// Number of candidate entries over all segments.
    pub fn len(&self) -> usize {
        self.count
    }

    /// `leaf` restricted to the candidates; its score is unchanged.
    pub fn restrict(self: &Arc<Self>, leaf: Box<dyn Query>) -> Box<dyn Query> {
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, leaf),
            (Occur::Must, Box::new(CandidateQuery(Arc::clone(self)))),
        ]))
    }
}

/// Collects the entries a query matches, unscored.
#[derive(Debug, Clone, Copy)]
pub struct Collect;

/// Per-segment state of [`Collect`].
pub struct CollectSegment {
    segment: SegmentId,
    docs: Vec<DocId>,
}

impl Collector for Collect {
    type Fruit = Candidates;
    type Child = CollectSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<CollectSegment> {
        Ok(CollectSegment {
            segment: reader.segment_id(),
            docs: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<(SegmentId, Vec<DocId>)>) -> tantivy::Result<Candidates> {
        let mut out = Candidates::default();
        for (segment, mut docs) in segments {
            if docs.is_empty() {
                continue;
            }
            // Collected in doc order already; sorting is a no-op guard for the seek below.
            docs.sort_unstable();
            docs.dedup();
            out.count += docs.len();
            out.by_segment.insert(segment, docs.into());
        }
        Ok(out)
    }
}

impl SegmentCollector for CollectSegment {
    type Fruit = (SegmentId, Vec<DocId>);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.docs.push(doc);
    }

    fn harvest(self) -> (SegmentId, Vec<DocId>) {
        (self.segment, self.docs)
    }
}

/// Matches exactly the candidates, scoring 0.
#[derive(Debug, Clone)]
struct CandidateQuery(Arc<Candidates>);

impl Query for CandidateQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(CandidateWeight(Arc::clone(&self.0))))
    }
}

struct CandidateWeight(Arc<Candidates>);

impl Weight for CandidateWeight {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.0.by_segment.get(&reader.segment_id()) {
            Some(docs) => Box::new(ListScorer {
                docs: Arc::clone(docs),
                at: 0,
            }),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let found = self
            .0
            .by_segment
            .get(&reader.segment_id())
            .is_some_and(|docs| docs.binary_search(&doc).is_ok());
        if found {
            Ok(Explanation::new("candidate", 0.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is not a candidate"
            )))
        }
    }
}

/// A sorted list of documents as a scorer.
struct ListScorer {
    docs: Arc<[DocId]>,
    at: usize,
}

impl DocSet for ListScorer {
    fn advance(&mut self) -> DocId {
        if self.at < self.docs.len() {
            self.at += 1;
        }
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        // Galloping: intersections seek a little ahead most of the time.
        let rest = &self.docs[self.at.min(self.docs.len())..];
        let mut bound = 1;
        while bound < rest.len() && rest[bound] < target {
            bound *= 2;
        }
        let window = &rest[..bound.min(rest.len())];
        self.at += window.partition_point(|&d| d < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        u32::try_from(self.docs.len().saturating_sub(self.at)).unwrap_or(u32::MAX)
    }

    fn cost(&self) -> u64 {
        self.docs.len().saturating_sub(self.at) as u64
    }
}

impl Scorer for ListScorer {
    fn score(&mut self) -> Score {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeking_lands_on_the_first_candidate_at_or_after_the_target() {
        let mut s = ListScorer {
            docs: vec![2, 5, 9, 40, 41, 100].into(),
            at: 0,
        };
        assert_eq!(s.doc(), 2);
        assert_eq!(s.seek(5), 5);
        assert_eq!(s.seek(6), 9);
        assert_eq!(s.advance(), 40);
        assert_eq!(s.seek(99), 100);
        assert_eq!(s.seek(101), TERMINATED);
        assert_eq!(s.advance(), TERMINATED);
    }
}
