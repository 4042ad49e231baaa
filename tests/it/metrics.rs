//! `GET /metrics`: who may read it (anonymous 401, a learner 403, the metrics token and
//! admins 200), the families it exposes, and counters that move with pages, searches, quiz
//! attempts and tree walks.

use std::sync::Arc;

use selfserve::snapshot::Snapshot;
use serde_json::json;

use crate::auth::{add_user, token_for};
use crate::support::{Response, TestApp};

const TOKEN: &str = "metrics-token-for-the-tests-0123";

fn app() -> TestApp {
    let app = TestApp::start("site-basic");
    assert!(app.state.metrics.set_token(TOKEN), "the token is set once");
    app
}

fn scrape(app: &TestApp) -> Response {
    app.get_with("/metrics", &[("Authorization", &format!("Bearer {TOKEN}"))])
}

/// The value of the sample `name{labels}` (exactly as written in the text), or 0 when absent.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| {
            let (name, value) = line.rsplit_once(' ')?;
            (name == series).then(|| value.parse().expect("a number"))
        })
        .unwrap_or(0.0)
}

#[test]
fn anonymous_visitors_and_learners_are_refused_with_a_sentence() {
    let app = app();
    let res = app.get("/metrics");
    assert_eq!(res.status, 401, "{}", res.body);
    assert!(
        res.body.starts_with("Send the metrics token"),
        "{}",
        res.body
    );
    assert_eq!(
        res.header("www-authenticate"),
        Some(r#"Bearer realm="selfserve""#)
    );
    add_user(&app, "ada", false, Some("pw"));
    let learner = token_for(&app, "ada");
    let res = app.get_with(
        "/metrics",
        &[("Authorization", &format!("Bearer {learner}"))],
    );
    assert_eq!(res.status, 403, "{}", res.body);
    assert!(res.body.contains("Only admins"), "{}", res.body);
    // A wrong token is an unknown API token, as anywhere else.
    let res = app.get_with(
        "/metrics",
        &[("Authorization", "Bearer not-the-token-at-all")],
    );
    assert_eq!(res.status, 401, "{}", res.body);
    assert!(!res.body.contains("selfserve_"), "{}", res.body);
}

#[test]
fn the_metrics_token_and_admins_read_every_family() {
    let app = app();
    // One request before: the request counters' families appear with their first series.
    assert_eq!(app.get("/").status, 200);
    let res = scrape(&app);
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert_eq!(res.header("cache-control"), Some("no-store"));
    for family in [
        "selfserve_http_requests_total counter",
        "selfserve_http_request_duration_seconds histogram",
        "selfserve_searches_total counter",
        "selfserve_search_duration_seconds histogram",
        "selfserve_search_query_embedding_duration_seconds histogram",
        "selfserve_searches_without_results_total counter",
        "selfserve_quiz_attempts_total counter",
        "selfserve_tree_outcomes_total counter",
        "selfserve_help_requests_total counter",
        "selfserve_documents gauge",
        "selfserve_content_errors gauge",
        "selfserve_content_warnings gauge",
        "selfserve_search_index_ready gauge",
        "selfserve_semantic_ready gauge",
        "selfserve_snapshot_generation gauge",
        "selfserve_content_reloads_total counter",
        "selfserve_content_loaded_timestamp_seconds gauge",
        "selfserve_store_pool_connections gauge",
        "selfserve_store_pool_max_connections gauge",
    ] {
        assert!(
            res.body.contains(&format!("# TYPE {family}\n")),
            "{family} missing in:\n{}",
            res.body
        );
    }
    let site = app.state.snapshot.load().site.clone();
    assert_eq!(
        sample(&res.body, "selfserve_documents"),
        site.documents.len() as f64
    );
    assert_eq!(
        sample(&res.body, "selfserve_content_errors"),
        site.error_count() as f64
    );
    assert_eq!(sample(&res.body, "selfserve_search_index_ready"), 1.0);
    assert_eq!(
        sample(&res.body, "selfserve_store_pool_max_connections"),
        8.0
    );
    assert!(sample(&res.body, "selfserve_content_loaded_timestamp_seconds") > 1.7e9);

    add_user(&app, "root", true, Some("pw"));
    let admin = token_for(&app, "root");
    let res = app.get_with("/metrics", &[("Authorization", &format!("Bearer {admin}"))]);
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(
        res.body
            .contains("# TYPE selfserve_http_requests_total counter")
    );
    assert!(
        res.body
            .contains(r#"selfserve_quiz_attempts_total{outcome="failed"} 0"#),
        "series of fixed labels start at 0:\n{}",
        res.body
    );
}

#[test]
fn counters_move_with_pages_searches_attempts_and_walks() {
    let app = app();
    let before = scrape(&app).body;
    let page = r#"selfserve_http_requests_total{route="/docs/{id:.*}",method="GET",status="200"}"#;
    let unmatched = r#"selfserve_http_requests_total{route="unmatched",method="GET",status="404"}"#;
    let lexical = r#"selfserve_searches_total{legs="lexical"}"#;
    let empty = "selfserve_searches_without_results_total";
    let passed = r#"selfserve_quiz_attempts_total{outcome="passed"}"#;
    let failed = r#"selfserve_quiz_attempts_total{outcome="failed"}"#;
    let resolved = r#"selfserve_tree_outcomes_total{outcome="resolved"}"#;
    let escalated = r#"selfserve_tree_outcomes_total{outcome="escalated"}"#;
    let help = "selfserve_help_requests_total";

    for _ in 0..3 {
        assert_eq!(app.get("/docs/guides/kubernetes/deploy").status, 200);
    }
    // Two addresses nobody routes: one label between them, not one each.
    assert_eq!(app.get("/no/such/page-1").status, 404);
    assert_eq!(app.get("/no/such/page-2").status, 404);
    assert_eq!(app.get("/api/v1/search?q=kubernetes").status, 200);
    assert_eq!(app.get("/search?q=kubernetes").status, 200);
    assert_eq!(app.get("/api/v1/search?q=zzzqqqxxyy").status, 200);

    add_user(&app, "ada", false, Some("pw"));
    let token = token_for(&app, "ada");
    let bearer = format!("Bearer {token}");
    let attempt = |answer: usize| {
        let res = app.post_json(
            "/api/v1/modules/k8s-basics/attempts",
            &json!({"answers": [[answer]]}),
            &[("Authorization", &bearer)],
        );
        assert_eq!(res.status, 200, "{}", res.body);
    };
    attempt(1);
    attempt(0);
    let walk = |body: serde_json::Value| {
        let res = app.post_json(
            "/api/v1/trees/troubleshooting/pod-crash/outcomes",
            &body,
            &[],
        );
        assert_eq!(res.status, 200, "{}", res.body);
    };
    walk(json!({"path": ["start", "oom"], "outcome": "resolved"}));
    walk(json!({"path": ["start", "ask"], "outcome": "escalate", "note": "exit code 137"}));

    let after = scrape(&app).body;
    let moved = |series: &str| sample(&after, series) - sample(&before, series);
    assert_eq!(moved(page), 3.0, "{after}");
    assert_eq!(moved(unmatched), 2.0, "{after}");
    assert!(
        !after.contains("page-1"),
        "a raw address became a label:\n{after}"
    );
    // The site-basic fixture runs without the semantic leg: every search is lexical.
    assert_eq!(moved(lexical), 3.0, "{after}");
    assert_eq!(moved(empty), 1.0, "{after}");
    assert_eq!(moved(passed), 1.0, "{after}");
    assert_eq!(moved(failed), 1.0, "{after}");
    assert_eq!(moved(resolved), 1.0, "{after}");
    assert_eq!(moved(escalated), 1.0, "{after}");
    assert_eq!(moved(help), 1.0, "{after}");
    let searches = r#"selfserve_search_duration_seconds_count{legs="lexical"}"#;
    assert_eq!(moved(searches), 3.0, "{after}");
    // The first scrape is counted too, under its own route.
    assert!(
        sample(
            &after,
            r#"selfserve_http_requests_total{route="/metrics",method="GET",status="200"}"#
        ) >= 1.0,
        "{after}"
    );
}

#[test]
fn a_reload_moves_the_snapshot_figures() {
    let app = app();
    let before = scrape(&app).body;
    let generation = "selfserve_snapshot_generation";
    let reloads = "selfserve_content_reloads_total";
    // What the watcher does on an edit: a new site swapped in.
    let site = (*app.state.snapshot.load().site).clone();
    app.state
        .snapshot
        .update(|previous| Snapshot::next(previous, site));
    // A swap that keeps the site (as the background index build does) is not a reload.
    app.state.snapshot.update(|previous| Snapshot {
        site: Arc::clone(&previous.site),
        search: previous.search.clone(),
        pages: Arc::clone(&previous.pages),
    });
    let after = scrape(&app).body;
    let moved = |series: &str| sample(&after, series) - sample(&before, series);
    assert_eq!(moved(generation), 2.0, "{after}");
    assert_eq!(moved(reloads), 1.0, "{after}");
}
