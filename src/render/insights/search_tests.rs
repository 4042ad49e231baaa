//! Tests of the search insights page.

use super::*;
use crate::insights::Period;
use crate::insights::search::{LISTED, report};
use crate::records::{DayTotals, QueryDay, QueryTotals, SearchPeriod};

const TODAY: i64 = 20_000;

fn ctx(csrf: Option<&str>) -> PageContext<'static> {
    PageContext::for_tests(
        "/insights/search",
        csrf,
        time::macros::date!(2024 - 10 - 04),
    )
}

fn row(query: &str, searches: u64, zero: u64, opened: u64) -> QueryTotals {
    QueryTotals {
        query: query.into(),
        searches,
        zero_results: zero,
        opened,
        no_clicks: searches - zero - opened,
        last_at: TODAY * 86_400 + 3_600,
        last_zero_at: (zero > 0).then_some(TODAY * 86_400 + 3_600),
    }
}

fn sample() -> SearchReport {
    let log = SearchPeriod {
        queries: vec![
            row("deploy app", 3, 0, 2),
            row("dpeloy app", 1, 1, 0),
            row("kafka <acl>", 2, 2, 0),
        ],
        days: vec![DayTotals {
            day: TODAY,
            searches: 6,
            zero_results: 3,
            opened: 2,
            no_clicks: 1,
        }],
    };
    let mut r = report(&log, Period::of_days(7), TODAY, LISTED);
    r.add_trends(&[QueryDay {
        query: "deploy app".into(),
        figures: DayTotals {
            day: TODAY,
            searches: 3,
            zero_results: 0,
            opened: 2,
            no_clicks: 1,
        },
    }]);
    r
}

fn render(is_admin: bool, csrf: Option<&str>) -> String {
    let r = sample();
    let params = QueryParams::parse("days=7");
    let owners = vec!["team-platform".to_owned()];
    page(
        &ctx(csrf),
        &SearchInsights {
            report: &r,
            params: &params,
            is_admin,
            owners: &owners,
            gap_pages: &Default::default(),
        },
    )
    .into_string()
}

#[test]
fn groups_link_every_form_to_the_search() {
    let html = render(false, None);
    assert!(
        html.contains(r#"<a href="/search?q=deploy+app">deploy app</a>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<a href="/search?q=dpeloy+app">dpeloy app</a>"#),
        "the typo is shown with its group"
    );
    assert!(html.contains("kafka &lt;acl&gt;"), "escaped");
    assert!(html.contains(r#"href="/insights/search.csv?days=7""#));
    assert!(html.contains(r#"href="/api/v1/insights/search?days=7""#));
    assert!(html.contains("chart-svg") && html.contains("class=\"sparkline\""));
    assert!(html.contains(r#"aria-label="Searches per day, oldest first: 0, 0, 0, 0, 0, 0, 3""#));
    assert!(
        html.contains(r#"datetime="2024-10-04T01:00:00Z""#),
        "{html}"
    );
    assert!(!html.contains("style="), "no inline styles under the CSP");
    assert!(!html.contains("/admin/search-feedback"), "admins only");
}

#[test]
fn each_gap_has_the_write_the_missing_page_action() {
    let html = render(true, Some("tok"));
    assert!(html.contains(r#"href="/admin/search-feedback""#));
    let zero = html.split("id=\"zero\"").nth(1).expect("zero table");
    assert_eq!(
        zero.matches("class=\"stub-action\"").count(),
        2,
        "one per zero-result group, before the next table: {zero}"
    );
    assert!(zero.contains(r#"value="deploy app""#) && zero.contains(r#"value="dpeloy app""#));
    assert!(zero.contains(r#"value="Deploy app""#), "suggested title");
}

#[test]
fn an_empty_period_says_so() {
    let r = report(&SearchPeriod::default(), Period::of_days(7), TODAY, LISTED);
    let params = QueryParams::default();
    let html = page(
        &ctx(None),
        &SearchInsights {
            report: &r,
            params: &params,
            is_admin: false,
            owners: &[],
            gap_pages: &Default::default(),
        },
    )
    .into_string();
    assert!(html.contains("No searches in this period."), "{html}");
    assert!(html.contains("Every search found something in this period."));
}
