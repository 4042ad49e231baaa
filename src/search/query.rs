//! From what a person typed to a tantivy query, without a query language.
//!
//! People paste error lines: `Error: pq: permission denied for table "users" (SQLSTATE 42501)`.
//! A query parser would read `:` as a field, quotes as a phrase and `-` as a negation and then
//! fail or find nothing. Here the text is only ever split into words ([`words`]), so no input
//! is a syntax error. Each word scores BM25 over the section text plus a bonus for each short
//! field (title, heading, path, summary, tags, owner, aliases and symptoms) holding it;
//! identifiers match whole or as a phrase of their parts; case never matters (`words`
//! lowercases); a word the index does not know whole but knows as known words run together
//! (`crashloop`) matches them as a phrase (`segment.rs`); words that the index does not know
//! (typos) are widened to the closest known words; adjacent words add a phrase bonus, and
//! sections that match most of the words a coordination bonus. A one-word query naming a
//! folder also finds the folder's landing page first.
//!
//! On a large index the words may match more entries than a search can afford to score
//! ([`CANDIDATE_BUDGET`]); then only entries holding the query's rarer words are scored
//! (see `candidates.rs`), and the plan says its total is partial.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tantivy::query::{
    BooleanQuery, BooleanWeight, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EnableScoring,
    Occur, PhraseQuery, Query, ScoreCombiner, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, Score, Searcher, TERMINATED, Term};

use super::candidates::{self, Candidates};
use super::schema::Fields;
use super::segment;
use super::spelling::{close_words, suggestion};
use super::tokenizer::normalize;
use super::words::{Word, clean, words};

/// Weight of a match in each short field, times the term's idf. Short fields are scored as
/// "contains the term" with the idf of the body field: per-field BM25 would give words that
/// are common in text but rare in titles ("too", "not") a huge title idf, so titles such as
/// "Ci too many archiving trace failures" would beat the page that holds the pasted error.
/// Aliases and symptoms weigh like a title: the author says people call the page so.
const SHORT_FIELDS: [(FieldName, f32); 7] = [
    (FieldName::Title, 2.0),
    (FieldName::Heading, 1.5),
    (FieldName::Path, 1.5),
    (FieldName::Summary, 1.0),
    (FieldName::Tags, 1.0),
    (FieldName::Owner, 0.5),
    (FieldName::Aliases, 2.0),
];
/// Weight (times the word's idf) of a one-word query naming the folder of a landing page
/// (`README`/`index`): more than a sub-page gains from its title, heading and a body that
/// repeats the folder's name, so the landing page comes first.
const LANDING_BOOST: f32 = 4.0;
/// Weight of the body's BM25 score.
const BODY_BOOST: f32 = 1.0;
/// Weight of a compound word's parts matched loosely, anywhere in the field.
const LOOSE_PARTS_WEIGHT: f32 = 0.3;
/// Weight of the phrase bonus for two adjacent query words.
const PHRASE_BOOST: f32 = 1.0;
/// Weight of the bonus for sections matching most words.
const COORD_BOOST: f32 = 1.0;
/// Longest query (in content words) that gets the coordination bonus. It evaluates every
/// word twice; a pasted log line has words enough that phrases already single out the page.
const MAX_COORD_WORDS: usize = 12;
/// Adjacent pairs of words that get a phrase bonus (the first ones of a long query).
const MAX_PHRASE_PAIRS: usize = 8;
/// A word found in at most this many sections is widened to close spellings.
const RARE_DF: u64 = 2;
/// A plain word found in at most this many sections is also tried as several known words
/// written together (`crashloop`).
const SEGMENT_DF: u64 = 2;
/// A plain word this long (characters) is tried so however common: English words this long
/// are rarely several words, identifiers typed without their capitals
/// (`sidekiqqueuetoolarge`) usually are, and their parts find what the camelCase spelling
/// found before queries were lowercased.
const SEGMENT_LONG_CHARS: usize = 13;
/// Most entries a query scores in full. When its words are expected to match more (the sum
/// of their document frequencies over every field, an upper bound), only entries holding
/// the rarest words are scored: those whose frequencies add up to at most this, or, when
/// every word is common, entries holding several of them together. Below ~20 % of the
/// entries this loses relevance (on the 1× corpora a budget of 10 % of the entries gave MRR
/// 0.911 instead of 0.924, 20 % gave 0.925), so it only applies to very large indexes:
/// never at 1× or 10× the corpora (10,000 and 100,000 entries), about the rarest fifth of
/// the entries for a pasted error at 100×.
pub const CANDIDATE_BUDGET: u64 = 200_000;
/// A conjunction of common words that leaves fewer candidates than this is too narrow: the
/// query then runs unrestricted.
const MIN_CONJUNCTION_CANDIDATES: usize = 100;

#[derive(Debug, Clone, Copy)]
enum FieldName {
    Title,
    Heading,
    Path,
    Summary,
    Tags,
    Owner,
    Aliases,
}

impl FieldName {
    fn field(self, f: &Fields) -> Field {
        match self {
            FieldName::Title => f.title,
            FieldName::Heading => f.heading,
            FieldName::Path => f.path,
            FieldName::Summary => f.summary,
            FieldName::Tags => f.tags,
            FieldName::Owner => f.owner,
            FieldName::Aliases => f.aliases,
        }
    }
}

/// A query ready to run, with what the result page needs besides hits.
pub struct Plan {
    /// The tantivy query; `None` when the text had no words.
    pub query: Option<Box<dyn Query>>,
    /// Normalised terms to highlight in snippets.
    pub highlight: HashSet<String>,
    /// The query with unknown words replaced by the closest known ones.
    pub did_you_mean: Option<String>,
    /// True when only entries holding the query's rarer words are matched (a large index):
    /// counts are then lower bounds.
    pub partial: bool,
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plan")
            .field("highlight", &self.highlight)
            .field("did_you_mean", &self.did_you_mean)
            .field("partial", &self.partial)
            .finish_non_exhaustive()
    }
}

/// One way a word can match, with a weight.
#[derive(Debug, Clone)]
enum Alt {
    Term(String),
    Phrase(Vec<String>),
    /// Parts anywhere (a bag of words).
    Parts(Vec<String>),
}

/// What building a query needs from the index: term statistics, cached per query.
struct Ctx<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    docs: f32,
    idf: HashMap<String, f32>,
    df: HashMap<(Field, String), u64>,
    /// When set, every leaf is restricted to these entries.
    candidates: Option<Arc<Candidates>>,
}

impl Ctx<'_> {
    /// BM25's idf of `term` in the body field: how telling a word is, used for every field.
    fn idf(&mut self, term: &str) -> f32 {
        if let Some(&idf) = self.idf.get(term) {
            return idf;
        }
        let df = doc_freq(self.searcher, self.fields.body, term) as f32;
        let idf = (1.0 + (self.docs - df + 0.5) / (df + 0.5)).ln().max(0.0);
        self.idf.insert(term.to_owned(), idf);
        idf
    }

    /// Sections holding `term` in `field`, cached.
    fn df(&mut self, field: Field, term: &str) -> u64 {
        if let Some(&df) = self.df.get(&(field, term.to_owned())) {
            return df;
        }
        let df = doc_freq(self.searcher, field, term);
        self.df.insert((field, term.to_owned()), df);
        df
    }

    /// An upper bound of the entries a word's query matches: every alternative in every
    /// field it is looked up in.
    fn word_df(&mut self, alts: &[(Alt, f32)]) -> u64 {
        let fields = self.fields;
        let mut total = 0u64;
        for (alt, _) in alts {
            let lookups: Vec<Field> = match alt {
                Alt::Parts(_) => vec![fields.body],
                _ => std::iter::once(fields.body)
                    .chain(SHORT_FIELDS.iter().map(|(name, _)| name.field(fields)))
                    .collect(),
            };
            for field in lookups {
                total += match alt {
                    Alt::Term(t) => self.df(field, t),
                    Alt::Phrase(parts) => {
                        parts.iter().map(|p| self.df(field, p)).min().unwrap_or(0)
                    }
                    Alt::Parts(parts) => parts.iter().map(|p| self.df(field, p)).sum(),
                };
            }
        }
        total
    }

    /// A leaf query, restricted to the candidates when there are some.
    fn leaf(&self, query: Box<dyn Query>) -> Box<dyn Query> {
        match &self.candidates {
            Some(candidates) => candidates.restrict(query),
            None => query,
        }
    }

    fn alt_idf(&mut self, alt: &Alt) -> f32 {
        match alt {
            Alt::Term(t) => self.idf(t),
            Alt::Phrase(parts) | Alt::Parts(parts) => {
                parts.iter().map(|p| self.idf(p)).fold(0.0, f32::max)
            }
        }
    }
}

/// Builds the query for `q` against the index seen by `searcher`.
pub fn plan(q: &str, searcher: &Searcher, fields: &Fields) -> Plan {
    let cleaned = clean(q);
    let words = words(&cleaned);
    let mut ctx = Ctx {
        searcher,
        fields,
        docs: searcher.num_docs().max(1) as f32,
        idf: HashMap::new(),
        df: HashMap::new(),
        candidates: None,
    };
    let mut highlight = HashSet::new();
    let mut corrections: Vec<(usize, usize, String)> = Vec::new();
    let mut word_alts: Vec<Vec<(Alt, f32)>> = Vec::new();
    let content_words: Vec<&Word> = words.iter().filter(|w| !w.stop).collect();

    let mut seen: HashSet<&str> = HashSet::new();
    for word in &content_words {
        // A word pasted twice ("server … server") counts once; phrases still see both.
        if !word.head_term().is_some_and(|t| seen.insert(t)) {
            continue;
        }
        let mut alts: Vec<(Alt, f32)> = Vec::new();
        if let Some(whole) = &word.whole {
            alts.push((Alt::Term(whole.clone()), 1.0));
            highlight.insert(whole.clone());
        }
        if word.parts.len() > 1 {
            alts.push((Alt::Phrase(word.parts.clone()), 1.0));
            alts.push((Alt::Parts(word.parts.clone()), LOOSE_PARTS_WEIGHT));
        } else if let Some(part) = word.parts.first() {
            alts.push((Alt::Term(part.clone()), 1.0));
        }
        highlight.extend(word.parts.iter().cloned());

        let mut segmented = false;
        if let Some(spelling) = &word.spelling
            && word.whole.is_none()
            && let Some(parts) = run_together(spelling, &word.parts, &mut ctx)
        {
            alts.push((Alt::Phrase(parts.clone()), 1.0));
            alts.push((Alt::Parts(parts.clone()), LOOSE_PARTS_WEIGHT));
            highlight.extend(parts);
            segmented = true;
        }

        if let Some(spelling) = &word.spelling {
            let known = doc_freq(searcher, fields.spell, spelling);
            if known <= RARE_DF && spelling.chars().count() >= 4 {
                let candidates = close_words(searcher, fields.spell, fields.names, spelling, known);
                if known == 0
                    && !segmented
                    && let Some((best, _)) = candidates.first()
                {
                    corrections.push((word.offset, word.text.len(), best.clone()));
                }
                for (candidate, weight) in candidates {
                    if let Some(term) = normalize(&candidate)
                        && Some(&term) != word.parts.first()
                    {
                        highlight.insert(term.clone());
                        alts.push((Alt::Term(term), weight));
                    }
                }
            }
        }
        word_alts.push(alts);
    }
    let joined_alts = joined_words(&content_words, &mut ctx);
    let all_alts: Vec<&[(Alt, f32)]> = word_alts
        .iter()
        .chain(&joined_alts)
        .map(Vec::as_slice)
        .collect();
    let partial = restrict(&all_alts, &mut ctx);
    let mut build = |alts: &Vec<(Alt, f32)>| word_query(alts, &mut ctx);
    let word_queries: Vec<Box<dyn Query>> = word_alts.iter().map(&mut build).collect();
    let joined: Vec<Box<dyn Query>> = joined_alts.iter().map(&mut build).collect();
    let query = combine(word_queries, joined, &content_words, &mut ctx)
        .map(|q| with_landing(q, &content_words, &mut ctx));
    Plan {
        query,
        highlight,
        did_you_mean: suggestion(&cleaned, &corrections),
        partial,
    }
}

/// Sets `ctx.candidates` when the words would match more entries than
/// [`CANDIDATE_BUDGET`]: the entries holding any of the rarest words (whose frequencies fit
/// the budget together), or, when even the rarest word is too common, the entries holding
/// the rarest words all together. Returns true when the query is restricted.
fn restrict(word_alts: &[&[(Alt, f32)]], ctx: &mut Ctx<'_>) -> bool {
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
fn word_query(alts: &[(Alt, f32)], ctx: &mut Ctx<'_>) -> Box<dyn Query> {
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

fn alt_query(alt: &Alt, field: Field, ctx: &Ctx<'_>) -> Option<Box<dyn Query>> {
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
fn run_together(spelling: &str, parts: &[String], ctx: &mut Ctx<'_>) -> Option<Vec<String>> {
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
fn phrase_occurs(searcher: &Searcher, field: Field, parts: &[String]) -> bool {
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
fn joined_words(content_words: &[&Word], ctx: &mut Ctx<'_>) -> Vec<Vec<(Alt, f32)>> {
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

/// All words (any may match), plus a bonus for matching most of them, plus phrase bonuses
/// for adjacent words.
fn combine(
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
fn with_landing(
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

/// Number of sections containing `text` in `field` (deleted ones included until merged).
fn doc_freq(searcher: &Searcher, field: Field, text: &str) -> u64 {
    searcher
        .doc_freq(&Term::from_field_text(field, text))
        .unwrap_or(0)
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
