//! Search insights, pure: the log's per-query figures over a period ([`SearchPeriod`])
//! grouped by what people meant, then the lists an insight page shows — the most searched
//! groups, the groups that found nothing (the gaps in the content) and the groups that found
//! something nobody opened — each with its trend, and the site's totals per day.
//!
//! Queries arrive normalised (case and spacing folded). A group then gathers the queries
//! whose words have the same English stems ("deploy apps", "deploying app") or are typos
//! of each other: a word of 4 or more letters within Damerau-Levenshtein distance 1 of a
//! more searched word, 2 for words of 8 or more ("dpeloy", "kuberentes"). Typos are found
//! per word of the vocabulary with a symmetric-delete index (never by comparing all pairs),
//! and each word joins the most searched word it is a typo of, so typos never chain one
//! group into the next. Nothing here knows who searched.

mod typos;

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use tantivy::tokenizer::{Language, RawTokenizer, Stemmer, TextAnalyzer};

use super::Period;
use crate::model::{Document, Site};
use crate::records::{DayTotals, QueryDay, QueryTotals, SearchPeriod, normalize};

/// Most groups in each list (top, zero results, no clicks).
pub const LISTED: usize = 100;

/// Periods up to this many days trend per day; longer ones per week.
const DAILY_UP_TO: u32 = 31;

/// Queries that mean the same thing, with their figures summed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchGroup {
    /// The form shown: the most searched member (the alphabetically first of a tie).
    pub query: String,
    /// Every member, the shown one first, then by searches.
    pub queries: Vec<String>,
    /// Searches.
    pub searches: u64,
    /// Searches that found nothing.
    pub zero_results: u64,
    /// Searches that opened a result.
    pub opened: u64,
    /// Searches that found something and opened nothing.
    pub no_clicks: u64,
    /// The last search, in seconds since 1970.
    pub last_at: i64,
    /// About when a search last found nothing (see [`QueryTotals::last_zero_at`]).
    pub last_zero_at: Option<i64>,
}

/// A group in one of the lists, with the figure that list counts and its trend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The group.
    pub group: SearchGroup,
    /// What the list counts: searches (top), zero-result searches, or searches without a click.
    pub count: u64,
    /// `count` per bucket of the period ([`Buckets`]); empty until [`SearchReport::add_trends`].
    pub trend: Vec<u64>,
}

/// The site's figures over the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SearchTotals {
    /// Searches.
    pub searches: u64,
    /// Searches that found nothing.
    pub zero_results: u64,
    /// Searches that opened a result.
    pub opened: u64,
    /// Searches that found something and opened nothing.
    pub no_clicks: u64,
    /// Distinct normalised queries.
    pub queries: u64,
    /// Groups they form.
    pub groups: u64,
}

/// How a period is cut for trends: per day, or per week from its first day (the last week
/// may be shorter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buckets {
    /// The first day, in days since the Unix epoch.
    pub first_day: i64,
    /// Days in the period.
    pub days: u32,
    /// Days per bucket: 1 or 7.
    pub width: u32,
    /// How many buckets.
    pub count: usize,
}

impl Buckets {
    /// Per day up to 31 days, per week beyond.
    pub fn of(period: Period, first_day: i64) -> Self {
        let width = if period.days() <= DAILY_UP_TO { 1 } else { 7 };
        Self {
            first_day,
            days: period.days(),
            width,
            count: period.days().div_ceil(width) as usize,
        }
    }

    /// "day" or "week".
    pub fn unit(self) -> &'static str {
        if self.width == 1 { "day" } else { "week" }
    }

    /// The bucket of `day`, if the period holds it.
    pub fn index(self, day: i64) -> Option<usize> {
        let offset = u32::try_from(day - self.first_day).ok()?;
        (offset < self.days).then_some((offset / self.width) as usize)
    }

    /// The first day of each bucket.
    pub fn starts(self) -> Vec<i64> {
        (0..self.count)
            .map(|i| self.first_day + i as i64 * i64::from(self.width))
            .collect()
    }
}

/// Everything the search insights show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchReport {
    /// The period.
    pub period: Period,
    /// Its first day, in days since the Unix epoch.
    pub first_day: i64,
    /// The site's figures.
    pub totals: SearchTotals,
    /// Every day of the period, oldest first, days without searches as zeros.
    pub days: Vec<DayTotals>,
    /// How the groups' trends are cut.
    pub buckets: Buckets,
    /// The most searched groups.
    pub top: Vec<Listed>,
    /// The groups with searches that found nothing, most such searches first.
    pub zero_results: Vec<Listed>,
    /// The groups with searches that found something and opened nothing, most first.
    pub no_clicks: Vec<Listed>,
}

/// The report of `log`, read from `period`'s first day on (`today` in days since the Unix
/// epoch); each list holds at most `limit` groups. Trends come later, from the rows of the
/// listed queries ([`SearchReport::listed_queries`], [`SearchReport::add_trends`]).
pub fn report(log: &SearchPeriod, period: Period, today: i64, limit: usize) -> SearchReport {
    let first_day = period.first_day(today);
    let groups = group(&log.queries);
    let mut totals = SearchTotals {
        queries: log.queries.len() as u64,
        groups: groups.len() as u64,
        ..SearchTotals::default()
    };
    for q in &log.queries {
        totals.searches += q.searches;
        totals.zero_results += q.zero_results;
        totals.opened += q.opened;
        totals.no_clicks += q.no_clicks;
    }
    let by_day: HashMap<i64, &DayTotals> = log.days.iter().map(|d| (d.day, d)).collect();
    let days = (first_day..=today)
        .map(|day| {
            by_day.get(&day).map_or(
                DayTotals {
                    day,
                    ..DayTotals::default()
                },
                |d| **d,
            )
        })
        .collect();
    let list = |count: fn(&SearchGroup) -> u64,
                order: fn(&SearchGroup, &SearchGroup) -> std::cmp::Ordering| {
        let mut chosen: Vec<&SearchGroup> = groups.iter().filter(|g| count(g) > 0).collect();
        chosen.sort_by(|a, b| {
            count(b)
                .cmp(&count(a))
                .then_with(|| order(a, b))
                .then_with(|| a.query.cmp(&b.query))
        });
        chosen
            .into_iter()
            .take(limit)
            .map(|g| Listed {
                group: g.clone(),
                count: count(g),
                trend: Vec::new(),
            })
            .collect::<Vec<_>>()
    };
    let top = list(|g| g.searches, |a, b| b.opened.cmp(&a.opened));
    // The newest gap first among equals: it is the one still happening.
    let zero_results = list(
        |g| g.zero_results,
        |a, b| b.last_zero_at.cmp(&a.last_zero_at),
    );
    let no_clicks = list(|g| g.no_clicks, |a, b| b.searches.cmp(&a.searches));
    SearchReport {
        period,
        first_day,
        totals,
        days,
        buckets: Buckets::of(period, first_day),
        top,
        zero_results,
        no_clicks,
    }
}

impl SearchReport {
    /// Every member query of the listed groups, each once: the rows trends are made from.
    pub fn listed_queries(&self) -> Vec<String> {
        let mut queries: Vec<String> = self
            .lists()
            .flat_map(|l| l.iter())
            .flat_map(|l| l.group.queries.iter().cloned())
            .collect();
        queries.sort_unstable();
        queries.dedup();
        queries
    }

    /// Fills each listed group's trend from the log's rows of its queries (rows of other
    /// queries or outside the period are ignored).
    pub fn add_trends(&mut self, rows: &[QueryDay]) {
        let buckets = self.buckets;
        let mut group_of: HashMap<&str, &str> = HashMap::new();
        for listed in self.lists().flat_map(|l| l.iter()) {
            for member in &listed.group.queries {
                group_of.insert(member, &listed.group.query);
            }
        }
        // Per shown query: searches, zero-result searches and searches without a click.
        let mut trends: HashMap<String, [Vec<u64>; 3]> = HashMap::new();
        for row in rows {
            let (Some(group), Some(bucket)) = (
                group_of.get(row.query.as_str()),
                buckets.index(row.figures.day),
            ) else {
                continue;
            };
            let entry = trends
                .entry((*group).to_owned())
                .or_insert_with(|| std::array::from_fn(|_| vec![0; buckets.count]));
            entry[0][bucket] += row.figures.searches;
            entry[1][bucket] += row.figures.zero_results;
            entry[2][bucket] += row.figures.no_clicks;
        }
        let empty = vec![0; buckets.count];
        for (measure, list) in [&mut self.top, &mut self.zero_results, &mut self.no_clicks]
            .into_iter()
            .enumerate()
        {
            for listed in list.iter_mut() {
                listed.trend = trends
                    .get(&listed.group.query)
                    .map_or_else(|| empty.clone(), |t| t[measure].clone());
            }
        }
    }

    fn lists(&self) -> impl Iterator<Item = &Vec<Listed>> {
        [&self.top, &self.zero_results, &self.no_clicks].into_iter()
    }
}

/// Groups queries by stems and typos (see the module comment); most searched group first.
/// Every query lands in exactly one group.
pub fn group(rows: &[QueryTotals]) -> Vec<SearchGroup> {
    let words: Vec<Vec<&str>> = rows.iter().map(|r| words_of(&r.query)).collect();
    let mut weights: FxHashMap<&str, u64> = FxHashMap::default();
    for (row, words) in rows.iter().zip(&words) {
        for word in words {
            *weights.entry(word).or_default() += row.searches;
        }
    }
    // Typos are matched before stemming: a typo often changes the stem ("certificate" is
    // "certif", "certficate" is "certfic").
    let centres = typos::typo_centres(&weights);
    // Each distinct word's part of a group key, worked out once: the number of its centre's
    // stem. A query's key is then its words' numbers, without a string per query.
    let mut stems = Stems::default();
    let mut stem_numbers: FxHashMap<String, u32> = FxHashMap::default();
    let word_numbers: FxHashMap<&str, u32> = weights
        .keys()
        .map(|word| {
            let stem = stems.stem(centres.get(word).copied().unwrap_or(word));
            let next = u32::try_from(stem_numbers.len()).unwrap_or(u32::MAX);
            (*word, *stem_numbers.entry(stem).or_insert(next))
        })
        .collect();
    let mut members: FxHashMap<Vec<u32>, Vec<usize>> = FxHashMap::default();
    for (i, words) in words.iter().enumerate() {
        let key = if words.is_empty() {
            // Only punctuation: its own group, apart from any query made of words (no
            // stem has the number u32::MAX, and each row's index is its own).
            vec![u32::MAX, u32::try_from(i).unwrap_or(u32::MAX)]
        } else {
            // Every word is in `word_numbers`: both come from `words`.
            words
                .iter()
                .map(|w| word_numbers.get(w).copied().unwrap_or(u32::MAX))
                .collect()
        };
        members.entry(key).or_default().push(i);
    }
    let mut groups: Vec<SearchGroup> = members
        .into_values()
        .map(|mut indices| {
            indices.sort_by(|a, b| {
                rows[*b]
                    .searches
                    .cmp(&rows[*a].searches)
                    .then_with(|| rows[*a].query.cmp(&rows[*b].query))
            });
            let mut group = SearchGroup {
                query: rows[indices[0]].query.clone(),
                queries: Vec::with_capacity(indices.len()),
                searches: 0,
                zero_results: 0,
                opened: 0,
                no_clicks: 0,
                last_at: i64::MIN,
                last_zero_at: None,
            };
            for i in indices {
                let row = &rows[i];
                group.queries.push(row.query.clone());
                group.searches += row.searches;
                group.zero_results += row.zero_results;
                group.opened += row.opened;
                group.no_clicks += row.no_clicks;
                group.last_at = group.last_at.max(row.last_at);
                group.last_zero_at = group.last_zero_at.max(row.last_zero_at);
            }
            group
        })
        .collect();
    groups.sort_by(|a, b| b.searches.cmp(&a.searches).then(a.query.cmp(&b.query)));
    groups
}

/// English stems of words, remembered (queries repeat the same few words).
struct Stems {
    analyzer: TextAnalyzer,
    known: HashMap<String, String>,
}

impl Default for Stems {
    fn default() -> Self {
        Self {
            analyzer: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build(),
            known: HashMap::new(),
        }
    }
}

/// A normalised query's words, sentence punctuation around them dropped ("app?"); `c++`
/// and `c#` keep their signs.
fn words_of(query: &str) -> Vec<&str> {
    query
        .split(' ')
        .map(|w| w.trim_matches(|c: char| "?!.,;:\"'()[]{}¿¡…".contains(c)))
        .filter(|w| !w.is_empty())
        .collect()
}

impl Stems {
    fn stem(&mut self, word: &str) -> String {
        if let Some(stem) = self.known.get(word) {
            return stem.clone();
        }
        let mut stream = self.analyzer.token_stream(word);
        let stem = if stream.advance() {
            stream.token().text.clone()
        } else {
            word.to_owned()
        };
        self.known.insert(word.to_owned(), stem.clone());
        stem
    }
}

/// The page already started or written for a gap: one whose `aliases:` hold a query of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapPage {
    /// Its title.
    pub title: String,
    /// Its address on the site.
    pub url: String,
    /// Still marked `status: stub`.
    pub stub: bool,
}

/// For each listed group (by its shown query), the page whose aliases name one of its
/// queries: a search today finds it, so the gap needs writing, not a second stub.
pub fn gap_pages(site: &Site, listed: &[Listed]) -> HashMap<String, GapPage> {
    let mut by_alias: HashMap<String, &Document> = HashMap::new();
    for doc in site.documents.values() {
        for alias in &doc.aliases {
            by_alias.entry(normalize(alias)).or_insert(doc);
        }
    }
    listed
        .iter()
        .filter_map(|l| {
            let doc = l.group.queries.iter().find_map(|q| by_alias.get(q))?;
            Some((
                l.group.query.clone(),
                GapPage {
                    title: doc.title.clone(),
                    url: doc.url(),
                    stub: doc.stub.is_some(),
                },
            ))
        })
        .collect()
}

/// A time in seconds since 1970 as RFC 3339 (`2026-12-02T19:30:00Z`).
pub fn rfc3339(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// A day (days since the Unix epoch) as `2026-11-30`.
pub fn day_label(day: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(day * 86_400)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

/// A page title suggested by a query: its first letter capitalised ("Deploy app").
pub fn suggested_title(query: &str) -> String {
    let mut chars = query.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
