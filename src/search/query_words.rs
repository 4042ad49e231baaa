//! The query of each word: its alternatives per field, the candidate restriction for large indexes, words run together or written as one.

use super::*;

/// Sets `ctx.candidates` when the words would match more entries than
/// [`CANDIDATE_BUDGET`]: the entries holding any of the rarest words (whose frequencies fit
/// the budget together), or, when even the rarest word is too common, the entries holding
/// the rarest words all together. Returns true when the query is restricted.
pub(super) fn restrict(word_alts: &[&[(Alt, f32)]], ctx: &mut Ctx<'_>) -> bool {
    let mut dfs: Vec<(u64, usize)> = word_alts
        .iter()
        .enumerate()
        .map(|(i, alts)| (ctx.word_df(alts), i))
        .collect();
    let total: u64 = dfs.iter().map(|(df, _)| df).sum();
    if total <= CANDIDATE_BUDGET || dfs.len() < 2 {
        return false;
    }
    dfs.sort_unstable();
    let (filter, conjunction): (Box<dyn Query>, bool) = if dfs[0].0 <= CANDIDATE_BUDGET {
        let mut sum = 0;
        let rare: Vec<Box<dyn Query>> = dfs
            .iter()
            .take_while(|(df, _)| {
                sum += df;
                sum <= CANDIDATE_BUDGET
            })
            .map(|&(_, i)| word_query(word_alts[i], ctx))
            .collect();
        (Box::new(BooleanQuery::union(rare)), false)
    } else {
        // Words are independent enough that the share of entries holding all of them is
        // about the product of their shares.
        let docs = f64::from(ctx.docs);
        let mut expected = docs;
        let mut all: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for &(df, i) in &dfs {
            if all.len() >= 2 && expected <= CANDIDATE_BUDGET as f64 {
                break;
            }
            expected *= (df as f64 / docs).min(1.0);
            all.push((Occur::Must, word_query(word_alts[i], ctx)));
        }
        (Box::new(BooleanQuery::new(all)), true)
    };
    let Ok(found) = ctx.searcher.search(filter.as_ref(), &candidates::Collect) else {
        return false;
    };
    if conjunction && found.len() < MIN_CONJUNCTION_CANDIDATES {
        return false;
    }
    ctx.candidates = Some(Arc::new(found));
    true
}

/// The query of one word: BM25 over the body plus a bonus per short field it appears in.
pub(super) fn word_query(alts: &[(Alt, f32)], ctx: &mut Ctx<'_>) -> Box<dyn Query> {
    let mut clauses: Vec<Box<dyn Query>> = Vec::new();
    let body: Vec<Box<dyn Query>> = alts
        .iter()
        .filter_map(|(alt, weight)| {
            alt_query(alt, ctx.fields.body, ctx)
                .map(|q| Box::new(BoostQuery::new(q, *weight)) as Box<dyn Query>)
        })
        .collect();
    if !body.is_empty() {
        clauses.push(Box::new(BoostQuery::new(
            Box::new(DisjunctionMaxQuery::new(body)),
            BODY_BOOST,
        )));
    }
    // Title and path mostly say the same thing (titles often come from file names), so
    // only the better of the two counts.
    let mut groups: Vec<Vec<Box<dyn Query>>> = Vec::new();
    let mut title_or_path: Vec<Box<dyn Query>> = Vec::new();
    for (name, boost) in SHORT_FIELDS {
        let field = name.field(ctx.fields);
        let mut field_alts: Vec<Box<dyn Query>> = Vec::new();
        for (alt, weight) in alts {
            // Loose parts only count in the body: in a title, "do" or "file" from
            // `DO_NOT_MOVE_THIS_FILE` would outweigh the page that names it.
            if matches!(alt, Alt::Parts(_)) {
                continue;
            }
            let idf = ctx.alt_idf(alt);
            if let Some(q) = alt_query(alt, field, ctx) {
                field_alts.push(Box::new(ConstScoreQuery::new(q, boost * weight * idf)));
            }
        }
        match name {
            FieldName::Title | FieldName::Path => title_or_path.extend(field_alts),
            _ => groups.push(field_alts),
        }
    }
    groups.push(title_or_path);
    for group in groups.into_iter().filter(|g| !g.is_empty()) {
        clauses.push(Box::new(DisjunctionMaxQuery::new(group)));
    }
    Box::new(BooleanQuery::union(clauses))
}

pub(super) fn alt_query(alt: &Alt, field: Field, ctx: &Ctx<'_>) -> Option<Box<dyn Query>> {
    let term = |t: &str| Term::from_field_text(field, t);
    let term_query = |t: &str| {
        ctx.leaf(Box::new(TermQuery::new(
            term(t),
            IndexRecordOption::WithFreqs,
        )))
    };
    match alt {
        Alt::Term(t) => Some(term_query(t)),
        Alt::Phrase(parts) if parts.len() > 1 => Some(ctx.leaf(Box::new(PhraseQuery::new(
            parts.iter().map(|p| term(p)).collect(),
        )))),
        Alt::Phrase(parts) | Alt::Parts(parts) => {
            let clauses: Vec<Box<dyn Query>> = parts.iter().map(|p| term_query(p)).collect();
            (!clauses.is_empty()).then(|| Box::new(BooleanQuery::union(clauses)) as Box<dyn Query>)
        }
    }
}

/// The parts of a plain word the index does not know (or hardly knows) whole but knows as
/// several words written together (`crashloop` → `crash loop`), normalised; see `segment.rs`.
pub(super) fn run_together(
    spelling: &str,
    parts: &[String],
    ctx: &mut Ctx<'_>,
) -> Option<Vec<String>> {
    let chars = spelling.chars().count();
    if chars < segment::MIN_CHARS {
        return None;
    }
    let term = parts.first()?;
    if chars < SEGMENT_LONG_CHARS && ctx.df(ctx.fields.body, term) > SEGMENT_DF {
        return None;
    }
    let (searcher, spell) = (ctx.searcher, ctx.fields.spell);
    let f = ctx.fields;
    // Known words can be found in a typo too ("promethues" → "pro met hues"): a split counts
    // only when its words stand together somewhere. The fewest words first; then the most,
    // for an identifier whose tail is itself a known compound (`sidekiq queuetoolarge`).
    let fewest = segment::segment(spelling, |w| doc_freq(searcher, spell, w));
    let finest = || segment::segment_finest(spelling, |w| doc_freq(searcher, spell, w));
    let occurs = |split: &[String]| -> Option<Vec<String>> {
        let parts: Vec<String> = split.iter().map(|p| normalize(p)).collect::<Option<_>>()?;
        [f.body, f.title, f.heading, f.aliases]
            .into_iter()
            .any(|field| phrase_occurs(searcher, field, &parts))
            .then_some(parts)
    };
    let first = fewest?;
    occurs(&first).or_else(|| finest().filter(|s| *s != first).and_then(|s| occurs(&s)))
}

/// True when `parts` occur as a phrase in `field` of some entry; stops at the first.
pub(super) fn phrase_occurs(searcher: &Searcher, field: Field, parts: &[String]) -> bool {
    let query = PhraseQuery::new(
        parts
            .iter()
            .map(|p| Term::from_field_text(field, p))
            .collect(),
    );
    let Ok(weight) = query.weight(EnableScoring::disabled_from_searcher(searcher)) else {
        return false;
    };
    searcher.segment_readers().iter().any(|segment| {
        weight.scorer(segment, 1.0).is_ok_and(|mut scorer| {
            let alive = segment.alive_bitset();
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|bits| bits.is_alive(doc)) {
                    return true;
                }
                doc = scorer.advance();
            }
            false
        })
    })
}

/// Two adjacent plain words written as one in the index ("argo cd" → `argocd`), as extra
/// words. Only pairs whose joined form is a known term.
pub(super) fn joined_words(content_words: &[&Word], ctx: &mut Ctx<'_>) -> Vec<Vec<(Alt, f32)>> {
    let mut out = Vec::new();
    for pair in content_words.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if a.whole.is_some() || b.whole.is_some() || b.position != a.position + 1 {
            continue;
        }
        let Some(joined) = normalize(&format!("{}{}", a.text, b.text)) else {
            continue;
        };
        if ctx.df(ctx.fields.body, &joined) == 0 {
            continue;
        }
        out.push(vec![(Alt::Term(joined), 1.0)]);
    }
    out
}
