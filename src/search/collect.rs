//! A collector that groups matching sections by page, keeping each page's best section.
//!
//! Totals and facet counts are about pages, not sections, so every match is visited (no
//! top-k pruning); the corpora are thousands of pages, which keeps this well under a
//! millisecond.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// The best section of one page, and how many of its sections matched.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageMatch {
    /// The page number (see the `page` field).
    pub page: u64,
    /// The best section's score.
    pub score: Score,
    /// The best section.
    pub address: DocAddress,
    /// The best section's place in its page.
    pub ord: u64,
    /// Matching sections.
    pub sections: u32,
    /// The best three section scores, best first (0 when fewer matched).
    pub top: [Score; 3],
}

impl PageMatch {
    /// True when `other` should be the page's representative instead: a higher score, or
    /// the same score earlier in the page (the introduction rather than a later section).
    fn is_beaten_by(&self, other: &PageMatch) -> bool {
        other.score > self.score || (other.score == self.score && other.ord < self.ord)
    }

    fn absorb(&mut self, other: PageMatch) {
        let sections = self.sections + other.sections;
        let mut top = self.top;
        for score in other.top {
            insert_top(&mut top, score);
        }
        if self.is_beaten_by(&other) {
            *self = other;
        }
        self.sections = sections;
        self.top = top;
    }

    /// The page's score: its best section, plus a little for other matching sections. A
    /// page that answers in several places is more likely about the query than one with a
    /// single lucky passage.
    pub fn page_score(&self, others_weight: Score) -> Score {
        self.top[0] + others_weight * (self.top[1] + self.top[2])
    }
}

fn insert_top(top: &mut [Score; 3], score: Score) {
    if let Some(i) = top.iter().position(|&t| score > t) {
        top[i..].rotate_right(1);
        top[i] = score;
    }
}

/// Groups by the `page` fast field.
#[derive(Debug, Clone, Copy)]
pub struct ByPage;

/// Per-segment state of [`ByPage`].
pub struct ByPageSegment {
    segment: SegmentOrdinal,
    page: Column<u64>,
    ord: Column<u64>,
    best: HashMap<u64, PageMatch>,
}

impl Collector for ByPage {
    type Fruit = HashMap<u64, PageMatch>;
    type Child = ByPageSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<ByPageSegment> {
        Ok(ByPageSegment {
            segment,
            page: reader.fast_fields().u64("page")?,
            ord: reader.fast_fields().u64("ord")?,
            best: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(
        &self,
        segments: Vec<HashMap<u64, PageMatch>>,
    ) -> tantivy::Result<HashMap<u64, PageMatch>> {
        let mut iter = segments.into_iter();
        let mut all = iter.next().unwrap_or_default();
        for segment in iter {
            for (page, m) in segment {
                all.entry(page).and_modify(|e| e.absorb(m)).or_insert(m);
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for ByPageSegment {
    type Fruit = HashMap<u64, PageMatch>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(page) = self.page.first(doc) else {
            return;
        };
        let m = PageMatch {
            page,
            score,
            address: DocAddress::new(self.segment, doc),
            ord: self.ord.first(doc).unwrap_or(u64::MAX),
            sections: 1,
            top: [score, 0.0, 0.0],
        };
        self.best
            .entry(page)
            .and_modify(|e| e.absorb(m))
            .or_insert(m);
    }

    fn harvest(self) -> HashMap<u64, PageMatch> {
        self.best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(score: f32, ord: u64) -> PageMatch {
        PageMatch {
            page: 1,
            score,
            address: DocAddress::new(0, 0),
            ord,
            sections: 1,
            top: [score, 0.0, 0.0],
        }
    }

    #[test]
    fn the_best_section_represents_the_page_and_ties_go_to_the_earlier_one() {
        let mut a = m(1.0, 3);
        a.absorb(m(2.0, 5));
        assert_eq!((a.score, a.ord, a.sections), (2.0, 5, 2));
        a.absorb(m(2.0, 1));
        assert_eq!((a.ord, a.sections), (1, 3));
        a.absorb(m(0.5, 0));
        assert_eq!((a.ord, a.sections), (1, 4));
        assert_eq!(a.top, [2.0, 2.0, 1.0]);
        assert_eq!(a.page_score(0.5), 3.5);
    }
}
