//! The weekly digest per owner (issue 16, item 6): known searches, votes and review dates in,
//! the exact JSON out; who may read which owner's digest; the page and its CSV.

use std::path::Path;

use selfserve::insights::digest::Week;
use selfserve::records::feedback::NewFeedback;
use selfserve::records::{SearchLogEntry, SearchLogLimits};
use selfserve::store::UserName;
use time::{Duration, OffsetDateTime};

use crate::support::{TestApp, user_named};

const LIMITS: SearchLogLimits = SearchLogLimits {
    retention_days: 90,
    max_rows: 10_000,
};

/// `site-basic`, with `grace` answering for `team-platform`, a second page of that team
/// reviewed today (not overdue), a stub of that team still to write and a page of
/// `team-data`.
fn prepare(content: &Path, today: time::Date) {
    let toml = content.join("site.toml");
    let mut text = std::fs::read_to_string(&toml).expect("site.toml");
    text.push_str("\n[owners]\nteam-platform = [\"grace\"]\n");
    std::fs::write(toml, text).expect("write site.toml");
    std::fs::write(
        content.join("guides/kubernetes/rollback.md"),
        format!(
            "---\ntitle: Rolling back\nowner: team-platform\nreviewed: {today}\n---\nUndo a deploy.\n"
        ),
    )
    .expect("write rollback");
    std::fs::write(
        content.join("guides/vpn-token.md"),
        format!(
            "---\ntitle: VPN token\nowner: team-platform\nstatus: stub\ncreated: {today}\n---\nNeeds writing.\n"
        ),
    )
    .expect("write stub");
    std::fs::write(
        content.join("guides/kafka.md"),
        "---\ntitle: Kafka topics\nowner: team-data\nreviewed: 2020-01-01\n---\nTopics.\n",
    )
    .expect("write kafka");
}

fn vote(app: &TestApp, doc: &str, helpful: bool, at: OffsetDateTime) {
    let mut vote = NewFeedback::new(doc, helpful, None).expect("vote");
    vote.at = at;
    app.state
        .store
        .insert_feedback(&vote, LIMITS)
        .expect("store vote");
}

fn search(app: &TestApp, query: &str, results: u64, at: OffsetDateTime) {
    let mut entry = SearchLogEntry::new(query, results);
    entry.at = at;
    app.state
        .store
        .log_searches(&[entry], LIMITS)
        .expect("log search");
}

fn cookie(app: &TestApp, name: &str, admin: bool) -> String {
    let store = &app.state.store;
    store
        .create_user(&UserName::parse(name).expect("name"), admin, None)
        .expect("user");
    let (token, _) = store
        .create_session(user_named(store, name).id, OffsetDateTime::now_utc())
        .expect("session");
    format!("selfserve_session={token}")
}

#[test]
fn an_owners_digest_lists_their_weeks_gaps_unhelpful_pages_and_overdue_reviews() {
    let now = OffsetDateTime::now_utc();
    let today = now.date();
    let app = TestApp::start_with("site-basic", |content| prepare(content, today));
    let week = Week::containing(today);
    // A moment inside this week and one in the week before.
    let this_week = now;
    let last_week = now - Duration::days(7);

    // Deploying: 1 yes, 3 no this week (and 4 no last week, not counted); Rolling back only
    // yes (not unhelpful); Kafka is team-data's.
    vote(&app, "guides/kubernetes/deploy", true, this_week);
    for _ in 0..3 {
        vote(&app, "guides/kubernetes/deploy", false, this_week);
    }
    for _ in 0..4 {
        vote(&app, "guides/kubernetes/deploy", false, last_week);
    }
    for _ in 0..2 {
        vote(&app, "guides/kubernetes/rollback", true, this_week);
    }
    for _ in 0..5 {
        vote(&app, "guides/kafka", false, this_week);
    }
    // "VPN  token" and "vpn token" are one query; "deploy" found something; last week's gap
    // is not this week's.
    for query in ["vpn token", "VPN  token", "vpn token", "vpn token"] {
        search(&app, query, 0, this_week);
    }
    search(&app, "zookeeper", 0, this_week);
    search(&app, "deploy", 5, this_week);
    search(&app, "old gap", 0, last_week);

    let grace = cookie(&app, "grace", false);
    let res = app.get_with(
        &format!("/api/v1/insights/digest?owner=team-platform&week={week}"),
        &[("Cookie", grace.as_str())],
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.header("cache-control"), Some("private, no-store"));
    assert_eq!(
        res.json(),
        serde_json::json!({
            "owner": "team-platform",
            "week": week.to_string(),
            "from": week.from().to_string(),
            "to": week.to().to_string(),
            "gaps": {
                "searches": [
                    {"query": "vpn token", "queries": ["vpn token"], "count": 4},
                    {"query": "zookeeper", "queries": ["zookeeper"], "count": 1}
                ],
                "stubs": [{
                    "id": "guides/vpn-token",
                    "title": "VPN token",
                    "url": "/docs/guides/vpn-token"
                }]
            },
            "unhelpful": [{
                "id": "guides/kubernetes/deploy",
                "title": "Deploying to Kubernetes",
                "url": "/docs/guides/kubernetes/deploy",
                "helpful": 1,
                "not_helpful": 3,
                "helpful_rate": 0.25
            }],
            "overdue_reviews": [{
                "id": "guides/kubernetes/deploy",
                "title": "Deploying to Kubernetes",
                "url": "/docs/guides/kubernetes/deploy",
                "reviewed": "2020-01-15",
                "due": "2020-07-13"
            }]
        })
    );

    // Last week: its 4 "No" votes and its gap, not this week's.
    let res = app.get_with(
        &format!(
            "/api/v1/insights/digest?owner=team-platform&week={}",
            week.previous()
        ),
        &[("Cookie", grace.as_str())],
    );
    let json = res.json();
    assert_eq!(
        json["gaps"]["searches"],
        serde_json::json!([{"query": "old gap", "queries": ["old gap"], "count": 1}])
    );
    assert_eq!(json["unhelpful"][0]["not_helpful"], 4);
    assert_eq!(json["unhelpful"][0]["helpful"], 0);
    // Without `week`, the feed is the last whole week's.
    let res = app.get_with(
        "/api/v1/insights/digest?owner=team-platform",
        &[("Cookie", grace.as_str())],
    );
    assert_eq!(res.json()["week"], week.previous().to_string());
}

#[test]
fn a_digest_is_for_its_owners_and_admins() {
    let today = OffsetDateTime::now_utc().date();
    let app = TestApp::start_with("site-basic", |content| prepare(content, today));
    let grace = cookie(&app, "grace", false);
    let ada = cookie(&app, "ada", false);
    let root = cookie(&app, "root", true);
    let digest = "/api/v1/insights/digest";

    assert_eq!(app.get(digest).status, 401);
    assert_eq!(
        app.get_with(digest, &[("Cookie", ada.as_str())]).status,
        403
    );
    // Without `owner`, grace gets the one she answers for.
    let res = app.get_with(digest, &[("Cookie", grace.as_str())]);
    assert_eq!(res.json()["owner"], "team-platform");
    let other = format!("{digest}?owner=team-data");
    assert_eq!(
        app.get_with(&other, &[("Cookie", grace.as_str())]).status,
        403
    );
    let res = app.get_with(&other, &[("Cookie", root.as_str())]);
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["overdue_reviews"][0]["id"], "guides/kafka");
    let res = app.get_with(
        &format!("{digest}?owner=nobody"),
        &[("Cookie", root.as_str())],
    );
    assert_eq!(res.status, 404);
    assert!(res.error().contains("team-platform"), "{}", res.error());
    let res = app.get_with(
        &format!("{digest}?week=2026-49"),
        &[("Cookie", root.as_str())],
    );
    assert_eq!(res.status, 400);
    assert!(res.error().contains("YYYY-Www"), "{}", res.error());

    // A mail job polls with an API token of an account that answers for the owner.
    let (_, token) = app
        .state
        .store
        .create_token(&UserName::parse("grace").expect("name"), "digest bot")
        .expect("token");
    let bearer = format!("Bearer {token}");
    let res = app.get_with(digest, &[("Authorization", bearer.as_str())]);
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["owner"], "team-platform");

    // The page: an admin picks any owner; grace reads hers, with its downloads.
    let page = app.get_with("/insights/digest", &[("Cookie", root.as_str())]);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(r#"<option value="team-data""#),
        "{}",
        page.body
    );
    let page = app.get_with("/insights/digest", &[("Cookie", grace.as_str())]);
    assert_eq!(page.header("cache-control"), Some("private, no-store"));
    assert!(page.body.contains("Deploying to Kubernetes"));
    assert!(page.body.contains(r#"aria-current="page""#));
    let csv = app.get_with(
        "/insights/digest.csv?owner=team-platform",
        &[("Cookie", grace.as_str())],
    );
    assert_eq!(csv.status, 200);
    assert!(
        csv.body
            .starts_with("section,query or id,title,url,figure\n"),
        "{}",
        csv.body
    );
    assert!(
        csv.body
            .contains("overdue review,guides/kubernetes/deploy,Deploying to Kubernetes,/docs/guides/kubernetes/deploy,2020-07-13"),
        "{}",
        csv.body
    );
}

#[test]
fn the_overview_counts_what_needs_attention_in_the_viewers_scope() {
    let today = OffsetDateTime::now_utc().date();
    let app = TestApp::start_with("site-basic", |content| prepare(content, today));
    let grace = cookie(&app, "grace", false);
    let ada = cookie(&app, "ada", false);
    let root = cookie(&app, "root", true);
    search(&app, "vpn token", 0, OffsetDateTime::now_utc());

    // The header links the insights for owners and admins only.
    let home = |c: &str| app.get_with("/", &[("Cookie", c)]).body;
    assert!(home(&grace).contains(r#"href="/insights""#));
    assert!(home(&root).contains(r#"href="/insights""#));
    assert!(!home(&ada).contains(r#"href="/insights""#));

    assert_eq!(
        app.get_with("/insights", &[("Cookie", ada.as_str())])
            .status,
        403
    );
    let figure = |body: &str, title: &str| -> String {
        let card = body.split(title).nth(1).unwrap_or_default();
        card.split("<span class=\"insights-figure\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap_or_default()
            .to_owned()
    };
    // grace: team-platform's one overdue page (Deploying); root: that and team-data's Kafka.
    let page = app.get_with("/insights", &[("Cookie", grace.as_str())]);
    assert_eq!(page.status, 200);
    assert_eq!(page.header("cache-control"), Some("private, no-store"));
    assert_eq!(figure(&page.body, "Reviews overdue</a>"), "1");
    assert_eq!(figure(&page.body, "Searches that found nothing</a>"), "1");
    assert_eq!(figure(&page.body, "Stubs still to write</a>"), "1");
    let page = app.get_with("/insights", &[("Cookie", root.as_str())]);
    assert_eq!(figure(&page.body, "Reviews overdue</a>"), "2");
    assert_eq!(figure(&page.body, "Stubs still to write</a>"), "1");
    let csv = app.get_with("/insights/overview.csv", &[("Cookie", root.as_str())]);
    assert!(
        csv.body
            .contains("Reviews overdue,team-data,1,/insights/digest?owner=team-data"),
        "{}",
        csv.body
    );
}
