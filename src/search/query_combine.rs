//! How the word queries combine: the coordination bonus (`CoordQuery`), phrase bonuses for adjacent words and the landing-page bonus.

use super::*;

/// All words (any may match), plus a bonus for matching most of them, plus phrase bonuses
/// for adjacent words.
pub(super) fn combine(
    word_queries: Vec<Box<dyn Query>>,
    joined: Vec<Box<dyn Query>>,
    content_words: &[&Word],
    ctx: &mut Ctx<'_>,
) -> Option<Box<dyn Query>> {
    if word_queries.is_empty() {
        return None;
    }
    let n = word_queries.len();
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let required = if !(2..=MAX_COORD_WORDS).contains(&n) {
        u32::MAX
    } else if n <= 3 {
        n as u32
    } else {
        (n as u32 * 3).div_ceil(4)
    };
    clauses.push((
        Occur::Should,
        Box::new(CoordQuery {
            words: word_queries,
            required,
        }),
    ));
    clauses.extend(joined.into_iter().map(|q| (Occur::Should, q)));

    for pair in content_words.windows(2).take(MAX_PHRASE_PAIRS) {
        let (a, b) = (pair[0], pair[1]);
        let (Some(ta), Some(tb)) = (a.head_term(), b.head_term()) else {
            continue;
        };
        let gap = b.position.saturating_sub(a.position).max(a.width());
        let idf = (ctx.idf(ta) + ctx.idf(tb)) / 2.0;
        let ctx = &*ctx;
        let phrase = |field: Field| {
            ctx.leaf(Box::new(PhraseQuery::new_with_offset_and_slop(
                vec![
                    (0, Term::from_field_text(field, ta)),
                    (gap, Term::from_field_text(field, tb)),
                ],
                1,
            )))
        };
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(phrase(ctx.fields.body), PHRASE_BOOST)),
        ));
        for field in [ctx.fields.title, ctx.fields.heading, ctx.fields.aliases] {
            clauses.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(phrase(field), PHRASE_BOOST * idf)),
            ));
        }
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// A one-word query also finds, with [`LANDING_BOOST`], the landing page of the folder it
/// names: `gitaly` → `gitaly/README`, above pages inside the folder that say "gitaly" more.
pub(super) fn with_landing(
    query: Box<dyn Query>,
    content_words: &[&Word],
    ctx: &mut Ctx<'_>,
) -> Box<dyn Query> {
    let [word] = content_words else {
        return query;
    };
    let Some(term) = word.head_term() else {
        return query;
    };
    let idf = ctx.idf(term).max(0.1);
    let landing = ctx.leaf(Box::new(TermQuery::new(
        Term::from_field_text(ctx.fields.folder, term),
        IndexRecordOption::Basic,
    )));
    Box::new(BooleanQuery::new(vec![
        (Occur::Should, query),
        (
            Occur::Should,
            Box::new(ConstScoreQuery::new(landing, LANDING_BOOST * idf)),
        ),
    ]))
}

/// The words of a query, summed, with the coordination bonus: a section holding at least
/// `required` of the words scores `1 + COORD_BOOST` times their sum. Counting matched words
/// while summing gives the bonus in the same pass; a separate minimum-should-match clause
/// evaluated every word twice and cost a quarter of a large query.
struct CoordQuery {
    words: Vec<Box<dyn Query>>,
    required: u32,
}

impl Clone for CoordQuery {
    fn clone(&self) -> Self {
        Self {
            words: self.words.iter().map(|q| q.box_clone()).collect(),
            required: self.required,
        }
    }
}

impl std::fmt::Debug for CoordQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoordQuery")
            .field("words", &self.words.len())
            .field("required", &self.required)
            .finish()
    }
}

impl Query for CoordQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .words
            .iter()
            .map(|q| Ok((Occur::Should, q.weight(scoring)?)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let required = self.required;
        Ok(Box::new(BooleanWeight::with_minimum_number_should_match(
            weights,
            1,
            scoring.is_scoring_enabled(),
            Box::new(move || CoordCombiner {
                required,
                ..CoordCombiner::default()
            }),
        )))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for q in &self.words {
            q.query_terms(visitor);
        }
    }
}

/// Sums word scores and counts matched words (see [`CoordQuery`]).
#[derive(Debug, Clone, Copy)]
struct CoordCombiner {
    sum: Score,
    count: u32,
    required: u32,
}

impl Default for CoordCombiner {
    /// No bonus: only reached if tantivy makes a combiner without the query's closure.
    fn default() -> Self {
        Self {
            sum: 0.0,
            count: 0,
            required: u32::MAX,
        }
    }
}

impl ScoreCombiner for CoordCombiner {
    fn update<TScorer: Scorer>(&mut self, scorer: &mut TScorer) {
        self.sum += scorer.score();
        self.count += 1;
    }

    fn clear(&mut self) {
        self.sum = 0.0;
        self.count = 0;
    }

    fn score(&self) -> Score {
        if self.count >= self.required {
            self.sum * (1.0 + COORD_BOOST)
        } else {
            self.sum
        }
    }
}
