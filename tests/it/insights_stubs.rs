//! The stub round trip (issue 16): a search that finds nothing → the missing page written as
//! a stub → on the site through the watcher → found by every query of the gap. And who may.

use std::time::{Duration, Instant};

use selfserve::store::UserName;
use serde_json::json;

use crate::support::{Response, TestApp};

/// Searches people made that the fixture cannot answer.
const GAP: [&str; 3] = [
    "quokka firmware rollback",
    "rollback quokka firmware",
    "quokka firmwre rollback",
];

/// `site-basic`, watched, with `bob` answering for `team-platform`.
fn app() -> TestApp {
    TestApp::start_watching("site-basic", |content| {
        let toml = content.join("site.toml");
        let text = std::fs::read_to_string(&toml).expect("site.toml");
        // A root-level dotted key: start_watching appends `watch = true` after this.
        std::fs::write(toml, format!("owners.team-platform = [\"bob\"]\n{text}"))
            .expect("write site.toml");
    })
}

fn token(app: &TestApp, name: &str, admin: bool) -> String {
    let user = UserName::parse(name).expect("name");
    app.state
        .store
        .create_user(&user, admin, None)
        .expect("create user");
    app.state
        .store
        .create_token(&user, "test")
        .expect("create token")
        .1
}

fn hit_ids(app: &TestApp, query: &str) -> Vec<String> {
    let url = format!("/api/v1/search?q={}", query.replace(' ', "+"));
    let res = app.get(&url);
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["id"].as_str().map(str::to_owned))
        .collect()
}

fn post_stub(app: &TestApp, bearer: Option<&str>, owner: &str) -> Response {
    let auth = bearer.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth
        .as_deref()
        .map(|a| vec![("Authorization", a)])
        .unwrap_or_default();
    app.post_json(
        "/api/v1/insights/stubs",
        &json!({"queries": GAP, "owner": owner}),
        &headers,
    )
}

/// Waits for the watcher to serve `url`.
fn wait_for_page(app: &TestApp, url: &str) -> Response {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let res = app.get(url);
        if res.status == 200 || Instant::now() > deadline {
            return res;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_search_gap_becomes_a_live_page_found_by_its_queries() {
    let app = app();
    let bob = token(&app, "bob", false);
    for query in GAP {
        assert_eq!(hit_ids(&app, query), Vec::<String>::new(), "{query}");
    }

    let res = post_stub(&app, Some(&bob), "team-platform");
    assert_eq!(res.status, 201, "{}", res.body);
    let created = res.json();
    assert_eq!(created["id"], "guides/quokka-firmware-rollback");
    assert_eq!(created["path"], "guides/quokka-firmware-rollback.md");
    assert_eq!(created["live"], true);
    let file = app.content.join("guides/quokka-firmware-rollback.md");
    let text = std::fs::read_to_string(&file).expect("the stub is on disk");
    assert!(text.contains("status: stub"), "{text}");
    assert!(text.contains("owner: team-platform"), "{text}");

    let url = created["url"].as_str().expect("url");
    let page = wait_for_page(&app, url);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Quokka firmware rollback"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("This page needs writing"),
        "{}",
        page.body
    );

    // The index follows the snapshot the page came from; every grouped query finds it.
    for query in GAP {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut ids = hit_ids(&app, query);
        while ids.first().map(String::as_str) != Some("guides/quokka-firmware-rollback")
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(50));
            ids = hit_ids(&app, query);
        }
        assert_eq!(
            ids.first().map(String::as_str),
            Some("guides/quokka-firmware-rollback"),
            "{query}: {ids:?}"
        );
    }

    // Once written, never again: the file (and the id) exist.
    let again = post_stub(&app, Some(&bob), "team-platform");
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.error().contains("already"), "{}", again.body);
    assert_eq!(
        std::fs::read_to_string(&file).expect("still there"),
        text,
        "the first stub is untouched"
    );
}

#[test]
fn only_admins_and_owners_write_stubs_and_owners_only_their_own() {
    let app = app();
    let ada = token(&app, "ada", false);
    let bob = token(&app, "bob", false);
    let root = token(&app, "root", true);

    assert_eq!(post_stub(&app, None, "team-platform").status, 401);
    assert_eq!(post_stub(&app, Some(&ada), "team-platform").status, 403);
    // bob answers for team-platform, not for team-docs.
    let res = post_stub(&app, Some(&bob), "team-docs");
    assert_eq!(res.status, 403, "{}", res.body);
    assert!(res.error().contains("team-platform"), "{}", res.body);

    // Bad input is a 400 with a sentence.
    let auth = format!("Bearer {root}");
    let headers = [("Authorization", auth.as_str())];
    let empty = app.post_json(
        "/api/v1/insights/stubs",
        &json!({"queries": [], "owner": "team-docs"}),
        &headers,
    );
    assert_eq!(empty.status, 400, "{}", empty.body);
    assert!(
        empty.error().contains("from 1 to 20 queries"),
        "{}",
        empty.body
    );
    let odd_owner = app.post_json(
        "/api/v1/insights/stubs",
        &json!({"queries": ["x"], "owner": "team: docs"}),
        &headers,
    );
    assert_eq!(odd_owner.status, 400, "{}", odd_owner.body);

    // An admin names any owner; a title that names an existing page's id is taken.
    let res = post_stub(&app, Some(&root), "team-docs");
    assert_eq!(res.status, 201, "{}", res.body);
    let clash = app.post_json(
        "/api/v1/insights/stubs",
        &json!({"queries": ["broken"], "title": "Broken", "owner": "team-docs"}),
        &headers,
    );
    // `guides/broken` is the fixture's page: its id is taken.
    assert_eq!(clash.status, 409, "{}", clash.body);
    assert!(clash.error().contains("guides/broken"), "{}", clash.body);
}

#[cfg(unix)]
#[test]
fn a_read_only_content_folder_answers_with_the_markdown_to_copy() {
    use std::os::unix::fs::PermissionsExt;
    let app = app();
    let root = token(&app, "root", true);
    let guides = app.content.join("guides");
    std::fs::set_permissions(&guides, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let res = post_stub(&app, Some(&root), "team-platform");
    std::fs::set_permissions(&guides, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    if res.status == 201 {
        // Running as root: permissions do not stop the write.
        return;
    }
    assert_eq!(res.status, 409, "{}", res.body);
    let body = res.json();
    assert_eq!(body["path"], "guides/quokka-firmware-rollback.md");
    let markdown = body["markdown"].as_str().expect("markdown");
    assert!(
        markdown.starts_with("---\ntitle: Quokka firmware rollback\n"),
        "{markdown}"
    );
    assert!(
        body["error"]
            .as_str()
            .expect("error")
            .contains("merge request")
    );
}
