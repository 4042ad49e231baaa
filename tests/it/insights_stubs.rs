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

    // The gap's row on the search insights now points at the page instead of offering to
    // write another (the log is written off the request path: wait for it).
    let auth = format!("Bearer {bob}");
    let started = r#"Started: <a href="/docs/guides/quokka-firmware-rollback">Quokka firmware rollback</a> (still a stub)"#;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut insights = app.get_with("/insights/search", &[("Authorization", auth.as_str())]);
    while !insights.body.contains(started) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        insights = app.get_with("/insights/search", &[("Authorization", auth.as_str())]);
    }
    assert_eq!(insights.status, 200, "{}", insights.body);
    assert!(insights.body.contains(started), "{}", insights.body);

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

/// An empty read-only file system over a folder while it lives (root only: the only way to
/// refuse root a write); `None` where mounting is not allowed.
struct ReadOnlyMount(std::path::PathBuf);

impl ReadOnlyMount {
    fn over(folder: &std::path::Path) -> Option<Self> {
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs"])
            .arg(folder)
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        status.success().then(|| Self(folder.to_path_buf()))
    }
}

impl Drop for ReadOnlyMount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[cfg(unix)]
#[test]
fn a_read_only_content_folder_answers_with_the_markdown_to_copy() {
    use std::os::unix::fs::PermissionsExt;
    let app = app();
    let root = token(&app, "root", true);
    let auth = format!("Bearer {root}");
    let post = |title: &str| {
        app.post_json(
            "/api/v1/insights/stubs",
            &json!({"queries": GAP, "title": title, "owner": "team-platform"}),
            &[("Authorization", auth.as_str())],
        )
    };
    let guides = app.content.join("guides");
    std::fs::set_permissions(&guides, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let mut title = "Quokka firmware rollback";
    let mut res = post(title);
    std::fs::set_permissions(&guides, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let _mount;
    if res.status == 201 {
        // Running as root: permissions do not stop the write; a read-only mount does.
        let Some(mount) = ReadOnlyMount::over(&guides) else {
            return;
        };
        _mount = mount;
        title = "Quokka firmware rollback again";
        res = post(title);
    }
    assert_eq!(res.status, 409, "{}", res.body);
    let body = res.json();
    let slug = title.to_lowercase().replace(' ', "-");
    assert_eq!(body["path"], format!("guides/{slug}.md"));
    let markdown = body["markdown"].as_str().expect("markdown");
    assert!(
        markdown.starts_with(&format!("---\ntitle: {title}\n")),
        "{markdown}"
    );
    assert!(
        body["error"]
            .as_str()
            .expect("error")
            .contains("merge request")
    );
}

/// A session cookie and its form token for `name`, made in the store.
fn session(app: &TestApp, name: &str) -> (String, String) {
    let store = &app.state.store;
    let user = UserName::parse(name).expect("name");
    store.create_user(&user, false, None).expect("create user");
    let id = crate::support::user_named(store, name).id;
    let (token, csrf) = store
        .create_session(id, time::OffsetDateTime::now_utc())
        .expect("session");
    (format!("selfserve_session={token}"), csrf)
}

#[test]
fn the_form_writes_the_page_and_lands_on_it() {
    let app = app();
    let (cookie, csrf) = session(&app, "bob");
    let headers = [("Cookie", cookie.as_str())];

    let form = app.get_with(
        "/insights/stubs/new?q=quokka+firmware+rollback&q=rollback+quokka+firmware",
        &headers,
    );
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains(r#"value="Quokka firmware rollback""#),
        "{}",
        form.body
    );
    assert!(
        form.body
            .contains(r#"name="q" value="rollback quokka firmware""#),
        "{}",
        form.body
    );
    assert!(
        form.body.contains(r#"<option value="team-platform""#),
        "{}",
        form.body
    );
    assert_eq!(form.header("cache-control"), Some("private, no-store"));

    let body = "q=quokka+firmware+rollback&q=rollback+quokka+firmware&title=Quokka+firmware+rollback&owner=team-platform";
    let stale = app.post_form("/insights/stubs", body, &headers);
    assert_eq!(
        stale.status, 403,
        "a post without the form token is refused"
    );

    let with_token = format!("csrf={csrf}&{body}");
    let res = app.post_form("/insights/stubs", &with_token, &headers);
    assert_eq!(res.status, 303, "{}", res.body);
    let location = res.header("location").expect("location").to_owned();
    assert_eq!(location, "/docs/guides/quokka-firmware-rollback");
    let page = wait_for_page(&app, &location);
    assert_eq!(page.status, 200, "{}", page.body);

    let again = app.post_form("/insights/stubs", &with_token, &headers);
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("already there"), "{}", again.body);
}
