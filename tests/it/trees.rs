//! Troubleshooting trees end to end over `tests/fixtures/trees-basic`: walking by links, bad
//! trails, the JSON API and its errors, the rate limit, stats on the diagram. Help requests are
//! in [`requests`] (replies and the requester's pages in [`replies`]), `selfserve check` on
//! `tests/fixtures/trees-broken` in [`check`].

mod check;
mod replies;
mod requests;

use selfserve::store::{TreeStats, UserName};
use serde_json::json;

use crate::auth::{Browser, cookie_value, csrf_in};
use crate::support::{Response, TestApp};

const TREE: &str = "/trees/troubleshooting/pod-crash";
const API: &str = "/api/v1/trees/troubleshooting/pod-crash";
const OUTCOMES: &str = "/api/v1/trees/troubleshooting/pod-crash/outcomes";

fn app() -> TestApp {
    TestApp::start("trees-basic")
}

/// A signed-in browser made directly in the store (no sign-in form round trip).
fn browser(app: &TestApp, name: &str, admin: bool) -> Browser {
    let store = &app.state.store;
    let user = store
        .create_user(&UserName::parse(name).expect("name"), admin, None)
        .expect("user");
    let (token, csrf) = store
        .create_session(user.id, time::OffsetDateTime::now_utc())
        .expect("session");
    Browser {
        cookie: format!("selfserve_session={token}"),
        csrf,
    }
}

/// An anonymous visitor's CSRF cookie and the token its forms carry, from a page that has a
/// form.
fn anonymous_form(app: &TestApp, page: &str) -> (Response, String, String) {
    let res = app.get(page);
    assert_eq!(res.status, 200, "{}", res.body);
    let cookie = cookie_value(&res, "selfserve_csrf").expect("an anonymous CSRF cookie");
    let csrf = csrf_in(&res.body).expect("a form with a CSRF field");
    (res, format!("selfserve_csrf={cookie}"), csrf)
}

/// The `href` of the first link whose text is exactly `text`, unescaped.
fn href_of(body: &str, text: &str) -> String {
    let end = body
        .find(&format!(">{text}</a>"))
        .unwrap_or_else(|| panic!("no link “{text}” in:\n{body}"));
    let start = body[..end].rfind("href=\"").expect("href") + "href=\"".len();
    let len = body[start..].find('"').expect("closing quote");
    body[start..start + len].replace("&amp;", "&")
}

fn post_outcome(app: &TestApp, body: &serde_json::Value) -> Response {
    app.post_json(OUTCOMES, body, &[])
}

/// The pod-crash tree's statistics as stored.
fn stats(app: &TestApp) -> TreeStats {
    app.state
        .store
        .tree_stats("troubleshooting/pod-crash")
        .expect("stats")
}

#[test]
fn a_reader_walks_from_the_start_to_a_leaf_by_links_and_records_it() {
    let app = app();
    let page = app.get(TREE);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Work through these questions"), "intro");
    assert!(page.body.contains("Start here"));

    let step = href_of(&page.body, "No, it exits with an error");
    assert_eq!(step, format!("{TREE}?at=app-error&trail=start"));
    let second = app.get(&step);
    assert_eq!(second.status, 200);
    assert!(
        second
            .body
            .contains("Do the logs show a configuration error?")
    );
    assert!(second.body.contains("Your answers so far"));
    assert_eq!(
        href_of(&second.body, "Start over"),
        format!("{TREE}?at=start")
    );
    // The trail links back to the first question.
    assert!(
        second.body.contains(&format!(
            r#"<a href="{TREE}?at=start">Does kubectl describe pod show OOMKilled?</a>"#
        )),
        "{}",
        second.body
    );

    let leaf_url = href_of(&second.body, "Yes, a missing variable or file");
    assert_eq!(leaf_url, format!("{TREE}?at=config&trail=start,app-error"));
    let (leaf, cookie, csrf) = anonymous_form(&app, &leaf_url);
    assert!(leaf.body.contains("Did this fix it?"));
    assert!(
        leaf.body
            .contains(r#"name="path" value="start,app-error,config""#)
    );

    let form = format!("csrf={csrf}&path=start%2Capp-error%2Cconfig&outcome=resolved");
    let res = app.post_form(TREE, &form, &[("Cookie", &cookie)]);
    assert_eq!(res.status, 303, "{}", res.body);
    let back = res.header("location").expect("location").to_owned();
    assert_eq!(back, format!("{leaf_url}&done=1"));
    assert!(app.get(&back).body.contains("Glad it is fixed"));

    let stats = stats(&app);
    assert_eq!((stats.walks, stats.resolved, stats.escalated), (1, 1, 0));
    assert_eq!(stats.nodes["config"].stopped_at, 1);
}

#[test]
fn a_trail_that_is_not_a_walk_is_a_400_page_with_a_sentence() {
    let app = app();
    for (query, sentence) in [
        (
            "?at=config&trail=start",
            "is not one of the answers to step",
        ),
        ("?at=nope", "this tree has no step with the id “nope”"),
        ("?at=oom&trail=app-error", "walks begin at the start step"),
        ("?trail=start", "the link names no step"),
    ] {
        let res = app.get(&format!("{TREE}{query}"));
        assert_eq!(res.status, 400, "{query}");
        assert!(
            res.header("content-type")
                .is_some_and(|c| c.starts_with("text/html"))
        );
        assert!(res.body.contains(sentence), "{query}: {}", res.body);
        assert!(res.body.contains("Start from the first question"));
    }
}

#[test]
fn the_tree_page_holds_every_node_so_search_hits_land_on_it() {
    let app = app();
    let page = app.get(TREE);
    for id in ["start", "oom", "app-error", "config", "ask"] {
        assert!(page.body.contains(&format!(r#"id="{id}""#)), "{id}");
    }
    assert!(page.body.contains(r##"href="#oom""##));
    assert!(
        page.body.contains(&format!(
            r#"href="{TREE}?at=config&amp;trail=start,app-error">Continue from here"#
        )),
        "{}",
        page.body
    );
}

#[test]
fn the_api_describes_the_tree_exactly() {
    let app = app();
    let res = app.get("/api/v1/trees/troubleshooting/single");
    assert_eq!(res.status, 200);
    assert_eq!(
        res.json(),
        json!({
            "id": "troubleshooting/single",
            "title": "Restart the runner",
            "start": "start",
            "nodes": [{
                "id": "start",
                "title": "Restart the runner from the CI settings page",
                "outcome": "resolved",
                "choices": []
            }]
        })
    );
    let tree = app.get(API).json();
    assert_eq!(tree["start"], "start");
    let nodes = tree["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 5);
    assert_eq!(nodes[0]["outcome"], serde_json::Value::Null);
    assert_eq!(
        nodes[0]["choices"][0],
        json!({"label": "Yes, OOMKilled", "to": "oom"})
    );
    assert_eq!(nodes[4]["outcome"], "escalate");
    let missing = app.get("/api/v1/trees/troubleshooting/nothing");
    assert_eq!(missing.status, 404);
    assert!(missing.json()["error"].is_string());
    assert_eq!(
        app.get("/api/v1/trees/guides/memory").status,
        404,
        "not a tree"
    );
}

#[test]
fn bad_outcome_posts_are_400_with_a_sentence() {
    let app = app();
    let cases = [
        (
            json!({"path": ["start", "config"], "outcome": "resolved"}),
            "not one of the answers",
        ),
        (
            json!({"path": ["oom"], "outcome": "resolved"}),
            "walks begin at the start step",
        ),
        (
            json!({"path": [], "outcome": "resolved"}),
            "the path is empty",
        ),
        (
            json!({"path": ["start", "oom"], "outcome": "fixed"}),
            "is not an outcome",
        ),
        (
            json!({"path": ["start", "oom"], "outcome": "escalate"}),
            "whose outcome is “resolved”",
        ),
        (
            json!({"path": ["start"], "outcome": "resolved"}),
            "which is a question",
        ),
        (json!({"outcome": "resolved"}), "missing field `path`"),
        (
            json!({"path": ["start", "oom"], "outcome": "resolved", "note": "x".repeat(4001)}),
            "at most 4000",
        ),
    ];
    for (body, sentence) in cases {
        let res = post_outcome(&app, &body);
        assert_eq!(res.status, 400, "{body}");
        let error = res.json()["error"].as_str().expect("error").to_owned();
        assert!(error.contains(sentence), "{body}: {error}");
    }
    let malformed = app.request(
        "POST",
        OUTCOMES,
        &[("Content-Type", "application/json")],
        b"{\"path\": [\"start\",",
    );
    assert_eq!(malformed.status, 400);
    assert!(
        malformed.error().starts_with("The body is not valid JSON"),
        "{}",
        malformed.body
    );
    let not_json = app.request("POST", OUTCOMES, &[("Content-Type", "text/plain")], b"{}");
    assert_eq!(not_json.status, 400);
    let unknown = app.post_json(
        "/api/v1/trees/troubleshooting/nothing/outcomes",
        &json!({"path": ["start"], "outcome": "resolved"}),
        &[],
    );
    assert_eq!(unknown.status, 404);
    assert_eq!(stats(&app).walks, 0);
}

#[test]
fn outcome_posts_are_rate_limited_per_client() {
    let app = app();
    let body = json!({"path": ["start", "oom"], "outcome": "resolved"});
    for i in 0..30 {
        assert_eq!(post_outcome(&app, &body).status, 200, "post {i}");
    }
    let limited = post_outcome(&app, &body);
    assert_eq!(limited.status, 429);
    let retry: u64 = limited
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(limited.json()["error"].is_string());
    // The HTML form shares the limit (one client, one budget).
    let (_, cookie, csrf) = anonymous_form(&app, &format!("{TREE}?at=oom&trail=start"));
    let form = app.post_form(
        TREE,
        &format!("csrf={csrf}&path=start%2Coom&outcome=resolved"),
        &[("Cookie", &cookie)],
    );
    assert_eq!(form.status, 429);
    assert!(form.header("retry-after").is_some());
    assert_eq!(stats(&app).walks, 30);
}

/// Replicas (issue 17): two servers on one database share each client's budget, on SQLite
/// and, when a test server is configured, on PostgreSQL.
#[test]
fn servers_on_one_database_share_the_outcome_limit() {
    let body = json!({"path": ["start", "oom"], "outcome": "resolved"});
    let firsts = [
        Some(app()),
        TestApp::start_postgres_with("trees-basic", |_| {}),
    ];
    for first in firsts.into_iter().flatten() {
        let second = TestApp::start_on("trees-basic", &first.database());
        for i in 0..30 {
            let to = if i % 2 == 0 { &first } else { &second };
            assert_eq!(post_outcome(to, &body).status, 200, "post {i}");
        }
        for to in [&first, &second] {
            let limited = post_outcome(to, &body);
            assert_eq!(limited.status, 429);
            assert!(limited.header("retry-after").is_some());
        }
        assert_eq!(stats(&first).walks, 30);
    }
}

#[test]
fn the_diagram_links_every_node_and_shows_counts_to_admins_only() {
    let app = app();
    for path in [
        vec!["start", "oom"],
        vec!["start", "oom"],
        vec!["start", "app-error", "config"],
        vec!["start", "app-error", "start", "ask"],
    ] {
        let outcome = if path.last() == Some(&"ask") {
            "escalate"
        } else {
            "resolved"
        };
        let res = post_outcome(&app, &json!({"path": path, "outcome": outcome}));
        assert_eq!(res.status, 200, "{}", res.body);
    }
    let url = format!("{TREE}?view=diagram");
    let public = app.get(&url);
    assert_eq!(public.status, 200);
    assert!(public.body.contains("<svg"));
    for (id, href) in [
        ("start", format!("{TREE}?at=start")),
        ("oom", format!("{TREE}?at=oom&amp;trail=start")),
        ("app-error", format!("{TREE}?at=app-error&amp;trail=start")),
        (
            "config",
            format!("{TREE}?at=config&amp;trail=start,app-error"),
        ),
        ("ask", format!("{TREE}?at=ask&amp;trail=start")),
    ] {
        assert!(
            public.body.contains(&format!(
                r#"href="{href}" id="diagram-{id}" data-node="{id}""#
            )),
            "{id}: {}",
            public.body
        );
    }
    assert!(
        public.body.contains("tree-edge-back"),
        "the start-over choice"
    );
    assert!(
        !public.body.contains("through ·"),
        "no counts for the public"
    );

    let admin = browser(&app, "root", true);
    let counted = app.get_with(&url, &admin.headers()).body;
    assert!(counted.contains("<dt>Walks</dt><dd>4</dd>"), "{counted}");
    assert!(counted.contains(r#"href="/requests?tree=troubleshooting%2Fpod-crash""#));
    assert!(counted.contains("<dt>Resolved</dt><dd>3</dd>"));
    assert!(counted.contains("<dt>Escalated</dt><dd>1</dd>"));
    assert!(
        counted.contains("4 through · 0 ended"),
        "start: visited twice in one walk counts once"
    );
    assert!(counted.contains("2 through · 2 ended"), "oom");
    assert!(counted.contains("1 through · 1 ended"), "config and ask");
}
