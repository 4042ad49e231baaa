//! Search insights end to end over `tests/fixtures/insights-search` (a guide on deploying an
//! app, owned by `bob`, and one on Vault): known searches and clicks through the real search
//! page, then the exact figures in `/api/v1/insights/search`, its CSV and its page — "Deploy
//! app", "deploy apps" and the typo "dpeloy app" in one group, a zero-result group, the
//! searches without a click — and who may see them.

use std::time::{Duration, Instant};

use selfserve::records::day_of;
use selfserve::store::{Store, UserName};

use crate::support::TestApp;

const FIXTURE: &str = "insights-search";

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

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Searches `q` on the results page, anonymously; with `open`, opens its first result
/// through the result link (the click route). Returns how many results links it showed.
fn search(app: &TestApp, q: &str, open: bool) -> usize {
    let res = app.get(&format!("/search?q={}", encode(q)));
    assert_eq!(res.status, 200, "{}", res.body);
    let links: Vec<&str> = res
        .body
        .split("href=\"/search?sid=")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    if open {
        let link = links.first().unwrap_or_else(|| panic!("no result for {q}"));
        let clicked = app.get(&format!("/search?sid={}", link.replace("&amp;", "&")));
        assert_eq!(clicked.status, 303, "{}", clicked.body);
    }
    links.len()
}

/// Waits until the logger has written `searches` searches and `opened` clicks of today.
fn wait_for_log(store: &Store, searches: u64, opened: u64) {
    let today = day_of(time::OffsetDateTime::now_utc());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let period = store.search_period(today).expect("period");
        let sum = |f: fn(&selfserve::records::QueryTotals) -> u64| {
            period.queries.iter().map(f).sum::<u64>()
        };
        if sum(|q| q.searches) == searches && sum(|q| q.opened) == opened {
            return;
        }
        assert!(Instant::now() < deadline, "never logged: {period:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The fixture's server after the known searches: 8 searches, 3 opened a result.
fn searched_app() -> (TestApp, time::OffsetDateTime) {
    let app = TestApp::start(FIXTURE);
    let started = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("time");
    assert!(search(&app, "Deploy app", true) > 0);
    assert!(search(&app, "deploy  app", true) > 0);
    assert!(search(&app, "deploy apps", false) > 0);
    assert!(
        search(&app, "dpeloy app", false) > 0,
        "'app' still finds the guide"
    );
    assert_eq!(search(&app, "kerberos keytab", false), 0);
    assert_eq!(search(&app, "Kerberos keytab", false), 0);
    assert_eq!(search(&app, "kerberos keytabs", false), 0);
    assert!(search(&app, "vault", true) > 0);
    wait_for_log(&app.state.store, 8, 3);
    (app, started)
}

#[test]
fn known_searches_give_exact_grouped_figures() {
    let (app, started) = searched_app();
    let admin = cookie(&app, "root", true);
    let res = app.get_with(
        "/api/v1/insights/search?days=7",
        &[("Cookie", admin.as_str())],
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.header("cache-control"), Some("private, no-store"));
    let json = res.json();
    let pick = |list: &str, keys: &[&str]| -> serde_json::Value {
        json[list]
            .as_array()
            .expect(list)
            .iter()
            .map(|g| {
                keys.iter()
                    .map(|k| ((*k).to_owned(), g[*k].clone()))
                    .collect::<serde_json::Map<_, _>>()
                    .into()
            })
            .collect::<Vec<serde_json::Value>>()
            .into()
    };
    assert_eq!(
        pick("top", &["query", "count", "clicks", "queries"]),
        serde_json::json!([
            {"query": "deploy app", "count": 4, "clicks": 2,
             "queries": ["deploy app", "deploy apps", "dpeloy app"]},
            {"query": "kerberos keytab", "count": 3, "clicks": 0,
             "queries": ["kerberos keytab", "kerberos keytabs"]},
            {"query": "vault", "count": 1, "clicks": 1, "queries": ["vault"]},
        ])
    );
    assert_eq!(
        pick("zero_results", &["query", "count", "queries"]),
        serde_json::json!([
            {"query": "kerberos keytab", "count": 3,
             "queries": ["kerberos keytab", "kerberos keytabs"]},
        ])
    );
    let last_seen = json["zero_results"][0]["last_seen"]
        .as_str()
        .expect("last_seen");
    let last_seen =
        time::OffsetDateTime::parse(last_seen, &time::format_description::well_known::Rfc3339)
            .expect("RFC 3339");
    assert!(last_seen >= started && last_seen <= time::OffsetDateTime::now_utc());
    assert_eq!(
        pick("no_clicks", &["query", "count"]),
        serde_json::json!([{"query": "deploy app", "count": 2}]),
        "deploy apps and dpeloy app found the guide and opened nothing"
    );
    assert_eq!(
        json["totals"],
        serde_json::json!({"searches": 8, "zero_results": 3, "clicks": 3, "no_clicks": 2,
                           "queries": 6, "groups": 3})
    );
    assert_eq!(json["period"]["days"], 7);
    assert_eq!(json["per_day"].as_array().expect("days").len(), 7);
    assert_eq!(json["per_day"][6]["searches"], 8);
    assert_eq!(json["trend_unit"], "day");
    assert_eq!(
        json["top"][0]["trend"],
        serde_json::json!([0, 0, 0, 0, 0, 0, 4])
    );
    let text = res.body.to_lowercase();
    for who in ["root", "selfserve_session", "127.0.0.1"] {
        assert!(!text.contains(who), "never who searched: {who}");
    }

    let csv = app.get_with("/insights/search.csv?days=7", &[("Cookie", admin.as_str())]);
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let stamp = json["zero_results"][0]["last_seen"]
        .as_str()
        .expect("stamp");
    assert_eq!(
        csv.body,
        format!(
            "kind,query,count,clicks,last_seen,queries\n\
             top,deploy app,4,2,,deploy app | deploy apps | dpeloy app\n\
             top,kerberos keytab,3,0,,kerberos keytab | kerberos keytabs\n\
             top,vault,1,1,,vault\n\
             zero_results,kerberos keytab,3,0,{stamp},kerberos keytab | kerberos keytabs\n\
             no_clicks,deploy app,2,2,,deploy app | deploy apps | dpeloy app\n"
        )
    );

    let page = app.get_with("/insights/search?days=7", &[("Cookie", admin.as_str())]);
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.header("cache-control"), Some("private, no-store"));
    for wanted in [
        r#"<a href="/search?q=deploy+app">deploy app</a>"#,
        r#"<a href="/search?q=dpeloy+app">dpeloy app</a>"#,
        r#"href="/admin/search-feedback""#,
        r#"href="/insights/search.csv?days=7""#,
        r#"class="stub-action""#,
        "chart-svg",
    ] {
        assert!(page.body.contains(wanted), "{wanted} in {}", page.body);
    }
}

#[test]
fn who_may_see_search_insights_and_bad_periods() {
    let app = TestApp::start(FIXTURE);
    let anonymous = app.get("/api/v1/insights/search");
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
    assert_eq!(app.get("/insights/search").status, 303, "sent to sign in");

    let learner = cookie(&app, "ada", false);
    let res = app.get_with("/api/v1/insights/search", &[("Cookie", learner.as_str())]);
    assert_eq!(res.status, 403, "{}", res.body);
    assert!(res.error().contains("owners of pages"), "{}", res.body);
    let page = app.get_with("/insights/search", &[("Cookie", learner.as_str())]);
    assert_eq!(page.status, 403);

    // bob owns the deploy guide: the search gaps are his to see too, without the admin link.
    let owner = cookie(&app, "bob", false);
    let res = app.get_with("/api/v1/insights/search", &[("Cookie", owner.as_str())]);
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["period"]["days"], 28, "the default period");
    let page = app.get_with("/insights/search", &[("Cookie", owner.as_str())]);
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("/admin/search-feedback"));
    assert!(page.body.contains("No searches in this period."));

    for bad in ["0", "367", "week", "-3"] {
        let res = app.get_with(
            &format!("/api/v1/insights/search?days={bad}"),
            &[("Cookie", owner.as_str())],
        );
        assert_eq!(res.status, 400, "days={bad}: {}", res.body);
        assert!(res.error().contains("from 1 to 366"), "{}", res.body);
        let csv = app.get_with(
            &format!("/insights/search.csv?days={bad}"),
            &[("Cookie", owner.as_str())],
        );
        assert_eq!(csv.status, 400, "days={bad}");
    }
}
