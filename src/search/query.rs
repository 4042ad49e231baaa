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

#[path = "query_combine.rs"]
mod combined;
#[path = "query_words.rs"]
mod per_word;

use combined::{combine, with_landing};
use per_word::{joined_words, restrict, run_together, word_query};

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

/// Number of sections containing `text` in `field` (deleted ones included until merged).
fn doc_freq(searcher: &Searcher, field: Field, text: &str) -> u64 {
    searcher
        .doc_freq(&Term::from_field_text(field, text))
        .unwrap_or(0)
}
