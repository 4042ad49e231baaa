//! Tests of the search insights' grouping and lists, on hand-made rows of the log.

use super::*;
use proptest::prelude::*;

fn row(query: &str, searches: u64, zero: u64, opened: u64, at: i64) -> QueryTotals {
    QueryTotals {
        query: query.to_owned(),
        searches,
        zero_results: zero,
        opened,
        no_clicks: searches - zero - opened,
        last_at: at,
        last_zero_at: (zero > 0).then_some(at),
    }
}

fn summary(groups: &[SearchGroup]) -> Vec<(&str, Vec<&str>, u64)> {
    groups
        .iter()
        .map(|g| {
            (
                g.query.as_str(),
                g.queries.iter().map(String::as_str).collect(),
                g.searches,
            )
        })
        .collect()
}

#[test]
fn stems_and_typos_group_and_the_most_searched_form_is_shown() {
    let rows = vec![
        row("deploy apps", 2, 0, 1, 100),
        row("deploy app", 5, 1, 3, 90),
        row("dpeloy app", 1, 1, 0, 300),
        row("deploying applications", 1, 0, 0, 10),
        row("kubernetes", 4, 0, 4, 10),
        row("kuberentes", 1, 1, 0, 50),
        row("kafka", 3, 3, 0, 70),
        row("pod", 2, 0, 1, 10),
        row("pad", 1, 1, 0, 10),
        row("app?", 1, 0, 0, 10),
        row("???", 1, 1, 0, 10),
    ];
    let groups = group(&rows);
    assert_eq!(
        summary(&groups),
        [
            (
                "deploy app",
                vec!["deploy app", "deploy apps", "dpeloy app"],
                8
            ),
            ("kubernetes", vec!["kubernetes", "kuberentes"], 5),
            ("kafka", vec!["kafka"], 3),
            ("pod", vec!["pod"], 2),
            ("???", vec!["???"], 1),
            ("app?", vec!["app?"], 1),
            ("deploying applications", vec!["deploying applications"], 1),
            ("pad", vec!["pad"], 1),
        ],
        "three letters are never typos; 'applications' is not 'app'"
    );
    let deploy = &groups[0];
    assert_eq!(
        (
            deploy.zero_results,
            deploy.opened,
            deploy.no_clicks,
            deploy.last_at
        ),
        (2, 4, 2, 300)
    );
    assert_eq!(deploy.last_zero_at, Some(300));
}

#[test]
fn typos_join_the_most_searched_word_and_never_chain() {
    // "vaults" stems to "vault"; "fault" is one from "vault", "faulk" one from "fault" but
    // two from "vault": it starts no chain through "fault".
    let rows = vec![
        row("vault", 10, 0, 5, 1),
        row("fault", 2, 0, 0, 1),
        row("faulk", 1, 1, 0, 1),
        row("certificate", 3, 0, 1, 1),
        row("certfiicat", 1, 1, 0, 1),
        row("v1.2", 1, 0, 0, 1),
        row("v1.3", 1, 0, 0, 1),
    ];
    let groups = group(&rows);
    assert_eq!(
        summary(&groups),
        [
            ("vault", vec!["vault", "fault"], 12),
            ("certificate", vec!["certificate", "certfiicat"], 4),
            ("faulk", vec!["faulk"], 1),
            ("v1.2", vec!["v1.2"], 1),
            ("v1.3", vec!["v1.3"], 1),
        ]
    );
}

#[test]
fn the_report_lists_totals_days_and_trends() {
    let today = 20_000;
    let at = today * 86_400 + 3_600;
    let log = SearchPeriod {
        queries: vec![
            row("deploy app", 5, 1, 3, at),
            row("dpeloy app", 1, 1, 0, at + 60),
            row("kafka", 3, 3, 0, at - 86_400),
            row("vault", 4, 0, 1, at),
        ],
        days: vec![
            DayTotals {
                day: today - 1,
                searches: 3,
                zero_results: 3,
                opened: 0,
                no_clicks: 0,
            },
            DayTotals {
                day: today,
                searches: 10,
                zero_results: 2,
                opened: 4,
                no_clicks: 4,
            },
        ],
    };
    let mut report = report(&log, Period::of_days(3), today, 2);
    assert_eq!(
        report.totals,
        SearchTotals {
            searches: 13,
            zero_results: 5,
            opened: 4,
            no_clicks: 4,
            queries: 4,
            groups: 3,
        }
    );
    let days: Vec<_> = report.days.iter().map(|d| (d.day, d.searches)).collect();
    assert_eq!(days, [(today - 2, 0), (today - 1, 3), (today, 10)]);
    let list = |l: &[Listed]| -> Vec<(String, u64)> {
        l.iter().map(|l| (l.group.query.clone(), l.count)).collect()
    };
    assert_eq!(
        list(&report.top),
        [("deploy app".into(), 6), ("vault".into(), 4)],
        "cut to the limit"
    );
    assert_eq!(
        list(&report.zero_results),
        [("kafka".into(), 3), ("deploy app".into(), 2)]
    );
    assert_eq!(
        list(&report.no_clicks),
        [("vault".into(), 3), ("deploy app".into(), 1)]
    );
    assert_eq!(
        report.listed_queries(),
        ["deploy app", "dpeloy app", "kafka", "vault"]
    );

    let day = |query: &str, day: i64, searches: u64, zero: u64, no_clicks: u64| QueryDay {
        query: query.into(),
        figures: DayTotals {
            day,
            searches,
            zero_results: zero,
            opened: searches - zero - no_clicks,
            no_clicks,
        },
    };
    report.add_trends(&[
        day("deploy app", today, 5, 1, 1),
        day("dpeloy app", today - 2, 1, 1, 0),
        day("kafka", today - 1, 3, 3, 0),
        day("vault", today, 4, 0, 3),
        day("vault", today - 9, 4, 0, 3),
        day("other", today, 4, 0, 3),
    ]);
    let trends = |l: &[Listed]| -> Vec<Vec<u64>> { l.iter().map(|l| l.trend.clone()).collect() };
    assert_eq!(trends(&report.top), [vec![1, 0, 5], vec![0, 0, 4]]);
    assert_eq!(trends(&report.zero_results), [vec![0, 3, 0], vec![1, 0, 1]]);
    assert_eq!(trends(&report.no_clicks), [vec![0, 0, 3], vec![0, 0, 1]]);
}

#[test]
fn long_periods_trend_per_week() {
    let buckets = Buckets::of(Period::of_days(90), 1000);
    assert_eq!((buckets.unit(), buckets.count), ("week", 13));
    assert_eq!(buckets.index(1000), Some(0));
    assert_eq!(buckets.index(1089), Some(12));
    assert_eq!(buckets.index(1090), None);
    assert_eq!(buckets.index(999), None);
    assert_eq!(buckets.starts()[1], 1007);
    let daily = Buckets::of(Period::of_days(28), 1000);
    assert_eq!((daily.unit(), daily.count), ("day", 28));
}

#[test]
fn labels_and_titles() {
    assert_eq!(rfc3339(1_764_703_800), "2025-12-02T19:30:00Z");
    assert_eq!(day_label(0), "1970-01-01");
    assert_eq!(suggested_title("deploy app"), "Deploy app");
    assert_eq!(suggested_title("été"), "Été");
    assert_eq!(suggested_title(""), "");
}

#[test]
fn fifty_thousand_queries_group_quickly() {
    // Queries of two or three words from 20,000 made-up words of 3 to 12 letters: many
    // words have typo neighbours, and all pairs would be 200 million comparisons.
    let mut seed: u64 = 42;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        seed >> 33
    };
    let vocabulary: Vec<String> = (0..20_000)
        .map(|_| {
            let len = 3 + next() % 10;
            (0..len)
                .map(|_| char::from(b'a' + (next() % 8) as u8))
                .collect()
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut rows = Vec::new();
    while rows.len() < 50_000 {
        let words = 2 + next() % 2;
        let query: Vec<&str> = (0..words)
            .map(|_| vocabulary[(next() % 20_000) as usize].as_str())
            .collect();
        let query = query.join(" ");
        if seen.insert(query.clone()) {
            rows.push(row(&query, 1 + next() % 3, 0, 0, 1));
        }
    }
    let started = std::time::Instant::now();
    let groups = group(&rows);
    let took = started.elapsed();
    let searches: u64 = rows.iter().map(|r| r.searches).sum();
    assert_eq!(groups.iter().map(|g| g.searches).sum::<u64>(), searches);
    assert!(groups.len() < rows.len(), "some typos grouped");
    // Debug builds are several times slower than release (where this takes well under a
    // second); all pairs would take minutes.
    assert!(took.as_secs() < 10, "{took:?}");
}

fn arbitrary_rows() -> impl Strategy<Value = Vec<QueryTotals>> {
    let word = prop::sample::select(vec![
        "deploy",
        "dpeloy",
        "deploys",
        "deploying",
        "app",
        "apps",
        "kubernetes",
        "kuberentes",
        "vault",
        "fault",
        "c++",
        "c#",
        "?",
        "pod",
    ]);
    let query = prop::collection::vec(word, 1..4).prop_map(|w| w.join(" "));
    let figures = (1u64..20, 0u64..20, 0u64..20, 0i64..1000);
    prop::collection::vec((query, figures), 0..40).prop_map(|rows| {
        let mut seen = std::collections::HashSet::new();
        rows.into_iter()
            .filter(|(q, _)| seen.insert(q.clone()))
            .map(|(q, (searches, zero, opened, at))| {
                let zero = zero.min(searches);
                let opened = opened.min(searches - zero);
                row(&q, searches, zero, opened, at)
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn grouping_never_loses_or_double_counts_a_search(rows in arbitrary_rows()) {
        let groups = group(&rows);
        let sum = |f: fn(&QueryTotals) -> u64| rows.iter().map(f).sum::<u64>();
        prop_assert_eq!(groups.iter().map(|g| g.searches).sum::<u64>(), sum(|r| r.searches));
        prop_assert_eq!(groups.iter().map(|g| g.zero_results).sum::<u64>(), sum(|r| r.zero_results));
        prop_assert_eq!(groups.iter().map(|g| g.opened).sum::<u64>(), sum(|r| r.opened));
        prop_assert_eq!(groups.iter().map(|g| g.no_clicks).sum::<u64>(), sum(|r| r.no_clicks));
        let mut members: Vec<&str> = groups.iter().flat_map(|g| g.queries.iter().map(String::as_str)).collect();
        members.sort_unstable();
        let mut queries: Vec<&str> = rows.iter().map(|r| r.query.as_str()).collect();
        queries.sort_unstable();
        prop_assert_eq!(members, queries, "each query in exactly one group");
        for g in &groups {
            prop_assert_eq!(&g.queries[0], &g.query);
        }
    }
}
