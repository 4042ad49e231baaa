//! "Was this helpful?" figures (issue 16, item 3): per page in the viewer's scope its votes,
//! helpful rate and comments; per owner the worst-rated pages and the pages past their review
//! date; votes per day. Plain functions over the store's records and the site.
//!
//! Votes on a page that is gone from the site have no owner any more: only admins see them
//! (under their id). Nothing here knows who voted; the store does not keep it.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::digest::{OverduePage, overdue_reviews};
use super::{Period, Scope};
use crate::model::Site;
use crate::records::{DayVotes, PageVotes};

/// A page needs this many votes in the period before it is ranked among the worst: one
/// "no" alone says little.
pub const MIN_VOTES_TO_RANK: u64 = 3;

/// Worst-rated pages listed per owner.
pub const WORST_PER_OWNER: usize = 10;

/// One page's votes in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageFigures {
    /// The document id.
    pub id: String,
    /// Its title (its id when the page is gone).
    pub title: String,
    /// Its address; `None` when the page is gone.
    pub url: Option<String>,
    /// Its `owner:`.
    pub owner: Option<String>,
    /// Votes.
    pub votes: u64,
    /// "Yes" votes.
    pub helpful: u64,
    /// The share of "yes", 0–1.
    pub helpful_rate: Option<f64>,
    /// Votes with a comment.
    pub comments: u64,
    /// The newest vote.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_at: Option<OffsetDateTime>,
}

/// Votes on one UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayFigures {
    /// The day.
    #[serde(serialize_with = "iso_date")]
    pub day: Date,
    /// Votes.
    pub votes: u64,
    /// "Yes" votes.
    pub helpful: u64,
}

fn iso_date<S: serde::Serializer>(day: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!(
        "{}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    ))
}

/// One owner's worst-rated pages and overdue reviews.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnerFigures {
    /// The `owner:` value; `None` for pages that name no owner.
    pub owner: Option<String>,
    /// Pages with at least [`MIN_VOTES_TO_RANK`] votes, lowest helpful rate first.
    pub worst: Vec<PageFigures>,
    /// Pages past their review date, in site order.
    pub overdue: Vec<OverduePage>,
}

/// Everything `/insights/pages` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct PagesReport {
    /// The period.
    pub period: Period,
    /// Pages with votes, most votes first.
    pub pages: Vec<PageFigures>,
    /// Per owner, by name (pages without an owner last).
    pub by_owner: Vec<OwnerFigures>,
    /// Votes per day over the whole period, oldest first, days without votes included.
    pub trend: Vec<DayFigures>,
}

/// The figures of one page's votes, with its title and owner from the site; `None` when
/// the viewer may not see that page.
pub fn page_figures(site: &Site, scope: &Scope, votes: &PageVotes) -> Option<PageFigures> {
    let (title, url, owner) = match site.get_str(&votes.doc_id) {
        Some(doc) if scope.covers(doc.owner.as_deref()) => {
            (doc.title.clone(), Some(doc.url()), doc.owner.clone())
        }
        None if *scope == Scope::All => (votes.doc_id.clone(), None, None),
        _ => return None,
    };
    Some(PageFigures {
        id: votes.doc_id.clone(),
        title,
        url,
        owner,
        votes: votes.votes,
        helpful: votes.helpful,
        helpful_rate: votes.helpful_rate(),
        comments: votes.comments,
        last_at: Some(votes.last_at),
    })
}

/// Whether the viewer may see votes on `doc_id` (gone pages: admins only).
pub fn sees(site: &Site, scope: &Scope, doc_id: &str) -> bool {
    match site.get_str(doc_id) {
        Some(doc) => scope.covers(doc.owner.as_deref()),
        None => *scope == Scope::All,
    }
}

/// Votes per day from `first` to `last`, zero-filled, of the pages `keep` accepts.
pub fn trend(
    days: &[DayVotes],
    first: Date,
    last: Date,
    keep: impl Fn(&str) -> bool,
) -> Vec<DayFigures> {
    let (first_n, last_n) = (epoch_day(first), epoch_day(last));
    let mut out: Vec<DayFigures> = Vec::new();
    let mut day = first;
    for _ in first_n..=last_n {
        out.push(DayFigures {
            day,
            votes: 0,
            helpful: 0,
        });
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    for d in days.iter().filter(|d| keep(&d.doc_id)) {
        let Ok(index) = usize::try_from(d.day - first_n) else {
            continue;
        };
        if let Some(slot) = out.get_mut(index) {
            slot.votes += d.votes;
            slot.helpful += d.helpful;
        }
    }
    out
}

/// The report for `scope` over `period` ending `today`, from the store's per-page and
/// per-day votes for that period.
pub fn report(
    site: &Site,
    scope: &Scope,
    period: Period,
    today: Date,
    votes: &[PageVotes],
    days: &[DayVotes],
) -> PagesReport {
    let pages: Vec<PageFigures> = votes
        .iter()
        .filter_map(|v| page_figures(site, scope, v))
        .collect();
    let first = today
        .checked_sub(time::Duration::days(i64::from(period.days()) - 1))
        .unwrap_or(today);
    let trend = trend(days, first, today, |id| sees(site, scope, id));

    let overdue = overdue_reviews(site, |o| scope.covers(o), today);
    let mut owners: Vec<Option<String>> = pages
        .iter()
        .filter(|p| p.votes >= MIN_VOTES_TO_RANK)
        .map(|p| p.owner.clone())
        .chain(overdue.iter().map(|o| owner_of(site, &o.page.id)))
        .collect();
    // By name without case; pages without an owner last.
    owners.sort_by_key(|o| (o.is_none(), o.as_ref().map(|n| n.to_lowercase())));
    owners.dedup_by(|a, b| match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (None, None) => true,
        _ => false,
    });
    let same = |a: &Option<String>, b: &Option<String>| match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (None, None) => true,
        _ => false,
    };
    let by_owner = owners
        .into_iter()
        .map(|owner| {
            let mut worst: Vec<PageFigures> = pages
                .iter()
                .filter(|p| p.votes >= MIN_VOTES_TO_RANK && same(&p.owner, &owner))
                .cloned()
                .collect();
            worst.sort_by(|a, b| {
                a.helpful_rate
                    .unwrap_or(1.0)
                    .total_cmp(&b.helpful_rate.unwrap_or(1.0))
                    .then(b.votes.cmp(&a.votes))
            });
            worst.truncate(WORST_PER_OWNER);
            let overdue = overdue
                .iter()
                .filter(|o| same(&owner_of(site, &o.page.id), &owner))
                .cloned()
                .collect();
            OwnerFigures {
                owner,
                worst,
                overdue,
            }
        })
        .collect();
    PagesReport {
        period,
        pages,
        by_owner,
        trend,
    }
}

/// Days since the Unix epoch (1970-01-01 is Julian day 2,440,588).
pub fn epoch_day(day: Date) -> i64 {
    i64::from(day.to_julian_day()) - 2_440_588
}

fn owner_of(site: &Site, id: &str) -> Option<String> {
    site.get_str(id).and_then(|d| d.owner.clone())
}

#[cfg(test)]
#[path = "pages_tests.rs"]
mod tests;
