//! Passage vectors kept as 8-bit integers, and finding the passages nearest a query.
//!
//! A vector is stored as 384 signed bytes and one scale (its largest magnitude / 127): a
//! quarter of fp32's memory, with no loss in ranking that we could measure (the issue's
//! experiment saw none either). Up to [`EXACT_LIMIT`] passages every passage is compared
//! with the query; above it, each page's centroid is compared first and only the passages
//! of the [`CENTROID_SHORTLIST`] best pages (an approximate nearest-neighbour search, ~1/40
//! of the work at 100× the corpus).

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::DocId;

use super::model::DIMS;

/// A content hash: which passage text (and model) a vector belongs to.
pub type PassageHash = [u8; 32];

/// Passages compared exhaustively; beyond this the centroid shortlist is used.
pub const EXACT_LIMIT: usize = 60_000;
/// Pages whose passages are compared after the centroid pass.
pub const CENTROID_SHORTLIST: usize = 600;

/// One passage's vector, quantised.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantized {
    /// Multiply a value by this to get the original number back.
    pub scale: f32,
    /// The values, `DIMS` of them.
    pub values: Box<[i8]>,
}

impl Quantized {
    /// Quantises a vector of `DIMS` numbers.
    pub fn from_f32(v: &[f32]) -> Self {
        let max = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        let values = v
            .iter()
            .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8)
            .collect();
        Self { scale, values }
    }

    /// The dot product with an unquantised vector.
    pub fn dot(&self, query: &[f32]) -> f32 {
        dot_i8(&self.values, query) * self.scale
    }
}

fn dot_i8(values: &[i8], query: &[f32]) -> f32 {
    // Four accumulators let the compiler vectorise the loop.
    let mut acc = [0.0f32; 4];
    for (v, q) in values.chunks_exact(4).zip(query.chunks_exact(4)) {
        for i in 0..4 {
            acc[i] += f32::from(v[i]) * q[i];
        }
    }
    acc.iter().sum()
}

/// The vectors of one page's passages, in one flat block.
#[derive(Debug, Clone)]
pub struct PageVectors {
    /// The passages' index entry numbers (`ord`), so a hit can show the passage.
    pub ords: Vec<u32>,
    /// The passages' content hashes (to reuse a vector when a page changes).
    pub hashes: Vec<PassageHash>,
    scales: Vec<f32>,
    values: Vec<i8>,
    /// The normalised mean of the passages, for the centroid pass.
    centroid: Vec<f32>,
}

impl PageVectors {
    /// A page's vectors from its passages `(ord, hash, vector)`.
    pub fn new(passages: Vec<(u32, PassageHash, Quantized)>) -> Self {
        let mut page = Self {
            ords: Vec::with_capacity(passages.len()),
            hashes: Vec::with_capacity(passages.len()),
            scales: Vec::with_capacity(passages.len()),
            values: Vec::with_capacity(passages.len() * DIMS),
            centroid: vec![0.0; DIMS],
        };
        for (ord, hash, vector) in passages {
            for (c, v) in page.centroid.iter_mut().zip(vector.values.iter()) {
                *c += f32::from(*v) * vector.scale;
            }
            page.ords.push(ord);
            page.hashes.push(hash);
            page.scales.push(vector.scale);
            page.values.extend_from_slice(&vector.values);
        }
        super::model::normalise(&mut page.centroid);
        page
    }

    /// Number of passages.
    pub fn len(&self) -> usize {
        self.ords.len()
    }

    /// True when the page has no passage.
    pub fn is_empty(&self) -> bool {
        self.ords.is_empty()
    }

    /// The passage `i`'s vector.
    pub fn vector(&self, i: usize) -> Option<Quantized> {
        let values = self.values.get(i * DIMS..(i + 1) * DIMS)?;
        Some(Quantized {
            scale: *self.scales.get(i)?,
            values: values.into(),
        })
    }

    /// The best passage for `query`: its similarity and entry number.
    pub fn best(&self, query: &[f32]) -> Option<(f32, u32)> {
        let mut best: Option<(f32, u32)> = None;
        for (i, block) in self.values.chunks_exact(DIMS).enumerate() {
            let score = dot_i8(block, query) * self.scales[i];
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, self.ords[i]));
            }
        }
        best
    }
}

/// Every page's vectors: one immutable value, replaced whole when pages change (pages are
/// shared between versions, so a live edit copies pointers, not vectors).
#[derive(Debug, Clone, Default)]
pub struct VectorSet {
    pages: HashMap<DocId, Arc<PageVectors>>,
    passages: usize,
    /// Above [`EXACT_LIMIT`]: every page's centroid, quantised, in one block scanned in
    /// order (at 100x the corpus, f32 centroids behind each page's pointer cost 150 ms a
    /// query in memory traffic alone).
    centroids: Centroids,
}

#[derive(Debug, Clone, Default)]
struct Centroids {
    ids: Vec<DocId>,
    scales: Vec<f32>,
    values: Vec<i8>,
}

/// A page near the query: its id, similarity of its best passage, and that passage's entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Near {
    /// The page.
    pub id: DocId,
    /// Cosine similarity of its best passage.
    pub similarity: f32,
    /// The best passage's entry number.
    pub ord: u32,
}

impl VectorSet {
    /// A set of the given pages.
    pub fn from_pages(pages: HashMap<DocId, Arc<PageVectors>>) -> Self {
        let passages = pages.values().map(|p| p.len()).sum();
        let mut centroids = Centroids::default();
        if passages > EXACT_LIMIT {
            centroids.values.reserve(pages.len() * DIMS);
            for (id, page) in &pages {
                let q = Quantized::from_f32(&page.centroid);
                centroids.ids.push(id.clone());
                centroids.scales.push(q.scale);
                centroids.values.extend_from_slice(&q.values);
            }
        }
        Self {
            pages,
            passages,
            centroids,
        }
    }

    /// The vectors of page `id`.
    pub fn page(&self, id: &DocId) -> Option<&Arc<PageVectors>> {
        self.pages.get(id)
    }

    /// Every page's vectors.
    pub fn pages(&self) -> &HashMap<DocId, Arc<PageVectors>> {
        &self.pages
    }

    /// Passages held.
    pub fn passage_count(&self) -> usize {
        self.passages
    }

    /// The `k` pages whose best passage is nearest `query`, best first.
    pub fn nearest(&self, query: &[f32], k: usize) -> Vec<Near> {
        if k == 0 {
            return Vec::new();
        }
        let mut found: Vec<Near> = if self.passages <= EXACT_LIMIT {
            self.pages
                .iter()
                .filter_map(|(id, page)| near(id, page, query))
                .collect()
        } else {
            let c = &self.centroids;
            let mut by_centroid: Vec<(f32, usize)> = c
                .values
                .chunks_exact(DIMS)
                .zip(&c.scales)
                .map(|(block, scale)| dot_i8(block, query) * scale)
                .enumerate()
                .map(|(i, score)| (score, i))
                .collect();
            let shortlist = CENTROID_SHORTLIST.max(k).min(by_centroid.len());
            if shortlist > 0 && shortlist < by_centroid.len() {
                by_centroid.select_nth_unstable_by(shortlist - 1, |a, b| b.0.total_cmp(&a.0));
                by_centroid.truncate(shortlist);
            }
            by_centroid
                .into_iter()
                .filter_map(|(_, i)| {
                    let id = c.ids.get(i)?;
                    near(id, self.pages.get(id)?, query)
                })
                .collect()
        };
        let order = |a: &Near, b: &Near| {
            b.similarity
                .total_cmp(&a.similarity)
                .then_with(|| a.id.cmp(&b.id))
        };
        if found.len() > k {
            found.select_nth_unstable_by(k - 1, order);
            found.truncate(k);
        }
        found.sort_unstable_by(order);
        found
    }
}

fn near(id: &DocId, page: &PageVectors, query: &[f32]) -> Option<Near> {
    page.best(query).map(|(similarity, ord)| Near {
        id: id.clone(),
        similarity,
        ord,
    })
}

#[cfg(test)]
fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn unit(seed: u32) -> Vec<f32> {
        let mut v: Vec<f32> = (0..DIMS)
            .map(|i| {
                let mixed = (i as u32).wrapping_mul(2_654_435_761) ^ seed.wrapping_mul(40_503);
                (mixed % 1000) as f32 - 500.0
            })
            .collect();
        super::super::model::normalise(&mut v);
        v
    }

    fn id(s: &str) -> DocId {
        DocId::parse(s).expect("id")
    }

    proptest! {
        #[test]
        fn quantised_dot_is_close_to_the_exact_one(a in prop::collection::vec(-1.0f32..1.0, DIMS), b in prop::collection::vec(-1.0f32..1.0, DIMS)) {
            let mut a = a;
            let mut b = b;
            super::super::model::normalise(&mut a);
            super::super::model::normalise(&mut b);
            let exact = dot_f32(&a, &b);
            let quantised = Quantized::from_f32(&a).dot(&b);
            prop_assert!((exact - quantised).abs() < 0.02, "{exact} vs {quantised}");
        }
    }

    #[test]
    fn nearest_finds_the_page_holding_the_closest_passage() {
        let mut pages = HashMap::new();
        for (n, name) in ["a", "b", "c"].iter().enumerate() {
            let passages = (0..3)
                .map(|p| {
                    let seed = (n * 10 + p) as u32;
                    (p as u32, [seed as u8; 32], Quantized::from_f32(&unit(seed)))
                })
                .collect();
            pages.insert(id(name), Arc::new(PageVectors::new(passages)));
        }
        let set = VectorSet::from_pages(pages);
        assert_eq!(set.passage_count(), 9);
        let query = unit(21); // page "c", passage 1
        let near = set.nearest(&query, 2);
        assert_eq!(near.len(), 2);
        assert_eq!(near[0].id, id("c"));
        assert_eq!(near[0].ord, 1);
        assert!(near[0].similarity > 0.98);
        assert!(set.nearest(&query, 0).is_empty());
    }

    #[test]
    fn above_the_exact_limit_the_centroid_shortlist_finds_the_page() {
        let mut pages = HashMap::new();
        for n in 0..=(EXACT_LIMIT as u32) {
            let passage = (0, [0u8; 32], Quantized::from_f32(&unit(n)));
            pages.insert(
                id(&format!("p{n}")),
                Arc::new(PageVectors::new(vec![passage])),
            );
        }
        let set = VectorSet::from_pages(pages);
        assert!(set.passage_count() > EXACT_LIMIT);
        assert_eq!(set.centroids.ids.len(), set.pages().len());
        let near = set.nearest(&unit(4_242), 3);
        assert_eq!(near.first().map(|n| n.id.clone()), Some(id("p4242")));
    }
}
