//! A collector that groups matching sections by page, keeping each page's best section.
//!
//! A page's entries are added together, so they are neighbours in a segment: the collector
//! folds each run of one page into one [`PageMatch`] and pushes it to a list, without a hash
//! lookup per match (that lookup was a fifth of a large query's time). Runs of one page in
//! two segments (or split by an index merge) are folded when the lists are merged.
//!
//! Totals and facet counts are about pages, not sections, so every match is visited;
//! `candidates.rs` bounds how many matches a query may have on a large index.

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
    /// The page being folded.
    current: Option<PageMatch>,
    done: Vec<PageMatch>,
    /// False once a page number was not above the previous one: runs may then repeat.
    increasing: bool,
}

impl ByPageSegment {
    fn flush(&mut self) {
        if let Some(m) = self.current.take() {
            if self.done.last().is_some_and(|last| last.page >= m.page) {
                self.increasing = false;
            }
            self.done.push(m);
        }
    }
}

/// The pages of one segment, and whether each page appears once.
pub struct SegmentPages {
    pages: Vec<PageMatch>,
    unique: bool,
}

impl Collector for ByPage {
    type Fruit = Vec<PageMatch>;
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
            current: None,
            done: Vec::new(),
            increasing: true,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, segments: Vec<SegmentPages>) -> tantivy::Result<Vec<PageMatch>> {
        let unique = segments.len() <= 1 && segments.iter().all(|s| s.unique);
        let mut all: Vec<PageMatch> = segments.into_iter().flat_map(|s| s.pages).collect();
        if unique {
            return Ok(all);
        }
        all.sort_unstable_by_key(|m| m.page);
        let mut merged: Vec<PageMatch> = Vec::with_capacity(all.len());
        for m in all {
            match merged.last_mut() {
                Some(last) if last.page == m.page => last.absorb(m),
                _ => merged.push(m),
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for ByPageSegment {
    type Fruit = SegmentPages;

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
        match &mut self.current {
            Some(current) if current.page == page => current.absorb(m),
            _ => {
                self.flush();
                self.current = Some(m);
            }
        }
    }

    fn harvest(mut self) -> SegmentPages {
        self.flush();
        SegmentPages {
            pages: self.done,
            unique: self.increasing,
        }
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
