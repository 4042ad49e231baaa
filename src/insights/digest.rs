//! The weekly digest per owner (issue 16, item 6): for one `owner:` value and one ISO week,
//! the searches that found nothing (site-wide: queries belong to nobody) and the owner's stubs
//! still needing writing, the owner's pages people found least helpful that week, and the
//! owner's pages past their review date. Assembled here from plain inputs; the web layer
//! gathers them from the store and the site (`/insights/digest` and its JSON feed).

use serde::Serialize;
use time::{Date, Duration, Weekday};

use crate::model::Site;

/// At most this many search gaps and unhelpful pages: a digest is read in a minute.
pub const DIGEST_LIMIT: usize = 10;

/// One ISO week (`2026-W49`: Monday 30 November to Sunday 6 December 2026).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    monday: Date,
}

impl Week {
    /// The week a day falls in.
    pub fn containing(day: Date) -> Self {
        let back = i64::from(day.weekday().number_days_from_monday());
        Self {
            monday: day.saturating_sub(Duration::days(back)),
        }
    }

    /// The week before this one.
    pub fn previous(self) -> Self {
        Self {
            monday: self.monday.saturating_sub(Duration::days(7)),
        }
    }

    /// Reads `YYYY-Www` (`2026-W49`), refusing anything else with a sentence.
    pub fn parse(text: &str) -> Result<Self, String> {
        let refuse = || {
            format!(
                "week must be an ISO week written YYYY-Www, such as week=2026-W49; `{text}` is not one."
            )
        };
        let (year, week) = text.trim().split_once("-W").ok_or_else(refuse)?;
        let year: i32 = year.parse().map_err(|_| refuse())?;
        let week: u8 = week.parse().map_err(|_| refuse())?;
        if !(1970..=9999).contains(&year) {
            return Err(refuse());
        }
        Date::from_iso_week_date(year, week, Weekday::Monday)
            .map(|monday| Self { monday })
            .map_err(|_| refuse())
    }

    /// Its first day (a Monday).
    pub fn from(self) -> Date {
        self.monday
    }

    /// Its last day (a Sunday).
    pub fn to(self) -> Date {
        self.monday.saturating_add(Duration::days(6))
    }
}

impl std::fmt::Display for Week {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (year, week, _) = self.monday.to_iso_week_date();
        write!(f, "{year}-W{week:02}")
    }
}

/// A page as the digest names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageRef {
    /// Its document id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its address on the site.
    pub url: String,
}

impl PageRef {
    /// The reference to a document of the site.
    pub fn of(doc: &crate::model::Document) -> Self {
        Self {
            id: doc.id.to_string(),
            title: doc.title.clone(),
            url: doc.url(),
        }
    }
}

/// A group of searches that found nothing during the week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchGap {
    /// The group's query as shown (its most searched form).
    pub query: String,
    /// Every form of it that found nothing (the shown one first): the `aliases:` a page
    /// answering them would carry.
    pub queries: Vec<String>,
    /// Searches that found nothing in the week.
    pub count: u64,
}

/// Votes on one of the owner's pages during the week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageVotes {
    /// The page.
    pub page: PageRef,
    /// "Yes, this helped."
    pub helpful: u64,
    /// "No."
    pub not_helpful: u64,
}

/// One of the owner's pages past its review date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverduePage {
    /// The page.
    pub page: PageRef,
    /// Its `reviewed:` date.
    pub reviewed: Date,
    /// The day its review fell due (`reviewed` + `review_days`).
    pub due: Date,
}

/// Everything a digest is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestInput {
    /// The `owner:` value.
    pub owner: String,
    /// The week.
    pub week: Week,
    /// Searches that found nothing that week, site-wide, any order.
    pub searches: Vec<SearchGap>,
    /// The owner's stubs still marked as needing writing.
    pub stubs: Vec<PageRef>,
    /// Votes on the owner's pages that week.
    pub votes: Vec<PageVotes>,
    /// The owner's pages past their review date (see [`overdue_reviews`]).
    pub overdue: Vec<OverduePage>,
}

/// The digest, as the JSON feed writes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Digest {
    /// The `owner:` value.
    pub owner: String,
    /// `2026-W49`.
    pub week: String,
    /// Its Monday, `2026-11-30`.
    pub from: String,
    /// Its Sunday, `2026-12-06`.
    pub to: String,
    /// What people looked for and did not find.
    pub gaps: Gaps,
    /// The owner's pages with the most "not helpful" votes that week.
    pub unhelpful: Vec<Unhelpful>,
    /// The owner's pages past their review date, longest overdue first.
    pub overdue_reviews: Vec<Overdue>,
}

/// The digest's gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gaps {
    /// Zero-result search groups of the week (site-wide), most searched first.
    pub searches: Vec<SearchGap>,
    /// The owner's stubs still needing writing, by title.
    pub stubs: Vec<PageRef>,
}

/// One unhelpful page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unhelpful {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its address.
    pub url: String,
    /// "Yes" votes that week.
    pub helpful: u64,
    /// "No" votes that week.
    pub not_helpful: u64,
    /// The share of "yes" votes, 0..1.
    pub helpful_rate: f64,
}

/// One overdue review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overdue {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its address.
    pub url: String,
    /// Its `reviewed:` date.
    pub reviewed: String,
    /// When the review fell due.
    pub due: String,
}

/// Puts a digest together: gaps most searched first, unhelpful pages by most "no" votes then
/// lowest helpful rate (only pages with at least one "no"), reviews longest overdue first;
/// ties by query or title, so the same inputs always give the same digest.
pub fn assemble(input: DigestInput) -> Digest {
    let mut searches = input.searches;
    searches.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.query.cmp(&b.query)));
    searches.truncate(DIGEST_LIMIT);

    let mut stubs = input.stubs;
    stubs.sort_by(|a, b| a.title.cmp(&b.title).then_with(|| a.id.cmp(&b.id)));

    let mut votes: Vec<PageVotes> = input
        .votes
        .into_iter()
        .filter(|v| v.not_helpful > 0)
        .collect();
    let rate = |v: &PageVotes| v.helpful as f64 / (v.helpful + v.not_helpful) as f64;
    votes.sort_by(|a, b| {
        b.not_helpful
            .cmp(&a.not_helpful)
            .then_with(|| rate(a).total_cmp(&rate(b)))
            .then_with(|| a.page.title.cmp(&b.page.title))
    });
    votes.truncate(DIGEST_LIMIT);
    let unhelpful = votes
        .into_iter()
        .map(|v| Unhelpful {
            helpful_rate: rate(&v),
            id: v.page.id,
            title: v.page.title,
            url: v.page.url,
            helpful: v.helpful,
            not_helpful: v.not_helpful,
        })
        .collect();

    let mut overdue = input.overdue;
    overdue.sort_by(|a, b| {
        a.due
            .cmp(&b.due)
            .then_with(|| a.page.title.cmp(&b.page.title))
    });
    let overdue_reviews = overdue
        .into_iter()
        .map(|o| Overdue {
            id: o.page.id,
            title: o.page.title,
            url: o.page.url,
            reviewed: o.reviewed.to_string(),
            due: o.due.to_string(),
        })
        .collect();

    Digest {
        owner: input.owner,
        week: input.week.to_string(),
        from: input.week.from().to_string(),
        to: input.week.to().to_string(),
        gaps: Gaps { searches, stubs },
        unhelpful,
        overdue_reviews,
    }
}

/// An owner's name as part of a file name: letters, digits, `-` and `_` kept, the rest `_`.
pub fn file_safe(owner: &str) -> String {
    owner
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The day a page's review falls due: `review_days` after its `reviewed:` date (the rule of
/// the page's "Needs review" notice); none without a date.
pub fn review_due(reviewed: Option<Date>, review_days: u32) -> Option<Date> {
    reviewed?.checked_add(Duration::days(i64::from(review_days)))
}

/// The site's pages whose owner `covers` accepts and whose review fell due before `as_of`,
/// in site order.
pub fn overdue_reviews(
    site: &Site,
    covers: impl Fn(Option<&str>) -> bool,
    as_of: Date,
) -> Vec<OverduePage> {
    site.documents
        .values()
        .filter(|doc| covers(doc.owner.as_deref()))
        .filter_map(|doc| {
            let reviewed = doc.reviewed?;
            let due = review_due(Some(reviewed), site.config.review_days)?;
            (due < as_of).then(|| OverduePage {
                page: PageRef::of(doc),
                reviewed,
                due,
            })
        })
        .collect()
}

/// The pages among `covers`'s still marked as needing writing (`status: stub`).
pub fn stubs_of(site: &Site, covers: impl Fn(Option<&str>) -> bool) -> Vec<PageRef> {
    site.documents
        .values()
        .filter(|doc| doc.stub.is_some() && covers(doc.owner.as_deref()))
        .map(|doc| PageRef::of(doc))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn page(id: &str, title: &str) -> PageRef {
        PageRef {
            id: id.into(),
            title: title.into(),
            url: format!("/docs/{id}"),
        }
    }

    #[test]
    fn weeks_are_iso_weeks() {
        let week = Week::containing(date!(2026 - 12 - 02));
        assert_eq!(week.to_string(), "2026-W49");
        assert_eq!(week.from(), date!(2026 - 11 - 30));
        assert_eq!(week.to(), date!(2026 - 12 - 06));
        assert_eq!(Week::containing(date!(2026 - 12 - 06)), week);
        assert_eq!(Week::containing(date!(2026 - 11 - 30)), week);
        assert_eq!(week.previous().to_string(), "2026-W48");
        assert_eq!(Week::parse("2026-W49"), Ok(week));
        assert_eq!(
            Week::parse("2021-W01").map(Week::from),
            Ok(date!(2021 - 01 - 04))
        );
        assert_eq!(
            Week::containing(date!(2021 - 01 - 03)).to_string(),
            "2020-W53"
        );
        for bad in ["2026-49", "2026-W54", "2026-W0", "x-W01", "", "2026-W49x"] {
            let err = Week::parse(bad).expect_err(bad);
            assert!(err.contains("YYYY-Www"), "{err}");
        }
    }

    #[test]
    fn a_digest_orders_and_bounds_its_lists() {
        let input = DigestInput {
            owner: "team-platform".into(),
            week: Week::containing(date!(2026 - 12 - 02)),
            searches: (0..12)
                .map(|i| SearchGap {
                    query: format!("q{i:02}"),
                    queries: vec![format!("q{i:02}")],
                    count: if i == 5 { 9 } else { 1 },
                })
                .collect(),
            stubs: vec![page("guides/zeta", "Zeta"), page("guides/alpha", "Alpha")],
            votes: vec![
                PageVotes {
                    page: page("a", "A"),
                    helpful: 3,
                    not_helpful: 1,
                },
                PageVotes {
                    page: page("b", "B"),
                    helpful: 1,
                    not_helpful: 1,
                },
                PageVotes {
                    page: page("c", "C"),
                    helpful: 0,
                    not_helpful: 2,
                },
                PageVotes {
                    page: page("d", "D"),
                    helpful: 5,
                    not_helpful: 0,
                },
            ],
            overdue: vec![
                OverduePage {
                    page: page("new", "Newer"),
                    reviewed: date!(2026 - 05 - 01),
                    due: date!(2026 - 10 - 28),
                },
                OverduePage {
                    page: page("old", "Older"),
                    reviewed: date!(2025 - 01 - 01),
                    due: date!(2025 - 06 - 30),
                },
            ],
        };
        let json = serde_json::to_value(assemble(input)).expect("json");
        assert_eq!(
            json,
            serde_json::json!({
                "owner": "team-platform",
                "week": "2026-W49",
                "from": "2026-11-30",
                "to": "2026-12-06",
                "gaps": {
                    "searches": [
                        {"query": "q05", "queries": ["q05"], "count": 9},
                        {"query": "q00", "queries": ["q00"], "count": 1},
                        {"query": "q01", "queries": ["q01"], "count": 1},
                        {"query": "q02", "queries": ["q02"], "count": 1},
                        {"query": "q03", "queries": ["q03"], "count": 1},
                        {"query": "q04", "queries": ["q04"], "count": 1},
                        {"query": "q06", "queries": ["q06"], "count": 1},
                        {"query": "q07", "queries": ["q07"], "count": 1},
                        {"query": "q08", "queries": ["q08"], "count": 1},
                        {"query": "q09", "queries": ["q09"], "count": 1}
                    ],
                    "stubs": [
                        {"id": "guides/alpha", "title": "Alpha", "url": "/docs/guides/alpha"},
                        {"id": "guides/zeta", "title": "Zeta", "url": "/docs/guides/zeta"}
                    ]
                },
                "unhelpful": [
                    {"id": "c", "title": "C", "url": "/docs/c", "helpful": 0, "not_helpful": 2, "helpful_rate": 0.0},
                    {"id": "b", "title": "B", "url": "/docs/b", "helpful": 1, "not_helpful": 1, "helpful_rate": 0.5},
                    {"id": "a", "title": "A", "url": "/docs/a", "helpful": 3, "not_helpful": 1, "helpful_rate": 0.75}
                ],
                "overdue_reviews": [
                    {"id": "old", "title": "Older", "url": "/docs/old", "reviewed": "2025-01-01", "due": "2025-06-30"},
                    {"id": "new", "title": "Newer", "url": "/docs/new", "reviewed": "2026-05-01", "due": "2026-10-28"}
                ]
            })
        );
    }

    #[test]
    fn a_review_falls_due_after_the_review_period() {
        assert_eq!(review_due(None, 180), None);
        assert_eq!(
            review_due(Some(date!(2026 - 01 - 01)), 180),
            Some(date!(2026 - 06 - 30))
        );
    }
}
