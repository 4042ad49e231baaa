//! Exact figures of the "Was this helpful?" report from known votes.

use std::sync::Arc;

use time::macros::{date, datetime};

use super::*;
use crate::model::{Document, Kind};

fn doc(id: &str, owner: Option<&str>, reviewed: Option<Date>) -> Document {
    Document {
        owner: owner.map(str::to_owned),
        reviewed,
        title: format!("Title of {id}"),
        ..Document::sample(id, Kind::Guide)
    }
}

fn site() -> Site {
    let mut site = Site::default();
    site.config.review_days = 30;
    for d in [
        doc("a", Some("team-platform"), None),
        doc("b", Some("team-platform"), Some(date!(2026 - 01 - 01))),
        doc("c", Some("team-data"), None),
        doc("d", None, Some(date!(2026 - 11 - 20))),
    ] {
        site.documents.insert(d.id.clone(), Arc::new(d));
    }
    site
}

fn votes(id: &str, votes: u64, helpful: u64, comments: u64) -> PageVotes {
    PageVotes {
        doc_id: id.into(),
        votes,
        helpful,
        comments,
        last_at: datetime!(2026-12-01 10:00 UTC),
    }
}

fn day(day: i64, id: &str, votes: u64, helpful: u64) -> DayVotes {
    DayVotes {
        day,
        doc_id: id.into(),
        votes,
        helpful,
    }
}

const TODAY: Date = date!(2026 - 12 - 02);

#[test]
fn pages_owners_and_trend_add_up() {
    let site = site();
    let today_n = epoch_day(TODAY);
    let all = [
        votes("a", 4, 3, 1),
        votes("c", 5, 1, 0),
        votes("gone", 3, 0, 0),
        votes("b", 2, 0, 2),
    ];
    let days = [
        day(today_n - 1, "a", 1, 1),
        day(today_n, "a", 3, 2),
        day(today_n, "c", 5, 1),
        day(today_n - 40, "c", 9, 9),
    ];
    let report = report(&site, &Scope::All, Period::of_days(7), TODAY, &all, &days);
    let rates: Vec<_> = report
        .pages
        .iter()
        .map(|p| (p.id.as_str(), p.helpful_rate))
        .collect();
    assert_eq!(
        rates,
        [
            ("a", Some(0.75)),
            ("c", Some(0.2)),
            ("gone", Some(0.0)),
            ("b", Some(0.0))
        ]
    );
    assert_eq!(report.trend.len(), 7);
    let last_two: Vec<_> = report.trend[5..]
        .iter()
        .map(|d| (d.votes, d.helpful))
        .collect();
    assert_eq!(last_two, [(1, 1), (8, 3)]);
    let owners: Vec<_> = report
        .by_owner
        .iter()
        .map(|o| {
            (
                o.owner.clone(),
                o.worst.iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
                o.overdue
                    .iter()
                    .map(|p| p.page.id.clone())
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(
        owners,
        [
            (Some("team-data".into()), vec!["c".to_owned()], vec![]),
            (
                Some("team-platform".into()),
                vec!["a".to_owned()],
                vec!["b".to_owned()]
            ),
            (None, vec!["gone".to_owned()], vec![]),
        ],
        "b has too few votes to rank; d is not due yet; a gone page has no owner"
    );
}

#[test]
fn an_owner_sees_only_their_pages() {
    let site = site();
    let all = [
        votes("a", 4, 3, 1),
        votes("c", 5, 1, 0),
        votes("gone", 2, 0, 0),
    ];
    let days = [day(epoch_day(TODAY), "c", 5, 1)];
    let scope = Scope::Owners(vec!["team-platform".into()]);
    let report = report(&site, &scope, Period::of_days(28), TODAY, &all, &days);
    let ids: Vec<_> = report.pages.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["a"]);
    assert!(report.trend.iter().all(|d| d.votes == 0), "c is not theirs");
    let owners: Vec<_> = report.by_owner.iter().map(|o| o.owner.clone()).collect();
    assert_eq!(owners, [Some("team-platform".to_owned())]);
}
