//! Click feedback end to end over `tests/fixtures/search-clicks` (two guides that answer
//! "certificate renewal" about equally well): three searchers opening one page through the
//! real click route lift it for that query only; one searcher searching and clicking many
//! times lifts nothing; `[search] click_feedback = false` records and applies nothing; only
//! admins see it.

use std::time::{Duration, Instant};

use selfserve::store::{Choice, SearchLogLimits, Store, UserName};

use crate::support::TestApp;

const FIXTURE: &str = "search-clicks";
const QUERY: &str = "certificate renewal";

/// (id, url, score) of each hit of `q`, best first.
fn hits(app: &TestApp, q: &str) -> Vec<(String, String, f64)> {
    let res = app.get(&format!("/api/v1/search?q={}", q.replace(' ', "+")));
    assert_eq!(res.status, 200, "{}", res.body);
    let json = res.json();
    json["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| {
            (
                h["id"].as_str().expect("id").to_owned(),
                h["url"].as_str().expect("url").to_owned(),
                h["score"].as_f64().expect("score"),
            )
        })
        .collect()
}

fn ids(hits: &[(String, String, f64)]) -> Vec<&str> {
    hits.iter().map(|h| h.0.as_str()).collect()
}

/// The runner-up of `QUERY` before any click: the page the tests make searchers choose.
/// Its score is close enough to the first's for a full lift (×1.5) to put it first.
fn runner_up(app: &TestApp) -> (String, String) {
    let before = hits(app, QUERY);
    assert!(before.len() >= 2, "{before:?}");
    assert!(
        before[1].2 * 1.5 > before[0].2 * 1.05,
        "the fixture's two guides must score about alike: {before:?}"
    );
    (before[1].0.clone(), before[1].1.clone())
}

/// Runs `q` through the API and opens `url` through the click route `clicks` times, as
/// the visitor with `cookie` (`""` for anonymous).
fn search_and_open(app: &TestApp, cookie: &str, q: &str, url: &str, clicks: usize) {
    let cookie_header = [("Cookie", cookie)];
    let headers: &[(&str, &str)] = if cookie.is_empty() {
        &[]
    } else {
        &cookie_header
    };
    let res = app.get_with(
        &format!("/api/v1/search?q={}", q.replace(' ', "+")),
        headers,
    );
    assert_eq!(res.status, 200, "{}", res.body);
    let sid = res.json()["search_id"]
        .as_str()
        .expect("a logged search has an id")
        .to_owned();
    for _ in 0..clicks {
        let open = app.get_with(&format!("/search?sid={sid}&open={}", encode(url)), headers);
        assert_eq!(open.status, 303, "{}", open.body);
        assert_eq!(open.header("location"), Some(url));
    }
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Waits until the search log counts `opened` opened searches of `q` (the logger writes
/// clicks in batches, about a second after they happen).
fn wait_for_opened(store: &Store, q: &str, opened: u64) {
    let since = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let top = store.top_queries(since, 100).expect("top queries");
        if top.iter().any(|t| t.query == q && t.opened >= opened) {
            return;
        }
        assert!(Instant::now() < deadline, "clicks never logged: {top:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A session cookie for a new account made directly in the store.
fn cookie(app: &TestApp, name: &str, admin: bool) -> String {
    let store = &app.state.store;
    let user = store
        .create_user(&UserName::parse(name).expect("name"), admin, None)
        .expect("user");
    let (token, _csrf) = store
        .create_session(user.id, time::OffsetDateTime::now_utc())
        .expect("session");
    format!("selfserve_session={token}")
}

/// The admin's view of search feedback, as JSON.
fn feedback_json(app: &TestApp, admin: &str) -> serde_json::Value {
    app.get_with("/api/v1/insights/search-feedback", &[("Cookie", admin)])
        .json()
}

#[test]
fn searchers_choosing_a_page_lift_it_for_that_query_only() {
    let app = TestApp::start(FIXTURE);
    let (chosen, url) = runner_up(&app);
    let before = hits(&app, QUERY);
    let other_query = "tls certificate";
    let other_before = hits(&app, other_query);

    for name in ["ada", "bob", "cy"] {
        let learner = cookie(&app, name, false);
        search_and_open(&app, &learner, "Certificate  Renewal", &url, 1);
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let after = loop {
        let after = hits(&app, QUERY);
        if after.first().is_some_and(|h| h.0 == chosen) {
            break after;
        }
        assert!(
            Instant::now() < deadline,
            "{chosen} was never lifted: {after:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut found_before = ids(&before);
    let mut found_after = ids(&after);
    found_before.sort_unstable();
    found_after.sort_unstable();
    assert_eq!(found_after, found_before, "no page added or dropped");
    assert_eq!(
        hits(&app, other_query),
        other_before,
        "another query is unaffected"
    );

    let admin = cookie(&app, "root", true);
    let json = feedback_json(&app, &admin);
    assert_eq!(json["enabled"], true);
    let q = &json["queries"][0];
    assert_eq!(q["query"], QUERY, "{json}");
    assert_eq!(q["lifting"], true);
    assert_eq!(q["pages"][0]["id"], chosen.as_str());
    assert_eq!(q["pages"][0]["share"], 1.0);
    assert_eq!(q["pages"][0]["lift"], 1.5);
    let page = app.get_with("/admin/search-feedback", &[("Cookie", admin.as_str())]);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(QUERY), "{}", page.body);
    assert!(page.body.contains("×1.50"), "{}", page.body);
}

#[test]
fn one_searcher_clicking_many_times_lifts_nothing() {
    let app = TestApp::start(FIXTURE);
    let (chosen, url) = runner_up(&app);
    let before = hits(&app, QUERY);
    // One anonymous client: a search clicked ten times, then five more searches and clicks.
    search_and_open(&app, "", QUERY, &url, 10);
    for _ in 0..5 {
        search_and_open(&app, "", QUERY, &url, 1);
    }
    wait_for_opened(&app.state.store, QUERY, 6);
    let deadline = Instant::now() + Duration::from_secs(20);
    let feedback = loop {
        let all = app
            .state
            .store
            .all_feedback(time::OffsetDateTime::now_utc())
            .expect("feedback");
        if let Some(f) = all.into_iter().next() {
            break f;
        }
        assert!(Instant::now() < deadline, "the choice was never recorded");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(!feedback.lifting, "{feedback:?}");
    assert_eq!((feedback.searches * 10.0).round(), 10.0, "one searcher");
    assert_eq!(feedback.pages.len(), 1);
    assert_eq!(feedback.pages[0].page, chosen);
    assert_eq!(
        (feedback.pages[0].weight * 10.0).round(),
        10.0,
        "one choice"
    );
    assert_eq!(hits(&app, QUERY), before);
}

/// A server whose database already holds five searches that chose the runner-up.
fn seeded(feedback_on: bool) -> (TestApp, String) {
    let probe = TestApp::start(FIXTURE);
    let (chosen, _) = runner_up(&probe);
    drop(probe);
    let app = TestApp::start_with_data_inside(FIXTURE, "_data", |content, data| {
        if !feedback_on {
            let path = content.join("site.toml");
            let mut config = std::fs::read_to_string(&path).expect("site.toml");
            config.push_str("\n[search]\nclick_feedback = false\n");
            std::fs::write(&path, config).expect("write site.toml");
        }
        let store = Store::open(data).expect("store");
        let choices: Vec<Choice> = (0..5)
            .map(|_| Choice {
                query: QUERY.into(),
                page: chosen.clone(),
                first_of_search: true,
                at: time::OffsetDateTime::now_utc(),
            })
            .collect();
        let limits = SearchLogLimits {
            retention_days: 180,
            max_rows: 1000,
        };
        store.record_choices(&choices, limits).expect("seed");
    });
    (app, chosen)
}

/// The first hit of `QUERY` once the logger has loaded the stored feedback at its start
/// (it does so before its first write: a logged search proves it ran).
fn first_hit_after_start(app: &TestApp) -> String {
    hits(app, "warm up");
    let since = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let deadline = Instant::now() + Duration::from_secs(20);
    while app
        .state
        .store
        .top_queries(since, 10)
        .expect("top")
        .is_empty()
    {
        assert!(Instant::now() < deadline, "the logger never wrote");
        std::thread::sleep(Duration::from_millis(50));
    }
    hits(app, QUERY)[0].0.clone()
}

#[test]
fn stored_feedback_lifts_after_a_restart() {
    let (app, chosen) = seeded(true);
    assert_eq!(first_hit_after_start(&app), chosen);
}

#[test]
fn with_the_switch_off_nothing_is_recorded_or_applied() {
    let (app, chosen) = seeded(false);
    assert_ne!(
        first_hit_after_start(&app),
        chosen,
        "stored feedback is not used"
    );
    let before = hits(&app, QUERY);
    let url = before
        .iter()
        .find(|h| h.0 == chosen)
        .expect("the chosen page is found")
        .1
        .clone();
    for name in ["ada", "bob", "cy"] {
        let learner = cookie(&app, name, false);
        search_and_open(&app, &learner, QUERY, &url, 1);
    }
    wait_for_opened(&app.state.store, QUERY, 3);
    assert_eq!(
        app.state.store.choice_rows().expect("rows"),
        (1, 1),
        "only the seeded rows"
    );
    let feedback = app
        .state
        .store
        .query_feedback(QUERY, time::OffsetDateTime::now_utc())
        .expect("feedback")
        .expect("seeded");
    assert_eq!((feedback.searches * 10.0).round(), 50.0, "nothing recorded");
    assert_eq!(hits(&app, QUERY), before, "nothing applied");
    let admin = cookie(&app, "root", true);
    let json = feedback_json(&app, &admin);
    assert_eq!(json["enabled"], false);
    assert_eq!(json["queries"][0]["pages"][0]["lift"], 1.0, "{json}");
}

#[test]
fn only_admins_see_search_feedback() {
    let app = TestApp::start(FIXTURE);
    let page = app.get("/admin/search-feedback");
    assert_eq!(page.status, 303, "anonymous: sign in first");
    assert!(
        page.header("location")
            .is_some_and(|l| l.starts_with("/sign-in")),
        "{:?}",
        page.header("location")
    );
    assert_eq!(app.get("/api/v1/insights/search-feedback").status, 401);
    let learner = cookie(&app, "ada", false);
    for path in ["/admin/search-feedback", "/api/v1/insights/search-feedback"] {
        let res = app.get_with(path, &[("Cookie", learner.as_str())]);
        assert_eq!(res.status, 403, "{path}: {}", res.body);
    }
    let admin = cookie(&app, "root", true);
    let res = app.get_with("/admin/search-feedback", &[("Cookie", admin.as_str())]);
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains("No search has chosen a result yet."));
    assert_eq!(res.header("cache-control"), Some("private, no-store"));
    let home = app.get_with("/", &[("Cookie", admin.as_str())]);
    assert!(
        home.body.contains("href=\"/insights\""),
        "admins find the insights from the header"
    );
    let search = app.get_with("/insights/search", &[("Cookie", admin.as_str())]);
    assert!(
        search.body.contains("href=\"/admin/search-feedback\""),
        "and the click feedback from the search insights"
    );
}
