//! From scored pages to results: fusing the lexical and semantic legs, hits with snippets, and facets.

use super::*;

/// Scores every candidate with both legs and mixes the scores (see [`Fusion`]): the best
/// lexical candidates get their best passage's similarity, and pages near in meaning that
/// the words missed join as candidates.
pub(super) fn fuse<'a>(
    candidates: &mut Vec<Candidate<'a>>,
    pages: &'a Pages,
    vectors: &VectorSet,
    query: &[f32],
    fusion: &Fusion,
    weight: f32,
) {
    let best_lexical = candidates.iter().map(|c| c.score).fold(0.0, f32::max);
    if fusion.lexical_rescored > 0 && candidates.len() > fusion.lexical_rescored {
        candidates.select_nth_unstable_by(fusion.lexical_rescored - 1, |a, b| {
            b.score.total_cmp(&a.score)
        });
    }
    // Similarity and best passage of each candidate that gets one.
    let mut similarity: Vec<Option<(f32, u32)>> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (i < fusion.lexical_rescored)
                .then(|| vectors.page(&c.meta.doc.id).and_then(|p| p.best(query)))
                .flatten()
        })
        .collect();
    let present: HashSet<&DocId> = candidates.iter().map(|c| &c.meta.doc.id).collect();
    let mut added: Vec<Candidate<'a>> = Vec::new();
    for near in vectors.nearest(query, fusion.semantic_candidates) {
        if near.similarity < fusion.semantic_only_min || present.contains(&near.id) {
            continue;
        }
        let Some(meta) = pages.by_id.get(&near.id).and_then(|&n| pages.get(n)) else {
            continue;
        };
        added.push(Candidate {
            score: 0.0,
            ord: u64::from(near.ord),
            meta,
        });
        similarity.push(Some((near.similarity, near.ord)));
    }
    drop(present);
    candidates.extend(added);
    let best_similarity = similarity
        .iter()
        .flatten()
        .map(|(s, _)| *s)
        .fold(f32::MIN, f32::max);
    for (c, sim) in candidates.iter_mut().zip(similarity) {
        let lexical = if best_lexical > 0.0 {
            c.score / best_lexical
        } else {
            0.0
        };
        // A page the words did not match lands on its nearest passage.
        if c.score <= 0.0
            && let Some((_, ord)) = sim
        {
            c.ord = u64::from(ord);
        }
        c.score = fusion.mix(weight, lexical, sim.map(|(s, _)| s), best_similarity);
    }
}

/// A hit landing on entry `ord` of its page, with the snippet.
pub(super) fn hit(ord: u64, score: Score, meta: &PageMeta, highlight: &HashSet<String>) -> Hit {
    let place = usize::try_from(ord)
        .ok()
        .and_then(|ord| meta.places.get(ord));
    let doc = &meta.doc;
    let (heading, url, text) = match place {
        Some(place) => place.resolve(doc),
        None => ("", String::new(), std::borrow::Cow::Borrowed("")),
    };
    let mut snippet_parts = snippet::snippet(&text, highlight);
    if snippet_parts.is_empty() {
        snippet_parts = snippet::snippet(&meta.summary, highlight);
    }
    Hit {
        id: doc.id.to_string(),
        title: doc.title.clone(),
        kind: doc.kind,
        url,
        summary: meta.summary.clone(),
        snippet: snippet::to_html(&snippet_parts),
        snippet_parts,
        score,
        section: (!heading.is_empty()).then(|| heading.to_owned()),
        breadcrumb: schema::breadcrumb(doc),
    }
}

pub(super) fn facets(kinds: BTreeMap<Kind, usize>, counts: &[usize], names: &[String]) -> Facets {
    let mut tags: Vec<TagCount> = counts
        .iter()
        .zip(names)
        .filter(|(count, _)| **count > 0)
        .map(|(&count, tag)| TagCount {
            tag: tag.clone(),
            count,
        })
        .collect();
    tags.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.tag.cmp(&b.tag)));
    tags.truncate(MAX_TAG_FACETS);
    Facets {
        kinds: kinds
            .into_iter()
            .map(|(kind, count)| KindCount { kind, count })
            .collect(),
        tags,
    }
}
